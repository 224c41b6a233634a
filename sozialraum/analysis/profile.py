"""District profiles: what a district has, per 1,000 addresses, and what is within walking reach.

Per district: resources per category (absolute and per 1,000 addresses), the share of
addresses within ``within_min`` walking minutes of a pharmacy, a post office, a doctor and a
Kita, and the addresses more than 1,000 m on foot from a post box (Deutsche Post's own
guideline for residential areas: a post box within 1,000 m). Walking distances come from the
stored reachability layer (metres along the area's walk network, EPSG:25832).
"""

from __future__ import annotations

import numpy as np

from sozialraum.analysis.reachability import Reachability
from sozialraum.analysis.walking import DEFAULT_SPEED_KMH
from sozialraum.model.categories import CategoryTable

#: Categories whose walking reach the profile reports (those present in the table).
REACH_CATEGORIES = ("pharmacy", "post_office", "doctor", "kita")
WITHIN_MIN = 10.0
#: Deutsche Post: in residential areas a post box within 1,000 m.
POST_BOX_MAX_M = 1000.0
POST_BOX = "post_box"
TOTAL_ID = "_gesamt"


def _share(mask: np.ndarray) -> float | None:
    return None if mask.size == 0 else round(float(mask.mean()), 4)


def district_profile(
    districts: list[dict],
    addresses: list[dict],
    resources: list[dict],
    layer: Reachability,
    table: CategoryTable,
    *,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    within_min: float = WITHIN_MIN,
    post_box_max_m: float = POST_BOX_MAX_M,
    teams: dict[str, str] | None = None,
) -> list[dict]:
    """Profile rows, one per district plus a last row for the whole area (id ``_gesamt``).

    Parameters
    ----------
    districts, addresses, resources : list of dict
        Features from the store (EPSG:4326); addresses and resources carry ``district``.
    layer : Reachability
        The area's reachability layer (walking metres per address and category).
    table : CategoryTable
    speed_kmh : float
        Walking speed in km/h for the ``within_min`` share.
    within_min : float
        Walking minutes counted as "within reach".
    post_box_max_m : float
        Walking metres; addresses farther from any post box are counted.
    teams : dict, optional
        District id → responsible team.

    Returns
    -------
    list of dict
        ``id``, ``name``, ``team``, ``addresses``, ``cut_off`` (addresses away from the walk
        network), ``outside_network`` (of those, addresses on ways that are not connected to
        the network: cut off at the edge of the imported area), ``counts`` and ``per_1000``
        (per category id), ``within`` (share 0–1 per reach category), ``far_from_post_box``
        (count, or None without a post box category).
    """
    teams = teams or {}
    reach = [c for c in REACH_CATEGORIES if c in table and c in layer.category_ids]
    limit_m = within_min * speed_kmh * 1000 / 60
    row_of = np.array([layer.row(a["id"]) for a in addresses], dtype=int)
    address_district = np.array([a["properties"].get("district") or "" for a in addresses])
    groups = [(d["id"], d["properties"]["name"], address_district == d["id"]) for d in districts]
    groups.append((TOTAL_ID, "Gesamtes Gebiet", np.ones(len(addresses), dtype=bool)))

    rows = []
    for district_id, name, mask in groups:
        inside = [
            r
            for r in resources
            if district_id == TOTAL_ID or r["properties"].get("district") == district_id
        ]
        counts = dict.fromkeys(table.ids, 0)
        for feature in inside:
            for category in feature["properties"]["categories"]:
                if category in counts:
                    counts[category] += 1
        rows_here = row_of[mask]
        n = int(mask.sum())
        within = {}
        for category in reach:
            distance_m = layer.distance_m[rows_here, layer.column(category)]
            within[category] = _share(np.nan_to_num(distance_m, nan=np.inf) <= limit_m)
        far = None
        if POST_BOX in layer.category_ids:
            distance_m = layer.distance_m[rows_here, layer.column(POST_BOX)]
            cut = layer.cut_off[rows_here]
            far = int(((np.nan_to_num(distance_m, nan=np.inf) > post_box_max_m) & ~cut).sum())
        rows.append(
            {
                "id": district_id,
                "name": name,
                "team": teams.get(district_id),
                "addresses": n,
                "cut_off": int(layer.cut_off[rows_here].sum()),
                "outside_network": int((layer.cut_off & layer.outside)[rows_here].sum()),
                "counts": counts,
                "per_1000": {c: (round(counts[c] * 1000 / n, 2) if n else None) for c in table.ids},
                "within": within,
                "far_from_post_box": far,
            }
        )
    return rows


def far_from(
    addresses: list[dict],
    layer: Reachability,
    category: str,
    min_distance_m: float,
) -> list[tuple[dict, float | None]]:
    """Addresses at least ``min_distance_m`` walking metres from the nearest ``category`` resource.

    Also those with none reachable, each with that distance (``None``: none reachable). Addresses
    cut off from the walk network are left out (no number can be given).
    """
    column = layer.column(category)
    found = []
    for feature in addresses:
        i = layer.row(feature["id"])
        if layer.cut_off[i]:
            continue
        distance_m = float(layer.distance_m[i, column])
        if np.isnan(distance_m):
            found.append((feature, None))
        elif distance_m >= min_distance_m:
            found.append((feature, distance_m))
    return found


def profile_table(
    rows: list[dict], table: CategoryTable, *, within_min: float = WITHIN_MIN
) -> tuple[list[str], list[list]]:
    """The profile as a flat table with German column names (for CSV, the CLI, notebooks).

    Returns
    -------
    (list of str, list of list)
        Header and rows; shares in percent (one decimal), per 1,000 with two decimals.
    """
    reach = [c for c in REACH_CATEGORIES if rows and c in rows[0]["within"]]
    header = ["Bezirk", "Team", "Adressen", "ohne Wegeanbindung"]
    header += ["davon außerhalb des importierten Wegenetzes"]
    header += [f"Anteil ≤ {within_min:g} min zu Fuß: {table[c].label} (%)" for c in reach]
    header += [f"Adressen > {POST_BOX_MAX_M:,.0f} m vom Briefkasten".replace(",", ".")]
    header += [f"{c.label} (Anzahl)" for c in table]
    header += [f"{c.label} je 1.000 Adressen" for c in table]
    body = []
    for row in rows:
        line = [row["name"], row["team"] or "", row["addresses"], row["cut_off"]]
        line += [row.get("outside_network", 0)]
        line += [
            None if row["within"][c] is None else round(100 * row["within"][c], 1) for c in reach
        ]
        line += [row["far_from_post_box"]]
        line += [row["counts"][c.id] for c in table]
        line += [row["per_1000"][c.id] for c in table]
        body.append(line)
    return header, body
