"""Straight-line distances between addresses and resources, in metres (EPSG:25832)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import Transformer

from sozialraum.model.addresses import address_key

METRIC_CRS = "EPSG:25832"


@lru_cache(maxsize=1)
def _to_metric() -> Transformer:
    return Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)


def project(lons, lats) -> tuple[np.ndarray, np.ndarray]:
    """Project lon/lat degrees (EPSG:4326) to metres in EPSG:25832."""
    return _to_metric().transform(np.asarray(lons, float), np.asarray(lats, float))


def points_xy(features: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Metres (EPSG:25832) of point features stored in EPSG:4326, as two arrays."""
    if not features:
        return np.array([]), np.array([])
    return project(
        [f["geometry"]["coordinates"][0] for f in features],
        [f["geometry"]["coordinates"][1] for f in features],
    )


class ResourceIndex:
    """Resources of an area with projected coordinates for distance queries.

    Parameters
    ----------
    resources : list of dict
        Resource features (EPSG:4326 points) from the store.
    """

    def __init__(self, resources: list[dict]):
        self.features = resources
        self.xs_m, self.ys_m = points_xy(resources)

    def nearby(
        self, lon: float, lat: float, *, radius_m: float = 600.0, per_category: int = 3
    ) -> list[dict]:
        """Resources within ``radius_m`` metres (straight line), nearest first.

        Parameters
        ----------
        lon, lat : float
            The point in degrees (EPSG:4326).
        radius_m : float
            Search radius in metres.
        per_category : int
            At most this many results per category.

        Returns
        -------
        list of dict
            ``{"id", "name", "categories", "distance_m"}`` with ``distance_m`` rounded to metres.
        """
        if not self.features:
            return []
        x, y = project([lon], [lat])
        distance_m = np.hypot(self.xs_m - x[0], self.ys_m - y[0])
        taken: dict[str, int] = {}
        result = []
        for i in np.argsort(distance_m, kind="stable"):
            if distance_m[i] > radius_m:
                break
            props = self.features[i]["properties"]
            categories = [c for c in props["categories"] if taken.get(c, 0) < per_category]
            if not categories:
                continue
            for category in categories:
                taken[category] = taken.get(category, 0) + 1
            result.append(
                {
                    "id": self.features[i]["id"],
                    "name": props.get("name"),
                    "categories": props["categories"],
                    "distance_m": round(float(distance_m[i])),
                }
            )
        return result


class AddressPoints:
    """Address points of an area with projected coordinates for "which house is this?".

    Addresses are points (a building outline with an address is stored as a point on its
    surface); building outlines are not stored, so the addresses "of the building" a
    point lies in are approximated by the addresses within a small radius.

    Parameters
    ----------
    addresses : list of dict
        Address features (EPSG:4326 points) from the store.
    """

    def __init__(self, addresses: list[dict]):
        self.features = addresses
        self._ids_by_key: dict[str, str] | None = None
        if addresses:
            from scipy.spatial import cKDTree

            xs_m, ys_m = points_xy(addresses)
            self._tree = cKDTree(np.column_stack([xs_m, ys_m]))
        else:
            self._tree = None

    def id_for_key(self, key: str) -> str | None:
        """The id of the first address with the normalised ``key``, or None."""
        if self._ids_by_key is None:
            ids: dict[str, str] = {}
            for feature in self.features:
                props = feature["properties"]
                found = props.get("key") or address_key(
                    props["street"], props["housenumber"], props.get("postcode")
                )
                ids.setdefault(found, feature["id"])
            self._ids_by_key = ids
        return self._ids_by_key.get(key)

    def nearest(self, lon: float, lat: float, *, radius_m: float, limit: int = 8) -> list[dict]:
        """The addresses within ``radius_m`` metres of a point (straight line), nearest first.

        Parameters
        ----------
        lon, lat : float
            The point in degrees (EPSG:4326).
        radius_m : float
            Search radius in metres (EPSG:25832).
        limit : int
            At most this many addresses.

        Returns
        -------
        list of dict
            ``{"id", "street", "housenumber", "postcode", "key", "label", "distance_m"}``;
            ``distance_m`` in metres, rounded to 0.1 m. Ties keep the store's order.
        """
        if self._tree is None or limit < 1:
            return []
        x, y = project([lon], [lat])
        if not (np.isfinite(x[0]) and np.isfinite(y[0])):
            return []  # not a point on Earth (NaN, out of range): nothing is near it
        k = min(limit, len(self.features))
        distances_m, indexes = self._tree.query([x[0], y[0]], k=k, distance_upper_bound=radius_m)
        found = []
        for distance_m, index in zip(
            np.atleast_1d(distances_m), np.atleast_1d(indexes), strict=True
        ):
            if not np.isfinite(distance_m) or distance_m > radius_m:
                continue
            feature = self.features[int(index)]
            props = feature["properties"]
            found.append(
                {
                    "id": feature["id"],
                    "street": props["street"],
                    "housenumber": props["housenumber"],
                    "postcode": props.get("postcode"),
                    "key": props.get("key")
                    or address_key(props["street"], props["housenumber"], props.get("postcode")),
                    "label": f"{props['street']} {props['housenumber']}",
                    "distance_m": round(float(distance_m), 1),
                }
            )
        return found
