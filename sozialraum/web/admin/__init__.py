"""Admin pages ("Verwaltung", role admin only): accounts, teams, districts.

Every form posts with its CSRF token and is answered with a redirect to the page it came from
(POST-redirect-GET) and a German message (``flash``); a one-time password is shown once on the
answer of the form itself, never in a URL or a cookie. The rules are in
:mod:`sozialraum.services.admin`, shared with the CLI.
"""
