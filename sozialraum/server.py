"""The production servers: waitress for one process, gunicorn for several worker processes.

With ``workers > 1`` the app is created once in gunicorn's master process and the
workers are forked from it (like ``--preload``): the check of the data files at start
runs once, a damaged file stops the start before any worker exists, and the layers
read by that check are shared by the workers until they change. Writers in different
workers are serialised by the store's file locks.
"""

from __future__ import annotations

from flask import Flask
from gunicorn.app.base import BaseApplication


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
    if workers <= 1:
        import waitress

        waitress.serve(app, host=host, port=port, threads=threads, ident="sozialraum")
        return
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    _Gunicorn(
        app,
        {
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
        },
    ).run()
