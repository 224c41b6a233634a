"""`[review]` benchmark (team-review issue): the review page and the street coverage of a
district with 5,000 notes in a city-sized area, as ratios against listing the notes alone.

Set-up (not timed): the Neuss extract replicated ``copies`` times (``run.replicate``; the same
city as the ``[web]`` run, one rectangle district per copy, ``web_pages.city_files``) is
imported into a temporary store. The district with the most addresses gets 5,000 synthetic
field notes (ids ``n00001``…, within a few metres of the streets of 70 % of its street names,
so some streets stay unvisited; observed over the last 24 months; review states mixed
"eingereicht"/"freigegeben"/"entwurf"; none expired) and a few walks with stops on the same
streets (walk days over the last 12 months).

Measured in the same process, medians of ``repeat`` runs:

- baseline: ``fieldnotes.list_notes(store, area, today=…, district=D)`` (the store's layer
  cache is warm, as it is in the running app);
- the coverage of the district with every coverage cache dropped before each run (reads and
  projects the streets artifact, clips, matches the visits), with only the result dropped (the
  case after a note changed: the projected streets stay cached), and the cached call;
- the coverage of all districts (cold), the coverage page and its map document through the
  Flask test client (cached coverage);
- the review page (:func:`_review_page_timings`): after a closed team meeting and 200 review
  changes, the queue of the district's submitted notes and "Seit letzter Besprechung" as
  service calls, and the whole page (queue, map data, meeting panel) and its "overdue only"
  filter through the Flask test client.

Called from ``benchmarks/run.py --only review``.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from common import NEUSS, city_files, lead_client, median_time, row

AREA = "bench-stadt"
USER = "bench-leitung"
TEAM = "Team Bench"
NOTES = 5000
WALKS = 12
STOPS_PER_WALK = 8
STATES = ("eingereicht", "freigegeben", "entwurf")
SCATTER_DEG = 0.00005  # about 5 m: notes sit next to the street, not on it
SEED = 20261121
VISITED_SHARE = 0.7  # notes and walks use this share of the district's street names


def _district_lines(store, district_feature) -> list[tuple[str, list]]:
    """The named street lines (lon/lat) that have a vertex inside the district."""
    import shapely

    from sozialraum.analysis.streets import load_streets

    streets = load_streets(store, AREA)
    polygon = shapely.geometry.shape(district_feature["geometry"])
    shapely.prepare(polygon)
    inside = shapely.intersects_xy(polygon, streets.lons, streets.lats)
    names = streets.line_names()
    lines = []
    for i, (a, b) in enumerate(zip(streets.offsets[:-1], streets.offsets[1:], strict=True)):
        if inside[a:b].any():
            lines.append(
                (str(names[i]), list(zip(streets.lons[a:b], streets.lats[a:b], strict=True)))
            )
    return lines


def _point_on(rng: random.Random, lines: list) -> tuple[float, float]:
    _, coords = rng.choice(lines)
    k = rng.randrange(len(coords) - 1)
    (x0, y0), (x1, y1) = coords[k], coords[k + 1]
    t = rng.random()
    return (
        round(x0 + t * (x1 - x0) + rng.uniform(-SCATTER_DEG, SCATTER_DEG), 7),
        round(y0 + t * (y1 - y0) + rng.uniform(-SCATTER_DEG, SCATTER_DEG), 7),
    )


def _notes(rng, lines, district: str, today) -> list[dict]:
    """5,000 notes as ``fieldnotes._feature`` writes them (no links), spread over 24 months."""
    features = []
    for i in range(1, NOTES + 1):
        lon, lat = _point_on(rng, lines)
        observed = today - timedelta(days=rng.randrange(0, 730))
        features.append(
            {
                "type": "Feature",
                "id": f"n{i:05d}",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "category": "beobachtung",
                    "text": f"Beobachtung {i}: Aushang am Eingang, Bank vor dem Haus.",
                    "observed_on": observed.isoformat(),
                    "expires_on": (today + timedelta(days=365)).isoformat(),
                    "review_state": STATES[i % len(STATES)],
                    "author": "bench",
                    "team": TEAM,
                    "district": district,
                },
            }
        )
    return features


def _walks(rng, lines, district: str, today) -> list[dict]:
    features = []
    for i in range(1, WALKS + 1):
        stops = []
        for k in range(STOPS_PER_WALK):
            lon, lat = _point_on(rng, lines)
            stops.append({"kind": "point", "label": f"Halt {k + 1}", "lon": lon, "lat": lat})
        features.append(
            {
                "type": "Feature",
                "id": f"w{i:03d}",
                "geometry": {
                    "type": "MultiPoint",
                    "coordinates": [[s["lon"], s["lat"]] for s in stops],
                },
                "properties": {
                    "title": f"Rundgang {i}",
                    "walk_on": (today - timedelta(days=rng.randrange(0, 365))).isoformat(),
                    "purpose": "Straßen ansehen.",
                    "participants": "2 Fachkräfte",
                    "district": district,
                    "team": TEAM,
                    "author": "bench",
                    "stops": stops,
                },
            }
        )
    return features


# ---------------------------------------------------------------------------------------------
# The review page: a lead's queue of the district (every submitted note), "Seit letzter
# Besprechung" after a closed meeting followed by REVIEWED releases and Rückfragen.
REVIEWED = 200


def _review_page_timings(app_client, area: str, district: str) -> list[tuple[str, float, str]]:
    """Timings of the review page of ``district`` (and its parts) through ``app_client``."""
    from sozialraum import settings
    from sozialraum.model.roles import Role
    from sozialraum.services import meetings, review
    from sozialraum.services import notes as fieldnotes

    app = app_client.application
    context = app.extensions["sozialraum"]
    store, rules, today = context.store, context.note_rules, settings.today()
    lead = fieldnotes.Actor(USER, Role.LEAD, TEAM)
    meeting = meetings.start_meeting(store, area, None, {"Teamleitung": 1}, actor=lead, today=today)
    meetings.close_meeting(store, area, meeting["id"], expected_version=1, actor=lead)
    submitted = fieldnotes.list_notes(store, area, today=today, review_state="eingereicht")
    for number, note in enumerate(submitted[:REVIEWED]):
        action, comment = ("rueckfrage", "Bitte Ort genauer.") if number % 4 == 0 else (
            "freigeben", None)  # fmt: skip
        review.review_note(
            store, area, note["id"], action, expected_version=note["properties"]["version"],
            actor=lead, rules=rules, today=today, comment=comment,
        )  # fmt: skip
    queue = review.QueueFilter(team=TEAM, district=district)
    queued = len(review.review_queue(store, area, queue, actor=lead, rules=rules, today=today))
    url = f"/gebiete/{area}/pruefung?district={district}"

    def get(address):
        response = app_client.get(address)
        if response.status_code != 200:
            raise SystemExit(f"review benchmark: GET {address} -> {response.status_code}")

    get(url)  # warm
    repeat = 5
    return [
        (
            "review queue of the district (service)",
            median_time(
                lambda: review.review_queue(
                    store, area, queue, actor=lead, rules=rules, today=today
                ),
                repeat,
            ),
            f"{queued:,} submitted notes",
        ),
        (
            "since last meeting (service)",
            median_time(
                lambda: meetings.since_last_meeting(store, area, TEAM, today=today, rules=rules),
                repeat,
            ),
            f"after {REVIEWED} review changes",
        ),
        ("GET review page of the district", median_time(lambda: get(url), repeat), "whole page"),
        (
            "GET review page, overdue notes only",
            median_time(lambda: get(url + "&stale=1"), repeat),
            "filter: past the re-check day",
        ),
    ]


# ---------------------------------------------------------------------------------------------


def bench_review(copies: int = 35, repeat: int = 5) -> None:
    """Coverage (and the review page) of a district with 5,000 notes against list_notes."""
    from sozialraum import settings
    from sozialraum.osm.importer import import_area
    from sozialraum.services import coverage
    from sozialraum.services import notes as fieldnotes
    from sozialraum.store import GeoJSONStore

    today = settings.today()
    with tempfile.TemporaryDirectory(prefix="sozialraum-review-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        osm, districts_file = city_files(folder, copies)
        data_dir = folder / "data"
        store = GeoJSONStore(data_dir)
        report = import_area(store, AREA, osm_file=osm, districts_file=districts_file)
        osm.unlink()
        per_district = Counter(
            f["properties"].get("district") for f in store.query(AREA, "addresses")
        )
        per_district.pop(None, None)
        district, _ = max(per_district.items(), key=lambda kv: kv[1])
        district_feature = store.get(AREA, "districts", district)
        lines = _district_lines(store, district_feature)
        rng = random.Random(SEED)
        names = sorted({name for name, _ in lines})
        walked = set(rng.sample(names, round(len(names) * VISITED_SHARE)))
        lines = [line for line in lines if line[0] in walked]
        store.add_many(AREA, "notes", _notes(rng, lines, district, today), actor="bench")
        store.add_many(AREA, "walks", _walks(rng, lines, district, today), actor="bench")
        prepared = time.perf_counter() - started
        meta = store.read_meta(AREA)

        listed = fieldnotes.list_notes(store, AREA, today=today, district=district)
        assert len(listed) == NOTES, len(listed)

        def cold(district_id=district):
            coverage.clear_cache()
            return coverage.district_coverage(store, AREA, today=today, district=district_id)

        def after_a_note(district_id=district):  # results dropped, street lines kept
            coverage.clear_cache(streets=False)
            return coverage.district_coverage(store, AREA, today=today, district=district_id)

        def everything():
            coverage.clear_cache()
            return coverage.district_coverage(store, AREA, today=today)

        baseline = median_time(
            lambda: fieldnotes.list_notes(store, AREA, today=today, district=district), repeat
        )
        cold_s = median_time(cold, repeat)
        (result,) = cold()
        note_s = median_time(after_a_note, repeat)
        cached_s = median_time(
            lambda: coverage.district_coverage(store, AREA, today=today, district=district),
            repeat,
        )
        all_s = median_time(everything, max(1, min(repeat, 3)))

        client = lead_client(data_dir, USER, TEAM)
        page_url = f"/gebiete/{AREA}/abdeckung?district={district}"
        client.get(page_url)  # warm the app and the cache

        def get(url):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"review benchmark: GET {url} -> {response.status_code}")

        page_s = median_time(lambda: get(page_url), repeat)
        map_s = median_time(
            lambda: get(f"/gebiete/{AREA}/abdeckung/karte?district={district}"), repeat
        )
        review_rows = _review_page_timings(client, AREA, district)

    streets = meta["streets"]
    visited = result.summary()
    print(
        f"\n[review] {NEUSS.name} replicated {copies}x: {report.districts} districts, "
        f"{streets['streets']:,} street names, {streets['lines']:,} street lines, "
        f"{streets['segments']:,} segments (set-up {prepared:.1f} s, not timed)"
    )
    print(
        f"  district {district} ({result.name}): {NOTES:,} notes, {WALKS} walks x "
        f"{STOPS_PER_WALK} stops, {visited['streets_total']} street rows, "
        f"{visited['streets_visited']} visited in 12 months "
        f"({visited['covered_share_pct']:.0f} % of {visited['length_m'] / 1000:.1f} km); "
        f"median of {repeat}"
    )
    row("list notes of the district (baseline)", baseline, baseline)
    row("coverage of the district (cold, no cache)", cold_s, baseline)
    row("coverage after a note change (streets cached)", note_s, baseline)
    row("coverage of the district (cached)", cached_s, baseline)
    row(f"coverage of all {report.districts} districts (cold)", all_s, baseline)
    row("GET coverage page of the district (cached)", page_s, baseline)
    row("GET coverage map document of the district", map_s, baseline)
    for label, seconds, note in review_rows:
        row(label, seconds, baseline, note)
