"""The service worker, served from the site root so that it may control every page."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, send_from_directory


def service_worker():
    """``/sw.js``: the offline service worker (``static/sozialraum/offline/sw.js``).

    Served at the root (scope ``/``) and with ``Service-Worker-Allowed: /``; like every
    response that is not under ``/static/`` it is ``no-store``, so a new version takes effect
    at the next visit.
    """
    response = send_from_directory(
        Path(current_app.static_folder) / "sozialraum" / "offline",
        "sw.js",
        mimetype="text/javascript",
    )
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "private, no-store"
    return response
