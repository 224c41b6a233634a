"""Admin pages for accounts: list, create, lock/unlock, new password, role and team."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from sozialraum.accounts import normalize_name
from sozialraum.errors import InvalidInput, NotFound
from sozialraum.model.roles import ROLE_LABELS, Role
from sozialraum.services import admin
from sozialraum.web import context as ctx
from sozialraum.web.admin.common import account_files, actor, done, refused

PAGE = "pages.admin_accounts"


def _context(**extra) -> dict:
    files = account_files()
    return {
        "users": files.users.list(),
        "roles": [(role.value, ROLE_LABELS[role]) for role in Role],
        "role_labels": {role.value: label for role, label in ROLE_LABELS.items()},
        "teams": sorted(admin.known_teams(files, ctx.store())),
        "me": current_user.name,
        "audit": admin.audit_rows(files),
        **extra,
    }


def _user(user: str):
    """The account named in the URL: 400 for a malformed name, 404 for an unknown one."""
    return account_files().users.get(normalize_name(user))


def accounts_page():
    """Every account with role, team and state, the forms to change them, a form for a new one."""
    return render_template("admin/konten.html", **_context())


def _password_page(user, password: str, what: str):
    """The one-time password, shown once (on the answer of the form: no URL, no cookie)."""
    return render_template(
        "admin/konten.html",
        **_context(one_time={"user": user.name, "password": password, "what": what}),
    )


def create_account():
    """Create an account; without a password a one-time password is shown once."""
    form = request.form
    try:
        user, generated = admin.create_account(
            account_files(),
            ctx.store(),
            form.get("name", ""),
            form.get("role", ""),
            form.get("team") or None,
            form.get("password") or None,
            actor=actor(),
        )
    except InvalidInput as exc:
        return refused(exc, PAGE)
    if generated:
        return _password_page(user, generated, "angelegt")
    return done(f"Konto „{user.name}“ angelegt.", PAGE)


def disable_account(user: str):
    """Lock an account (it cannot log in; its sessions end). Never the last admin."""
    account = _user(user)
    try:
        _, ended = admin.set_disabled(account_files(), account.name, True, actor=actor())
    except InvalidInput as exc:
        return refused(exc, PAGE)
    return done(f"Konto „{account.name}“ gesperrt; {ended} Sitzung(en) beendet.", PAGE)


def enable_account(user: str):
    """Unlock an account."""
    account = _user(user)
    admin.set_disabled(account_files(), account.name, False, actor=actor())
    return done(f"Konto „{account.name}“ entsperrt.", PAGE)


def reset_password(user: str):
    """Set a new password, or show a generated one-time password once; ends the sessions."""
    account = _user(user)
    try:
        _, generated, ended = admin.reset_password(
            account_files(), account.name, request.form.get("password") or None, actor=actor()
        )
    except InvalidInput as exc:
        return refused(exc, PAGE)
    if generated:
        return _password_page(account, generated, "zurückgesetzt")
    return done(f"Neues Passwort für „{account.name}“ gesetzt; {ended} Sitzung(en) beendet.", PAGE)


def change_role(user: str):
    """Change role and team (the last admin keeps the admin role)."""
    account = _user(user)
    try:
        changed = admin.change_role_and_team(
            account_files(),
            ctx.store(),
            account.name,
            request.form.get("role", ""),
            request.form.get("team") or None,
            actor=actor(),
        )
    except (InvalidInput, NotFound) as exc:
        return refused(exc, PAGE)
    team = f", Team „{changed.team}“" if changed.team else ", ohne Team"
    return done(f"Konto „{changed.name}“: {ROLE_LABELS[changed.role]}{team}.", PAGE)
