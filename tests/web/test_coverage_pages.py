"""Coverage pages ("Abdeckung"): tables per district, map document, CSV, old imports."""

from __future__ import annotations

import csv
import io

from support.web import login

from sozialraum import settings
from sozialraum.analysis.streets import STREETS_ARTIFACT
from sozialraum.model.roles import Role
from sozialraum.services import coverage
from sozialraum.services.notes import Actor

AREA = "musterstadt-nord"
PAGE = f"/gebiete/{AREA}/abdeckung"
#: The demo caseworker the ``client`` fixture logs in as: coverage counts what they see.
CASEWORKER = Actor("demo-fachkraft", Role.CASEWORKER, "Team Nord")


def test_area_page_links_to_the_coverage_page(client):
    assert f'href="{PAGE}"' in client.get(f"/gebiete/{AREA}/").get_data(as_text=True)
    district = client.get(f"/gebiete/{AREA}/bezirke/r1/").get_data(as_text=True)
    assert f'href="{PAGE}?district=r1"' in district


def test_page_has_a_table_per_district_oldest_first(client, demo_store):
    page = client.get(PAGE).get_data(as_text=True)
    results = coverage.district_coverage(
        demo_store, AREA, today=settings.today(), reader=CASEWORKER
    )
    assert page.count('<table class="overview coverage-table">') == len(results) == 3
    for result in results:
        assert f"<h2>{result.name}</h2>" in page
        assert f"{result.streets_visited} von {result.streets_total} Straßen" in page
        first, last = result.streets[0].name, result.streets[-1].name
        section = page.split(f'id="bezirk-{result.id}"')[1].split("</section>")[0]
        assert section.index(f">{first}</th>") <= section.index(f">{last}</th>")
    assert "<iframe" not in page and "sozialraumCoverageLines" in page  # the map in the page
    assert f'href="{PAGE}.csv"' in page
    assert "nie besucht" in page and "Straßen fehlen" not in page


def test_one_district_page_map_and_csv(client, demo_store):
    page = client.get(f"{PAGE}?district=r3").get_data(as_text=True)
    assert page.count('<table class="overview coverage-table">') == 1
    assert "<h2>Mühlenviertel</h2>" in page and '<option value="r3" selected>' in page
    assert "<iframe" not in page and '"highlight":"r3"' in page

    karte = client.get(f"{PAGE}/karte?district=r3")
    assert karte.status_code == 200 and "sozialraumCoverageLines" in karte.get_data(as_text=True)
    assert "cdn." not in karte.get_data(as_text=True)

    response = client.get(f"{PAGE}.csv?district=r3")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="abdeckung-{AREA}-r3-'
    )
    assert "no-store" in response.headers["Cache-Control"]
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    assert rows[0] == list(coverage.CSV_HEADER)
    (result,) = coverage.district_coverage(
        demo_store, AREA, today=settings.today(), district="r3", reader=CASEWORKER
    )
    assert len(rows) == 1 + result.streets_total
    assert {row[0] for row in rows[1:]} == {"Mühlenviertel"}


def test_unknown_district_is_404(client):
    assert client.get(f"{PAGE}?district=nirgendwo").status_code == 404
    assert client.get(f"{PAGE}.csv?district=nirgendwo").status_code == 404
    assert client.get("/gebiete/gibtsnicht/abdeckung").status_code == 404


def test_old_import_without_streets_gets_a_notice_not_an_error(client, demo_store):
    demo_store.delete_artifact(AREA, STREETS_ARTIFACT, actor="test")
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Straßen fehlen – bitte das Gebiet neu importieren" in page.get_data(as_text=True)
    assert client.get(f"{PAGE}/karte").status_code == 200
    assert client.get(f"{PAGE}.csv").status_code == 404


def test_viewers_may_read_and_anonymous_users_may_not(app):
    anonymous = app.test_client()
    assert anonymous.get(PAGE).status_code == 401
    viewer = login(app.test_client(), "viewer")
    assert viewer.get(PAGE).status_code == 200
    assert viewer.get(f"{PAGE}.csv").status_code == 200


def test_another_teams_draft_is_no_visit_in_the_csv_or_map(app, demo_store):
    """Issue 26: Team Mühle's draft on a never-visited street shows up for the admin and
    for nobody of Team Nord — neither in the CSV nor in the map (street, day, kind); the
    admin's cached result is never served to the caseworker."""
    from datetime import timedelta

    from sozialraum.analysis.coverage import NEVER

    today = settings.today()
    (r3,) = coverage.district_coverage(demo_store, AREA, today=today, district="r3")
    street = next(s for s in r3.streets if s.age_class == NEVER and s.length_m > 100)
    feature = next(
        f for f in coverage.coverage_features([r3]) if f["properties"]["name"] == street.name
    )
    line = feature["geometry"]["coordinates"][0]
    lon, lat = line[len(line) // 2]
    day = (today - timedelta(days=3)).isoformat()
    demo_store.add(
        AREA,
        "notes",
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "category": "problem", "text": "Treppe ohne Licht.", "observed_on": day,
                "expires_on": "2099-01-01", "author": "muehle", "team": "Team Mühle",
                "district": "r3", "review_state": "entwurf",
            },
        },
        actor="muehle",
    )  # fmt: skip

    def row(client):
        text = client.get(f"{PAGE}.csv?district=r3").get_data(as_text=True).lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        return next(r for r in rows if r[1] == street.name)

    admin = login(app.test_client(), "admin")
    assert row(admin)[3] == day and row(admin)[4] == "Notiz"
    assert day in admin.get(f"{PAGE}/karte?district=r3").get_data(as_text=True)
    for role in ("caseworker", "lead", "viewer"):
        client = login(app.test_client(), role)
        assert row(client)[3:5] == ["", ""], role
        assert day not in client.get(f"{PAGE}/karte?district=r3").get_data(as_text=True), role
        assert day not in client.get(f"{PAGE}?district=r3").get_data(as_text=True), role
