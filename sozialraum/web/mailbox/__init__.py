"""Mailbox check and returned mail: the check pages, the list check, returns; the JSON API."""
