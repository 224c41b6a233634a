"""German address normalisation used to build a stable key per address.

The key makes "Rheydter Straße 12 a", "rheydter str. 12A" and "Rheydter-Strasse 12a"
equal. Fuzzy matching of typed addresses builds on it (mailbox check issue).
"""

from __future__ import annotations

import re
import unicodedata

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_STREET_SUFFIX = re.compile(r"(str\.?|strasse)$")
_SANKT = re.compile(r"^(?:st\.|st(?=[\s-])|sankt(?=[\s-]))[\s-]*")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_HOUSENUMBER = re.compile(r"^\s*(\d+)\s*[-/ ]?\s*([a-z]?)\s*(?:[-/]\s*(\d+)\s*([a-z]?))?\s*$")


def normalise_street(street: str) -> str:
    """Return a canonical form of a German street name.

    Lower case, umlauts and ß spelled out, spaces/hyphens/dots removed,
    ``Str.``/``str``/``Strasse`` → ``strasse``, leading ``St.`` → ``sankt``.

    Parameters
    ----------
    street : str
        Street name as written.

    Returns
    -------
    str
        e.g. ``"rheydterstrasse"`` for ``"Rheydter Str."``.
    """
    text = unicodedata.normalize("NFC", street).strip().lower().translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _SANKT.sub("sankt", text)
    text = re.sub(r"\bstr\b\.?", "strasse", text)
    compact = _NON_ALNUM.sub("", text.replace("str.", "strasse"))
    return _STREET_SUFFIX.sub("strasse", compact)


def normalise_housenumber(housenumber: str) -> str:
    """Return a canonical house number: ``"12 A"`` → ``"12a"``, ``"12/14"`` → ``"12-14"``.

    Unrecognised forms are lower-cased with spaces removed (and canonical if that makes
    them recognised, so the result never changes when normalised again: ``"0 1"`` → ``"1"``).
    """
    text = housenumber.strip().lower()
    match = _HOUSENUMBER.match(text)
    if not match:
        text = re.sub(r"\s+", "", text)
        match = _HOUSENUMBER.match(text)
        if not match:
            return text
    first, suffix, last, last_suffix = match.groups()
    key = f"{int(first)}{suffix}"
    if last:
        key += f"-{int(last)}{last_suffix}"
    return key


def address_key(street: str, housenumber: str, postcode: str | None = None) -> str:
    """Return the normalised key of an address: ``"<street>|<housenumber>|<postcode>"``.

    The postcode part is empty when unknown.
    """
    return "|".join(
        (normalise_street(street), normalise_housenumber(housenumber), (postcode or "").strip())
    )
