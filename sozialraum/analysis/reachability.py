"""The stored reachability layer of an area: walk network and nearest resources per address.

Both are derived artifacts in the store (see :meth:`Store.write_artifact`), rebuilt on
import. The layer records the revisions of the network, resources and addresses it was
computed from; :func:`current_reachability` recomputes it when one of them changed (an edit
after the import) instead of serving stale numbers.

Distances are stored in metres, walking times are derived at read time for any speed, so
the slow profile needs no second computation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from sozialraum.analysis.npz import npz_bytes, read_npz
from sozialraum.analysis.walking import (
    DEFAULT_SPEED_KMH,
    OFF_WAYS,
    OUTSIDE_NETWORK,
    WalkNetwork,
    nearest_arrays,
    nearest_entry,
)
from sozialraum.errors import NotFound, StorageError
from sozialraum.store.base import Store

NETWORK_ARTIFACT = "walk-network.npz"
REACHABILITY_ARTIFACT = "reachability.npz"
# 2: with ``outside`` (why an address is cut off); a layer of format 1 is recomputed
_FORMAT = "sozialraum-reachability-2"


class AnalysisUnavailable(NotFound):
    """The area has no walk network: re-import the area.

    It was imported before walking analysis existed, or its OSM data has no walkable ways.
    """


@dataclass
class Reachability:
    """Nearest resource per address and category (walking metres along the network).

    Attributes
    ----------
    category_ids : list of str
    address_ids, resource_ids : numpy.ndarray
        Feature ids; ``resource`` indexes ``resource_ids``.
    distance_m : numpy.ndarray
        (addresses, categories) metres, ``nan`` where nothing is reachable.
    resource : numpy.ndarray
        (addresses, categories) index into ``resource_ids``, -1 where nothing is reachable.
    cut_off : numpy.ndarray
        Per address: farther than 250 m from the walk network (no numbers given).
    outside : numpy.ndarray
        Per address: cut off, but walkable ways that are not connected to the network lie
        within 250 m (a street cut off at the edge of the imported data).
    basis : dict
        Revisions of network, resources and addresses it was computed from, and when.
    """

    category_ids: list[str]
    address_ids: np.ndarray
    resource_ids: np.ndarray
    distance_m: np.ndarray
    resource: np.ndarray
    cut_off: np.ndarray
    outside: np.ndarray
    basis: dict = field(default_factory=dict)

    def __post_init__(self):
        self._rows = {str(a): i for i, a in enumerate(self.address_ids)}
        self._columns = {c: j for j, c in enumerate(self.category_ids)}

    def row(self, address_id: str) -> int:
        """Row of an address; :class:`NotFound` if it is not in the layer."""
        try:
            return self._rows[address_id]
        except KeyError:
            raise NotFound(f"address {address_id!r} is not in the reachability layer") from None

    def column(self, category_id: str) -> int:
        """Column of a category; :class:`NotFound` if it was not computed."""
        try:
            return self._columns[category_id]
        except KeyError:
            raise NotFound(f"category {category_id!r} is not in the reachability layer") from None

    def cut_off_reason(self, address_id: str) -> str | None:
        """Why an address has no walking numbers.

        ``None`` (it has), :data:`~sozialraum.analysis.walking.OFF_WAYS` or
        :data:`~sozialraum.analysis.walking.OUTSIDE_NETWORK`.
        """
        i = self.row(address_id)
        if not self.cut_off[i]:
            return None
        return OUTSIDE_NETWORK if self.outside[i] else OFF_WAYS

    def for_address(
        self, address_id: str, speed_kmh: float = DEFAULT_SPEED_KMH
    ) -> dict[str, dict | None]:
        """Nearest resource per category of one address.

        Returns
        -------
        dict
            ``{category_id: {"resource": id, "distance_m": int, "walk_min": float} or None}``;
            walking minutes at ``speed_kmh`` (km/h).
        """
        i = self.row(address_id)
        result = {}
        for j, category in enumerate(self.category_ids):
            index = int(self.resource[i, j])
            if index < 0:
                result[category] = None
                continue
            result[category] = nearest_entry(
                str(self.resource_ids[index]), float(self.distance_m[i, j]), speed_kmh
            )
        return result

    def to_bytes(self) -> bytes:
        """The layer as a compressed ``.npz`` file (no pickles)."""
        return npz_bytes(
            _FORMAT,
            category_ids=np.array(self.category_ids, dtype=str),
            address_ids=self.address_ids.astype(str),
            resource_ids=self.resource_ids.astype(str),
            distance_m=self.distance_m.astype(np.float32),
            resource=self.resource.astype(np.int32),
            cut_off=self.cut_off.astype(bool),
            outside=self.outside.astype(bool),
            basis_keys=np.array(list(self.basis), dtype=str),
            basis_values=np.array([str(v) for v in self.basis.values()], dtype=str),
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Reachability:
        """Load a layer written by :meth:`to_bytes`; :class:`StorageError` if damaged."""
        damaged = "the stored reachability layer is damaged ({exc})"
        with read_npz(data, _FORMAT, damaged) as npz:
            layer = cls(
                category_ids=[str(c) for c in npz["category_ids"]],
                address_ids=npz["address_ids"],
                resource_ids=npz["resource_ids"],
                distance_m=npz["distance_m"].astype(float),
                resource=npz["resource"],
                cut_off=npz["cut_off"],
                outside=npz["outside"],
                basis=dict(
                    zip(
                        (str(k) for k in npz["basis_keys"]),
                        (str(v) for v in npz["basis_values"]),
                        strict=True,
                    )
                ),
            )
            shape = (len(layer.address_ids), len(layer.category_ids))
            if layer.distance_m.shape != shape or layer.resource.shape != shape:
                raise ValueError("inconsistent arrays")
            if not len(layer.cut_off) == len(layer.outside) == len(layer.address_ids):
                raise ValueError("inconsistent arrays")
            if layer.resource.size and layer.resource.max() >= len(layer.resource_ids):
                raise ValueError("resource index out of range")
        return layer


def compute_reachability(
    network: WalkNetwork,
    addresses: list[dict],
    resources: list[dict],
    category_ids: list[str],
    basis: dict | None = None,
) -> Reachability:
    """Compute the reachability layer for all addresses at once.

    Parameters
    ----------
    network : WalkNetwork
    addresses, resources : list of dict
        Point features (EPSG:4326) from the store.
    category_ids : list of str
    basis : dict, optional
        Revisions the result is computed from (kept with it).

    Returns
    -------
    Reachability
    """
    found = nearest_arrays(network, addresses, resources, category_ids)
    return Reachability(
        category_ids=list(category_ids),
        address_ids=np.array([f["id"] for f in addresses], dtype=str),
        resource_ids=np.array([f["id"] for f in resources], dtype=str),
        distance_m=found.distance_m,
        resource=found.resource,
        cut_off=found.cut_off,
        outside=found.outside,
        basis={**(basis or {}), "computed_at": datetime.now(UTC).isoformat(timespec="seconds")},
    )


# -- the store side -------------------------------------------------------------------
def read_derived(store: Store, area: str, name: str, missing: Exception) -> bytes:
    """The artifact ``name`` of ``area``.

    Raises ``missing`` if the import built none (:class:`NotFound` if the area itself does not
    exist).
    """
    try:
        return store.read_artifact(area, name)
    except NotFound:
        store.read_meta(area)  # NotFound for a missing area
        raise missing from None


def load_network(store: Store, area: str) -> WalkNetwork:
    """The stored walk network of ``area``; :class:`AnalysisUnavailable` if there is none."""
    missing = AnalysisUnavailable(
        f"area {area!r} has no walk network; import it again to build one"
    )
    return WalkNetwork.from_bytes(read_derived(store, area, NETWORK_ARTIFACT, missing))


def save_network(store: Store, area: str, network: WalkNetwork | None, *, actor: str) -> None:
    """Store the walk network of ``area`` (``None`` removes a stale one)."""
    if network is None:
        store.delete_artifact(area, NETWORK_ARTIFACT, actor=actor)
        store.delete_artifact(area, REACHABILITY_ARTIFACT, actor=actor)
    else:
        store.write_artifact(area, NETWORK_ARTIFACT, network.to_bytes(), actor=actor)


def _basis(store: Store, area: str, category_ids: list[str]) -> dict:
    return {
        "network": store.artifact_revision(area, NETWORK_ARTIFACT),
        "resources": store.revision(area, "resources"),
        "addresses": store.revision(area, "addresses"),
        "categories": ",".join(category_ids),
    }


def _is_current(layer: Reachability, basis: dict) -> bool:
    return all(layer.basis.get(key) == value for key, value in basis.items())


def update_reachability(
    store: Store,
    area: str,
    category_ids: list[str],
    *,
    network: WalkNetwork | None = None,
    actor: str,
) -> Reachability:
    """Compute the reachability layer from the store's current data and save it.

    Parameters
    ----------
    network : WalkNetwork, optional
        The area's network if already loaded (else read from the store).
    """
    network = network or load_network(store, area)
    basis = _basis(store, area, category_ids)
    layer = compute_reachability(
        network,
        store.query(area, "addresses"),
        store.query(area, "resources"),
        category_ids,
        basis,
    )
    store.write_artifact(area, REACHABILITY_ARTIFACT, layer.to_bytes(), actor=actor)
    return layer


def current_reachability(
    store: Store, area: str, category_ids: list[str], *, actor: str = "analysis"
) -> Reachability:
    """The stored reachability layer, recomputed first if its basis is out of date."""
    basis = _basis(store, area, category_ids)
    if basis["network"] == "0":
        load_network(store, area)  # raises AnalysisUnavailable
    try:
        layer = Reachability.from_bytes(store.read_artifact(area, REACHABILITY_ARTIFACT))
    except (NotFound, StorageError):
        layer = None
    if layer is not None and _is_current(layer, basis):
        return layer
    return update_reachability(store, area, category_ids, actor=actor)
