"""Reasons of returned mail (pure).

The fixed set a record may carry, mapped from the post office's text. The text itself is never kept
(it often names the recipient).
"""

from __future__ import annotations

import re

#: The reasons a returned-mail record may carry (key → German label). A reason is stored
#: only as one of these keys, mapped from the post office's text by :func:`return_reason`;
#: the text itself is never kept (it often names the recipient).
RETURN_REASONS: dict[str, str] = {
    "unbekannt": "Empfänger unbekannt",
    "verzogen": "verzogen",
    "briefkasten_fehlt": "Briefkasten fehlt",
    "briefkasten_defekt": "Briefkasten defekt",
    "briefkasten_ohne_namen": "Briefkasten ohne Namen",
    "unzustellbar": "unzustellbar",
    "sonstiges": "sonstiges",
}
#: The reason of a record whose file gave none.
DEFAULT_RETURN_REASON = "unzustellbar"
# Checked in this order on the folded text (lower case, umlauts spelled out); the first
# that matches wins ("unbekannt verzogen" is a move, "Briefkasten ohne Namen" no unknown).
_REASON_RULES: tuple[tuple[str, re.Pattern], ...] = (
    (
        "briefkasten_ohne_namen",
        re.compile(
            r"(briefkasten|bk)\W*(ohne|kein\w*|fehlend\w*)\W*(namen|name|beschrift\w*|schild)"
            r"|(namensschild|klingelschild|beschriftung|name)\w*\W*(fehlt|fehlen|nicht vorhanden"
            r"|am briefkasten)|nicht beschriftet|unbeschriftet"
            r"|(name|empfaenger)\w*\W*(nicht|fehlt)\W*(am|an|auf|auf dem)\W*(\w+\W*)?"
            r"(briefkasten|bk)"
            r"|kein\w*\W*name\w*\W*(am|an|auf)\W*(\w+\W*)?(briefkasten|bk)"
            r"|briefkasten\w*schild\w*\W*(fehlt|fehlen|nicht vorhanden)"
        ),
    ),
    (
        "briefkasten_defekt",
        re.compile(
            r"(briefkasten|bk)\W*(\w+\W*)?(defekt|kaputt|beschaedigt|zerstoert|aufgebrochen"
            r"|nicht (verschliessbar|benutzbar|nutzbar)|ueberfuellt|voll)"
            r"|(defekt\w*|kaputt\w*|beschaedigt\w*)\W*(briefkasten|bk)"
        ),
    ),
    (
        "briefkasten_fehlt",
        re.compile(
            r"(kein|ohne|fehlend\w*)\W*(briefkasten|bk)|(briefkasten|bk)\W*(fehlt|nicht vorhanden"
            r"|nicht auffindbar|nicht gefunden)"
        ),
    ),
    (
        "verzogen",
        re.compile(r"verzogen|umgezogen|weggezogen|nachsende\w*|neue anschrift|ausgezogen|umzug"),
    ),
    (
        "unbekannt",
        re.compile(r"unbekannt|nicht ermittel\w*|nicht zu ermitteln|nicht bekannt|existiert nicht"),
    ),
    ("unzustellbar", re.compile(r"unzustellbar|nicht zustellbar|zustellung nicht moeglich")),
)
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def known_return_reason(text: str) -> str | None:
    """The key of :data:`RETURN_REASONS` a post office's text means, or ``None``.

    ``None`` when it names none of them (also for an empty text).

    A stored key maps to itself, so records written before reasons were mapped (free
    text) and new ones (keys) read the same way.
    """
    folded = " ".join((text or "").lower().translate(_FOLD).split())
    if not folded:
        return None
    if folded in RETURN_REASONS:
        return folded
    for key, pattern in _REASON_RULES:
        if pattern.search(folded):
            return key
    return None


def return_reason(text: str) -> str:
    """The key of :data:`RETURN_REASONS` to store for a post office's text.

    The known reason it names, :data:`DEFAULT_RETURN_REASON` for an empty text, else ``sonstiges``.

    Examples: "Anna Schnabelsberger verzogen" → ``verzogen``; "Empfänger Schnabelsberger,
    Anna unbekannt" → ``unbekannt``; "Briefkasten ohne Namen" → ``briefkasten_ohne_namen``;
    "Annahme verweigert" → ``sonstiges``.
    """
    if not (text or "").strip():
        return DEFAULT_RETURN_REASON
    return known_return_reason(text) or "sonstiges"


def return_reason_label(text: str) -> str:
    """The German label of a stored reason (a key, or free text of an older record)."""
    return RETURN_REASONS[return_reason(text)]
