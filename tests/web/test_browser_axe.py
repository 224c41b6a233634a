"""Accessibility of the main pages (issue 21): axe-core (npm, served from static/vendor) in real
headless Chromium finds no serious or critical violation on any of them."""

from __future__ import annotations

import pytest
from support.browser import AREA, CASEWORKER, log_in, plan_walk

pytestmark = pytest.mark.browser

AXE = "/static/vendor/axe-core/axe.min.js"
#: every rule axe runs by default (WCAG 2.x A/AA and best practices); violations only
RUN = """() => axe.run(document, { resultTypes: ["violations"] }).then(r => ({
    passes: r.passes.length,
    violations: r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + ": " + n.failureSummary) })) }))"""


def _violations(page, base: str, path: str, ready: str | None) -> list[dict]:
    response = page.goto(f"{base}{path}")
    assert response.ok, (path, response.status)
    if ready:
        page.wait_for_function(ready)
    page.add_script_tag(url=AXE)  # same origin: allowed by the Content-Security-Policy
    result = page.evaluate(RUN)
    assert result["passes"] > 10, (path, result)  # axe did run its rules on the page
    for v in result["violations"]:  # the minor and moderate ones, for the log
        print(path, v["impact"], v["id"], v["nodes"][:1])
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


MAP = "() => window.sozialraumReady === true"
LIST = "() => document.querySelector('section#liste[data-ready=true]') !== null"


def test_main_pages_have_no_serious_or_critical_violations(open_session, live_server, demo_store):
    s = open_session()
    page = s.page
    found = {"anmelden": _violations(page, live_server, "/anmelden", None)}
    log_in(page, live_server, CASEWORKER)
    walk_id = plan_walk(page, live_server, demo_store)
    base = f"/gebiete/{AREA}"
    pages = {
        "start": ("/", None),
        "gebiet": (f"{base}/", MAP),
        "bezirk": (f"{base}/bezirke/r1/", MAP),
        "suche": (f"{base}/suche", MAP),
        "notiz-neu": (f"{base}/notizen/neu", None),
        "notizen": (f"{base}/notizen", None),
        "pruefung": (f"{base}/pruefung", None),
        "rundgaenge": (f"{base}/rundgaenge", None),
        "rundgang": (f"{base}/rundgaenge/{walk_id}", None),
        "angebote-finden": (f"{base}/angebote/finden", None),
        "wegweiser": (f"{base}/wegweiser", None),
        "unterwegs": (
            f"{base}/unterwegs?rundgang={walk_id}",
            "() => !!document.body.dataset.fieldReady",
        ),
    }
    for name, (path, ready) in pages.items():
        found[name] = _violations(page, live_server, path, ready)
    assert {name: v for name, v in found.items() if v} == {}
    # the check can fail: an image without a text alternative is a critical violation
    page.goto(f"{live_server}/")
    page.evaluate(
        """() => { const img = document.createElement("img");
        img.src = "/static/sozialraum/favicon.svg"; document.querySelector("main").append(img); }"""
    )
    page.add_script_tag(url=AXE)
    planted = page.evaluate(RUN)["violations"]
    assert ("image-alt", "critical") in [(v["id"], v["impact"]) for v in planted]
    s.check()
