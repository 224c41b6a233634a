"""Accounts: login and logout with server-side sessions."""
