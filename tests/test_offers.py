"""Offer services: rights, proposals, the finder (demo and the real Neuss extract)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from support.paths import SHARED_OSM

from sozialraum.analysis.nearby import project
from sozialraum.analysis.reachability import current_reachability, load_network
from sozialraum.analysis.walking import distances_from_point
from sozialraum.demo.area import DEMO_AREA
from sozialraum.errors import Forbidden, InvalidInput, NotFound, VersionConflict
from sozialraum.model import offers as offer_model
from sozialraum.model.offers import situation_from
from sozialraum.model.privacy import PrivacyViolation, load_privacy_guard
from sozialraum.model.roles import Role
from sozialraum.osm.importer import import_area
from sozialraum.services import offers
from sozialraum.services.notes import Actor
from sozialraum.store import GeoJSONStore

TODAY = date(2026, 11, 21)
LEAD = Actor("demo-leitung", Role.LEAD, "Team Nord")
OTHER_LEAD = Actor("leitung-muehle", Role.LEAD, "Team Mühle")
ADMIN = Actor("demo-admin", Role.ADMIN, None)
CASEWORKER = Actor("demo-fachkraft", Role.CASEWORKER, "Team Nord")
VIEWER = Actor("demo-lesend", Role.VIEWER, "Team Nord")
GUARD = load_privacy_guard()

JOBSEEKER = situation_from(
    {
        "target_groups": ["schwerbehinderte"],
        "employed": "nein",
        "disability_recognised": "ja",
        "topics": ["arbeit"],
    }
)


def data(demo_store, **fields) -> dict:
    lon, lat = demo_store.query(DEMO_AREA, "addresses")[0]["geometry"]["coordinates"]
    values = {
        "name": "Stadtteilmütter",
        "provider": "Familienzentrum",
        "funders": ["kommune"],
        "description": "Besuche und Beratung für Familien.",
        "phone": "01234 99",
        "lon": lon,
        "lat": lat,
        "checked_on": "2026-11-01",
        "checked_by": "teamleitung",
    }
    values.update(fields)
    return values


def audit_size(store) -> int:
    return (store.area_dir(DEMO_AREA) / "audit.jsonl").stat().st_size


# --- rights --------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [LEAD, OTHER_LEAD, ADMIN])
def test_leads_of_any_team_and_admins_edit_offers(demo_store, actor):
    created = offers.create_offer(demo_store, DEMO_AREA, data(demo_store), actor=actor, today=TODAY)
    changed = offers.update_offer(
        demo_store, DEMO_AREA, created["id"], data(demo_store, name="Stadtteilmütter Nord"),
        expected_version=1, actor=actor, today=TODAY,
    )  # fmt: skip
    assert changed["properties"]["name"] == "Stadtteilmütter Nord"
    assert changed["properties"]["version"] == 2
    offers.delete_offer(demo_store, DEMO_AREA, created["id"], expected_version=2, actor=actor)
    with pytest.raises(NotFound):
        offers.get_offer(demo_store, DEMO_AREA, created["id"])


@pytest.mark.parametrize("actor", [CASEWORKER, VIEWER])
def test_caseworkers_and_viewers_do_not_edit_offers(demo_store, actor):
    before = audit_size(demo_store)
    with pytest.raises(Forbidden):
        offers.create_offer(demo_store, DEMO_AREA, data(demo_store), actor=actor, today=TODAY)
    with pytest.raises(Forbidden):
        offers.update_offer(
            demo_store, DEMO_AREA, "demo-jobcoaching-inklusiv", data(demo_store),
            expected_version=1, actor=actor, today=TODAY,
        )  # fmt: skip
    with pytest.raises(Forbidden):
        offers.mark_checked(
            demo_store, DEMO_AREA, "demo-bewerbung-50plus", expected_version=1, actor=actor,
            today=TODAY,
        )  # fmt: skip
    with pytest.raises(Forbidden):
        offers.delete_offer(
            demo_store, DEMO_AREA, "demo-jobcoaching-inklusiv", expected_version=1, actor=actor
        )
    assert audit_size(demo_store) == before


def test_a_stale_edit_is_refused_and_nothing_changes(demo_store):
    offers.update_offer(
        demo_store, DEMO_AREA, "demo-schuldnerberatung",
        offers.offer_form_values(offers.get_offer(demo_store, DEMO_AREA, "demo-schuldnerberatung")),
        expected_version=1, actor=LEAD, today=TODAY,
    )  # fmt: skip
    with pytest.raises(VersionConflict):
        offers.update_offer(
            demo_store, DEMO_AREA, "demo-schuldnerberatung", data(demo_store, name="Alt"),
            expected_version=1, actor=OTHER_LEAD, today=TODAY,
        )  # fmt: skip
    assert offers.get_offer(demo_store, DEMO_AREA, "demo-schuldnerberatung")["properties"][
        "name"
    ] == ("Schuldner- und Insolvenzberatung")


def test_marking_checked_clears_the_flag(demo_store):
    stale = offers.get_offer(demo_store, DEMO_AREA, "demo-bewerbung-50plus")
    assert stale["id"] in {i["offer"]["id"] for i in _flagged(demo_store)}
    checked = offers.mark_checked(
        demo_store, DEMO_AREA, stale["id"], expected_version=1, actor=ADMIN, today=TODAY
    )
    assert checked["properties"]["checked_on"] == TODAY.isoformat()
    assert checked["properties"]["checked_by"] == "verwaltung"
    assert stale["id"] not in {i["offer"]["id"] for i in _flagged(demo_store)}
    entry = demo_store.changes(DEMO_AREA, "offers")[-1]
    assert entry["checked"] == TODAY.isoformat() and entry["actor"] == "demo-admin"


# --- four-eyes: nobody checks or accepts what they wrote ------------------------------

LEAD_2 = Actor("leitung-zwei", Role.LEAD, "Team Nord")
WRITERS = {"lead": LEAD, "admin": ADMIN}
EDITORS = {"nobody": None, "lead": LEAD, "lead 2": LEAD_2, "other team's lead": OTHER_LEAD}
CHECKERS = {"lead": LEAD, "lead 2": LEAD_2, "admin": ADMIN, "caseworker": CASEWORKER}


@pytest.mark.parametrize(
    ("writer", "editor", "checker"), [(w, e, c) for w in WRITERS for e in EDITORS for c in CHECKERS]
)
def test_check_matrix_with_edited_by(demo_store, writer, editor, checker):
    """who created × who changed it since × who marks it as checked."""
    created = offers.create_offer(
        demo_store, DEMO_AREA, data(demo_store), actor=WRITERS[writer], today=TODAY
    )
    offer = created
    if EDITORS[editor] is not None:
        offer = offers.update_offer(
            demo_store, DEMO_AREA, created["id"], data(demo_store, phone="01234 77"),
            expected_version=1, actor=EDITORS[editor], today=TODAY,
        )  # fmt: skip
    changed_by = {WRITERS[writer].name} | ({EDITORS[editor].name} if EDITORS[editor] else set())
    assert set(offer["properties"]["edited_by"]) == changed_by
    flags = offer_model.offer_flags(offer["properties"], TODAY)
    # a check date typed in with the content is no check: off the handouts
    assert flags["unchecked"] and not flags["handout"]
    assert "noch nicht von einer zweiten Person geprüft" in flags["labels"][-1]
    actor = CHECKERS[checker]
    version = offer["properties"]["version"]
    before = audit_size(demo_store)
    if actor.role in (Role.LEAD, Role.ADMIN) and actor.name not in changed_by:
        checked = offers.mark_checked(
            demo_store, DEMO_AREA, offer["id"], expected_version=version, actor=actor, today=TODAY
        )
        assert checked["properties"]["edited_by"] == []
        assert offer_model.offer_flags(checked["properties"], TODAY)["handout"]
    else:
        with pytest.raises(Forbidden) as refused:
            offers.mark_checked(
                demo_store, DEMO_AREA, offer["id"], expected_version=version, actor=actor,
                today=TODAY,
            )  # fmt: skip
        if actor.role != Role.CASEWORKER:
            assert "Vier-Augen-Prinzip" in refused.value.message
            assert "andere Person" in refused.value.message
        assert audit_size(demo_store) == before


def test_a_lead_who_edits_a_checked_offer_takes_it_off_the_handouts(demo_store):
    fine = offers.get_offer(demo_store, DEMO_AREA, "demo-jobcoaching-inklusiv")
    assert offer_model.offer_flags(fine["properties"], TODAY)["handout"]
    values = offers.offer_form_values(fine)
    same = offers.update_offer(
        demo_store, DEMO_AREA, fine["id"], values, expected_version=1, actor=LEAD, today=TODAY
    )  # saving unchanged content is no edit
    assert same["properties"]["edited_by"] == []
    assert "content_edit" not in demo_store.changes(DEMO_AREA, "offers")[-1]
    edited = offers.update_offer(
        demo_store, DEMO_AREA, fine["id"],
        {**values, "phone": "0800 5555", "checked_on": TODAY.isoformat()},
        expected_version=2, actor=LEAD, today=TODAY,
    )  # fmt: skip
    assert edited["properties"]["edited_by"] == [LEAD.name]
    assert demo_store.changes(DEMO_AREA, "offers")[-1]["content_edit"] is True
    assert not offer_model.offer_flags(edited["properties"], TODAY)["handout"]
    address = demo_store.query(DEMO_AREA, "addresses")[0]
    listed = offers.nearby_offers(demo_store, DEMO_AREA, address, today=TODAY, limit=50)
    assert fine["id"] not in {i["offer"]["id"] for i in listed}
    found = offers.find_offers(demo_store, DEMO_AREA, JOBSEEKER, today=TODAY)
    assert fine["id"] not in {i["offer"]["id"] for i in offers.handout_items(found)}
    with pytest.raises(Forbidden, match="Vier-Augen-Prinzip"):
        offers.mark_checked(
            demo_store, DEMO_AREA, fine["id"], expected_version=3, actor=LEAD, today=TODAY
        )
    offers.mark_checked(
        demo_store, DEMO_AREA, fine["id"], expected_version=3, actor=OTHER_LEAD, today=TODAY
    )
    found = offers.find_offers(demo_store, DEMO_AREA, JOBSEEKER, today=TODAY)
    assert fine["id"] in {i["offer"]["id"] for i in offers.handout_items(found)}


@pytest.mark.parametrize(
    ("proposer", "decider"),
    [(p, d) for p in ("caseworker", "lead") for d in ("lead", "lead 2", "admin")],
)
def test_nobody_accepts_their_own_proposal(demo_store, proposer, decider):
    proposing = {"caseworker": CASEWORKER, "lead": LEAD}[proposer]
    actor = CHECKERS[decider]
    proposal = offers.propose(
        demo_store, DEMO_AREA, data(demo_store), actor=proposing, guard=GUARD, today=TODAY
    )
    before = audit_size(demo_store)
    kwargs = dict(expected_version=1, actor=actor, guard=GUARD, today=TODAY)
    if actor.name == proposing.name:
        with pytest.raises(Forbidden, match="Vier-Augen-Prinzip"):
            offers.accept_proposal(demo_store, DEMO_AREA, proposal["id"], **kwargs)
        assert audit_size(demo_store) == before
        assert offers.get_proposal(demo_store, DEMO_AREA, proposal["id"])["properties"][
            "state"
        ] == ("offen")
        # rejecting one's own proposal (withdrawing it) stays possible
        offers.reject_proposal(
            demo_store, DEMO_AREA, proposal["id"], comment="Doch nicht.", expected_version=1,
            actor=actor, guard=GUARD,
        )  # fmt: skip
    else:
        created = offers.accept_proposal(demo_store, DEMO_AREA, proposal["id"], **kwargs)
        # the proposer's text was read by the acceptor: a second person
        assert created["properties"]["edited_by"] == []
        assert offer_model.offer_flags(created["properties"], TODAY)["handout"]


def test_an_accepted_change_keeps_earlier_unchecked_edits(demo_store):
    fine = offers.get_offer(demo_store, DEMO_AREA, "demo-jobcoaching-inklusiv")
    values = offers.offer_form_values(fine)
    edited = offers.update_offer(
        demo_store, DEMO_AREA, fine["id"], {**values, "phone": "0800 5555"},
        expected_version=1, actor=LEAD, today=TODAY,
    )  # fmt: skip
    proposal = offers.propose(
        demo_store, DEMO_AREA, {**values, "phone": "0800 5555", "opening_hours": "Mo–Fr"},
        actor=CASEWORKER, guard=GUARD, today=TODAY, offer_id=fine["id"], base_version=2,
    )  # fmt: skip
    accepted = offers.accept_proposal(
        demo_store, DEMO_AREA, proposal["id"], expected_version=1, actor=LEAD, guard=GUARD,
        today=TODAY,
    )  # fmt: skip
    assert accepted["properties"]["edited_by"] == edited["properties"]["edited_by"] == [LEAD.name]
    assert not offer_model.offer_flags(accepted["properties"], TODAY)["handout"]


def _flagged(store):
    return offers.list_offers(
        store, DEMO_AREA, today=TODAY, filters=offers.OfferFilter(flag="pruefen")
    )


def test_points_far_outside_the_area_are_refused(demo_store):
    with pytest.raises(InvalidInput, match="außerhalb des Gebiets"):
        offers.create_offer(
            demo_store, DEMO_AREA, data(demo_store, lon=13.4, lat=52.5), actor=LEAD, today=TODAY
        )


def test_directory_filters():
    args = {"zielgruppe": "schwerbehinderte", "hinweis": "aktuell", "q": "job"}
    keeps = offers.OfferFilter.from_args(args)
    assert keeps.keeps({"name": "Jobcoaching", "target_groups": ["schwerbehinderte"]},
                       {"handout": True})  # fmt: skip
    assert not keeps.keeps({"name": "Jobcoaching", "target_groups": []}, {"handout": True})
    assert not keeps.keeps(
        {"name": "Jobcoaching", "target_groups": ["schwerbehinderte"]}, {"handout": False}
    )
    with pytest.raises(InvalidInput):
        offers.OfferFilter.from_args({"foerderer": "lotto"})


# --- proposals -----------------------------------------------------------------------


def test_a_caseworkers_new_offer_waits_for_a_lead(demo_store):
    proposal = offers.propose(
        demo_store, DEMO_AREA, data(demo_store), actor=CASEWORKER, guard=GUARD, today=TODAY,
        comment="Gesehen beim Rundgang.",
    )  # fmt: skip
    assert proposal["properties"]["kind"] == "neu"
    assert all(
        o["properties"]["name"] != "Stadtteilmütter" for o in demo_store.query(DEMO_AREA, "offers")
    )
    assert [p["id"] for p in offers.list_proposals(demo_store, DEMO_AREA)] == [proposal["id"]]
    created = offers.accept_proposal(
        demo_store, DEMO_AREA, proposal["id"], expected_version=1, actor=LEAD, guard=GUARD,
        today=TODAY,
    )  # fmt: skip
    assert created["id"] == proposal["id"]
    assert created["properties"]["name"] == "Stadtteilmütter"
    closed = offers.get_proposal(demo_store, DEMO_AREA, proposal["id"])["properties"]
    assert closed["state"] == "angenommen" and closed["decided_by"] == "demo-leitung"
    assert offers.list_proposals(demo_store, DEMO_AREA) == []
    with pytest.raises(VersionConflict):  # a second click with the old version
        offers.accept_proposal(
            demo_store, DEMO_AREA, proposal["id"], expected_version=1, actor=LEAD, guard=GUARD,
            today=TODAY,
        )  # fmt: skip


def test_accepting_again_after_an_interruption_adds_no_second_offer(demo_store):
    proposal = offers.propose(
        demo_store, DEMO_AREA, data(demo_store), actor=CASEWORKER, guard=GUARD, today=TODAY
    )
    # the offer was written but the proposal not closed (a crash between the two writes)
    demo_store.add(
        DEMO_AREA, "offers",
        {**offers.check_offer(demo_store, DEMO_AREA, data(demo_store), today=TODAY).feature(),
         "id": proposal["id"]},
        actor="demo-leitung",
    )  # fmt: skip
    count = len(demo_store.query(DEMO_AREA, "offers"))
    offers.accept_proposal(
        demo_store, DEMO_AREA, proposal["id"], expected_version=1, actor=LEAD, guard=GUARD,
        today=TODAY,
    )  # fmt: skip
    assert len(demo_store.query(DEMO_AREA, "offers")) == count


def test_a_change_proposal_on_a_changed_offer_is_refused(demo_store):
    current = offers.get_offer(demo_store, DEMO_AREA, "demo-alleinerziehende")
    values = offers.offer_form_values(current) | {"opening_hours": "Mi und Fr 9–11:30 Uhr"}
    proposal = offers.propose(
        demo_store, DEMO_AREA, values, actor=CASEWORKER, guard=GUARD, today=TODAY,
        offer_id=current["id"], base_version=1,
    )  # fmt: skip
    changes = offers.proposal_changes(proposal, current)
    assert [(c["label"], c["old"], c["new"]) for c in changes] == [
        ("Öffnungszeiten", "Mi 9–11:30 Uhr", "Mi und Fr 9–11:30 Uhr")
    ]
    offers.mark_checked(
        demo_store, DEMO_AREA, current["id"], expected_version=1, actor=OTHER_LEAD, today=TODAY
    )
    with pytest.raises(VersionConflict, match="geändert"):
        offers.accept_proposal(
            demo_store, DEMO_AREA, proposal["id"], expected_version=1, actor=LEAD, guard=GUARD,
            today=TODAY,
        )  # fmt: skip
    assert offers.get_proposal(demo_store, DEMO_AREA, proposal["id"])["properties"]["state"] == (
        "offen"
    )
    rejected = offers.reject_proposal(
        demo_store, DEMO_AREA, proposal["id"], expected_version=1, actor=LEAD, guard=GUARD,
        comment="Inzwischen geprüft; bitte neu vorschlagen.",
    )  # fmt: skip
    assert rejected["properties"]["state"] == "abgelehnt"


def test_proposal_rules(demo_store):
    with pytest.raises(Forbidden):
        offers.propose(demo_store, DEMO_AREA, data(demo_store), actor=VIEWER, guard=GUARD,
                       today=TODAY)  # fmt: skip
    with pytest.raises(PrivacyViolation):
        offers.propose(
            demo_store, DEMO_AREA, data(demo_store), actor=CASEWORKER, guard=GUARD, today=TODAY,
            comment="Frau Müller, geb. 01.02.1980, war dort.",
        )  # fmt: skip
    proposal = offers.propose(
        demo_store, DEMO_AREA, data(demo_store), actor=CASEWORKER, guard=GUARD, today=TODAY
    )
    with pytest.raises(Forbidden):
        offers.accept_proposal(
            demo_store, DEMO_AREA, proposal["id"], expected_version=1, actor=CASEWORKER,
            guard=GUARD, today=TODAY,
        )  # fmt: skip
    with pytest.raises(InvalidInput, match="begründen"):
        offers.reject_proposal(
            demo_store, DEMO_AREA, proposal["id"], expected_version=1, actor=LEAD, guard=GUARD,
            comment=" ",
        )  # fmt: skip
    assert offers.get_proposal(demo_store, DEMO_AREA, proposal["id"])["properties"]["state"] == (
        "offen"
    )


# --- finder on the demo area ----------------------------------------------------------


def test_the_jobseeker_finds_the_coaching_project_sorted_by_walking_time(demo_store):
    address = demo_store.query(DEMO_AREA, "addresses")[10]
    before = audit_size(demo_store)
    found = offers.find_offers(demo_store, DEMO_AREA, JOBSEEKER, today=TODAY, address=address)
    fits = [i["offer"]["id"] for i in found["fits"]]
    assert fits == ["demo-jobcoaching-inklusiv"]
    others = {i["offer"]["id"]: i["match"].misses for i in found["others"]}
    assert others["demo-arbeitsassistenz"] == [
        "Voraussetzung fehlt: bestehendes Arbeitsverhältnis erforderlich"
    ]
    assert found["fits"][0]["walk_min"] > 0
    assert audit_size(demo_store) == before  # the finder writes nothing


def test_without_topics_more_offers_fit_and_walking_time_orders_them(demo_store):
    address = demo_store.query(DEMO_AREA, "addresses")[200]
    situation = situation_from({"target_groups": ["alleinerziehende", "schwerbehinderte"]})
    found = offers.find_offers(demo_store, DEMO_AREA, situation, today=TODAY, address=address)
    minutes = [i["walk_min"] for i in found["fits"]]
    placed = [m for m in minutes if m is not None]
    assert len(placed) >= 3 and placed == sorted(placed)
    assert minutes[-1] is None  # the region-wide phone line comes last
    assert found["fits"][-1]["offer"]["id"] == "demo-sozialtelefon"
    handout = {i["offer"]["id"] for i in offers.handout_items(found)}
    assert "demo-sozialtelefon" in handout
    without = offers.find_offers(demo_store, DEMO_AREA, situation, today=TODAY)
    assert {i["offer"]["id"] for i in without["fits"]} == {i["offer"]["id"] for i in found["fits"]}
    assert all(i["walk_min"] is None for i in without["fits"])


def test_unchecked_and_ended_offers_stay_off_the_handout(demo_store):
    older = situation_from(
        {"target_groups": ["aeltere", "gefluechtete"], "circuits": ["sgb2"], "employed": "nein"}
    )
    found = offers.find_offers(demo_store, DEMO_AREA, older, today=TODAY)
    fits = {i["offer"]["id"] for i in found["fits"]}
    assert "demo-bewerbung-50plus" in fits  # fits, but not checked for 15 months
    assert "demo-sprachlotsen" not in fits  # ended
    handout = {i["offer"]["id"] for i in offers.handout_items(found)}
    assert "demo-bewerbung-50plus" not in handout and "demo-sprachlotsen" not in handout
    assert "demo-migrationsberatung" in handout


def test_demo_offers_with_an_age_limit_are_matched_on_the_age(demo_store):
    """U25 (Jugendberufsagentur, up to 24) and 50plus (from 50): matched on the age, and
    under "Bitte klären" while the age is unknown, never simply fitting."""
    young, older = "demo-jugendberufsagentur", "demo-bewerbung-50plus"

    def find(**situation):
        found = offers.find_offers(demo_store, DEMO_AREA, situation_from(situation), today=TODAY)
        fits = {i["offer"]["id"]: i["match"] for i in found["fits"]}
        others = {i["offer"]["id"]: i["match"] for i in found["others"]}
        return fits, others

    fits, _ = find(target_groups=["jugendliche", "aeltere"])  # age unknown
    assert "Alter: nur für Menschen unter 25 Jahren" in fits[young].to_check
    assert "Alter: nur für Menschen ab 50 Jahren" in fits[older].to_check
    fits, others = find(age_years=23)  # no tick: the age alone makes her "jugendlich"
    assert young in fits and fits[young].to_check == []
    assert "Alter passt: für Menschen unter 25 Jahren" in fits[young].reasons
    assert older in others
    fits, others = find(age_years="25", target_groups=["jugendliche"])
    assert others[young].misses == ["Alter passt nicht: nur für Menschen unter 25 Jahren"]
    fits, others = find(age_years=57, circuits=["sgb2"], employed="nein")
    assert "Alter passt: für Menschen ab 50 Jahren" in fits[older].reasons
    assert young in others


# --- real data: the Neuss extract -----------------------------------------------------


@pytest.fixture(scope="module")
def neuss(tmp_path_factory):
    store = GeoJSONStore(tmp_path_factory.mktemp("offers-neuss"))
    import_area(store, "neuss", osm_file=SHARED_OSM / "neuss-innenstadt.osm")
    return store


def test_walking_distances_agree_with_the_reachability_layer(neuss):
    """One-to-many distances from an address equal the nearest-per-category layer."""
    network = load_network(neuss, "neuss")
    resources = neuss.query("neuss", "resources", category="hairdresser")
    assert len(resources) == 10
    layer = current_reachability(neuss, "neuss", ["hairdresser"])
    xs_m, ys_m = project(*zip(*(r["geometry"]["coordinates"] for r in resources), strict=True))
    checked = 0
    for address in neuss.query("neuss", "addresses")[::97]:
        (x_m,), (y_m,) = project(*([c] for c in address["geometry"]["coordinates"]))
        distance_m = distances_from_point(network, x_m, y_m, xs_m, ys_m)
        expected = layer.for_address(address["id"])["hairdresser"]
        if expected is None:
            assert np.isnan(distance_m).all()
            continue
        # the layer joins addresses and resources at one node straight across; we do too
        assert round(float(np.nanmin(distance_m))) == pytest.approx(expected["distance_m"], abs=1)
        checked += 1
    assert checked >= 10


def test_finder_on_real_streets_orders_offers_by_walking_time(neuss):
    """Offers placed at real Neuss social facilities and post offices, found from an address."""
    places = (
        neuss.query("neuss", "resources", category="social_facility")[:4]
        + neuss.query("neuss", "resources", category="post_office")[:2]
    )
    assert len(places) == 6
    for n, place in enumerate(places):
        lon, lat = place["geometry"]["coordinates"]
        created = offers.create_offer(
            neuss, "neuss",
            {"name": f"Beratung {n}", "provider": "Träger", "funders": ["kommune"],
             "description": "Sprechstunde.", "phone": "02131 0", "lon": lon, "lat": lat,
             "checked_on": "2026-11-01", "checked_by": "teamleitung", "topics": ["beratung"]},
            actor=ADMIN, today=TODAY,
        )  # fmt: skip
        offers.mark_checked(  # four-eyes: a second person checks what the admin wrote
            neuss, "neuss", created["id"], expected_version=1, actor=LEAD, today=TODAY
        )
    address = neuss.query("neuss", "addresses")[700]
    found = offers.find_offers(
        neuss, "neuss", situation_from({"topics": ["beratung"]}), today=TODAY, address=address
    )
    metres = [i["distance_m"] for i in found["fits"]]
    reachable = [m for m in metres if m is not None]
    assert len(metres) == 6 and len(reachable) >= 5
    assert metres[: len(reachable)] == sorted(reachable)  # out of reach: listed last
    # walking is never shorter than the straight line
    (x_m,), (y_m,) = project(*([c] for c in address["geometry"]["coordinates"]))
    for item in found["fits"][: len(reachable)]:
        (ox,), (oy,) = project(*([c] for c in item["offer"]["geometry"]["coordinates"]))
        assert item["distance_m"] >= np.hypot(ox - x_m, oy - y_m) - 1
    nearest = offers.nearby_offers(neuss, "neuss", address, today=TODAY, limit=3)
    assert [i["offer"]["id"] for i in nearest] == [i["offer"]["id"] for i in found["fits"][:3]]
