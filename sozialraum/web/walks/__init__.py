"""Planned walks (Rundgänge): plan, order, walk sheet, findings; JSON API, OpenAPI."""

from __future__ import annotations

from sozialraum import settings
from sozialraum.services import walks
from sozialraum.web import context as ctx


def shown_walk(area: str, walk: dict) -> dict:
    """The walk as the current user may see it (shared by the pages and the JSON API).

    Note stops they may not read are hidden (see :func:`sozialraum.services.walks.shown_walk`).

    Parameters
    ----------
    area : str
        The area id.
    walk : dict
        The stored walk feature (geometry in EPSG:4326).

    Returns
    -------
    dict
        The walk feature with the stops the current user may not read hidden.
    """
    return walks.shown_walk(
        ctx.store(),
        area,
        walk,
        reader=ctx.current_actor(),
        rules=ctx.note_rules(),
        today=settings.today(),
    )


def category_labels() -> dict[str, str]:
    """German labels of the resource and note categories (id -> label)."""
    labels = {c.id: c.label for c in ctx.categories()}
    labels.update(ctx.note_rules().categories.labels())
    return labels
