"""The accounts page with its Protokoll of account changes on a 390×844 phone, in Chromium."""

from __future__ import annotations

import pytest
from support.browser import check, log_in, watch_console
from support.web import DEMO_LOGINS

pytestmark = pytest.mark.browser


def test_the_protocol_fits_a_phone_and_its_link_is_large_enough(open_session, live_server):
    s = open_session(viewport={"width": 390, "height": 844})
    console = watch_console(s)
    log_in(s.page, live_server, DEMO_LOGINS["admin"])
    s.page.goto(f"{live_server}/verwaltung/konten")
    link = s.page.locator("a.admin-jump")
    assert link.bounding_box()["height"] >= 44
    link.click()
    s.page.wait_for_url(f"{live_server}/verwaltung/konten#protokoll")
    table = s.page.locator("#protokoll-tabelle")
    assert table.is_visible()
    assert table.locator("tbody tr").count() >= 1  # the demo accounts were created (cli)
    assert "Konto angelegt" in table.inner_text()
    width = s.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width
    check(s, console)
