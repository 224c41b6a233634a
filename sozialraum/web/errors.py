"""Errors become German pages (or JSON for /api) with the status the error carries."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from sozialraum.errors import (
    InvalidInput,
    NotFound,
    PreconditionRequired,
    ReadOnly,
    SozialraumError,
    StorageError,
    StoreBusy,
)

log = logging.getLogger(__name__)

GERMAN = {
    400: "Die Anfrage ist ungültig.",
    401: "Bitte melden Sie sich an.",
    403: "Dafür fehlt Ihnen die Berechtigung.",
    404: "Diese Seite gibt es nicht.",
    405: "Diese Aktion ist hier nicht erlaubt.",
    409: "Jemand anderes hat diesen Eintrag inzwischen geändert.",
    412: "Jemand anderes hat diesen Eintrag inzwischen geändert.",
    413: "Die Datei ist zu groß.",
    422: "Der Text enthält anscheinend Daten über Klientinnen oder Klienten.",
    428: "Die Änderung nennt nicht die Fassung, auf der sie beruht.",
    429: "Zu viele Anfragen. Bitte warten Sie einen Moment.",
    500: "Ein interner Fehler ist aufgetreten.",
    503: "Die Daten sind gerade nicht verfügbar. Bitte versuchen Sie es gleich noch einmal.",
}
READ_ONLY_MESSAGE = (
    "Die Daten sind gerade schreibgeschützt: Sie können alles ansehen, aber nichts ändern. "
    "Bitte wenden Sie sich an Ihre IT."
)
CSRF_MESSAGE = (
    "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und versuchen Sie es erneut."
)


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _answer(status: int, message: str, detail: str | None = None):
    if request.path.startswith("/tiles/"):
        # basemap tiles: an empty body (the renderer would parse any body as a tile)
        return "", status
    if _is_api():
        body = {"error": message, "status": status}
        if detail:
            body["detail"] = detail
        return jsonify(body), status
    if status == 401:
        from sozialraum.web.accounts.auth import LoginForm

        return render_template("accounts/login.html", form=LoginForm(), error=message), 401
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    """Install error handlers."""

    @app.errorhandler(SozialraumError)
    def _domain_error(exc: SozialraumError):
        if isinstance(exc, ReadOnly):
            log.warning("write refused: %s", exc.message)
            return _answer(503, READ_ONLY_MESSAGE)
        if isinstance(exc, StoreBusy):
            log.warning("store busy: %s", exc.message)
            body, status = _answer(503, GERMAN[503])
            return body, status, {"Retry-After": str(exc.retry_after_s)}
        if isinstance(exc, StorageError):
            log.error("storage error: %s", exc.message)
            return _answer(exc.status, GERMAN[503])
        if isinstance(exc, NotFound):
            return _answer(404, GERMAN[404], exc.message if _is_api() else None)
        detail = exc.message if isinstance(exc, InvalidInput | PreconditionRequired) else None
        return _answer(exc.status, GERMAN.get(exc.status, GERMAN[400]), detail)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        return _answer(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return _answer(exc.code or 500, GERMAN.get(exc.code or 500, exc.name))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error")
        return _answer(500, GERMAN[500])
