"""`[offers]` benchmark (support-offers issue): the finder with an address, the offers in the
address guide and the CSV import, in a city-sized area with 1,000 offers.

Set-up (not timed): the Neuss extract replicated ``copies`` times (the same city as the
``[web]`` and ``[review]`` runs, ``web_pages.city_files``) is imported into a temporary store; 1,000
synthetic offers (seeded) are placed at random resources of the city (8 % region-wide), with
random target groups, topics, languages and eligibility conditions, checked within the last
18 months (so some are flagged).

Measured in the same process, medians of ``repeat`` runs, as ratios against the baseline:

- baseline: ``offers.list_offers`` — the directory: every offer read from the (warm) store with
  its flags, sorted by name; for comparison, ``areas.nearest_resources`` for one address (what the
  address guide computes for its table, a lookup in the stored reachability layer);
- ``offers.find_offers`` for the severely disabled jobseeker, without and with an address
  (the address adds one Dijkstra over the whole city network), and for an empty situation
  (every offer matched);
- ``offers.nearby_offers`` (the guide's new section) and the finder through the JSON API
  (``POST /api/areas/<area>/offers/find`` with the Flask test client);
- the CSV import of all 1,000 offers into an empty layer and again unchanged, and the export.

Called from ``benchmarks/run.py --only offers``.
"""

from __future__ import annotations

import gc
import random
import tempfile
import time
from pathlib import Path

from common import NEUSS, city_files, lead_client, median_time, row

AREA = "bench-stadt"
OFFERS = 1000
SEED = 20261121
JOBSEEKER = {
    "target_groups": ["schwerbehinderte"],
    "employed": "nein",
    "disability_recognised": "ja",
    "topics": ["arbeit"],
}


def _offers(rng: random.Random, resources: list[dict], today) -> list[dict]:
    from sozialraum.model import offers as model
    from sozialraum.model.notes import add_months

    conditions = list(model.CONDITIONS)
    features = []
    for i in range(OFFERS):
        data = {
            "name": f"Angebot {i:04d}",
            "provider": f"Träger {i % 97}",
            "funders": rng.sample(list(model.FUNDERS), rng.randint(1, 2)),
            "legal_bases": rng.sample(list(model.LEGAL_BASES), rng.randint(0, 2)),
            "target_groups": rng.sample(list(model.TARGET_GROUPS), rng.randint(0, 3)),
            "eligibility": [c for c in rng.sample(conditions, rng.randint(0, 2))],
            "topics": rng.sample(list(model.TOPICS), rng.randint(1, 3)),
            "languages": ["de", *rng.sample(list(model.LANGUAGES)[3:], rng.randint(0, 2))],
            "description": "Beratung und Begleitung im Stadtteil.",
            "phone": f"01234 {i:05d}",
            "checked_on": add_months(today, -rng.randint(0, 18)).isoformat(),
            "checked_by": "teamleitung",
        }
        if {"arbeitsverhaeltnis_erforderlich", "ohne_arbeitsverhaeltnis"} <= set(
            data["eligibility"]
        ):
            data["eligibility"].remove("ohne_arbeitsverhaeltnis")
        if rng.random() < 0.08:
            data["region_wide"] = True
        else:
            data["lon"], data["lat"] = rng.choice(resources)["geometry"]["coordinates"]
        feature = model.check_offer_input(data, today).feature()
        feature["id"] = f"o{i:05d}"
        features.append(feature)
    return features


def bench_offers(copies: int = 35, repeat: int = 5) -> None:
    """The finder, the guide's offers and the CSV import against the guide's nearest lookup."""
    from sozialraum import settings
    from sozialraum.model.categories import load_categories
    from sozialraum.model.offers import situation_from
    from sozialraum.model.roles import Role
    from sozialraum.osm.importer import import_area
    from sozialraum.services import areas, offers, offers_io
    from sozialraum.services.notes import Actor
    from sozialraum.store import GeoJSONStore

    today = settings.today()
    table = load_categories()
    with tempfile.TemporaryDirectory(prefix="sozialraum-offers-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        osm, districts_file = city_files(folder, copies)
        data_dir = folder / "data"
        store = GeoJSONStore(data_dir)
        import_area(store, AREA, osm_file=osm, districts_file=districts_file)
        osm.unlink()
        rng = random.Random(SEED)
        features = _offers(rng, store.query(AREA, "resources"), today)
        addresses = store.query(AREA, "addresses")
        address = addresses[len(addresses) // 2]
        network = areas.walk_network(store, AREA)
        areas.nearest_resources(store, AREA, address["id"], table)  # warm the layer cache
        prepared = time.perf_counter() - started

        csv_text = offers_io.export_csv(features, today).encode("utf-8")
        admin = Actor("bench", Role.ADMIN, None)

        def import_fresh():
            store.sync_layer(AREA, "offers", [], actor="bench")
            return offers_io.import_offers(
                store, AREA, csv_text, "angebote.csv", actor=admin, today=today
            )

        import_s = median_time(import_fresh, max(1, min(repeat, 3)))
        report = import_fresh()
        assert len(report.added) == OFFERS, report
        again_s = median_time(
            lambda: offers_io.import_offers(
                store, AREA, csv_text, "angebote.csv", actor=admin, today=today
            ),
            max(1, min(repeat, 3)),
        )
        # four-eyes: imported offers wait for a second person's check; a colleague checks
        # them all (one write, not timed) so that handouts and the guide have offers
        checked = [
            {**f, "properties": {
                **{k: v for k, v in f["properties"].items() if k not in ("version", "updated_at")},
                "edited_by": [],
            }}
            for f in store.query(AREA, "offers")
        ]  # fmt: skip
        store.upsert_many(AREA, "offers", checked, actor="bench-colleague")
        stored = store.query(AREA, "offers")
        export_s = median_time(lambda: offers_io.export_csv(stored, today), repeat)

        baseline = median_time(lambda: offers.list_offers(store, AREA, today=today), repeat)
        guide_s = median_time(
            lambda: areas.nearest_resources(store, AREA, address["id"], table), repeat
        )
        jobseeker = situation_from(JOBSEEKER)
        everyone = situation_from({})
        gc.collect()  # the import's garbage would be collected during the first timing
        offers.find_offers(store, AREA, jobseeker, today=today)  # warm-up, not timed
        no_address_s = median_time(
            lambda: offers.find_offers(store, AREA, jobseeker, today=today), repeat
        )
        with_address_s = median_time(
            lambda: offers.find_offers(store, AREA, jobseeker, today=today, address=address),
            repeat,
        )
        found = offers.find_offers(store, AREA, jobseeker, today=today, address=address)
        all_s = median_time(
            lambda: offers.find_offers(store, AREA, everyone, today=today, address=address),
            repeat,
        )
        every = offers.find_offers(store, AREA, everyone, today=today, address=address)
        nearby_s = median_time(
            lambda: offers.nearby_offers(store, AREA, address, today=today), repeat
        )

        client = lead_client(data_dir)
        page = client.get(f"/gebiete/{AREA}/").get_data(as_text=True)
        token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
        body = {"situation": JOBSEEKER, "address_id": address["id"]}

        def api_find():
            response = client.post(
                f"/api/areas/{AREA}/offers/find", json=body, headers={"X-CSRFToken": token}
            )
            if response.status_code != 200:
                raise SystemExit(f"offers benchmark: find -> {response.status_code}")

        api_find()
        api_s = median_time(api_find, repeat)

    placed = sum(1 for f in features if f["geometry"])
    print(
        f"\n[offers] {NEUSS.name} replicated {copies}x: {len(addresses):,} addresses, "
        f"walk network {network.nodes:,} nodes; {OFFERS:,} offers ({placed:,} with a place) "
        f"(set-up {prepared:.1f} s, not timed); median of {repeat}"
    )
    print(
        f"  the jobseeker: {len(found['fits'])} fitting offers, {len(found['others'])} not; "
        f"empty situation: {len(every['fits'])} fitting"
    )
    row(f"directory: list {OFFERS:,} offers with flags (baseline)", baseline, baseline)
    row("guide: nearest resources of an address", guide_s, baseline)
    row("finder, jobseeker, no address", no_address_s, baseline)
    row("finder, jobseeker, with address (walk times)", with_address_s, baseline)
    row("finder, every offer, with address", all_s, baseline)
    row("guide: nearest 5 offers of an address", nearby_s, baseline)
    row("POST /api/.../offers/find (test client)", api_s, baseline)
    row(f"CSV import of {OFFERS:,} offers (new)", import_s, baseline)
    row(f"CSV import of {OFFERS:,} offers (unchanged)", again_s, baseline)
    row(f"CSV export of {OFFERS:,} offers", export_s, baseline)
