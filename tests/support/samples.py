"""Sample values for every route parameter and fresh records of Team Nord in the demo area:
what the route × role tests (permissions, bad input, team isolation) request and post."""

from __future__ import annotations

import re

AREA = "musterstadt-nord"


def first_tile(demo_store) -> tuple[int, int, int]:
    """The z/x/y of the demo area's first stored basemap tile."""
    from sozialraum.basemap import BasemapArchive
    from sozialraum.osm.import_basemap import basemap_path

    with BasemapArchive(basemap_path(demo_store, AREA)) as archive:
        return next(archive.coordinates())


def rule_path(rule: str, values) -> str:
    """A route rule with its arguments filled in (converters such as ``<int:z>`` dropped)."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule).format(**values)


def sample_values(demo_store) -> dict[str, str]:
    area = AREA
    lon, lat = demo_store.query(area, "addresses", district="r1")[0]["geometry"]["coordinates"]
    return {
        "area": area,
        "district": "r3",
        "category": "bakery",
        "resource_id": demo_store.query(area, "resources", category="bakery")[0]["id"],
        "address_id": demo_store.query(area, "addresses")[0]["id"],
        "note_id": "",  # a fresh note of Team Nord per request (see fresh_note)
        "walk_id": demo_store.query(area, "walks")[0]["id"],  # the demo walk (Team Nord)
        "meeting_id": "",  # a fresh open meeting of Team Nord per request (see fresh_meeting)
        "offer_id": "",  # a fresh offer per request (see fresh_offer)
        "proposal_id": "",  # a fresh open proposal per request (see fresh_proposal)
        "user": "demo-lesend",  # an account the admin pages lock, reset and change
        # a basemap tile of the area (z/x/y of its first stored tile)
        **dict(zip("zxy", map(str, first_tile(demo_store)), strict=True)),
        # a JSON body for POST/PUT APIs: a point (isochrones) that is also a valid note
        "json": {"lon": lon, "lat": lat, "category": "beobachtung", "text": "Bank am Platz."},
    }


def fresh_note(demo_store, samples, role=None, state=None) -> dict:
    """A note of Team Nord (a draft; released for viewers, who see released notes only;
    ``state`` if given)."""
    body = samples["json"]
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [body["lon"], body["lat"]]},
        "properties": {
            "category": "beobachtung",
            "text": "Bank am Platz.",
            "observed_on": "2026-11-01",
            "expires_on": "2099-01-01",
            "author": "demo-fachkraft",
            "team": "Team Nord",
            "district": "r1",
            "review_state": state or ("freigegeben" if role == "viewer" else "entwurf"),
        },
    }
    return demo_store.add(AREA, "notes", feature, actor="test")


def fresh_meeting(demo_store, add: bool = True) -> dict | None:
    """Close every open meeting (one per team may run), then start a new one of Team Nord."""
    for meeting in demo_store.query(AREA, "meetings"):
        props = meeting["properties"]
        if not props.get("closed_at"):
            closed = {**meeting, "properties": {**props, "closed_at": "2026-11-01T10:00:00+00:00"}}
            demo_store.update(
                AREA, "meetings", meeting["id"], closed, expected_version=props["version"],
                actor="test",
            )  # fmt: skip
    if not add:
        return None
    feature = {"type": "Feature", "geometry": None,
               "properties": {"team": "Team Nord", "held_on": "2026-11-01",
                              "started_at": "2026-11-01T09:00:00+00:00", "closed_at": None,
                              "roles_present": [{"role": "Teamleitung", "count": 1}]}}  # fmt: skip
    return demo_store.add(AREA, "meetings", feature, actor="test")


def offer_fields(samples) -> dict:
    """A valid offer at the sample point (form and JSON)."""
    body = samples["json"]
    return {"name": "Kochtreff Nord", "provider": "Nachbarschaftsverein Nord",
            "funders": ["kommune"], "description": "Gemeinsam kochen.", "phone": "01234 5678-90",
            "lon": body["lon"], "lat": body["lat"]}  # fmt: skip


def fresh_offer(demo_store, samples) -> dict:
    fields = offer_fields(samples)
    return demo_store.add(
        AREA, "offers",
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [fields.pop("lon"),
                                                                          fields.pop("lat")]},
         "properties": {**fields, "region_wide": False}},
        actor="test",
    )  # fmt: skip


def fresh_proposal(demo_store, samples) -> dict:
    offer = {**offer_fields(samples), "region_wide": False}
    return demo_store.add(
        AREA, "offer_proposals",
        {"type": "Feature", "geometry": None,
         "properties": {"kind": "neu", "state": "offen", "offer": offer, "offer_id": None,
                        "base_version": None, "comment": "", "proposed_by": "demo-fachkraft",
                        "proposed_at": "2026-11-01T09:00:00+00:00"}},
        actor="test",
    )  # fmt: skip


def json_body(url: str, samples, demo_store):
    """A body each JSON write route accepts from a permitted role."""
    if "mailbox" in url:
        return [address_line(demo_store)]
    if url.endswith("/offers/find"):
        return {"situation": {}}
    if url.endswith("/addresses/search") or url.endswith("/walk-planner/places"):
        return {"q": address_line(demo_store)}
    if url.endswith("/walk-planner/route"):
        address = demo_store.query(AREA, "addresses", district="r1")[0]
        return {"stops": [{"kind": "address", "ref": address["id"]}]}
    if url.endswith("/offer-proposals"):
        return {"offer": offer_fields(samples)}
    if "/offers" in url:
        return offer_fields(samples)
    return samples["json"]


OFFERS_CSV = (
    "Name;Träger;Förderer;Angebot;Telefon;gebietsweit\nTest;Träger;Kommune;Beratung;01234;ja\n"
)


def address_line(demo_store) -> str:
    props = demo_store.query(AREA, "addresses", district="r1")[0]["properties"]
    return f"{props['street']} {props['housenumber']}"
