"""The offer model: checking input, each eligibility rule, matching, flags."""

from __future__ import annotations

from datetime import date

import pytest

from sozialraum.errors import InvalidInput
from sozialraum.model import offers as model
from sozialraum.model.offers import (
    CONDITIONS,
    Situation,
    check_offer_input,
    condition_state,
    match_offer,
    offer_flags,
    situation_from,
)

TODAY = date(2026, 11, 21)


def offer(**fields) -> dict:
    data = {
        "name": "Jobcoaching inklusiv",
        "provider": "Unternehmensverband e. V.",
        "funders": ["integrationsamt"],
        "description": "Begleitung bei der Suche nach Arbeit.",
        "phone": "01234 5678",
        "lon": 6.95,
        "lat": 51.43,
        "checked_on": "2026-10-01",
        "checked_by": "teamleitung",
    }
    data.update(fields)
    return data


def props(**fields) -> dict:
    return check_offer_input(offer(**fields), TODAY).properties


# --- input ---------------------------------------------------------------------------


def test_a_complete_offer_is_normalised():
    checked = check_offer_input(
        offer(
            funders="Integrationsamt (Ausgleichsabgabe) | ESF (Europäischer Sozialfonds)",
            target_groups=["schwerbehinderte"],
            eligibility="schwerbehinderung_anerkannt; kein Arbeitsverhältnis erforderlich",
            languages=[],
            valid_to="2027-06-30",
        ),
        TODAY,
    )
    p = checked.properties
    assert p["funders"] == ["integrationsamt", "esf"]  # labels and ids, any separator
    assert p["eligibility"] == [
        "schwerbehinderung_anerkannt",
        "kein_arbeitsverhaeltnis_erforderlich",
    ]
    assert p["languages"] == ["de"]  # no language given: German
    assert p["valid_to"] == "2027-06-30" and p["region_wide"] is False
    assert checked.feature()["geometry"] == {"type": "Point", "coordinates": [6.95, 51.43]}


def test_a_region_wide_offer_has_no_point():
    data = offer(region_wide="ja")
    del data["lon"], data["lat"]
    feature = check_offer_input(data, TODAY).feature()
    assert feature["geometry"] is None and feature["properties"]["region_wide"] is True


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Name: bitte angeben"),
        ({"provider": None}, "Träger: bitte angeben"),
        ({"funders": []}, "Förderer: bitte mindestens einen"),
        ({"funders": ["Lotto"]}, "„Lotto“ ist unbekannt"),
        ({"target_groups": "Studierende"}, "Zielgruppen: „Studierende“ ist unbekannt"),
        ({"eligibility": ["arbeitsverhaeltnis_erforderlich", "ohne_arbeitsverhaeltnis"]},
         "schließen sich aus"),
        ({"phone": "", "email": "", "web": "", "address": ""}, "Kontakt"),
        ({"email": "kein-at-zeichen"}, "E-Mail"),
        ({"web": "javascript:alert(1)"}, "Web"),
        ({"region_wide": True}, "gebietsweites Angebot hat keinen Punkt"),
        ({"lon": None, "lat": None}, "bitte einen Punkt angeben"),
        ({"lat": 123}, "Breite muss zwischen"),
        ({"lon": float("nan")}, "Länge: bitte eine Zahl"),
        ({"valid_from": "2027-01-01", "valid_to": "2026-01-01"}, "liegt vor „gültig ab“"),
        ({"checked_on": "2027-01-01"}, "in der Zukunft"),
        ({"checked_on": "2026-01-01", "checked_by": "Frau Meier"}, "keinen Namen"),
        ({"checked_by": None}, "die Rolle angeben"),
        ({"description": "x" * 2001}, "zu lang"),
        ({"name": "A\x00B"}, "Steuerzeichen"),
        ({"colour": "red"}, "Unbekannte Felder: colour"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_german_reason(fields, message):
    with pytest.raises(InvalidInput) as caught:
        check_offer_input(offer(**fields), TODAY)
    assert message in caught.value.message


def test_labels_never_contain_a_list_separator():
    # CSV lists are split on | , ; — a label with one of these could not be read back
    for vocabulary, _ in model.LIST_FIELDS.values():
        for label in vocabulary.values():
            assert not set(label) & set("|,;"), label
        # ids, labels and short labels ("ESF", "SGB II") name one entry each
        owners: dict[str, set] = {}
        for key, label in vocabulary.items():
            for form in (key, label, label.split(" (")[0]):
                owners.setdefault(form.casefold(), set()).add(key)
        assert all(len(keys) == 1 for keys in owners.values())
    assert check_offer_input(offer(funders="esf | INTEGRATIONSAMT"), TODAY).properties[
        "funders"
    ] == ["esf", "integrationsamt"]


# --- each eligibility rule -----------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "situation", "state"),
    [
        ("schwerbehinderung_anerkannt", Situation(disability_recognised=True), "erfuellt"),
        ("schwerbehinderung_anerkannt", Situation(disability_recognised=False), "nicht_erfuellt"),
        ("schwerbehinderung_anerkannt", Situation(), "offen"),
        ("arbeitsverhaeltnis_erforderlich", Situation(employed=True), "erfuellt"),
        ("arbeitsverhaeltnis_erforderlich", Situation(employed=False), "nicht_erfuellt"),
        ("arbeitsverhaeltnis_erforderlich", Situation(), "offen"),
        ("ohne_arbeitsverhaeltnis", Situation(employed=False), "erfuellt"),
        ("ohne_arbeitsverhaeltnis", Situation(employed=True), "nicht_erfuellt"),
        ("ohne_arbeitsverhaeltnis", Situation(), "offen"),
        ("kein_arbeitsverhaeltnis_erforderlich", Situation(employed=True), "erfuellt"),
        ("kein_arbeitsverhaeltnis_erforderlich", Situation(employed=False), "erfuellt"),
        ("kein_arbeitsverhaeltnis_erforderlich", Situation(), "erfuellt"),
        ("kostenlos", Situation(), "erfuellt"),
        ("rechtskreis_sgb2", Situation(circuits=frozenset({"sgb2"})), "erfuellt"),
        ("rechtskreis_sgb2", Situation(circuits=frozenset({"sgb3"})), "nicht_erfuellt"),
        ("rechtskreis_sgb2", Situation(), "offen"),
        ("rechtskreis_sgb3", Situation(circuits=frozenset({"sgb2", "sgb3"})), "erfuellt"),
        ("rechtskreis_sgb3", Situation(circuits=frozenset({"sgb12"})), "nicht_erfuellt"),
        ("rechtskreis_sgb12", Situation(circuits=frozenset({"sgb12"})), "erfuellt"),
        ("rechtskreis_sgb12", Situation(circuits=frozenset({"asylblg"})), "nicht_erfuellt"),
        ("rechtskreis_asylblg", Situation(circuits=frozenset({"asylblg"})), "erfuellt"),
        ("rechtskreis_asylblg", Situation(circuits=frozenset({"sgb2"})), "nicht_erfuellt"),
    ],
)
def test_each_eligibility_rule(condition, situation, state):
    assert condition_state(CONDITIONS[condition], situation) == state


def test_every_condition_is_covered_by_the_rule_table():
    covered = {c for c, _, _ in test_each_eligibility_rule.pytestmark[0].args[1]}
    assert covered == set(CONDITIONS)


def test_every_condition_has_plain_german_for_the_handout():
    for condition in CONDITIONS.values():
        assert condition.plain.endswith(".") and condition.plain[0].isupper()


# --- matching ------------------------------------------------------------------------

JOBSEEKER = situation_from(
    {
        "target_groups": ["schwerbehinderte"],
        "employed": "nein",
        "disability_recognised": "ja",
        "topics": ["arbeit"],
        "circuits": ["sgb2"],
    }
)


def test_the_severely_disabled_jobseeker_without_a_job():
    coaching = props(
        legal_bases=["sgb9"],
        target_groups=["schwerbehinderte"],
        eligibility=["schwerbehinderung_anerkannt", "kein_arbeitsverhaeltnis_erforderlich"],
        topics=["arbeit"],
    )
    assistance = props(
        legal_bases=["sgb9"],
        target_groups=["schwerbehinderte"],
        eligibility=["schwerbehinderung_anerkannt", "arbeitsverhaeltnis_erforderlich"],
        topics=["arbeit"],
    )
    found = match_offer(coaching, JOBSEEKER, TODAY)
    assert found.fits and not found.to_check
    assert "Zielgruppe: schwerbehinderte Menschen" in found.reasons
    assert "kein Arbeitsverhältnis erforderlich" in found.reasons
    # an SGB IX offer is open to a person in SGB II: the legal basis never excludes
    refused = match_offer(assistance, JOBSEEKER, TODAY)
    assert not refused.fits
    assert refused.misses == ["Voraussetzung fehlt: bestehendes Arbeitsverhältnis erforderlich"]


def test_unanswered_conditions_are_to_be_clarified_not_refused():
    found = match_offer(
        props(target_groups=["schwerbehinderte"], eligibility=["schwerbehinderung_anerkannt"]),
        Situation(target_groups=frozenset({"schwerbehinderte"})),
        TODAY,
    )
    assert found.fits
    assert found.to_check == [CONDITIONS["schwerbehinderung_anerkannt"].label]


def test_target_groups_topics_and_languages_filter():
    young = props(target_groups=["jugendliche"], topics=["ausbildung"], languages=["de", "ar"])
    assert match_offer(young, JOBSEEKER, TODAY).misses == [
        "nur für: Jugendliche und junge Erwachsene",
        "hilft bei anderem: Schule und Ausbildung",
    ]
    arabic = Situation(target_groups=frozenset({"jugendliche"}), languages=frozenset({"ar"}))
    assert "Sprache: Arabisch" in match_offer(young, arabic, TODAY).reasons
    ukrainian = Situation(target_groups=frozenset({"jugendliche"}), languages=frozenset({"uk"}))
    assert match_offer(young, ukrainian, TODAY).misses == ["nur in: Deutsch, Arabisch"]
    # an offer without target groups is open to all
    open_offer = match_offer(props(), Situation(), TODAY)
    assert open_offer.fits and open_offer.reasons == ["offen für alle"]
    # ... but with an age limit it is not "for all": the reason names the target groups only
    u25 = match_offer(props(max_age_years=24), Situation(), TODAY)
    assert u25.reasons == ["offen für alle Zielgruppen"]
    assert u25.to_check == ["Alter: nur für Menschen unter 25 Jahren"]


def test_an_ended_offer_does_not_fit():
    ended = props(valid_from="2025-01-01", valid_to="2026-10-31")
    found = match_offer(ended, Situation(), TODAY)
    assert not found.fits and found.misses == ["abgelaufen am 31.10.2026"]


def test_situation_values_are_checked():
    with pytest.raises(InvalidInput, match="Zielgruppen"):
        situation_from({"target_groups": ["<script>"]})
    with pytest.raises(InvalidInput, match="Arbeitsverhältnis"):
        situation_from({"employed": "vielleicht"})
    with pytest.raises(InvalidInput, match="Liste"):
        situation_from({"topics": {"arbeit": 1}})
    assert situation_from({}) == Situation()


# --- flags ---------------------------------------------------------------------------


def test_flags_for_unchecked_ended_and_future_offers():
    fine = offer_flags(props(checked_on="2025-11-22"), TODAY)
    assert fine["handout"] and fine["labels"] == []
    stale = offer_flags(props(checked_on="2025-11-21"), TODAY)  # exactly 12 months ago
    assert stale["unchecked"] and not stale["handout"]
    assert stale["labels"] == ["seit über 12 Monaten nicht geprüft (zuletzt 21.11.2025)"]
    never = offer_flags(props(checked_on=None, checked_by=None), TODAY)
    assert never["labels"] == ["noch nie geprüft"] and not never["handout"]
    ended = offer_flags(props(valid_to="2026-11-20"), TODAY)
    assert ended["ended"] and not ended["handout"]
    assert offer_flags(props(valid_to="2026-11-21"), TODAY)["handout"]  # last day still valid
    future = offer_flags(props(valid_from="2027-01-01"), TODAY)
    assert future["not_yet"] and future["handout"] and future["labels"] == ["beginnt am 01.01.2027"]


# --- age limits ----------------------------------------------------------------------


def test_age_limits_are_checked_whole_years():
    young = props(target_groups=["jugendliche"], max_age_years="24")
    assert young["min_age_years"] is None and young["max_age_years"] == 24
    assert props(min_age_years=50, max_age_years=" 67 Jahre ")["max_age_years"] == 67
    assert props()["min_age_years"] is None and props()["max_age_years"] is None
    for bad in ("25,5", "-1", "121", "U25", True, 25.5, [25]):
        with pytest.raises(InvalidInput, match=r"Alter bis: bitte eine ganze Zahl von 0 bis 120"):
            props(max_age_years=bad)
    with pytest.raises(InvalidInput, match="Alter bis: die Zahl liegt unter „Alter von“"):
        props(min_age_years=50, max_age_years=24)


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [
        (None, 24, "unter 25 Jahren"),
        (50, None, "ab 50 Jahren"),
        (18, 26, "von 18 bis 26 Jahren"),
        (None, None, ""),
    ],
)
def test_age_limit_in_words(low, high, text):
    assert model.age_limit_text(low, high) == text


U25 = {"target_groups": ["jugendliche"], "max_age_years": 24}
OVER_50 = {"target_groups": ["aeltere", "langzeitarbeitslose"], "min_age_years": 50}


@pytest.mark.parametrize(
    ("limits", "age", "fits", "field", "text"),
    [
        # age unknown: never simply fitting, always "Bitte klären"
        (U25, None, True, "to_check", "Alter: nur für Menschen unter 25 Jahren"),
        (OVER_50, None, True, "to_check", "Alter: nur für Menschen ab 50 Jahren"),
        # the bounds are inclusive: U25 is up to 24, 50plus from 50
        (U25, 24, True, "reasons", "Alter passt: für Menschen unter 25 Jahren"),
        (U25, 25, False, "misses", "Alter passt nicht: nur für Menschen unter 25 Jahren"),
        (OVER_50, 50, True, "reasons", "Alter passt: für Menschen ab 50 Jahren"),
        (OVER_50, 49, False, "misses", "Alter passt nicht: nur für Menschen ab 50 Jahren"),
    ],
)
def test_an_offer_with_an_age_limit_is_matched_on_the_age(limits, age, fits, field, text):
    groups = frozenset(limits["target_groups"])
    found = match_offer(props(**limits), Situation(target_groups=groups, age_years=age), TODAY)
    assert found.fits is fits
    assert text in getattr(found, field)
    if age is None:
        assert found.to_check == [text]  # nothing else to clarify here


def test_the_age_puts_a_person_into_the_age_groups_without_a_tick():
    # existing offers for "Jugendliche" or "Ältere" without their own age limit
    young = props(target_groups=["jugendliche"])
    older = props(target_groups=["aeltere"])
    nineteen, sixty = Situation(age_years=19), Situation(age_years=60)
    assert match_offer(young, nineteen, TODAY).reasons == [
        "Zielgruppe: Jugendliche und junge Erwachsene (nach dem Alter)"
    ]
    assert match_offer(young, sixty, TODAY).misses == ["nur für: Jugendliche und junge Erwachsene"]
    assert match_offer(older, sixty, TODAY).fits
    assert not match_offer(older, nineteen, TODAY).fits
    assert Situation(age_years=26).age_groups() == {"jugendliche"}
    assert Situation(age_years=27).age_groups() == frozenset()
    assert Situation(age_years=50).age_groups() == {"aeltere"}
    assert Situation().age_groups() == frozenset()


def test_the_age_in_the_finder_is_checked():
    assert situation_from({"age_years": "23"}).age_years == 23
    assert situation_from({"age_years": 0}).age_years == 0
    assert situation_from({"age_years": ""}).age_years is None
    for bad in ("abc", "121", -3, "2 3", True):
        with pytest.raises(InvalidInput, match=r"^Alter: bitte eine ganze Zahl von 0 bis 120"):
            situation_from({"age_years": bad})


def test_the_handout_names_the_offers_age_limit_in_plain_german():
    assert model.plain_conditions(props(**U25)) == ["Das Angebot ist für Menschen unter 25 Jahren."]
    assert model.plain_conditions(props()) == []
