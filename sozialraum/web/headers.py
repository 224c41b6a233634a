"""Security headers on every response, errors included.

A request that came by HTTPS (directly, or through a proxy trusted with ``PROXY_COUNT``)
gets ``Strict-Transport-Security: max-age=HSTS_MAX_AGE_S`` (0 switches it off).
The Content-Security-Policy allows inline scripts and styles only with the response's
nonce (:mod:`sozialraum.web.csp`).
Every response that is not a static asset is ``Cache-Control: private, no-store``
unless the view set its own: pages and data may show notes about places people live.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request

from sozialraum.web.csp import content_security_policy, csp_nonce


def register(app: Flask) -> None:
    """Install the after-request hook that sets the headers and ``csp_nonce()`` for Jinja."""
    app.add_template_global(csp_nonce, "csp_nonce")

    @app.after_request
    def _headers(response):
        config = current_app.config
        # names the nonce only if the response drew one (a page with inline scripts)
        policy = content_security_policy(config.get("TILE_URL"), g.get("csp_nonce"))
        response.headers.setdefault("Content-Security-Policy", policy)
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
