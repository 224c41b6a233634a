"""Merging incoming features into a layer (the store's ``sync_layer`` and ``upsert_many``)."""

from __future__ import annotations

from collections.abc import Iterable

from sozialraum.errors import InvalidInput
from sozialraum.store.base import SyncSummary
from sozialraum.store.validation import RESERVED, checked_feature, validate_feature


def merge_input(layer: str, features: Iterable[dict], *, remove_others: bool) -> list[dict]:
    """The incoming features of a merge, validated, with their ids.

    ``upsert_many`` (``remove_others`` false) needs a valid id on every feature;
    ``sync_layer`` checks its ids in :func:`merge_into`.
    """
    incoming = []
    for feature in features:
        if remove_others:
            clean = validate_feature(layer, feature)
            clean["id"] = feature.get("id")
        else:
            clean = checked_feature(layer, feature)
        incoming.append(clean)
    return incoming


def merge_into(
    existing: list[dict],
    index: dict[str, int],
    incoming: list[dict],
    summary: SyncSummary,
    *,
    stamp: str,
    remove_others: bool,
) -> None:
    """Merge checked features into a layer's feature list, in place.

    New ids are added at version 1, changed ones (properties other than the reserved ones,
    or geometry) get the next version, unchanged ones stay as they are. With
    ``remove_others`` the layer becomes exactly ``incoming`` (in its order), otherwise the
    others stay in place and new ones are appended.

    Parameters
    ----------
    existing : list of dict
        The layer's features; replaced in place.
    index : dict
        Feature id → position in ``existing``.
    incoming : list of dict
        Validated features with ids; ``properties`` get ``version`` and ``updated_at``.
    summary : SyncSummary
        Filled with the ids added, updated and removed and the count unchanged.
    stamp : str
        ``updated_at`` of new and changed features (ISO 8601).
    remove_others : bool

    Raises
    ------
    InvalidInput
        An id appears twice in ``incoming``.
    """
    seen = set()
    result = []
    for feature in incoming:
        fid = feature["id"]
        if fid in seen:
            raise InvalidInput(f"duplicate feature id {fid!r}")
        seen.add(fid)
        old = existing[index[fid]] if fid in index else None
        if old is None:
            feature["properties"].update(version=1, updated_at=stamp)
            summary.added.append(fid)
        else:
            old_props = {k: v for k, v in old["properties"].items() if k not in RESERVED}
            if old_props == feature["properties"] and old["geometry"] == feature["geometry"]:
                result.append(old)
                summary.unchanged += 1
                continue
            feature["properties"].update(version=old["properties"]["version"] + 1, updated_at=stamp)
            summary.updated.append(fid)
        result.append(feature)
    others = [f for f in existing if f["id"] not in seen]
    if remove_others:
        summary.removed.extend(f["id"] for f in others)
        existing[:] = result
    else:
        kept = {f["id"]: f for f in result}
        existing[:] = [kept.pop(f["id"], f) for f in existing] + list(kept.values())
