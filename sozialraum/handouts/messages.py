"""Handout texts that come from the model's vocabularies, marked for the catalogs.

The templates' own texts are found by ``pybabel extract`` in the templates; these come from
data (offer conditions, languages, walking paces, the Wegweiser's categories, weekday names)
and are listed here so that extraction finds them. A test checks that every vocabulary text a
handout prints is listed.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for extraction without translating it."""
    return message


#: The offers' conditions in plain German (:data:`sozialraum.model.offers.CONDITIONS`).
CONDITIONS = (
    N_("Sie brauchen einen Schwerbehinderten-Ausweis oder eine Gleichstellung."),
    N_("Sie brauchen eine Arbeitsstelle."),
    N_("Das Angebot ist für Menschen ohne Arbeitsstelle."),
    N_("Sie brauchen keine Arbeitsstelle."),
    N_("Sie bekommen Bürgergeld vom Jobcenter."),
    N_("Sie sind bei der Agentur für Arbeit gemeldet."),
    N_("Sie bekommen Sozialhilfe."),
    N_("Sie bekommen Leistungen nach dem Asylbewerberleistungsgesetz."),
    N_("Das Angebot kostet nichts."),
)

#: An offer's age limit (see :func:`sozialraum.handouts.offer_texts.handout_conditions`).
AGE_LIMITS = {
    "below": N_("Das Angebot ist für Menschen unter {age} Jahren."),
    "from": N_("Das Angebot ist für Menschen ab {age} Jahren."),
    "exactly": N_("Das Angebot ist für Menschen mit {age} Jahren."),
    "between": N_("Das Angebot ist für Menschen von {low} bis {high} Jahren."),
}

#: The languages an offer can be used in (:data:`sozialraum.model.offers.LANGUAGES`).
OFFER_LANGUAGES = (
    N_("Deutsch"),
    N_("Leichte Sprache"),
    N_("Gebärdensprache (DGS)"),
    N_("Englisch"),
    N_("Arabisch"),
    N_("Türkisch"),
    N_("Ukrainisch"),
    N_("Russisch"),
    N_("Polnisch"),
    N_("Rumänisch"),
    N_("Bulgarisch"),
    N_("Persisch (Farsi/Dari)"),
    N_("Kurdisch"),
    N_("Tigrinya"),
    N_("Somali"),
    N_("Französisch"),
    N_("Spanisch"),
    N_("Albanisch"),
)

#: The walking paces: profile → the sentence on the handout.
PACES = {
    "normal": N_("Die Minuten gelten für normales Gehen (4,5 km/h)."),
    "langsam": N_("Die Minuten gelten für langsames Gehen (3 km/h)."),
}

#: The Wegweiser's categories (labels of :data:`sozialraum.services.areas.GUIDE_CATEGORIES`).
GUIDE_CATEGORIES = (
    N_("Apotheke"),
    N_("Post/Paketshop"),
    N_("Briefkasten der Post"),
    N_("Arztpraxis"),
    N_("Bäckerei"),
    N_("Supermarkt"),
    N_("Schule"),
    N_("Kita"),
    N_("Haltestelle"),
)

#: Why an address has no walking times (:data:`sozialraum.analysis.walking.CUT_OFF_TEXTS`).
CUT_OFF = (
    N_("Diese Adresse liegt abseits der erfassten Wege. Gehzeiten können wir dafür nicht angeben."),
    N_(
        "Diese Adresse liegt außerhalb des importierten Wegenetzes. Gehzeiten können wir dafür "
        "nicht angeben."
    ),
)

#: Weekday names (:data:`sozialraum.handouts.opening_hours.DAY_NAMES`) and opening-hours words.
OPENING_HOURS = (
    N_("Montag"),
    N_("Dienstag"),
    N_("Mittwoch"),
    N_("Donnerstag"),
    N_("Freitag"),
    N_("Samstag"),
    N_("Sonntag"),
    N_("täglich"),
    N_("{first} bis {last}"),
    N_("{first}, {second}"),
    N_("{first} und {second}"),
    N_("{first}; {second}"),
    N_("{start} bis {end} Uhr"),
    N_("{days}: {times}"),
    N_("immer geöffnet, Tag und Nacht"),
    N_("an Feiertagen"),
    N_("an Feiertagen geschlossen"),
)

#: Minutes and metres (:class:`sozialraum.handouts.catalogs.HandoutText`).
UNITS = (
    N_("unter 1 Min."),
    N_("{minutes} Min."),
    N_("{metres} m"),
    N_("{km} km"),
)
