"""`--only planner`: the walk planner page of a city-sized district in headless Chromium.

The city is the ``[web]`` run's (the Neuss extract replicated ``copies`` times, one rectangle
district per copy, ``common.city_files``); its largest district (most addresses) is planned.
Figures are medians of fresh-context loads (cold browser cache), each next to the baseline
measured in the same run: the district's plain map page (``/gebiete/<area>/karte?district=``)
with its basemap drawn.

* planner, new walk: the page until the planner script has drawn the map, every place and
  address and the basemap tiles (``sozialraumPlannerReady``), plus two frames;
* planner, 8 stops: a walk's "Stationen ändern" page, until its route (8 stops along the
  streets, POST to the planner's route endpoint) is drawn as well.
"""

from __future__ import annotations

import secrets
import statistics
import tempfile
from pathlib import Path

from common import NEUSS, app_server, city_files

AREA = "city"
TEAM = "Team Bench"
TARGET_PLANNER_S = 1.5
PLANNER_READY = "window.sozialraumPlannerReady === true"
ROUTE_DRAWN = (
    "window.sozialraumPlannerReady === true && "
    "/km/.test((document.getElementById('planner-route') || {}).textContent || '')"
)


def _walk(store, district: str, count: int = 8) -> str:
    """A stored walk of ``count`` stops of the district that lie on its walk network."""
    from sozialraum.errors import InvalidInput
    from sozialraum.model.notes import load_note_categories
    from sozialraum.model.privacy import load_privacy_guard
    from sozialraum.services import walks
    from sozialraum.services.notes import Actor, NoteRules

    picks = []
    for place in walks.planner_places(store, AREA, district, labels={})["resources"]:
        pick = {"kind": "resource", "ref": place["ref"]}
        stop = walks.resolve_stops(store, AREA, [pick])
        try:
            walks.plan_order(store, AREA, stop + stop, propose=False)
        except InvalidInput:
            continue
        picks.append(pick)
        if len(picks) == count:
            break
    walk = walks.create_walk(
        store,
        AREA,
        {"title": "Benchmark", "walk_on": "2026-12-01", "district": district},
        picks,
        actor=Actor("bench", "caseworker", TEAM),
        rules=NoteRules(load_note_categories(), load_privacy_guard()),
    )
    return walk["id"]


def bench_planner(copies: int = 35, runs: int = 3) -> None:
    """The planner page of the city's largest district, ready in Chromium, against its map."""
    from basemap import TILES_DRAWN
    from playwright.sync_api import sync_playwright
    from web_pages import CHROMIUM, FLAGS, OURS_DRAWN, USER, _load, _login

    from sozialraum.accounts import UserStore, accounts_dir
    from sozialraum.osm.importer import import_area
    from sozialraum.services.areas.districts import assign_team_to_unassigned
    from sozialraum.store import GeoJSONStore

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"missing {CHROMIUM}: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="sozialraum-planner-") as tmp:
        folder = Path(tmp)
        osm, districts_file = city_files(folder, copies)
        data_dir = folder / "data"
        store = GeoJSONStore(data_dir)
        report = import_area(store, AREA, osm_file=osm, districts_file=districts_file)
        osm.unlink()
        assign_team_to_unassigned(store, AREA, TEAM, actor="bench")
        password = secrets.token_urlsafe(18)
        UserStore(accounts_dir(data_dir) / "users.json").add(USER, "caseworker", TEAM, password)
        district = max(
            store.query(AREA, "districts"),
            key=lambda d: len(store.query(AREA, "addresses", district=d["id"])),
        )["id"]
        in_district = {
            layer: len(store.query(AREA, layer, district=district))
            for layer in ("addresses", "resources")
        }
        walk_id = _walk(store, district)
        print(
            f"\n[planner] walk planner, headless Chromium (--disable-gpu), 1280x900, fresh "
            f"context per load, median of {runs}; city = {NEUSS.name} x{copies} "
            f"({report.addresses:,} addresses), largest district {district}: "
            f"{in_district['addresses']:,} addresses, {in_district['resources']:,} resources"
        )
        pages = (
            ("district map page (baseline)", f"/gebiete/{AREA}/karte?district={district}",
             f"{OURS_DRAWN} && {TILES_DRAWN}"),
            ("planner, new walk", f"/gebiete/{AREA}/rundgaenge/neu?district={district}",
             f"{PLANNER_READY} && {TILES_DRAWN}"),
            ("planner, walk of 8 stops with its route",
             f"/gebiete/{AREA}/rundgaenge/{walk_id}/stationen", f"{ROUTE_DRAWN} && {TILES_DRAWN}"),
        )  # fmt: skip
        rows = []
        with (
            app_server(data_dir, folder / "instance", folder / "serve.log") as (base, _port),
            sync_playwright() as pw,
        ):
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            try:
                cookies = _login(browser, base, password)
                for label, path, condition in pages:
                    _load(browser, base + path, condition, cookies)  # warms the server's caches
                    loads = [_load(browser, base + path, condition, cookies) for _ in range(runs)]
                    for load in loads:
                        # tiles of the first view are cancelled when the map fits the district
                        errors = [e for e in load["errors"] if "ERR_ABORTED" not in e]
                        if load["seconds"] is None or errors:
                            raise SystemExit(f"{path}: {errors or 'timeout'}")
                    rows.append(
                        (
                            label,
                            statistics.median(x["seconds"] for x in loads),
                            statistics.median(x["bytes"] for x in loads) / 1e6,
                        )
                    )
            finally:
                browser.close()
        baseline = rows[0][1]
        print(f"  {'page':<42} {'ready s':>8} {'ratio':>6} {'MB':>6}  target")
        for label, seconds, mb in rows:
            target = (
                ""
                if label.endswith("(baseline)")
                else f"<= {TARGET_PLANNER_S} s "
                + ("ok" if seconds <= TARGET_PLANNER_S else "MISSED")
            )
            print(f"  {label:<42} {seconds:>8.2f} {seconds / baseline:>6.2f} {mb:>6.2f}  {target}")
        print(
            "  ready s = page.goto until the page's map, places and addresses (and the route) "
            "are drawn and every visible basemap tile is painted, plus two frames;\n"
            "  ratio = against the district's plain map page measured in this run; MB = every "
            "byte the page view received (CDP encodedDataLength)"
        )
