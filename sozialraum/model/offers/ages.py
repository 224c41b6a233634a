"""Ages in offers: parsing an age in years and an offer's age limit in German words."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sozialraum.errors import InvalidInput
from sozialraum.model.offers.vocabulary import MAX_AGE_YEARS, MIN_AGE_YEARS


def parse_age(value: object, label: str) -> int | None:
    """A whole number of years from 0 to 120 (form text, CSV cell or JSON number).

    Parameters
    ----------
    value : object
        ``None`` or ``""``: not given. Text may have spaces and a trailing "Jahre".
    label : str
        German name for the message.

    Returns
    -------
    int or None

    Raises
    ------
    InvalidInput
        German message for anything but a whole number of years in range.
    """
    message = (
        f"{label}: bitte eine ganze Zahl von {MIN_AGE_YEARS} bis {MAX_AGE_YEARS} (Jahre) angeben."
    )
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput(message)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = re.sub(r"\s*jahren?\s*$", "", value.strip(), flags=re.IGNORECASE)
        if not text:
            return None
        if not re.fullmatch(r"[0-9]{1,3}", text):
            raise InvalidInput(message)
        value = int(text)
    if not isinstance(value, int) or not MIN_AGE_YEARS <= value <= MAX_AGE_YEARS:
        raise InvalidInput(message)
    return value


def age_limit_text(min_age_years: int | None, max_age_years: int | None) -> str:
    """An age limit in German words; ``""`` without a limit.

    For example "unter 25 Jahren", "ab 50 Jahren", "von 18 bis 26 Jahren". Both bounds are whole
    years, inclusive.
    """
    if min_age_years is None and max_age_years is None:
        return ""
    if min_age_years is None:
        return f"unter {max_age_years + 1} Jahren"
    if max_age_years is None:
        return f"ab {min_age_years} Jahren"
    if min_age_years == max_age_years:
        return f"mit {min_age_years} Jahren"
    return f"von {min_age_years} bis {max_age_years} Jahren"


def stored_age_limit(properties: Mapping) -> tuple[int | None, int | None]:
    """An offer's stored age limit in whole years (a damaged value counts as no limit)."""

    def whole(value):
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return whole(properties.get("min_age_years")), whole(properties.get("max_age_years"))
