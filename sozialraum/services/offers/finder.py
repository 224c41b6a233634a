"""Finding support offers.

The filtered directory list, the finder for one address and situation (with walking times) and the
offers near a place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from sozialraum.analysis.nearby import project
from sozialraum.analysis.walking import (
    DEFAULT_SPEED_KMH,
    distances_from_point,
    walk_minutes,
)
from sozialraum.errors import InvalidInput
from sozialraum.model import offers as model
from sozialraum.services.areas import walk_network
from sozialraum.services.offers.records import LAYER
from sozialraum.store.base import Store

#: The directory's archive filter (query argument ``archiv``): value → German label.
ARCHIVE_FILTERS = {"": "ohne archivierte", "nur": "nur archivierte", "alle": "alle"}


@dataclass(frozen=True)
class OfferFilter:
    """Filters of the directory; empty values do not filter."""

    text: str = ""
    target_group: str = ""
    funder: str = ""
    legal_basis: str = ""
    topic: str = ""
    #: ``""``, ``"pruefen"`` (unchecked or ended), ``"aktuell"`` (fit for handouts)
    flag: str = ""
    #: ``""`` (archived offers hidden), ``"nur"`` (only archived ones), ``"alle"``
    archived: str = ""

    @classmethod
    def from_args(cls, args: Mapping) -> OfferFilter:
        """Read filters from query arguments; :class:`InvalidInput` for unknown values."""
        values = {}
        for key, arg, vocabulary in (
            ("target_group", "zielgruppe", model.TARGET_GROUPS),
            ("funder", "foerderer", model.FUNDERS),
            ("legal_basis", "rechtsgrundlage", model.LEGAL_BASES),
            ("topic", "thema", model.TOPICS),
            ("flag", "hinweis", {"pruefen": "", "aktuell": ""}),
            ("archived", "archiv", ARCHIVE_FILTERS),
        ):
            value = (args.get(arg) or "").strip()
            if value and value not in vocabulary:
                raise InvalidInput(f"Unbekannter Filterwert für {arg}.")
            values[key] = value
        text = (args.get("q") or "").strip()
        if len(text) > 100:
            raise InvalidInput("Der Suchtext ist zu lang (höchstens 100 Zeichen).")
        return cls(text=text, **values)

    def keeps(self, props: Mapping, flags: Mapping) -> bool:
        """Whether an offer (properties and :func:`~sozialraum.model.offers.offer_flags`) passes."""
        for key, prop in (
            ("target_group", "target_groups"),
            ("funder", "funders"),
            ("legal_basis", "legal_bases"),
            ("topic", "topics"),
        ):
            wanted = getattr(self, key)
            if wanted and wanted not in (props.get(prop) or []):
                return False
        if bool(flags.get("archived")) != (self.archived == "nur") and self.archived != "alle":
            return False
        if self.flag == "pruefen" and flags["handout"]:
            return False
        if self.flag == "aktuell" and not flags["handout"]:
            return False
        if self.text:
            haystack = " ".join(
                str(props.get(k) or "") for k in ("name", "provider", "description", "address")
            ).casefold()
            return all(word in haystack for word in self.text.casefold().split())
        return True


def list_offers(
    store: Store, area: str, *, today: date, filters: OfferFilter | None = None
) -> list[dict]:
    """Offers of the area with their flags, sorted by name.

    Returns
    -------
    list of dict
        ``{"offer": feature, "flags": offer_flags(...)}`` per offer.
    """
    filters = filters or OfferFilter()
    items = []
    for feature in store.query(area, LAYER):
        flags = model.offer_flags(feature["properties"], today)
        if filters.keeps(feature["properties"], flags):
            items.append({"offer": feature, "flags": flags})
    items.sort(key=lambda i: (i["offer"]["properties"]["name"].casefold(), i["offer"]["id"]))
    return items


def _walks(store, area, address: dict, items: list[dict], speed_kmh: float) -> str | None:
    """Fill ``distance_m``/``walk_min`` of items with a point.

    Returns why the address is cut off
    (:meth:`~sozialraum.analysis.walking.WalkNetwork.cut_off_reasons`) or ``None``.
    """
    network = walk_network(store, area)
    lon, lat = address["geometry"]["coordinates"][:2]
    (x_m,), (y_m,) = project([lon], [lat])
    (reason,) = network.cut_off_reasons([x_m], [y_m])
    placed = [i for i in items if i["offer"].get("geometry")]
    lons = [i["offer"]["geometry"]["coordinates"][0] for i in placed]
    lats = [i["offer"]["geometry"]["coordinates"][1] for i in placed]
    xs_m, ys_m = project(lons, lats)
    distance_m = distances_from_point(network, x_m, y_m, xs_m, ys_m)
    for item, metres in zip(placed, distance_m, strict=True):
        if np.isfinite(metres):
            item["distance_m"] = round(float(metres))
            item["walk_min"] = walk_minutes(float(metres), speed_kmh)
    return reason


def find_offers(
    store: Store,
    area: str,
    situation: model.Situation,
    *,
    today: date,
    address: dict | None = None,
    speed_kmh: float = DEFAULT_SPEED_KMH,
) -> dict:
    """Offers that fit a situation, with reasons; sorted by walking time from ``address``.

    Parameters
    ----------
    situation : Situation
        Held in memory only.
    address : dict, optional
        An address feature of the area (EPSG:4326). With it, offers with a place are sorted
        by walking time along the walk network (region-wide ones and unreachable ones after
        them); without it by how much speaks for them, then by name.
    speed_kmh : float
        Walking speed in km/h.

    Returns
    -------
    dict
        ``fits`` and ``others`` (offers that do not fit, with the reasons), each a list of
        ``{"offer", "match", "flags", "distance_m", "walk_min"}`` (distance in metres,
        time in minutes, ``None`` without address or place), ``cut_off`` (the address is
        away from the walk network) and ``cut_off_reason`` (``None``, ``"off_ways"`` or
        ``"outside_network"``, see :data:`~sozialraum.analysis.walking.CUT_OFF_TEXTS`). Offers
        past their end date are in ``others``.
    """
    items = []
    for feature in store.query(area, LAYER):
        props = feature["properties"]
        if props.get(model.ARCHIVED_FIELD):
            continue
        items.append(
            {
                "offer": feature,
                "match": model.match_offer(props, situation, today),
                "flags": model.offer_flags(props, today),
                "distance_m": None,
                "walk_min": None,
            }
        )
    reason = None
    if address is not None:
        reason = _walks(store, area, address, [i for i in items if i["match"].fits], speed_kmh)

    def name(item):
        return item["offer"]["properties"]["name"].casefold()

    def order(item):
        unknown = item["distance_m"] is None
        return (unknown, item["distance_m"] or 0, -item["match"].score, name(item))

    fits = [i for i in items if i["match"].fits]
    fits.sort(key=order if address is not None else (lambda i: (-i["match"].score, name(i))))
    others = sorted((i for i in items if not i["match"].fits), key=name)
    return {"fits": fits, "others": others, "cut_off": reason is not None, "cut_off_reason": reason}


def handout_items(found: dict) -> list[dict]:
    """The fitting offers that may go on a citizen's handout (checked, not ended)."""
    return [i for i in found["fits"] if i["flags"]["handout"]]


def nearby_offers(
    store: Store,
    area: str,
    address: dict,
    *,
    today: date,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    limit: int = 5,
) -> list[dict]:
    """The nearest offers on foot from an address that may go on a handout (address guide).

    Returns
    -------
    list of dict
        Up to ``limit`` items ``{"offer", "flags", "distance_m", "walk_min"}``, nearest first
        (metres, minutes at ``speed_kmh``); offers without a place or out of reach are left out.
    """
    items = []
    for feature in store.query(area, LAYER):
        flags = model.offer_flags(feature["properties"], today)
        if feature.get("geometry") and flags["handout"]:
            items.append({"offer": feature, "flags": flags, "distance_m": None, "walk_min": None})
    if not items:
        return []
    _walks(store, area, address, items, speed_kmh)
    reachable = [i for i in items if i["distance_m"] is not None]
    reachable.sort(key=lambda i: (i["distance_m"], i["offer"]["properties"]["name"]))
    return reachable[:limit]
