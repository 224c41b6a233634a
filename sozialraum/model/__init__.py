"""The domain model: pure rules and tables of notes, review, mailboxes, offers, roles and teams.

No store and no Flask; the only files read are the TOML tables (packaged or the municipality's).
"""
