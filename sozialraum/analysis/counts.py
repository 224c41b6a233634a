"""Counts per district and category."""

from __future__ import annotations

from collections import Counter


def counts_by_district(resources: list[dict], category_ids: list[str]) -> dict[str | None, dict]:
    """Number of resources per district and category id (districts from ``district``)."""
    counts: dict[str | None, Counter] = {}
    for feature in resources:
        props = feature["properties"]
        bucket = counts.setdefault(props.get("district"), Counter())
        bucket.update(c for c in props["categories"] if c in category_ids)
    return {d: {c: bucket.get(c, 0) for c in category_ids} for d, bucket in counts.items()}


def addresses_by_district(addresses: list[dict]) -> dict[str | None, int]:
    """Number of addresses per district id."""
    return dict(Counter(f["properties"].get("district") for f in addresses))
