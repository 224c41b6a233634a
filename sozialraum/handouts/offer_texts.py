"""An offer's name and description in a handout language, or German with a marked note."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sozialraum.handouts.messages import AGE_LIMITS
from sozialraum.model.offers import TEXT_LANGUAGES


@dataclass(frozen=True)
class OfferText:
    """What a handout prints of an offer in one language.

    Attributes
    ----------
    name, description : str
        The texts to print (never empty when the German ones are not).
    name_german, description_german : bool
        Whether the text is the German one because the offer has none in the language
        (the handout marks it "only available in German", in the language).
    """

    name: str
    description: str
    name_german: bool
    description_german: bool

    @property
    def german_only(self) -> bool:
        """Whether a text is shown in German in place of the language."""
        return self.name_german or self.description_german


def offer_text(properties: Mapping, code: str) -> OfferText:
    """The offer's name and description for a handout in language ``code``.

    Parameters
    ----------
    properties : mapping
        The offer's properties (``name``, ``description`` and ``name_<suffix>``,
        ``description_<suffix>`` of :data:`~sozialraum.model.offers.TEXT_LANGUAGES`).
    code : str
        A handout language (``"de"``, ``"de-LS"``, ``"ar"``, …).

    Returns
    -------
    OfferText
        The language's texts where the offer has them, otherwise the German ones, marked.
        Never a machine translation: only texts people entered.
    """
    german = {f: str(properties.get(f) or "") for f in ("name", "description")}
    suffix = TEXT_LANGUAGES.get(code)
    texts, fallback = {}, {}
    for field, text in german.items():
        own = str(properties.get(f"{field}_{suffix}") or "").strip() if suffix else ""
        texts[field] = own or text
        fallback[field] = suffix is not None and not own and bool(text)
    return OfferText(texts["name"], texts["description"], fallback["name"], fallback["description"])


def handout_conditions(properties: Mapping) -> list[tuple[str, dict]]:
    """The offer's conditions and age limit as catalog messages with their values.

    Returns
    -------
    list of tuple
        ``(message, values)``: a German message id of the ``handout`` catalog and the values
        of its placeholders (numbers, kept left to right). Never the person's age.
    """
    from sozialraum.handouts.catalogs import ltr
    from sozialraum.model.offers import CONDITIONS, stored_age_limit

    texts: list[tuple[str, dict]] = [
        (CONDITIONS[c].plain, {}) for c in properties.get("eligibility") or [] if c in CONDITIONS
    ]
    low, high = stored_age_limit(properties)
    if low is None and high is not None:
        texts.append((AGE_LIMITS["below"], {"age": ltr(high + 1)}))
    elif low is not None and high is None:
        texts.append((AGE_LIMITS["from"], {"age": ltr(low)}))
    elif low is not None and low == high:
        texts.append((AGE_LIMITS["exactly"], {"age": ltr(low)}))
    elif low is not None:
        texts.append((AGE_LIMITS["between"], {"low": ltr(low), "high": ltr(high)}))
    return texts


def offer_columns(properties: Mapping, codes: list[str]) -> list[tuple[OfferText, bool]]:
    """An offer's texts per handout column and whether the column prints the description.

    A German description that stands in for a missing translation is printed once: a column
    whose text would repeat the German one beside it shows only the "only in German" note.

    Returns
    -------
    list of tuple
        ``(OfferText, print_description)`` per language code, in order.
    """
    german_shown = "de" in codes
    columns = []
    for code in codes:
        text = offer_text(properties, code)
        show = True
        if code != "de" and text.description_german:
            show = not german_shown
            german_shown = True
        columns.append((text, show))
    return columns
