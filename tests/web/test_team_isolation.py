"""Who sees which notes, on every route of the route table, and who may change them.

The read rules (sozialraum.services.notes, sozialraum.model.review, DESIGN.md):

- expired notes are invisible to everyone, everywhere ("expired data disappears from maps,
  API and exports");
- viewers see released notes only (drafts, submitted and archived notes of a category that
  needs a release, and unreleased earlier versions in a history, stay hidden);
- caseworkers, leads and admins read every other note, of every team (roles.py: "read";
  fieldnotes.visible: "everyone but viewers sees every note");
- team business stays in the team: the review queue shows the user's own team only, and
  another team's meeting (page and protocol CSV) is a 404.

Notes of Team Mühle (district r3) carry unique marker words; Team Nord users (viewer,
caseworker, lead) and the admin request every GET route of the route table with real ids
(hidden and shared notes, r3 addresses and resource, both teams' walks and meetings) and
query variants, plus the read routes that take a POST (mailbox checks, finder, guide).
No hidden marker may appear in any body (gzip decoded, GeoPackages read with pyogrio);
the shared markers must appear, so the scan can tell the difference. Writes on another
team's notes and every write route for a viewer are refused and change nothing (no file, no
stored feature, audit entry or account).

The write tests run on both store backends (``@both_backends``: GeoJSON files, PostgreSQL).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import re
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pyogrio
import pytest
from support.accounts import accounts_of
from support.backends import accounts_state, both_backends, store_state
from support.samples import (
    OFFERS_CSV,
    fresh_offer,
    fresh_proposal,
    json_body,
    offer_fields,
    rule_path,
    sample_values,
)
from support.web import csrf_token, login, mapping_fields

from sozialraum import settings
from sozialraum.model.review import RECHECK, STATES, TRANSITIONS
from sozialraum.model.roles import Role
from sozialraum.services import meetings, review, walks
from sozialraum.services.notes import Actor
from sozialraum.web.routes import ROUTES

AREA = "musterstadt-nord"
MUEHLE = "Team Mühle"
#: Every marker starts with this (a search for it matches every marked note).
PREFIX = "Qzv"
#: Account files that every request may touch (session activity, login failures).
VOLATILE = {"sessions.json", "logins.json"}
#: A Team Mühle lead, created in the test's data dir (positive controls, review, meeting).
MUEHLE_LEAD = ("muehle-leitung", "muehle-leitung-2026")
NORD_ROLES = ("viewer", "caseworker", "lead")


@dataclass
class World:
    """What the seed created: marker → note id, who may not see which marker, ids."""

    notes: dict[str, str] = field(default_factory=dict)
    expired: set[str] = field(default_factory=set)  # hidden from everyone
    unreleased: set[str] = field(default_factory=set)  # hidden from viewers
    released: set[str] = field(default_factory=set)  # everyone sees them (not team pages)
    history_only: set[str] = field(default_factory=set)  # an old draft text of a released note
    archived: set[str] = field(default_factory=set)  # viewers never; others on request
    nord_released: set[str] = field(default_factory=set)  # Team Nord's own, released
    nord_draft: set[str] = field(default_factory=set)  # Team Nord's own, a draft
    addresses: list[str] = field(default_factory=list)
    resource: str = ""
    walk_nord: str = ""
    walk_muehle: str = ""
    meeting_nord: str = ""
    meeting_muehle: str = ""

    def muehle(self) -> set[str]:
        return self.released | self.unreleased | self.history_only | self.archived

    def hidden(self, role: str) -> set[str]:
        """Team Nord users see no note of Team Mühle; the admin (no team) sees all."""
        if role == "admin":
            return set(self.expired)
        if role == "viewer":
            return self.expired | self.muehle() | self.nord_draft
        return self.expired | self.muehle()

    def must_see(self, role: str) -> set[str]:
        if role == "admin":
            return self.muehle() | self.nord_released | self.nord_draft
        if role == "viewer":
            return set(self.nord_released)
        return self.nord_released | self.nord_draft

    def all_markers(self) -> set[str]:
        return set(self.notes) | self.history_only


def _mark(name: str) -> str:
    return f"{PREFIX}{name}Wq"


def _note(store, marker, *, category, state, point, expires, address=None, resource=None,
          mailbox_status=None, author="muehle-fachkraft", team=MUEHLE,
          district="r3") -> dict:  # fmt: skip
    today = settings.today()
    props = {
        "category": category,
        "text": f"{marker} am Platz.",
        "observed_on": (today - timedelta(days=400 if expires < today else 20)).isoformat(),
        "expires_on": expires.isoformat(),
        "review_state": state,
        "author": author,
        "team": team,
        "district": district,
    }
    if address is not None:
        a = address["properties"]
        props.update(address_id=address["id"], address_key=a["key"],
                     address_label=f"{a['street']} {a['housenumber']}")  # fmt: skip
    if resource is not None:
        props.update(osm_ref=resource["id"], resource_label=resource["properties"].get("name"))
    if mailbox_status:
        props["mailbox_status"] = mailbox_status
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": point},
               "properties": props}  # fmt: skip
    return store.add(AREA, "notes", feature, actor=author)


def _seed(app, store) -> World:
    world = World()
    today = settings.today()
    later, gone = today + timedelta(days=365), today - timedelta(days=1)
    addresses = store.query(AREA, "addresses", district="r3")[:6]
    resource = store.query(AREA, "resources", district="r3")[0]
    world.addresses = [a["id"] for a in addresses]
    world.resource = resource["id"]

    def at(feature):
        return feature["geometry"]["coordinates"][:2]

    def add(kind: set, name: str, **kwargs) -> dict:
        marker = _mark(name)
        note = _note(store, marker, **kwargs)
        world.notes[marker] = note["id"]
        kind.add(marker)
        return note

    a0, a1, a2, a3, a4, a5 = addresses
    add(
        world.expired,
        "Abgelaufen",
        category="beobachtung",
        state="freigegeben",
        point=at(resource),
        expires=gone,
        resource=resource,
    )
    add(
        world.expired,
        "AbgelaufenBriefkasten",
        category="briefkasten",
        state="freigegeben",
        point=at(a0),
        expires=gone,
        address=a0,
        mailbox_status="fehlt",
    )
    add(
        world.expired,
        "AbgelaufenEntwurf",
        category="problem",
        state="entwurf",
        point=at(a1),
        expires=gone,
        address=a1,
    )
    add(
        world.unreleased,
        "Entwurf",
        category="beobachtung",
        state="entwurf",
        point=at(resource),
        expires=later,
        resource=resource,
    )
    add(
        world.unreleased,
        "EntwurfBriefkasten",
        category="briefkasten",
        state="entwurf",
        point=at(a1),
        expires=later,
        address=a1,
        mailbox_status="defekt",
    )
    add(
        world.unreleased,
        "Eingereicht",
        category="rolle",
        state="eingereicht",
        point=at(a2),
        expires=later,
        address=a2,
    )
    add(
        world.unreleased,
        "Rueckfrage",
        category="problem",
        state="rueckfrage",
        point=at(a2),
        expires=later,
        address=a2,
    )
    add(
        world.archived,
        "Archiviert",
        category="treffpunkt",
        state="archiviert",
        point=at(a3),
        expires=later,
        address=a3,
    )
    add(
        world.released,
        "Freigegeben",
        category="beobachtung",
        state="freigegeben",
        point=at(a3),
        expires=later,
        address=a3,
    )
    add(
        world.released,
        "BriefkastenOk",
        category="briefkasten",
        state="freigegeben",
        point=at(a4),
        expires=later,
        address=a4,
        mailbox_status="vorhanden",
    )
    # a released note whose first version (a draft) said something else
    old = add(world.released, "Neufassung", category="ressource", state="entwurf",
              point=at(a5), expires=later, address=a5)  # fmt: skip
    draft_text = _mark("Altfassung")
    first = {**old["properties"], "text": f"{draft_text} am Platz."}
    first = {"type": "Feature", "geometry": old["geometry"], "properties": first}
    first = store.update(AREA, "notes", old["id"], first, expected_version=1, actor="x")
    released = {**first["properties"], "text": f"{_mark('Neufassung')} am Platz.",
                "review_state": "freigegeben"}  # fmt: skip
    store.update(AREA, "notes", old["id"],
                 {"type": "Feature", "geometry": old["geometry"], "properties": released},
                 expected_version=2, actor="x")  # fmt: skip
    world.history_only.add(draft_text)

    # Team Nord's own notes: its users must find them (the scan can tell the difference)
    nord = store.query(AREA, "addresses", district="r1")[:2]
    for kind, name, state, address in (
        (world.nord_released, "NordFrei", "freigegeben", nord[0]),
        (world.nord_draft, "NordEntwurf", "entwurf", nord[1]),
    ):
        add(kind, name, category="beobachtung", state=state, point=at(address),
            expires=later, address=address, author="demo-fachkraft", team="Team Nord",
            district="r1")  # fmt: skip

    # a Team Mühle meeting with a decision on a submitted note (released in the meeting)
    rules = app.extensions["sozialraum"].note_rules
    lead = Actor(MUEHLE_LEAD[0], Role.LEAD, MUEHLE)
    meeting = meetings.start_meeting(
        store, AREA, None, {"Teamleitung": "1", "Fachkraft": "2"}, actor=lead, today=today
    )
    world.meeting_muehle = meeting["id"]
    decided = add(world.released, "Beschluss", category="beobachtung", state="eingereicht",
                  point=at(a4), expires=later, address=a4)  # fmt: skip
    review.review_note(store, AREA, decided["id"], "freigeben", expected_version=1,
                       actor=lead, rules=rules, today=today)  # fmt: skip
    nord = {"type": "Feature", "geometry": None,
            "properties": {"team": "Team Nord", "held_on": today.isoformat(),
                           "started_at": "2026-01-01T09:00:00+00:00", "closed_at": None,
                           "roles_present": [{"role": "Teamleitung", "count": 1}]}}  # fmt: skip
    world.meeting_nord = store.add(AREA, "meetings", nord, actor="test")["id"]

    # a Team Mühle walk whose stops are the hidden notes' places
    picks = [{"kind": "address", "ref": a["id"]} for a in (a0, a1, a2, a3)]
    picks += [{"kind": "resource", "ref": resource["id"]},
              {"kind": "note", "ref": world.notes[_mark("Entwurf")]}]  # fmt: skip
    walk = walks.create_walk(
        store, AREA,
        {"title": "Runde Mühlenviertel", "walk_on": (today + timedelta(days=7)).isoformat(),
         "district": "r3"},
        picks, actor=lead, rules=rules,
    )  # fmt: skip
    world.walk_muehle = walk["id"]
    world.walk_nord = store.query(AREA, "walks")[0]["id"]
    if world.walk_nord == world.walk_muehle:
        world.walk_nord = store.query(AREA, "walks")[1]["id"]

    accounts_of(store).add(MUEHLE_LEAD[0], "lead", MUEHLE, MUEHLE_LEAD[1])
    markers = sorted(world.all_markers())
    for a, b in itertools.permutations(markers, 2):
        assert a not in b, (a, b)  # no marker hides inside another
    return world


@pytest.fixture
def world(app, demo_store) -> World:
    return _seed(app, demo_store)


def _login_as(client, name, password):
    response = client.post(
        "/anmelden",
        data={"csrf_token": csrf_token(client), "username": name, "password": password},
    )
    assert response.status_code == 302
    return client


def _client(app, role):
    if role == "muehle-lead":
        return _login_as(app.test_client(), *MUEHLE_LEAD)
    return login(app.test_client(), role)


# -- reading bodies ---------------------------------------------------------------------


def _text(response) -> str:
    """Everything a response carries: gzip decoded; a GeoPackage also as its features."""
    raw = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8", errors="replace")
    if raw[:16] == b"SQLite format 3\x00":
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.gpkg"
            path.write_bytes(raw)
            frame = pyogrio.read_dataframe(path)
        text += "\n" + frame.drop(columns="geometry").to_csv()
    return text


def _found(text: str, markers: set[str]) -> set[str]:
    return {m for m in markers if m in text}


# -- the URLs of the scan -----------------------------------------------------------------

#: Query variants for every GET URL.
BASE_VARIANTS = ("", "?district=r3", f"?q={PREFIX}")
#: More variants for routes that list, filter or export notes.
NOTE_VARIANTS = (
    *(f"?review_state={s}" for s in STATES),
    *(f"?state={s}" for s in STATES),
    "?state=",
    f"?state=&team={quote(MUEHLE)}",
    f"?team={quote(MUEHLE)}&district=r3&state=",
    "?category=briefkasten",
    "?category=beobachtung",
    "?mailbox_status=fehlt",
    "?mailbox_status=defekt",
    "?author=muehle-fachkraft",
    "?district=r3&review_state=entwurf",
    "?bbox=6.9,51.4,7.0,51.5",
)
NOTE_ENDPOINTS = {
    "api.notes", "api.notes_csv", "api.notes_geojson", "api.notes_gpkg", "pages.notes",
    "pages.review",
}  # fmt: skip


def _choices(world: World, demo_store) -> dict[str, list[str]]:
    return {
        "area": [AREA],
        "district": ["r1", "r3"],
        "category": ["bakery"],
        "resource_id": [world.resource],
        "address_id": world.addresses,
        "note_id": sorted(world.notes.values()),
        "walk_id": [world.walk_nord, world.walk_muehle],
        "meeting_id": [world.meeting_nord, world.meeting_muehle],
        "offer_id": [fresh_offer(demo_store, sample_values(demo_store))["id"]],
        # a basemap tile (OSM data only, the same for every team)
        **{k: [v] for k, v in sample_values(demo_store).items() if k in ("z", "x", "y")},
    }


def _get_urls(app, world, demo_store) -> list[tuple[str, str]]:
    """(endpoint, url) for every GET rule × real ids × query variants."""
    choices = _choices(world, demo_store)
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        args = sorted(rule.arguments)
        missing = [a for a in args if a not in choices]
        assert not missing, f"add sample values for {missing} of {rule.rule} to this test"
        variants = BASE_VARIANTS + (NOTE_VARIANTS if rule.endpoint in NOTE_ENDPOINTS else ())
        for values in itertools.product(*(choices[a] for a in args)):
            path = rule_path(rule.rule, dict(zip(args, values, strict=True)))
            urls += [(rule.endpoint, path + v) for v in variants]
    return urls


def _address_lines(demo_store, world) -> list[str]:
    lines = []
    for address_id in world.addresses:
        props = demo_store.get(AREA, "addresses", address_id)["properties"]
        lines.append(f"{props['street']} {props['housenumber']}, {props['postcode']}")
    return lines


def _read_posts(client, world, demo_store) -> list[tuple[str, object]]:
    """The read routes that answer a POST (checks, finder, guide), with bodies that
    concern the marked places."""
    token = csrf_token(client, "/")
    base = f"/gebiete/{AREA}"
    lines = _address_lines(demo_store, world)
    answers = []
    for address_id, line in zip(world.addresses, lines, strict=True):
        for url, data in (
            (f"{base}/briefkasten", {"address_id": address_id}),
            (f"{base}/briefkasten", {"adresse": line}),
            (f"{base}/wegweiser", {"adresse": line, "address_id": address_id}),
            (f"{base}/angebote/finden", {"adresse": line, "address_id": address_id}),
        ):
            answers.append((url, client.post(url, data={"csrf_token": token, **data})))
    csv = ("Adresse\n" + "\n".join(lines) + "\n").encode()
    listed = f"{base}/briefkasten/liste"
    step = client.post(listed, data={"csrf_token": token, "ausgabe": "zuordnung",
                                     "datei": (io.BytesIO(csv), "liste.csv")})  # fmt: skip
    answers.append((listed, step))
    for output in ("tabelle", "csv"):  # the results, through the confirmed mapping step
        data = {"csrf_token": token, "ausgabe": output, "datei": (io.BytesIO(csv), "liste.csv"),
                **mapping_fields(step.get_data(as_text=True))}  # fmt: skip
        answer = client.post(listed, data=data)
        text = answer.get_data(as_text=True)  # the results, not the mapping step again
        assert "mailbox-results" in text if output == "tabelle" else "risk" in text.split("\n")[0]
        answers.append((listed, answer))
    headers = {"X-CSRFToken": token, "Accept-Encoding": "gzip"}
    api = f"/api/areas/{AREA}"
    for url, body in (
        (f"{api}/mailbox-check", lines),
        (f"{api}/mailbox-check", {"addresses": lines}),
        (f"{api}/offers/find", {"situation": {}, "address_id": world.addresses[0]}),
        (f"{api}/isochrones", json_body("/isochrones", sample_values(demo_store), demo_store)),
    ):
        answers.append((url, client.post(url, json=body, headers=headers)))
    return answers


def _scan(app, world, demo_store, role) -> tuple[dict, dict, list]:
    """Request everything as ``role``: (marker → urls where it was seen, url → status,
    server errors)."""
    client = _client(app, role)
    seen: dict[str, list[str]] = {}
    statuses: dict[str, int] = {}
    errors = []
    markers = world.all_markers()
    answers = (
        (url, client.get(url, headers={"Accept-Encoding": "gzip"}))
        for _endpoint, url in _get_urls(app, world, demo_store)
    )
    for url, response in itertools.chain(answers, _read_posts(client, world, demo_store)):
        statuses[url] = response.status_code
        if response.status_code >= 500:
            errors.append((url, response.status_code))
        assert response.status_code != 401, (role, url)  # still logged in
        for marker in _found(_text(response), markers):
            seen.setdefault(marker, []).append(url)
    return seen, statuses, errors


def _team_scoped(url: str, world: World) -> bool:
    """Pages that show one team's business only (the user's own team)."""
    return bool(re.search(rf"/gebiete/{AREA}/pruefung(\?|$)", url)) or world.meeting_muehle in url


@both_backends
@pytest.mark.parametrize("role", (*NORD_ROLES, "admin"))
def test_hidden_notes_never_appear_on_any_route(app, demo_store, world, role):
    seen, statuses, errors = _scan(app, world, demo_store, role)
    problems = []
    for marker, urls in sorted(seen.items()):
        if marker in world.hidden(role):
            problems.append(f"LEAK {role}: {marker} in {sorted(set(urls))}")
        team_urls = sorted({u for u in urls if _team_scoped(u, world)})
        own = marker in world.nord_released | world.nord_draft
        if role != "admin" and team_urls and not own:  # Team Mühle's review queue, meetings
            problems.append(f"TEAM LEAK {role}: {marker} in {team_urls}")
    # the scan sees what the role may see (it can tell the difference)
    unseen = world.must_see(role) - set(seen)
    if unseen:
        problems.append(f"NOT SEEN {role}: {sorted(unseen)}")
    problems += [f"SERVER ERROR {role}: {status} {url}" for url, status in errors]
    # direct access to a hidden note: 404 (existence not revealed), a shared one: 200
    for marker, note_id in sorted(world.notes.items()):
        for url in (
            f"/api/areas/{AREA}/notes/{note_id}",
            f"/api/areas/{AREA}/notes/{note_id}/history",
            f"/gebiete/{AREA}/notizen/{note_id}",
        ):
            expected = 404 if marker in world.hidden(role) else 200
            if statuses[url] != expected:
                problems.append(f"STATUS {role}: {url} ({marker}) {statuses[url]} != {expected}")
    # another team's meeting: not found for Team Nord, fine for the admin
    for suffix in ("", "/protokoll.csv"):
        url = f"/gebiete/{AREA}/besprechungen/{world.meeting_muehle}{suffix}"
        own = f"/gebiete/{AREA}/besprechungen/{world.meeting_nord}{suffix}"
        for target, expected in ((url, 200 if role == "admin" else 404), (own, 200)):
            if statuses[target] != expected:
                problems.append(f"STATUS {role}: {target} {statuses[target]} != {expected}")
    assert not problems, "\n".join(problems)


@both_backends
def test_team_muehle_sees_its_own_review_business(app, world):
    """Positive control for the team-scoped pages: the Team Mühle lead sees them."""
    client = _client(app, "muehle-lead")
    queue = client.get(f"/gebiete/{AREA}/pruefung?state=").get_data(as_text=True)
    assert _mark("Freigegeben") in queue and _mark("Entwurf") in queue
    page = client.get(f"/gebiete/{AREA}/besprechungen/{world.meeting_muehle}")
    assert page.status_code == 200
    protocol = client.get(f"/gebiete/{AREA}/besprechungen/{world.meeting_muehle}/protokoll.csv")
    assert protocol.status_code == 200 and _mark("Beschluss") in protocol.get_data(as_text=True)
    assert _mark("Abgelaufen") not in queue + page.get_data(as_text=True)


# -- writes -----------------------------------------------------------------------------


def _snapshot(store) -> dict[str, object]:
    """SHA-256 of every file under the data dir (session/login bookkeeping left out), and
    the area's layers, metadata and audit and the accounts read through the store (the
    same on both backends; with PostgreSQL the files are only what is beside the database).
    """
    data_dir = store.data_dir
    files = {
        str(path.relative_to(data_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(data_dir.rglob("*"))
        if path.is_file() and path.name not in VOLATILE
    }
    state = store_state(store, AREA)
    stored = {f"store: {layer}": features for layer, features in state["layers"].items()}
    stored.update({"store: meta": state["meta"], "store: audit": state["audit"]})
    accounts = {f"accounts: {key}": value for key, value in accounts_state(store).items()}
    return {**files, **stored, **accounts}


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _note_form(note: dict, **extra) -> dict:
    props = note["properties"]
    lon, lat = note["geometry"]["coordinates"][:2]
    return {
        "category": props["category"], "text": f"{_mark('Ueberschrieben')} am Platz.",
        "observed_on": props["observed_on"], "expires_on": props["expires_on"],
        "review_state": "entwurf", "lon": lon, "lat": lat,
        "version": str(props["version"]), **extra,
    }  # fmt: skip


def _foreign_writes(client, demo_store, world, token) -> list[tuple[str, object]]:
    """Every way to change Team Mühle's notes, walk and meeting from outside the team."""
    api, pages = f"/api/areas/{AREA}", f"/gebiete/{AREA}"
    r1_point = demo_store.query(AREA, "addresses", district="r1")[0]["geometry"]["coordinates"]
    headers = {"X-CSRFToken": token}
    answers = []
    for marker in (_mark("Freigegeben"), _mark("Entwurf"), _mark("Eingereicht")):
        note = demo_store.get(AREA, "notes", world.notes[marker])
        note_id, version = note["id"], note["properties"]["version"]
        form = _note_form(note)
        body = {k: v for k, v in form.items() if k != "version"}
        moved = {**body, "lon": r1_point[0], "lat": r1_point[1]}  # into Team Nord's district
        match = {**headers, "If-Match": f'"v{version}"'}
        for label, response in (
            ("PUT", client.put(f"{api}/notes/{note_id}", json=body, headers=match)),
            ("PUT moved", client.put(f"{api}/notes/{note_id}", json=moved, headers=match)),
            ("DELETE", client.delete(f"{api}/notes/{note_id}", headers=match)),
            ("edit page", client.post(f"{pages}/notizen/{note_id}",
                                      data={"csrf_token": token, **form})),
            ("delete page", client.post(f"{pages}/notizen/{note_id}/loeschen",
                                        data={"csrf_token": token, "version": str(version)})),
        ):  # fmt: skip
            answers.append((f"{label} {marker}", response))
        state = note["properties"]["review_state"]
        for action, transition in (*TRANSITIONS.items(), ("nachpruefen", RECHECK)):
            data = {"csrf_token": token, "action": action, "version": str(version),
                    "comment": "Bitte prüfen."}  # fmt: skip
            # an action that does not start from the note's state may fail on that first (400)
            label = "review" if state in transition.sources else "review (other state)"
            answers.append((f"{label} {action} {marker}",
                            client.post(f"{pages}/pruefung/{note_id}", data=data)))  # fmt: skip
    r3 = demo_store.get(AREA, "addresses", world.addresses[0])
    lon, lat = r3["geometry"]["coordinates"][:2]
    new = {"category": "beobachtung", "text": f"{_mark('Ueberschrieben')} neu.", "lon": lon,
           "lat": lat}  # fmt: skip
    answers.append(("create API in r3", client.post(f"{api}/notes", json=new, headers=headers)))
    answers.append(
        (
            "create page in r3",
            client.post(f"{pages}/notizen/neu", data={"csrf_token": token, **new}),
        )
    )
    answers.append(("create page at r3 address", client.post(
        f"{pages}/notizen/neu",
        data={"csrf_token": token, "category": "briefkasten", "mailbox_status": "fehlt",
              "text": f"{_mark('Ueberschrieben')} neu.", "address_id": r3["id"]})))  # fmt: skip
    walk = demo_store.get(AREA, "walks", world.walk_muehle)
    walk_version = str(walk["properties"]["version"])
    for label, url, data in (
        ("new walk r3", f"{pages}/rundgaenge/neu",
         {"district": "r3", "title": "Fremd", "walk_on": "2099-01-01",
          "stop": f"address:{world.addresses[0]}"}),
        ("reorder walk", f"{pages}/rundgaenge/{world.walk_muehle}",
         {"version": walk_version, "action": "speichern",
          **{f"pos-{i}": str(len(walk["properties"]["stops"]) - i)
             for i in range(len(walk["properties"]["stops"]))}}),
        ("propose walk order", f"{pages}/rundgaenge/{world.walk_muehle}",
         {"version": walk_version, "action": "vorschlagen"}),
        ("walk findings", f"{pages}/rundgaenge/{world.walk_muehle}/ergebnisse",
         {"version": walk_version, "text-0": f"{_mark('Ueberschrieben')}.",
          "category-0": "beobachtung"}),
        ("close meeting", f"{pages}/besprechungen/{world.meeting_muehle}/abschliessen",
         {"version": "1"}),
    ):  # fmt: skip
        answers.append((label, client.post(url, data={"csrf_token": token, **data})))
    return answers


@both_backends
@pytest.mark.parametrize("role", NORD_ROLES)
def test_team_nord_cannot_change_team_muehle_data(app, demo_store, world, role):
    client = _client(app, role)
    token = csrf_token(client, "/")
    before = _snapshot(demo_store)
    answers = _foreign_writes(client, demo_store, world, token)
    refused = {
        label: r.status_code
        for label, r in answers
        if r.status_code not in ((400, 403, 404) if "(other state)" in label else (403, 404))
    }
    assert not refused, f"{role}: writes on Team Mühle's data not refused: {refused}"
    assert _changed(before, _snapshot(demo_store)) == []


@both_backends
def test_admin_write_is_the_control(app, demo_store, world):
    """The same request that Team Nord is refused changes the note for an admin (so the
    refusals above are about the team, not a broken request)."""
    client = login(app.test_client(), "admin")
    note = demo_store.get(AREA, "notes", world.notes[_mark("Entwurf")])
    body = {k: v for k, v in _note_form(note).items() if k != "version"}
    response = client.put(
        f"/api/areas/{AREA}/notes/{note['id']}",
        json=body,
        headers={"X-CSRFToken": csrf_token(client, "/"), "If-Match": '"v1"'},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert (
        _mark("Ueberschrieben") in demo_store.get(AREA, "notes", note["id"])["properties"]["text"]
    )


@both_backends
def test_viewer_every_write_route_is_403_and_changes_nothing(app, demo_store, world):
    """Every (rule, method) whose access is not read/public, as a viewer, with a body a
    permitted role would send: 403, and no file in the data dir changes."""
    client = login(app.test_client(), "viewer")
    token = csrf_token(client, "/")
    samples = sample_values(demo_store)
    samples.update(
        note_id=world.notes[_mark("Freigegeben")],
        walk_id=world.walk_nord,
        meeting_id=world.meeting_nord,
        offer_id=fresh_offer(demo_store, samples)["id"],
        proposal_id=fresh_proposal(demo_store, samples)["id"],
    )
    access = {(r.rule, m): r.access for r in ROUTES for m in r.methods}
    before = _snapshot(demo_store)
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if access[(rule.rule, method)] in ("read", "public"):
                continue
            url = rule_path(rule.rule, samples)
            if url.startswith("/api/"):
                response = client.open(
                    url, method=method, json=json_body(url, samples, demo_store),
                    headers={"X-CSRFToken": token, "If-Match": '"v1"'},
                )  # fmt: skip
            else:
                data = None
                if method == "POST":
                    data = {"csrf_token": token, "version": "1", "district": "r1",
                            "title": "Rundgang", "walk_on": "2099-01-01", "action": "annehmen",
                            "text-0": "Aushang möglich.", "Teamleitung": "1",
                            **offer_fields(samples), **samples["json"]}  # fmt: skip
                    if url.endswith("/angebote/import"):
                        data["datei"] = (io.BytesIO(OFFERS_CSV.encode()), "angebote.csv")
                    if url.endswith("/ruecklaeufer"):
                        data["datei"] = (io.BytesIO(b"Datum;Adresse\n01.11.2026;X 1\n"), "r.csv")
                response = client.open(url, method=method, data=data)
            checked.append((method, url, response.status_code))
    wrong = [c for c in checked if c[2] != 403]
    assert not wrong, wrong
    assert len(checked) >= sum(1 for r in ROUTES if r.access not in ("read", "public"))
    assert _changed(before, _snapshot(demo_store)) == []


# -- issue 26: existence oracle, walks of another team -------------------------------------

#: Id parameters of write routes whose objects every logged-in account may read: there is
#: nothing to hide, so they are not swept. A new id parameter must be classified here or
#: in ``_hidden_ids`` (the sweep fails until it is).
SHARED_IDS = {"offer_id": "offers serve the whole area", "proposal_id": "offer proposals"}
#: a CSP nonce, in the page (nonce="…") and in the header ('nonce-…')
_NONCE = re.compile(r"(nonce[-=]\"?)[A-Za-z0-9_-]+(\"?)")
_NONCE_BYTES = re.compile(_NONCE.pattern.encode())
_CSRF = re.compile(rb'(name="csrf[-_]token" (?:content|value)=")[^"]+(")')


def _hidden_ids(world: World) -> dict[str, str]:
    """Per id parameter: an object Team Nord's caseworker and lead may not read."""
    return {
        "note_id": world.notes[_mark("Entwurf")],
        "walk_id": world.walk_muehle,
        "meeting_id": world.meeting_muehle,
    }


def _write_request(client, token, method: str, url: str, demo_store):
    """One write request with a body a permitted role would send (the same for any id)."""
    if url.startswith("/api/"):
        return client.open(
            url, method=method, json=json_body(url, sample_values(demo_store), demo_store),
            headers={"X-CSRFToken": token, "If-Match": '"v1"'},
        )  # fmt: skip
    data = None
    if method == "POST":
        data = {"csrf_token": token, "version": "1", "action": "freigeben",
                "comment": "Bitte prüfen.", "category": "beobachtung",
                "text": "Bank am Platz.", "observed_on": "2026-11-01", "pos-0": "1",
                "text-0": "Aushang möglich."}  # fmt: skip
    return client.open(url, method=method, data=data)


def _normalised(response, hidden: str, random_id: str) -> tuple:
    """Status, headers (without Set-Cookie, Date) and body with the id, CSRF tokens and the
    response's CSP nonce (random per response) made neutral, for a byte-for-byte comparison."""
    body = response.get_data().replace(hidden.encode(), random_id.encode())
    body = _CSRF.sub(rb"\1TOKEN\2", body)
    body = _NONCE_BYTES.sub(rb"\1NONCE\2", body)
    headers = sorted(
        (k, _NONCE.sub(r"\1NONCE\2", v.replace(hidden, random_id)))
        for k, v in response.headers.items()
        if k not in ("Set-Cookie", "Date")
    )
    return response.status_code, headers, body


@both_backends
@pytest.mark.parametrize("role", ("caseworker", "lead"))
def test_writes_on_what_the_actor_may_not_read_answer_like_an_unknown_id(
    app, demo_store, world, role
):
    """Every write route with an id (swept from the route table): the id of an object of
    another team and a random id of the same length get byte-for-byte the same answer
    (404, same body, no ETag, no state or version), and nothing changes."""
    client = _client(app, role)
    token = csrf_token(client, "/")
    hidden_ids = _hidden_ids(world)
    before = _snapshot(demo_store)
    swept = []
    for route in ROUTES:
        if route.access in ("read", "public", "admin"):  # admin pages: 403 (permission test)
            continue
        params = set(re.findall(r"<(\w+)>", route.rule)) - {"area"}
        unclassified = params - set(hidden_ids) - set(SHARED_IDS)
        assert not unclassified, f"classify {unclassified} of {route.rule} for this sweep"
        for param in sorted(params & set(hidden_ids)):
            hidden = hidden_ids[param]
            random_id = hashlib.md5(f"{param}{role}".encode()).hexdigest()  # 32 hex, unused
            assert len(random_id) == len(hidden)
            for method in route.methods:
                url = route.rule.replace("<area>", AREA)
                answers = [
                    _write_request(client, token, method, url.replace(f"<{param}>", i), demo_store)
                    for i in (hidden, random_id)
                ]
                assert answers[0].status_code == 404, (route.rule, method, answers[0].status_code)
                assert "ETag" not in answers[0].headers, (route.rule, method)
                assert _normalised(answers[0], hidden, random_id) == _normalised(
                    answers[1], random_id, random_id
                ), (route.rule, method)
                swept.append((route.endpoint, method))
    # the sweep reached the note, walk and meeting writes of pages and API
    assert {
        ("update_note", "PUT"), ("delete_note", "DELETE"), ("edit_note", "POST"),
        ("delete_note", "POST"), ("review_action", "POST"), ("edit_walk", "POST"),
        ("walk_findings", "GET"), ("walk_findings", "POST"), ("close_meeting", "POST"),
    } <= set(swept)  # fmt: skip
    assert _changed(before, _snapshot(demo_store)) == []


@both_backends
def test_review_action_on_another_teams_note_says_nothing_about_it(app, demo_store, world):
    """The pen test's case: a lead of another team learns neither state nor version."""
    client = _client(app, "lead")
    token = csrf_token(client, "/")
    note = demo_store.get(AREA, "notes", world.notes[_mark("Eingereicht")])
    for action in ("freigeben", "zurueckziehen", "nachpruefen", "archivieren"):
        response = client.post(
            f"/gebiete/{AREA}/pruefung/{note['id']}",
            data={"csrf_token": token, "action": action, "version": "7"},
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 404
        assert "Eingereicht" not in page and "Fassung" not in page and "Version" not in page


@both_backends
@pytest.mark.parametrize("role", NORD_ROLES)
def test_another_teams_walk_is_not_found_and_not_listed(app, demo_store, world, role):
    """Walks belong to their team: Team Mühle's walk (with a draft note as a stop) is a
    404 like an unknown id for Team Nord, and in no list or export; the admin sees it."""
    client = _client(app, role)
    random_id = hashlib.md5(b"walk").hexdigest()
    for template in (
        f"/gebiete/{AREA}/rundgaenge/{{}}",
        f"/gebiete/{AREA}/rundgaenge/{{}}/laufzettel",
        f"/api/areas/{AREA}/walks/{{}}",
    ):
        hidden = client.get(template.format(world.walk_muehle))
        unknown = client.get(template.format(random_id))
        assert hidden.status_code == 404
        assert _normalised(hidden, world.walk_muehle, random_id) == _normalised(
            unknown, random_id, random_id
        )
    for url in (
        f"/gebiete/{AREA}/rundgaenge",
        f"/api/areas/{AREA}/walks",
        f"/api/areas/{AREA}/walks.csv",
        f"/api/areas/{AREA}/walks.geojson",
        f"/api/areas/{AREA}/walks.gpkg",
    ):
        text = _text(client.get(url))
        assert world.walk_muehle not in text and "Runde Mühlenviertel" not in text, url
        assert world.walk_nord in text, url  # the team's own walk is there
    admin = _client(app, "admin")
    assert world.walk_muehle in admin.get(f"/api/areas/{AREA}/walks").get_data(as_text=True)


@both_backends
@pytest.mark.parametrize("role", ("caseworker", "lead"))
def test_another_teams_note_cannot_become_a_walk_stop(app, demo_store, world, role):
    """The pen test's case: a Team Nord caseworker adds Team Mühle's draft as a stop by its
    id. The answer is the one for an unknown id; nothing is stored."""
    client = _client(app, role)
    token = csrf_token(client, "/")
    random_id = hashlib.md5(b"note").hexdigest()
    before = _snapshot(demo_store)
    answers = []
    for note_id in (world.notes[_mark("Entwurf")], random_id):
        data = {"csrf_token": token, "district": "r1", "title": "Runde", "walk_on": "2099-01-01",
                "stop": f"note:{note_id}"}  # fmt: skip
        answers.append(client.post(f"/gebiete/{AREA}/rundgaenge/neu", data=data))
    assert answers[0].status_code == 400
    assert "gibt es in diesem Gebiet nicht" in answers[0].get_data(as_text=True)
    hidden = world.notes[_mark("Entwurf")]
    assert _normalised(answers[0], hidden, random_id) == _normalised(
        answers[1], random_id, random_id
    )
    assert _changed(before, _snapshot(demo_store)) == []
