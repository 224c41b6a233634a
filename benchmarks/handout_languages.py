"""`[handout_languages]` benchmark (issue 24): a two-language handout for six offers against the
German-only one.

Set-up (not timed): the demo area Musterstadt-Nord in a temporary store with a sixth offer on the
finder's handout and one offer with its own Arabic texts (``tests/support/handouts``).

Measured, medians of ``repeat`` runs, as ratios against the German-only handout of the same kind:

- the server's answer (Flask test client, POST of the finder / the Wegweiser with the language
  choice): template, catalogs, opening hours in words;
- the printed handout in Debian's Chromium: the POST answer loaded with its style sheet and
  fonts (from the app on 127.0.0.1), then ``page.pdf(A4)``; the pages of the PDF are printed too.

Target: the Arabic + German handout takes at most 2× the German one.

Called from ``benchmarks/run.py --only handout_languages``.
"""

from __future__ import annotations

import logging
import statistics
import tempfile
import threading
import time
from pathlib import Path

from common import row

CHOICES = (("de", ""), ("ar", "de"), ("de-LS", "en"), ("fa", ""))


def _interleaved(fn, repeat: int) -> dict:
    """Median seconds of ``fn(choice)`` per choice, the choices taking turns (shared, noisy
    machine: a slow moment hits every choice alike)."""
    times: dict = {c: [] for c in CHOICES}
    for _ in range(repeat):
        for choice in CHOICES:
            started = time.perf_counter()
            fn(choice)
            times[choice].append(time.perf_counter() - started)
    return {c: statistics.median(t) for c, t in times.items()}


def _rows(times: dict, pages: dict | None = None) -> None:
    base = times[("de", "")]
    for (first, second), seconds in times.items():
        label = (
            first + (f" + {second}" if second else "") + (" (baseline)" if first == "de" else "")
        )
        if pages:
            label += f", {pages[(first, second)]} page(s)"
        row(label, seconds, base, "target <= 2.00" if (first, second) == ("ar", "de") else "")


def _demo(folder: Path):
    from support.handouts import add_sixth_offer, give_own_texts

    from sozialraum import settings
    from sozialraum.accounts import accounts_dir
    from sozialraum.accounts.demo import install_demo_users
    from sozialraum.demo.area import install_demo
    from sozialraum.store import GeoJSONStore

    store = GeoJSONStore(folder)
    install_demo(store)
    install_demo_users(accounts_dir(folder))
    add_sixth_offer(store, settings.today())
    give_own_texts(store)
    return store


def _server_side(folder: Path, repeat: int) -> None:
    from support.handouts import ADDRESS, FINDER, GUIDE, TARGET_GROUPS
    from support.web import csrf_token, login

    from sozialraum.model.offers import TARGET_GROUPS as GROUP_IDS
    from sozialraum.web import create_app

    app = create_app({"TESTING": True, "DATA_DIR": str(folder), "TILE_URL": ""})
    client = login(app.test_client(), "caseworker")
    ids = [k for k, v in GROUP_IDS.items() if v in TARGET_GROUPS]
    situation = {"target_groups": ids, "employed": "nein", "disability_recognised": "ja"}

    def post(url: str, first: str, second: str, **data):
        token = csrf_token(client, url)
        form = {"csrf_token": token, "adresse": ADDRESS, "sprache": first, "sprache2": second}
        response = client.post(url, data={**form, **data})
        if response.status_code != 200 or "handout" not in response.text:
            raise SystemExit(f"handout benchmark: {url} answered {response.status_code}")
        return response

    for url, extra, what in ((FINDER, situation, "offers handout"), (GUIDE, {}, "Wegweiser")):

        def answer(choice, url=url, extra=extra):
            post(url, *choice, **extra)

        answer(("de", ""))  # warm: catalogs, templates, walk network
        times = _interleaved(answer, repeat)
        print(f"\n[handout_languages] server answer, {what}, 6 offers, median of {repeat}")
        _rows(times)


def _printed(folder: Path, repeat: int) -> None:
    import waitress
    from playwright.sync_api import sync_playwright
    from support.browser import CHROMIUM, FLAGS, log_in
    from support.handouts import FINDER, GUIDE, pdf_page_count, submit_finder, submit_guide

    from sozialraum.web import create_app

    logging.getLogger("waitress").setLevel(logging.ERROR)  # "Task queue depth" notes
    app = create_app({"TESTING": True, "DATA_DIR": str(folder), "TILE_URL": ""})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.effective_port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            page = browser.new_page()
            log_in(page, base_url)
            for url, submit, what in ((FINDER, submit_finder, "offers handout"),
                                      (GUIDE, submit_guide, "Wegweiser")):  # fmt: skip
                pages = {}

                def run(choice, url=url, submit=submit, pages=pages):
                    page.goto(f"{base_url}{url}")
                    submit(page, *choice)
                    page.emulate_media(media="print")
                    page.wait_for_function("() => document.fonts.ready.then(() => true)")
                    pages[choice] = pdf_page_count(page.pdf(format="A4"))
                    page.emulate_media(media="screen")

                run(("de", ""))  # warm: fonts, caches
                times = _interleaved(run, repeat)
                print(
                    f"\n[handout_languages] Chromium, sent → PDF (A4), {what}, median of {repeat}"
                )
                _rows(times, pages)
            browser.close()
    finally:
        server.close()
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()


def bench_handout_languages(repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        _demo(folder)
        _server_side(folder, repeat)
        _printed(folder, repeat)
