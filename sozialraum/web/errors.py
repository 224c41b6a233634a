"""Errors become German pages (or JSON for /api) with the status the error carries."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from sozialraum.errors import NotFound, SozialraumError, StorageError

log = logging.getLogger(__name__)

GERMAN = {
    400: "Die Anfrage ist ungültig.",
    404: "Diese Seite gibt es nicht.",
    405: "Diese Aktion ist hier nicht erlaubt.",
    413: "Die Datei ist zu groß.",
    500: "Ein interner Fehler ist aufgetreten.",
    503: "Die Daten sind gerade nicht verfügbar. Bitte versuchen Sie es gleich noch einmal.",
}


def _answer(status: int, message: str):
    if request.path.startswith("/api/"):
        return jsonify({"error": message, "status": status}), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    """Install error handlers."""

    @app.errorhandler(SozialraumError)
    def _domain_error(exc: SozialraumError):
        if isinstance(exc, StorageError):
            log.error("storage error: %s", exc.message)
            return _answer(exc.status, GERMAN[503])
        if isinstance(exc, NotFound):
            return _answer(404, GERMAN[404])
        return _answer(exc.status, GERMAN.get(exc.status, GERMAN[400]))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return _answer(exc.code or 500, GERMAN.get(exc.code or 500, exc.name))
