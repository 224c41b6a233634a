"""The walk planner: the places of a district to choose from, the start field, stop merging.

Places are resources, addresses and notes (lon/lat degrees, EPSG:4326); distances between
them are straight-line metres in EPSG:25832. Several OSM objects of one kind and name close
together (a bus stop mapped as six platforms and poles) are one place and one stop.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from sozialraum.analysis.nearby import project
from sozialraum.errors import InvalidInput
from sozialraum.model.addresses import normalise_housenumber, normalise_street
from sozialraum.services import areas as services
from sozialraum.services.areas.memo import layer_memo
from sozialraum.store.base import Store

#: places of the same kind and name within this distance (metres, EPSG:25832) are one
MERGE_RADIUS_M = 50.0
#: how far (metres) the nearest address of a place without one may be
NEAREST_ADDRESS_M = 400.0


def _name_key(name: str | None) -> str:
    return " ".join((name or "").casefold().split())


def _kind(props: Mapping) -> str:
    categories = props.get("categories") or []
    return categories[0] if categories else ""


def merge_resources(resources: Sequence[Mapping]) -> list[dict]:
    """Group resources of the same first category and name within :data:`MERGE_RADIUS_M`.

    A group is kept together when each member is within 50 m of another member (single
    linkage), so a row of platforms along a street stays one stop. Unnamed resources are
    never merged (two playgrounds without a name are two places).

    Parameters
    ----------
    resources : sequence of dict
        Resource features (points, EPSG:4326) in the store's order.

    Returns
    -------
    list of dict
        One entry per place, in the order of each group's first member: ``ref`` (the id of
        the member nearest the group's centre, the one a stop refers to), ``ids`` (all
        members), ``feature`` (that member's feature).
    """
    features = list(resources)
    if not features:
        return []
    lons = [f["geometry"]["coordinates"][0] for f in features]
    lats = [f["geometry"]["coordinates"][1] for f in features]
    xs, ys = project(lons, lats)
    parent = list(range(len(features)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    groups: dict[tuple[str, str], list[int]] = {}
    for i, feature in enumerate(features):
        name = _name_key(feature["properties"].get("name"))
        if name:
            groups.setdefault((_kind(feature["properties"]), name), []).append(i)
    for members in groups.values():
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1 :]:
                if np.hypot(xs[a] - xs[b], ys[a] - ys[b]) <= MERGE_RADIUS_M:
                    parent[root(b)] = root(a)
    clusters: dict[int, list[int]] = {}
    for i in range(len(features)):
        clusters.setdefault(root(i), []).append(i)
    merged = []
    for members in sorted(clusters.values(), key=lambda m: m[0]):
        cx, cy = float(np.mean(xs[members])), float(np.mean(ys[members]))
        centre = min(members, key=lambda i: (np.hypot(xs[i] - cx, ys[i] - cy), i))
        merged.append(
            {
                "ref": features[centre]["id"],
                "ids": [features[i]["id"] for i in members],
                "feature": features[centre],
            }
        )
    return merged


def merge_stops(stops: Sequence[Mapping]) -> list[dict]:
    """Drop stops that repeat an earlier one (the first keeps its place).

    A repeat has the same kind and ref, or is a resource of the same first category and
    label within :data:`MERGE_RADIUS_M` (another platform of the same stop). Points are
    always kept. Stops carry lon/lat degrees (EPSG:4326).
    """
    kept: list[dict] = []
    if not stops:
        return kept
    xs, ys = project([s["lon"] for s in stops], [s["lat"] for s in stops])
    seen_refs = set()
    kept_at: list[int] = []
    for i, stop in enumerate(stops):
        if stop["kind"] != "point":
            key = (stop["kind"], stop.get("ref"))
            if key in seen_refs:
                continue
            if stop["kind"] == "resource" and _name_key(stop.get("label")):
                twin = any(
                    stops[j]["kind"] == "resource"
                    and _name_key(stops[j].get("label")) == _name_key(stop.get("label"))
                    and (stops[j].get("categories") or [""])[:1]
                    == (stop.get("categories") or [""])[:1]
                    and np.hypot(xs[i] - xs[j], ys[i] - ys[j]) <= MERGE_RADIUS_M
                    for j in kept_at
                )
                if twin:
                    continue
            seen_refs.add(key)
        kept.append(dict(stop))
        kept_at.append(i)
    return kept


def address_line(props: Mapping) -> str | None:
    """The street and house number of a feature's address properties (None without street)."""
    street, number = props.get("street"), props.get("housenumber")
    if not street:
        return None
    return f"{street} {number}" if number else street


def _resource_label(props: Mapping, labels: Mapping[str, str]) -> str:
    if props.get("name"):
        return props["name"]
    kind = _kind(props)
    return labels.get(kind, kind) or "Ort"


def planner_places(store: Store, area: str, district: str, *, labels: Mapping[str, str]) -> dict:
    """The resources and addresses of a district for the planner's map and list.

    Resources are merged (see :func:`merge_resources`).

    Parameters
    ----------
    labels : mapping
        Category id -> German label (resources without a name are called by it).

    Returns
    -------
    dict
        ``resources``: list of ``{"value", "ref", "label", "what", "address", "count", "lon",
        "lat"}`` sorted by label; ``addresses``: list of ``[value, label, lon, lat]`` (compact:
        a city district has thousands). ``value`` is the form value ``kind:ref``; lon/lat in
        degrees rounded to 6 places.
    """
    resources = store.query(area, "resources", district=district)
    entries = []
    for group in merge_resources(resources):
        props = group["feature"]["properties"]
        lon, lat = group["feature"]["geometry"]["coordinates"][:2]
        entries.append(
            {
                "value": f"resource:{group['ref']}",
                "ref": group["ref"],
                "label": _resource_label(props, labels),
                "what": ", ".join(labels.get(c, c) for c in props.get("categories") or []),
                "address": address_line(props),
                "count": len(group["ids"]),
                "lon": round(lon, 6),
                "lat": round(lat, 6),
            }
        )
    entries.sort(key=lambda e: (e["what"], e["label"].casefold()))
    addresses = []
    for feature in store.query(area, "addresses", district=district):
        props = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"][:2]
        addresses.append(
            [f"address:{feature['id']}", address_line(props) or "", round(lon, 6), round(lat, 6)]
        )
    addresses.sort(key=lambda a: a[1])
    return {"resources": entries, "addresses": addresses}


def _written_addresses(addresses: list[dict]) -> dict[tuple[str, str], str]:
    """(normalised street, normalised house number) -> the first address id with them."""
    found: dict[tuple[str, str], str] = {}
    for feature in addresses:
        props = feature["properties"]
        key = (normalise_street(props["street"]), normalise_housenumber(props["housenumber"]))
        found.setdefault(key, feature["id"])
    return found


def _address_as_written(store: Store, area: str, text: str) -> str | None:
    """The id of the address written exactly as ``text``, else None.

    For house numbers the search cannot parse ("Krefelder Straße 19;21", "18a,18b"); a
    postcode and town after a comma are ignored.
    """
    written = layer_memo(store, area, "addresses", "walk_written", _written_addresses)
    for candidate in (text, text.split(",", 1)[0]):
        match = re.match(r"^\s*([^\d]+?)\s*(\d.*?)\s*$", candidate)
        if match:
            key = (normalise_street(match.group(1)), normalise_housenumber(match.group(2)))
            if key in written:
                return written[key]
    return None


def find_places(store: Store, area: str, text: str, *, labels: Mapping, limit: int = 10) -> list:
    """Suggestions for the start field: addresses, resource names and stop names.

    An address typed in full that exists comes first with ``match = "exakt"`` (its street
    spelled as typed beats longer streets that start the same, "Markt 1" before
    "Marktstraße 1"); resources (merged, see :func:`merge_resources`) whose name contains the
    typed words follow, those whose name starts with them first. One suggestion per kind
    and name (a station's platforms more than 50 m apart are still one suggestion).

    Parameters
    ----------
    text : str
        What the user typed (at most 200 characters are read).
    labels : mapping
        Category id -> German label.
    limit : int
        At most this many suggestions.

    Returns
    -------
    list of dict
        ``{"kind", "ref", "value", "label", "what", "match", "lon", "lat"}`` (degrees).
    """
    text = " ".join(str(text or "")[:200].split())
    if len(text) < 2 or limit < 1:
        return []
    found: list[tuple[tuple, dict]] = []
    index = services.address_index(store, area)
    wanted = normalise_street(re.split(r"\d", text, maxsplit=1)[0].strip(" ,"))
    for rank, suggestion in enumerate(index.search(text, max(limit, 20))):
        exact = suggestion.match == "exakt"
        same_street = normalise_street(suggestion.street) == wanted
        feature = store.get(area, "addresses", suggestion.id)
        lon, lat = feature["geometry"]["coordinates"][:2]
        found.append(
            (
                (0 if exact and same_street else 1 if exact else 3, rank),
                {
                    "kind": "address",
                    "ref": suggestion.id,
                    "label": suggestion.label,
                    "what": "Adresse",
                    "match": "exakt" if exact else suggestion.match,
                    "lon": lon,
                    "lat": lat,
                },
            )
        )
    if not any(rank[0] == 0 for rank, _ in found):
        written = _address_as_written(store, area, text)
        if written is not None:
            feature = store.get(area, "addresses", written)
            lon, lat = feature["geometry"]["coordinates"][:2]
            found.append(
                (
                    (0, -1),
                    {
                        "kind": "address",
                        "ref": written,
                        "label": address_line(feature["properties"]) or text,
                        "what": "Adresse",
                        "match": "exakt",
                        "lon": lon,
                        "lat": lat,
                    },
                )
            )
    words = _name_key(text).split()
    for rank, group in enumerate(merge_resources(store.query(area, "resources"))):
        props = group["feature"]["properties"]
        name = _name_key(props.get("name"))
        if not name or not all(w in name for w in words):
            continue
        lon, lat = group["feature"]["geometry"]["coordinates"][:2]
        what = ", ".join(labels.get(c, c) for c in props.get("categories") or [])
        whole = name == _name_key(text)
        found.append(
            (
                (0 if whole else 1 if name.startswith(words[0]) else 2, rank),
                {
                    "kind": "resource",
                    "ref": group["ref"],
                    "label": props["name"],
                    "what": what,
                    "match": "exakt" if whole else "Name",
                    "lon": lon,
                    "lat": lat,
                },
            )
        )
    found.sort(key=lambda item: item[0])
    results, seen = [], set()
    for _, item in found:  # one suggestion per name: the platforms of a station are far apart
        if (item["kind"], item["label"]) in seen:
            continue
        seen.add((item["kind"], item["label"]))
        item["value"] = f"{item['kind']}:{item['ref']}"
        results.append(item)
        if len(results) == limit:
            break
    return results


def resolve_start(store: Store, area: str, text: str, *, labels: Mapping) -> dict:
    """The one place the start field names: ``{"kind", "ref"}`` (a stop pick).

    An exact address, a resource or stop name typed in full, or the only suggestion.

    Raises
    ------
    InvalidInput
        Nothing found, or several places fit equally (German, with up to three suggestions).
    """
    found = find_places(store, area, text, labels=labels, limit=5)
    exact = [f for f in found if f["match"] == "exakt"]
    best = exact[0] if exact else found[0] if len(found) == 1 else None
    if best is None:
        hint = "; ".join(f"{f['label']} ({f['what']})" for f in found[:3]) or "nichts Ähnliches"
        raise InvalidInput(f"Start „{text[:60]}“ nicht eindeutig gefunden (Vorschläge: {hint}).")
    return {"kind": best["kind"], "ref": best["ref"]}
