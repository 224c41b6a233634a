"""What the admin pages share: the account files, German messages, redirects."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from sozialraum.errors import SozialraumError
from sozialraum.services.admin import AccountFiles
from sozialraum.web import context as ctx


def account_files() -> AccountFiles:
    """The app's users, sessions and created teams."""
    accounts = ctx.services().accounts
    return AccountFiles.of(accounts)


def actor() -> str:
    """The admin's login name (audit log)."""
    return current_user.name


def german(exc: SozialraumError) -> str:
    """The German message of a refused change."""
    return exc.german or f"Nicht gespeichert: {exc.message}"


def done(message: str, endpoint: str, **values):
    """Flash ``message`` (success) and redirect to ``endpoint`` (303, POST-redirect-GET)."""
    flash(message, "ok")
    return redirect(url_for(endpoint, **values), 303)


def refused(exc: SozialraumError, endpoint: str, **values):
    """Flash why a change was refused and redirect to ``endpoint`` (303)."""
    flash(german(exc), "fehler")
    return redirect(url_for(endpoint, **values), 303)
