"""Offline use (issue 23): saving a district of the city for the phone, and sending a queue.

The city is the Neuss extract replicated ``copies`` times (one rectangle district per copy,
as in web_pages.py), imported with its basemap and served by ``sozialraum serve``. In
Chromium (a caseworker of the district's team, the service worker in control):

- "Für unterwegs speichern" on the biggest district: time until the page says it is stored,
  bytes and basemap tiles (zoom 14-18) it stored. Baseline, in the same page: fetching the
  same URLs (same parallelism) without storing them, i.e. what the network and the server
  take anyway; the ratio is the cost of storing them on the device.
- 100 notes recorded without a connection (queued in IndexedDB through
  ``sozialraumOffline.queueNote``, as the note form does), then the connection comes back:
  time until the queue is empty, and how many arrived (0 lost). Baseline: the same 100 notes
  posted one after the other straight to the API from the same page.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import NEUSS, app_server, city_files

AREA = "bench-stadt"
USER = "bench-fachkraft"
TEAM = "Team Bench"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip
NOTES = 100

FETCH_ONLY = """async (url) => {
    const plan = await (await fetch(url, {credentials: 'same-origin'})).json();
    const urls = [...plan.pages, ...plan.data.map(d => d.url), ...plan.tiles];
    let next = 0, bytes = 0;
    const started = performance.now();
    async function run() { while (next < urls.length) { const u = urls[next++];
        const r = await fetch(u, {credentials: 'same-origin', cache: 'no-store'});
        bytes += (await r.arrayBuffer()).byteLength; } }
    await Promise.all([run(), run(), run(), run(), run(), run()]);
    return {seconds: (performance.now() - started) / 1000, bytes, urls: urls.length}; }"""

DIRECT_POSTS = """async ([area, notes]) => {
    const token = document.querySelector('meta[name=csrf-token]').content;
    const started = performance.now(); let ok = 0;
    for (const body of notes) {
        const r = await fetch('/api/areas/' + area + '/notes', {method: 'POST',
            credentials: 'same-origin', body: JSON.stringify(body),
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}});
        if (r.status === 201) ok++; }
    return {seconds: (performance.now() - started) / 1000, ok}; }"""

QUEUE_NOTES = """async ([area, notes]) => {
    for (const body of notes) await window.sozialraumOffline.queueNote(area, body);
    return (await window.sozialraumStore.queue()).length; }"""


def _notes(lon: float, lat: float, tag: str) -> list[dict]:
    return [
        {"lon": lon, "lat": lat, "category": "beobachtung", "text": f"{tag} Beobachtung {i + 1}."}
        for i in range(NOTES)
    ]


def bench_offline(copies: int = 35) -> None:
    """Print the save and sync figures (ratios against the baselines of the same run)."""
    from playwright.sync_api import sync_playwright

    from sozialraum.accounts import UserStore, accounts_dir
    from sozialraum.osm.importer import import_area
    from sozialraum.services.areas.districts import assign_team
    from sozialraum.store import GeoJSONStore

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"missing {CHROMIUM}: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="sozialraum-offline-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        osm, districts_file = city_files(folder, copies)
        data_dir = folder / "data"
        store = GeoJSONStore(data_dir)
        report = import_area(store, AREA, osm_file=osm, districts_file=districts_file)
        osm.unlink()
        prepared = time.perf_counter() - started
        per_district = Counter(
            f["properties"].get("district") for f in store.query(AREA, "addresses")
        )
        district, addresses = max(
            ((d, n) for d, n in per_district.items() if d), key=lambda kv: kv[1]
        )
        assign_team(store, AREA, district, TEAM, actor="bench")
        password = secrets.token_urlsafe(18)
        UserStore(accounts_dir(data_dir) / "users.json").add(USER, "caseworker", TEAM, password)
        lon, lat = store.query(AREA, "addresses", district=district)[0]["geometry"]["coordinates"]
        print(
            f"\n[offline] {NEUSS.name} replicated {copies}x: {report.addresses:,} addresses, "
            f"{report.districts} districts (built and imported in {prepared:.0f} s); "
            f"district {district}: {addresses:,} addresses"
        )
        with (
            app_server(data_dir, folder / "instance", folder / "serve.log") as (base, _port),
            sync_playwright() as pw,
        ):
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{base}/anmelden")
            page.fill("#username", USER)
            page.fill("#password", password)
            page.get_by_role("button", name="Anmelden", exact=True).click()
            page.wait_for_url(f"{base}/")
            district_url = f"{base}/gebiete/{AREA}/bezirke/{district}/"
            page.goto(district_url)
            page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
            page.reload()
            page.wait_for_function("() => !!navigator.serviceWorker.controller")
            page.wait_for_selector("html[data-sr-offline=ready]", state="attached")

            plan_url = f"/api/areas/{AREA}/offline?district={district}"
            fetched = page.evaluate(FETCH_ONLY, plan_url)
            started = time.perf_counter()
            page.get_by_role("button", name="Für unterwegs speichern").click()
            status = page.locator("[data-sr-offline-status][data-state=saved]")
            status.wait_for(timeout=600_000)
            save_s = time.perf_counter() - started
            stored = int(status.get_attribute("data-bytes"))
            tiles = int(status.get_attribute("data-tiles"))
            print(f"  save district for offline use: {fetched['urls']:,} URLs")
            print(
                f"  {'fetch the same URLs, not stored (baseline)':<46} "
                f"{fetched['seconds']:8.2f} s  {fetched['bytes'] / 1e6:7.1f} MB"
            )
            print(
                f"  {'Für unterwegs speichern (Cache Storage)':<46} {save_s:8.2f} s  "
                f"{stored / 1e6:7.1f} MB  {tiles:,} tiles  "
                f"{save_s / fetched['seconds']:5.2f} x baseline"
            )
            print(f"  page says: {status.inner_text()}")

            direct = page.evaluate(DIRECT_POSTS, [AREA, _notes(lon, lat, "Direkt")])
            before = len(store.query(AREA, "notes"))
            context.set_offline(True)
            queued = page.evaluate(QUEUE_NOTES, [AREA, _notes(lon, lat, "Offline")])
            started = time.perf_counter()
            context.set_offline(False)  # Chromium's emulation may not fire "online"
            page.evaluate("() => window.dispatchEvent(new Event('online'))")
            page.wait_for_function(
                "() => document.querySelector('[data-sr-offline-panel]')"
                ".getAttribute('data-queued') === '0'",
                timeout=600_000,
            )
            sync_s = time.perf_counter() - started
            texts = [
                n["properties"]["text"]
                for n in store.query(AREA, "notes")
                if n["properties"]["text"].startswith("Offline ")
            ]
            arrived = len(set(texts))
            lost = NOTES - arrived
            print(
                f"  {'100 notes posted one by one (baseline)':<46} "
                f"{direct['seconds']:8.2f} s  {direct['ok']} created"
            )
            print(
                f"  {'100 queued notes sent when back online':<46} {sync_s:8.2f} s  "
                f"{arrived} arrived, {lost} lost, {len(texts) - arrived} duplicates  "
                f"{sync_s / direct['seconds']:5.2f} x baseline"
            )
            print(
                f"  queued {queued}; notes in the store {before} -> "
                f"{len(store.query(AREA, 'notes'))}"
            )
            context.close()
            browser.close()
            if lost or len(texts) != NOTES:
                raise SystemExit("offline benchmark lost or doubled notes")
