"""Security headers on every response, errors included.

A request that came by HTTPS (directly, or through a proxy trusted with ``PROXY_COUNT``)
gets ``Strict-Transport-Security: max-age=HSTS_MAX_AGE_S`` (0 switches it off).
Every response that is not a static asset is ``Cache-Control: private, no-store``
unless the view set its own: pages and data may show notes about places people live.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request


def tile_source(tile_url: str | None) -> str:
    """The CSP source for a tile URL template (``{s}`` subdomains become ``*``)."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(tile_url: str | None) -> str:
    """Only our own host (and the tile server for images); folium needs inline scripts."""
    img = " ".join(filter(None, ("'self'", "data:", tile_source(tile_url))))
    return (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; "
        "style-src 'self' 'unsafe-inline'; "
        f"img-src {img}; font-src 'self'; connect-src 'self'; "
        "frame-ancestors 'self'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )


def register(app: Flask) -> None:
    """Install the after-request hook that sets the headers."""

    @app.after_request
    def _headers(response):
        config = current_app.config
        response.headers.setdefault(
            "Content-Security-Policy", content_security_policy(config.get("TILE_URL"))
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        max_age_s = int(config.get("HSTS_MAX_AGE_S") or 0)
        if request.is_secure and max_age_s > 0:
            # only over HTTPS (RFC 6797 § 7.2): directly, or through a trusted proxy
            response.headers.setdefault("Strict-Transport-Security", f"max-age={max_age_s}")
        if not request.path.startswith(f"{current_app.static_url_path}/"):
            # pages and data may show client-related notes: never kept in a browser cache
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response
