"""The production servers: waitress for one process, gunicorn for several worker processes.

With ``workers > 1`` the app is created once in gunicorn's master process and the
workers are forked from it (like ``--preload``): the check of the data files at start
runs once, a damaged file stops the start before any worker exists, and the layers
read by that check are shared by the workers until they change. Writers in different
workers are serialised by the store's file locks.

Reverse proxies: both servers pass the ``X-Forwarded-*`` headers through untouched and
interpret none of them; the app alone decides whom to trust, in one place
(``PROXY_COUNT``, werkzeug's ``ProxyFix`` in :func:`sozialraum.web.create_app`). By
default waitress deletes these headers unless its own ``trusted_proxy`` is set, and
gunicorn applies ``X-Forwarded-Proto`` from 127.0.0.1 on its own: with one process the
app then never saw HTTPS or the client's address behind the proxy (issue 26).

Files: every process runs with umask 077 (``settings.FILE_UMASK``), so whatever the app writes is
readable by its own user only; gunicorn gets the same umask for its workers.
"""

from __future__ import annotations

from flask import Flask
from gunicorn.app.base import BaseApplication

from sozialraum.settings import FILE_UMASK, restrict_umask


class _Gunicorn(BaseApplication):
    """gunicorn serving an already created WSGI app."""

    def __init__(self, app: Flask, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def serve(
    app: Flask,
    *,
    host: str = "127.0.0.1",
    port: int = 5000,
    workers: int = 1,
    threads: int = 8,
    timeout_s: int = 60,
) -> None:
    """Serve ``app`` until stopped (SIGINT/SIGTERM).

    Parameters
    ----------
    app : flask.Flask
        The app from :func:`sozialraum.web.create_app`.
    host, port : str, int
        Address to listen on.
    workers : int
        Worker processes. 1: waitress in this process; more: gunicorn (``gthread``).
    threads : int
        Threads per worker process.
    timeout_s : int
        Seconds after which gunicorn replaces a worker that stopped answering (a hung
        worker); requests that wait for a busy lock give up much earlier (503).
    """
    restrict_umask()
    if workers <= 1:
        import waitress

        waitress.serve(app, **waitress_options(app, host=host, port=port, threads=threads))
        return
    _Gunicorn(
        app,
        gunicorn_options(
            app, host=host, port=port, workers=workers, threads=threads, timeout_s=timeout_s
        ),
    ).run()


def _proxy_count(app: Flask) -> int:
    return int(app.config.get("PROXY_COUNT") or 0)


def waitress_options(app: Flask, *, host: str, port: int, threads: int) -> dict:
    """Keyword arguments of ``waitress.serve``/``create_server`` for ``app``.

    Behind a trusted proxy (``PROXY_COUNT`` > 0) the ``X-Forwarded-*`` headers reach the
    app, whose ``ProxyFix`` reads exactly ``PROXY_COUNT`` hops of them; without one,
    waitress removes them (nothing would read them anyway).
    """
    return {
        "host": host,
        "port": port,
        "threads": threads,
        "ident": "sozialraum",
        "clear_untrusted_proxy_headers": _proxy_count(app) == 0,
    }


def gunicorn_options(
    app: Flask, *, host: str, port: int, workers: int, threads: int, timeout_s: int
) -> dict:
    """Gunicorn settings for ``app`` (see :func:`serve`); gunicorn trusts no proxy itself."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return {
        "bind": bind,
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": timeout_s,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,  # no URLs with ids in logs
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "sozialraum",
        # proxies are the app's business (PROXY_COUNT): gunicorn must not set the scheme
        # from X-Forwarded-Proto by itself (its default trusts 127.0.0.1)
        "forwarded_allow_ips": "",
        "umask": FILE_UMASK,
    }
