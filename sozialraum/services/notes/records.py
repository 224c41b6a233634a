"""Field notes in the store: create, read, change, delete, history and purge of expired notes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sozialraum.errors import InvalidInput, NotFound
from sozialraum.model.addresses import address_key
from sozialraum.model.notes import (
    MAILBOX_STATUSES,
    NoteInput,
    check_note_input,
    is_expired,
)
from sozialraum.model.review import (
    EDITORS_FIELD,
    STATES,
    content_changed,
    content_editors,
    editors_after_edit,
)
from sozialraum.services.notes.access import (
    LAYER,
    Actor,
    NoteRules,
    district_team_for,
    require_write,
    visible,
)
from sozialraum.services.notes.places import (
    district_at,
    tie_to_address,
)
from sozialraum.store.base import BBox, Store
from sozialraum.store.validation import check_point_in_area


def _linked(store: Store, area: str, layer: str, ref: str, message: str) -> dict:
    """The linked address or resource; :class:`InvalidInput` with ``message`` if missing."""
    try:
        return store.get(area, layer, ref)
    except (NotFound, InvalidInput):
        raise InvalidInput(message) from None


def _resolve_link(store: Store, area: str, data: dict) -> dict:
    """Fill lon/lat from a linked address or resource when they are missing."""
    data = dict(data)
    for key, layer in (("address_id", "addresses"), ("resource_id", "resources")):
        ref = data.get(key)
        if ref and isinstance(ref, str) and data.get("lon") is None and data.get("lat") is None:
            message = f"{key}: {ref!r} gibt es in diesem Gebiet nicht"
            lon, lat = _linked(store, area, layer, ref, message)["geometry"]["coordinates"][:2]
            data["lon"], data["lat"] = lon, lat
    return data


def _link_properties(store: Store, area: str, note: NoteInput) -> dict:
    props: dict = {}
    if note.address_id:
        message = "address_id: diese Adresse gibt es in diesem Gebiet nicht"
        address = _linked(store, area, "addresses", note.address_id, message)["properties"]
        props["address_id"] = note.address_id
        props["address_key"] = address.get("key") or address_key(
            address["street"], address["housenumber"], address.get("postcode")
        )
        props["address_label"] = f"{address['street']} {address['housenumber']}"
    if note.resource_id:
        message = "resource_id: diesen Ort gibt es in diesem Gebiet nicht"
        resource = _linked(store, area, "resources", note.resource_id, message)["properties"]
        props["osm_ref"] = note.resource_id
        props["resource_label"] = resource.get("name") or None
    return props


#: Properties of the review (see :mod:`sozialraum.services.review`) that an edit keeps.
REVIEW_FIELDS = ("review_log", "recheck")


def _feature(note: NoteInput, *, author: str, district: dict | None, team, links) -> dict:
    props = {
        "category": note.category,
        "text": note.text,
        "observed_on": note.observed_on.isoformat(),
        "expires_on": note.expires_on.isoformat(),
        "review_state": note.review_state,
        "author": author,
        "team": team,
        "district": district["id"] if district else None,
        **links,
    }
    if note.mailbox_status:
        props["mailbox_status"] = note.mailbox_status
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(note.lon, 7), round(note.lat, 7)]},
        "properties": props,
    }


def _checked(
    store, area, data, rules: NoteRules, today: date, nearest_address: bool = True
) -> tuple[NoteInput, dict | None]:
    if not isinstance(data, Mapping):
        raise InvalidInput("Die Notiz muss ein JSON-Objekt sein.")
    note = check_note_input(_resolve_link(store, area, dict(data)), rules.categories, today)
    if note.expires_on < today:
        raise InvalidInput(
            "Gültig bis: das Datum liegt in der Vergangenheit – die Notiz wäre sofort abgelaufen."
        )
    check_point_in_area(store.read_meta(area), note.lon, note.lat)
    rules.guard.check(note.text)
    note = tie_to_address(store, area, note, rules, nearest_address)
    return note, district_at(store, area, note.lon, note.lat)


def check_note(
    store: Store, area: str, data: Mapping, *, actor: Actor, rules: NoteRules, today: date
) -> None:
    """Every check of :func:`create_note` without writing (for forms with several notes)."""
    note, district = _checked(store, area, data, rules, today)
    require_write(actor, district_team_for(actor, (district or {}).get("team")))
    _link_properties(store, area, note)


def create_note(
    store: Store,
    area: str,
    data: Mapping,
    *,
    actor: Actor,
    rules: NoteRules,
    today: date,
    nearest_address: bool = True,
) -> dict:
    """Check and store a new note; returns it (GeoJSON Feature, EPSG:4326, version 1).

    The district comes from the point; the team is the district's team (the author's
    team for points outside every district with a team).

    Every mailbox observation is tied to an address: without ``address_id`` it is tied
    to the nearest address within :data:`TIE_RADIUS_M` metres or refused. The note form
    passes ``nearest_address=False``: there the caseworker confirms one of the proposed
    addresses (:func:`nearest_addresses`).

    Raises
    ------
    InvalidInput
        Bad fields (German message); :class:`~sozialraum.model.privacy.PrivacyViolation`
        for text that looks like client data.
    Forbidden
        If the actor may not write notes of that team.
    """
    note, district = _checked(store, area, data, rules, today, nearest_address)
    team = district_team_for(actor, (district or {}).get("team"))
    require_write(actor, team)
    feature = _feature(
        note,
        author=actor.name,
        district=district,
        team=team,
        links=_link_properties(store, area, note),
    )
    return store.add(area, LAYER, feature, actor=actor.name)


def get_note(
    store: Store,
    area: str,
    note_id: str,
    *,
    today: date,
    reader: Actor | None = None,
    rules: NoteRules | None = None,
) -> dict:
    """One note that has not expired and that ``reader`` may see; :class:`NotFound` otherwise.

    An unknown id, an expired note and a note ``reader`` may not see raise the same
    :class:`NotFound` (same message): no answer tells them apart (no existence oracle).
    """
    try:
        feature = store.get(area, LAYER, note_id)
    except (NotFound, InvalidInput):
        raise NotFound(f"no note {note_id!r}") from None
    props = feature["properties"]
    if is_expired(props, today) or not visible(props, reader, rules.categories if rules else None):
        raise NotFound(f"no note {note_id!r}")
    return feature


def update_note(
    store: Store,
    area: str,
    note_id: str,
    data: Mapping,
    *,
    expected_version: int,
    actor: Actor,
    rules: NoteRules,
    today: date,
) -> dict:
    """Replace a note's content if it is still at ``expected_version``.

    The author stays; the district and team follow the (possibly moved) point. The
    actor must be allowed to write both the old and the new team's notes.

    A change of the content (:data:`~sozialraum.model.review.CONTENT_FIELDS` or the
    point) records the actor in ``edited_by`` — everyone who changed the content since
    the last release, none of whom may release or query it (four-eyes) — and marks the
    audit entry with ``content_edit``. Saving unchanged content (e.g. only the state)
    changes nobody's standing.

    Raises
    ------
    NotFound
        For an unknown id and for a note ``actor`` may not read (the same answer).
    VersionConflict
        If someone changed the note since (nothing is written).
    """
    current = get_note(store, area, note_id, today=today, reader=actor, rules=rules)
    before = current["properties"]
    require_write(actor, before.get("team"))
    if before.get("review_state") == "archiviert":
        raise InvalidInput("Archivierte Notizen können nicht mehr geändert werden.")
    note, district = _checked(store, area, data, rules, today)
    team = (district or {}).get("team") or before.get("team") or actor.team
    require_write(actor, team)
    feature = _feature(
        note,
        author=before.get("author") or actor.name,
        district=district,
        team=team,
        links=_link_properties(store, area, note),
    )
    kept = {key: before[key] for key in REVIEW_FIELDS if before.get(key)}
    recheck = kept.get("recheck")
    if recheck and note.observed_on.isoformat() >= recheck.get("requested_on", "9"):
        kept.pop("recheck")  # seen again after the lead asked: the re-check is done
    feature["properties"].update(kept)
    edited = content_changed(current, feature)
    editors = editors_after_edit(before, actor.name) if edited else content_editors(before)
    feature["properties"][EDITORS_FIELD] = editors
    return store.update(
        area,
        LAYER,
        note_id,
        feature,
        expected_version=expected_version,
        actor=actor.name,
        audit_fields={"content_edit": True} if edited else None,
    )


def delete_note(
    store: Store,
    area: str,
    note_id: str,
    *,
    expected_version: int,
    actor: Actor,
    today: date,
    rules: NoteRules | None = None,
) -> None:
    """Delete a note (with its earlier versions) if it is still at ``expected_version``.

    A note ``actor`` may not read is :class:`NotFound`, exactly like an unknown id.
    """
    current = get_note(store, area, note_id, today=today, reader=actor, rules=rules)
    require_write(actor, current["properties"].get("team"))
    store.delete(area, LAYER, note_id, expected_version=expected_version, actor=actor.name)


def list_notes(
    store: Store,
    area: str,
    *,
    today: date,
    district: str | None = None,
    category: str | None = None,
    bbox: BBox | None = None,
    review_state: str | None = None,
    mailbox_status: str | None = None,
    author: str | None = None,
    reader: Actor | None = None,
    rules: NoteRules | None = None,
) -> list[dict]:
    """Notes that have not expired, filtered (all filters ANDed; bbox W,S,E,N in degrees).

    Archived notes only come with ``review_state="archiviert"``; a ``reader`` who is a
    viewer gets released notes only (see :func:`visible`; pass ``rules``).
    """
    if review_state is not None and review_state not in STATES:
        raise InvalidInput(f"unknown review state {review_state!r}")
    categories = rules.categories if rules is not None else None
    if mailbox_status is not None and mailbox_status not in MAILBOX_STATUSES:
        raise InvalidInput(f"unknown mailbox status {mailbox_status!r}")
    found = []
    for feature in store.query(area, LAYER, district=district, category=category, bbox=bbox):
        props = feature["properties"]
        if not visible(props, reader, categories):  # first: it drops other teams' notes cheaply
            continue
        if is_expired(props, today):
            continue
        state = props.get("review_state") or "entwurf"
        if state != review_state and (review_state is not None or state == "archiviert"):
            continue
        if mailbox_status is not None and props.get("mailbox_status") != mailbox_status:
            continue
        if author is not None and props.get("author") != author:
            continue
        found.append(feature)
    return found


def note_history(
    store: Store,
    area: str,
    note_id: str,
    *,
    today: date,
    reader: Actor | None = None,
    rules: NoteRules | None = None,
) -> list[dict]:
    """All versions of a note that has not expired, oldest first (see ``Store.history``).

    For a viewer (``reader``) the content of versions they may not see (not released) is
    ``None``; the note itself must be visible to them (:class:`NotFound` otherwise). Each
    item gets ``content_edit``: whether that version created or changed the content (its
    ``actor`` wrote it), as opposed to a review change.
    """
    get_note(store, area, note_id, today=today, reader=reader, rules=rules)
    items = store.history(area, LAYER, note_id)
    categories = rules.categories if rules is not None else None
    previous = None
    for item in items:  # who changed the content: compared before viewers' masking
        feature = item["feature"]
        if feature is not None:
            item["content_edit"] = previous is None or content_changed(previous, feature)
            previous = feature
        else:
            item["content_edit"] = False
    for item in items:
        if item["feature"] is not None and not visible(
            item["feature"]["properties"], reader, categories
        ):
            item["feature"] = None
    return items


def expired_note_ids(store: Store, area: str, *, today: date) -> list[str]:
    """Ids of the notes whose ``expires_on`` lies before ``today``."""
    return [f["id"] for f in store.query(area, LAYER) if is_expired(f["properties"], today)]


def purge_expired(store: Store, area: str, *, today: date, actor: str) -> int:
    """Delete expired notes and all their versions for good; returns how many.

    The audit log records the ids and the count, never the content.
    """
    ids = expired_note_ids(store, area, today=today)
    if not ids:
        return 0
    return store.purge(area, LAYER, ids, actor=actor)
