"""Fixtures of the browser tests for every module here: one Chromium per module, the app on
127.0.0.1 and a factory of browser sessions (helpers in ``support/browser.py``)."""

from __future__ import annotations

import re
import threading

import pytest
from support.browser import CHROMIUM, CSP_RECORDER, FLAGS, Session, browser_required

from sozialraum.web import create_app


# -- browser, server, sessions --------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = "Debian chromium missing: apt-get install chromium chromium-driver"
        if browser_required():
            pytest.fail(message)
        pytest.skip(message)
    try:
        from playwright import sync_api as playwright_api
    except ImportError:
        if browser_required():
            pytest.fail("playwright is not installed (pip install -e '.[dev]')")
        pytest.skip("playwright is not installed")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def start_server(demo_store):
    """Start the app on waitress (127.0.0.1, free port, in a thread) over ``demo_store``.

    A factory, so that a test can change the data first; returns the base URL.
    """
    import waitress

    servers = []

    def start() -> str:
        config = {"TESTING": True, "DATA_DIR": str(demo_store.data_dir), "TILE_URL": ""}
        if getattr(demo_store, "url", None):
            config["DATABASE_URL"] = demo_store.url  # a test on the PostgreSQL backend
        app = create_app(config)
        server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.effective_port}"

    yield start
    for server, thread in servers:
        server.close()
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()


@pytest.fixture
def live_server(start_server) -> str:
    return start_server()


@pytest.fixture
def open_session(browser, request, start_server):
    """Factory for sessions (new context each); closes them and re-checks privacy.

    Depends on ``start_server`` so that the contexts (and their keep-alive connections)
    are closed before the server stops, which lets the server thread end at once.
    """
    sessions = []
    test_name = re.sub(r"\W+", "_", request.node.name).strip("_")

    def open_(**context_options) -> Session:
        options = {"viewport": {"width": 1280, "height": 900}, "locale": "de-DE"}
        options.update(context_options)
        context = browser.new_context(**options)
        page = context.new_page()
        session = Session(test_name, context, page)
        context.on("request", session.record)  # every page and frame, the map iframe too
        context.on("response", session.on_response)
        context.expose_binding("__reportCsp", lambda source, text: session.csp.append(text))
        context.add_init_script(f"({CSP_RECORDER})()")  # in every frame, before its scripts
        page.on("pageerror", lambda exc: session.errors.append(str(exc)))
        page.on("dialog", session.on_dialog)
        sessions.append(session)
        return session

    yield open_
    for session in sessions:
        session.context.close()
    for session in sessions:
        assert session.foreign == [], f"requests to other hosts: {session.foreign}"
        assert session.csp == [], f"Content-Security-Policy violations: {session.csp}"


@pytest.fixture
def s(open_session) -> Session:
    return open_session()
