"""Fixtures of the browser tests for every module here: one Chromium per module, the app on
127.0.0.1 and a logged-in page (defined in ``test_browser.py``)."""

from web.test_browser import browser, live_server, open_session, s, start_server

__all__ = ["browser", "live_server", "open_session", "s", "start_server"]
