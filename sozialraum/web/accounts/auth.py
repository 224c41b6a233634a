"""Login and logout with server-side sessions (Flask-Login), CSRF-protected forms.

The signed session cookie holds only a random session token; the server keeps
the token's hash. Logout, disabling a user or inactivity ends the session on the
server, so a replayed old cookie is refused (401).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from sozialraum.model.roles import ROLE_LABELS, Role
from sozialraum.web.context import Accounts, services

log = logging.getLogger(__name__)
login_manager = LoginManager()


class AppUser:
    """The logged-in user as Flask-Login sees it; ``get_id`` is the session token."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user, token: str):
        self.name = user.name
        self.role = Role(user.role)
        self.team = user.team
        self.token = token

    def get_id(self) -> str:
        """The session token Flask-Login keeps in the session cookie."""
        return self.token

    @property
    def role_label(self) -> str:
        """The German label of the user's role."""
        return ROLE_LABELS[self.role]


def _accounts() -> Accounts:
    return services().accounts


@login_manager.user_loader
def _load_user(token: str):
    accounts = _accounts()
    user = accounts.sessions.session_user(token, accounts.users)
    if user is None:
        return None
    if user.disabled:
        accounts.sessions.revoke(token)
        return None
    return AppUser(user, token)


class LoginForm(FlaskForm):
    """Username and password (CSRF token included by Flask-WTF)."""

    username = StringField("Benutzername", validators=[InputRequired(), Length(max=40)])
    password = PasswordField("Passwort", validators=[InputRequired(), Length(max=200)])


#: A local path (and query) made of URL characters only: no control characters (a CR/LF
#: would end the ``Location`` header), no backslash (browsers read ``/\\host`` as
#: ``//host``), no spaces, no second leading slash (a host).
_LOCAL_TARGET = re.compile(r"/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*")


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the start page.

    Every redirect to a target a user can influence goes through here: whatever the
    text, the result is a same-site path that is a valid ``Location`` header.
    """
    if isinstance(target, str) and _LOCAL_TARGET.fullmatch(target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("pages.index")


def login():
    """Show the login form; check credentials with rate limiting per user and IP."""
    form = LoginForm()
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    error, status = None, 200
    if form.validate_on_submit():
        accounts = _accounts()
        name = form.username.data.strip().lower()
        ip = request.remote_addr or "-"
        # counted as a failure before the password is checked (one locked step), so that
        # server processes checking at the same moment cannot let extra guesses through
        wait_s, attempt_at = accounts.limiter.attempt(name, ip)
        if wait_s > 0:
            minutes = max(1, round(wait_s / 60))
            error = (
                f"Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie etwa "
                f"{minutes} Minute(n)."
            )
            status = 429
        else:
            user = accounts.users.authenticate(name, form.password.data)
            if user is None:
                log.info("failed login")
                error, status = "Benutzername oder Passwort ist falsch.", 401
            else:
                accounts.limiter.success(name, ip, attempt_at)
                session.clear()  # no session fixation
                token = accounts.sessions.create(user.name)
                login_user(AppUser(user, token))
                session.permanent = True
                # the new session's CSRF token now (the form's is gone with the old session):
                # the cookie is set once, here, not again by the next page
                g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
                generate_csrf()
                return redirect(safe_next(request.args.get("next")))
    elif request.method == "POST":
        error, status = "Bitte Benutzername und Passwort eingeben.", 400
    return render_template("accounts/login.html", form=form, error=error), status


def logout():
    """End the session on the server and in the browser."""
    _accounts().sessions.revoke(current_user.token)
    logout_user()
    session.clear()
    return redirect(url_for("pages.login"))
