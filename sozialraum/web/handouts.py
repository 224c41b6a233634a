"""Handout languages in the web layer: the choice on the form and the templates' helpers.

The language choice (``sprache``, optionally ``sprache2``) comes with the form that prints the
handout and is used for that answer only: it is stored nowhere, least of all with anything
about the person. Pages stay German; only the ``<article class="handout">`` changes language.
"""

from __future__ import annotations

from flask import Flask, request
from markupsafe import Markup

from sozialraum.errors import InvalidInput
from sozialraum.handouts import LANGUAGES, HandoutText, chosen_languages, handout_texts, offer_text
from sozialraum.handouts.catalogs import ltr
from sozialraum.handouts.messages import PACES
from sozialraum.handouts.offer_texts import handout_conditions, offer_columns
from sozialraum.handouts.opening_hours import hours_in_words

#: The choice on the forms: code → German label with the language's own name.
LANGUAGE_CHOICES = {
    code: lang.label if lang.native == lang.label else f"{lang.label} ({lang.native})"
    for code, lang in LANGUAGES.items()
}


def requested_texts() -> list[HandoutText]:
    """The handout texts for the languages the form (or query) asks for; German by default.

    Raises
    ------
    sozialraum.errors.InvalidInput
        For an unknown language (German message).
    """
    values = request.form if request.method == "POST" else request.args
    return handout_texts(chosen_languages(values.get("sprache"), values.get("sprache2")))


def german_texts() -> list[HandoutText]:
    """The handout texts in German only (the choice's default)."""
    return handout_texts(chosen_languages(None))


def texts_or_german() -> list[HandoutText]:
    """The requested handout texts, or German ones when the request names an unknown language.

    For showing a form again (the choice stays as it was where it can).
    """
    try:
        return requested_texts()
    except InvalidInput:
        return german_texts()


def both(texts: list[HandoutText], message: str, **values) -> Markup:
    """A fixed text in every chosen language, one ``<span lang dir>`` each.

    ``values`` fill the placeholders in every language alike (numbers, dates, addresses:
    wrap them with :func:`~sozialraum.handouts.catalogs.ltr`).
    """
    return Markup("").join(
        Markup('<span class="lt" lang="{}" dir="{}">{}</span>').format(
            t.lang, t.dir, t(message, **values)
        )
        for t in texts
    )


def register(app: Flask) -> None:
    """Make the handout helpers available to every template."""
    app.add_template_global(both, "both")
    app.add_template_global(ltr, "ltr")
    app.add_template_global(offer_text, "offer_text")
    app.add_template_global(offer_columns, "offer_columns")
    app.add_template_global(zip, "zip")
    app.add_template_global(hours_in_words, "hours")
    app.add_template_global(handout_conditions, "offer_conditions")
    app.add_template_global(PACES, "paces")
    app.add_template_global(LANGUAGE_CHOICES, "handout_languages")
