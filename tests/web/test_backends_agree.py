"""The same requests on both store backends give the same answers and the same audit trail.

Each test of the other web modules runs once per backend and checks its own expectations; a
difference those expectations do not look at (an extra property, another order, a field only
one backend fills in) would pass both runs. Here one scenario of writes and reads (offers,
proposals, notes with history and a release in a team meeting, a walk with findings, returned
mail, an offer import, a district renamed, exports) runs on a GeoJSON copy and a
PostgreSQL copy of the demo data side by side, and every answer body and the audit entries are
compared, with generated ids and clock times replaced by placeholders.
"""

from __future__ import annotations

import io
import json
import re
import shutil

import pytest
from support.web import csrf_token, login

from sozialraum import settings
from sozialraum.demo.area import DEMO_AREA
from sozialraum.model.notes import add_months
from sozialraum.store import GeoJSONStore
from sozialraum.web import create_app

AREA = DEMO_AREA
API = f"/api/areas/{AREA}"
PAGES = f"/gebiete/{AREA}"
#: ISO date-times (with or without fraction and offset): the clock differs between the runs,
#: so their digits are zeroed (a different format on one backend still shows); so are the
#: clock times on pages (HH:MM)
_TIME = re.compile(
    r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?|\b\d\d:\d\d(:\d\d)?\b"
)
#: a random id made by the app (uuid4 hex, or hex after a prefix such as "ang"): numbered in
#: the order of appearance (the demo's ids are the same in both copies and get the same numbers)
_GENERATED = re.compile(r"(?<![0-9a-f])[0-9a-f]{16,}(?![0-9a-f])")
#: a CSP nonce in a page (a new one per answer)
_NONCE = re.compile(r'(nonce=")[A-Za-z0-9_-]+')
#: the CSRF token of the session, in a page's <meta> and its forms
_CSRF = re.compile(r'(name="csrf[-_]token" (?:content|value)=")[^"]+')
#: audit fields that depend on the clock or the chain (hashes over the times)
_CHAIN_FIELDS = {"ts", "hash", "prev", "mac", "kid"}


@pytest.fixture
def stores(demo_data_dir, tmp_path, request):
    """The demo data twice: GeoJSON files and a PostgreSQL database (its own clone)."""
    from sozialraum.store.postgres import PostgresStore

    files = tmp_path / "files"
    shutil.copytree(demo_data_dir, files)
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.clone_database(request.getfixturevalue("pg_demo_template"))
    request.addfinalizer(lambda: cluster.drop_database(url))
    beside = tmp_path / "beside"
    shutil.copytree(demo_data_dir, beside)
    for layer_file in (beside / AREA).glob("*.geojson"):
        layer_file.unlink()  # nothing may read the files by mistake: the database has them
    return {"geojson": GeoJSONStore(files), "postgres": PostgresStore(url, data_dir=beside)}


def _app(store):
    config = {"TESTING": True, "DATA_DIR": str(store.data_dir), "TILE_URL": ""}
    if getattr(store, "url", None):
        config["DATABASE_URL"] = store.url
    return create_app(config)


class _Run:
    """One backend's run of the scenario: its answers, with its generated ids named."""

    def __init__(self, store):
        self.store = store
        app = _app(store)
        self.clients = {
            role: login(app.test_client(), role) for role in ("caseworker", "lead", "admin")
        }
        self.tokens = {role: csrf_token(c, "/") for role, c in self.clients.items()}
        self.ids: dict[str, str] = {}
        self.generated: dict[str, str] = {}
        self.answers: list[tuple[str, int, str]] = []

    def call(self, role, method, url, *, keep=None, **kwargs):
        """Send a request, record its status and body; ``keep`` names the id it creates."""
        headers = {"X-CSRFToken": self.tokens[role], **kwargs.pop("headers", {})}
        if "data" in kwargs:
            kwargs["data"] = {"csrf_token": self.tokens[role], **kwargs["data"]}
        url = url.format(**self.ids)
        response = self.clients[role].open(url, method=method, headers=headers, **kwargs)
        if keep:
            if response.is_json and response.get_json().get("id"):
                self.ids[keep] = response.get_json()["id"]
            else:
                location = response.headers["Location"].split("?")[0].rstrip("/")
                self.ids[keep] = location.rsplit("/", 1)[1]
        self.answers.append((f"{method} {url}", response.status_code, response.get_data(True)))
        return response

    def normalised(self, text: str) -> str:
        """``text`` with the named ids, other generated ids (numbered as they first appear
        in this run), clock times (digits zeroed) and nonces replaced."""
        for name, value in sorted(self.ids.items(), key=lambda item: -len(item[1])):
            text = text.replace(value, f"<{name}>")
        text = _GENERATED.sub(
            lambda m: self.generated.setdefault(m[0], f"<new-{len(self.generated)}>"), text
        )
        text = _CSRF.sub(r"\1<csrf>", _NONCE.sub(r"\1<nonce>", text))
        return _TIME.sub(lambda m: re.sub(r"\d", "0", m[0]), text)  # the format stays

    def report(self) -> list:
        answers = [
            (self.normalised(what), status, self.normalised(body))
            for what, status, body in self.answers
        ]
        audit = [
            {k: v for k, v in entry.items() if k not in _CHAIN_FIELDS}
            for entry in self.store.audit_entries(AREA)
        ]
        return [answers, json.loads(self.normalised(json.dumps(audit, sort_keys=True)))]


def _scenario(run: _Run, address: dict, resources: list[dict]) -> None:
    lon, lat = address["geometry"]["coordinates"][:2]
    offer = {
        "name": "Kochtreff Nord", "provider": "Nachbarschaftsverein Nord",
        "funders": ["kommune"], "target_groups": ["familien"], "topics": ["begegnung"],
        "eligibility": ["kostenlos"], "description": "Gemeinsam kochen, jeden Mittwoch.",
        "phone": "01234 5678-90", "lon": lon, "lat": lat, "languages": ["de", "ar"],
    }  # fmt: skip
    run.call("lead", "POST", f"{API}/offers", json=offer, keep="offer")
    changed = {**offer, "name": "Kochtreff Nord (neu)", "min_age_years": 18}
    run.call("lead", "PUT", f"{API}/offers/{{offer}}", json=changed, headers={"If-Match": '"v1"'})
    run.call("lead", "PUT", f"{API}/offers/{{offer}}", json=offer, headers={"If-Match": '"v1"'})
    run.call("lead", "GET", f"{API}/offers/{{offer}}")
    proposal = {"offer": offer, "offer_id": "demo-alleinerziehende", "comment": "Neue Zeiten."}
    run.call("caseworker", "POST", f"{API}/offer-proposals", json=proposal, keep="proposal")
    note = {"address_id": address["id"], "category": "briefkasten", "mailbox_status": "fehlt",
            "text": "Kein Briefkasten am Hinterhaus."}  # fmt: skip
    run.call("caseworker", "POST", f"{API}/notes", json=note, keep="note")
    edit = {**note, "text": "Briefkasten fehlt, Klingel geht."}
    run.call("caseworker", "PUT", f"{API}/notes/{{note}}", json=edit, headers={"If-Match": '"v1"'})
    run.call("caseworker", "GET", f"{API}/notes/{{note}}/history")
    run.call(
        "caseworker", "POST", f"{API}/notes", json={**note, "text": "Hr. Meier, geb. 1.2.1950"}
    )
    line = f"{address['properties']['street']} {address['properties']['housenumber']}"
    walk = {"district": "r1", "title": "Erkundung", "walk_on": "2026-12-01", "addresses": line,
            "stop": [f"resource:{r['id']}" for r in resources] + ["note:{note}"]}  # fmt: skip
    walk["stop"] = [stop.format(**run.ids) for stop in walk["stop"]]
    run.call("caseworker", "POST", f"{PAGES}/rundgaenge/neu", data=walk, keep="walk")
    run.call("caseworker", "GET", f"{API}/walks/{{walk}}")
    findings = {"mailbox-0": "defekt", "text-1": "Aushang möglich."}
    run.call("caseworker", "POST", f"{PAGES}/rundgaenge/{{walk}}/ergebnisse", data=findings)
    run.call("caseworker", "GET", f"{API}/walks/{{walk}}")
    submitted = {**note, "text": "Post kommt zurück.", "review_state": "eingereicht"}
    run.call("caseworker", "POST", f"{API}/notes", json=submitted, keep="submitted")
    run.call("lead", "POST", f"{PAGES}/besprechungen", data={"Teamleitung": "1", "Fachkraft": "2"})
    release = {"action": "freigeben", "version": "1"}
    run.call("lead", "POST", f"{PAGES}/pruefung/{{submitted}}", data=release)
    (meeting,) = run.store.query(AREA, "meetings")
    run.ids["meeting"] = meeting["id"]
    closing = {"version": str(meeting["properties"]["version"])}
    run.call("lead", "POST", f"{PAGES}/besprechungen/{{meeting}}/abschliessen", data=closing)
    run.call("lead", "GET", f"{PAGES}/besprechungen/{{meeting}}/protokoll.csv")
    run.call("admin", "POST", f"{PAGES}/verwaltung/bezirke/r2/name", data={"name": "Südviertel"})
    run.call("admin", "GET", f"{API}/districts")
    run.call("caseworker", "GET", f"{API}/notes/{{submitted}}/history")
    run.call("caseworker", "GET", f"{API}/notes", query_string={"district": "r1"})
    day = add_months(settings.today(), -1).strftime("%d.%m.%Y")
    returned = f"Datum;Adresse;Grund\n{day};{line};verzogen\n".encode()
    upload = {"datei": (io.BytesIO(returned), "r.csv"), "schritt": "hochladen"}
    run.call("caseworker", "POST", f"{PAGES}/briefkasten/ruecklaeufer", data=upload,
             content_type="multipart/form-data")  # fmt: skip
    run.call("caseworker", "POST", f"{API}/mailbox-check", json=[line])
    rows = "Name;Träger;Förderer;Zielgruppen;Angebot;Telefon;gebietsweit\nA;B;Kommune;;C;0123;ja\n"
    upload = {"datei": (io.BytesIO(rows.encode()), "angebote.csv")}
    run.call("lead", "POST", f"{PAGES}/angebote/import", data=upload,
             content_type="multipart/form-data")  # fmt: skip
    run.call("lead", "DELETE", f"{API}/offers/{{offer}}", headers={"If-Match": '"v2"'})
    for export in ("offers", "offers.csv", "notes.csv", "walks.csv", "walks.geojson"):
        run.call("lead", "GET", f"{API}/{export}")


def test_the_same_requests_give_the_same_answers_on_both_backends(stores):
    files = stores["geojson"]
    address = files.query(AREA, "addresses", district="r1")[0]
    resources = files.query(AREA, "resources", district="r1")[:2]
    reports = {}
    for name, store in stores.items():
        run = _Run(store)
        _scenario(run, address, resources)
        reports[name] = run.report()
    (answers, audit), (pg_answers, pg_audit) = reports["geojson"], reports["postgres"]
    assert [a[:2] for a in answers] == [a[:2] for a in pg_answers]  # the same statuses
    unexpected = [a for a in answers if a[1] not in (200, 201, 204, 303, 412, 422)]
    assert not unexpected, unexpected
    for ours, theirs in zip(answers, pg_answers, strict=True):
        assert ours == theirs, ours[0]
    assert audit == pg_audit
    assert len(audit) > 10
