"""Field-note services over the store: create, change, list, history, expiry (no Flask).

Points are lon/lat degrees (EPSG:4326). A note belongs to the district its point lies
in and to that district's team; caseworkers change their own team's notes, leads too,
admins every note, viewers none (see :mod:`sozialraum.model.roles`). Expired notes are
invisible to every read here; :func:`purge_expired` deletes them for good.

Reads take an optional ``reader``: viewers see released notes only (unless the note's
category does not require a release), and archived notes are left out of lists unless
asked for by state (see :mod:`sozialraum.model.review`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

import shapely
from shapely.geometry import shape

from sozialraum.errors import Forbidden, InvalidInput, NotFound, VersionConflict
from sozialraum.model.addresses import address_key
from sozialraum.model.notes import (
    MAILBOX_STATUSES,
    NoteCategories,
    NoteInput,
    check_note_input,
    is_expired,
)
from sozialraum.model.privacy import PrivacyGuard
from sozialraum.model.review import (
    EDITORS_FIELD,
    STATES,
    content_changed,
    content_editors,
    editors_after_edit,
    visible_to_viewers,
)
from sozialraum.model.roles import Role, can_write
from sozialraum.store.base import BBox, Store
from sozialraum.store.validation import check_point_in_area

LAYER = "notes"
#: A mailbox note given only as a point (API, walk findings) is tied to the nearest address
#: within this many metres (EPSG:25832); farther away it is refused.
TIE_RADIUS_M = 15.0
#: The note form proposes the addresses within this many metres of the chosen point.
PROPOSAL_RADIUS_M = 50.0


@dataclass(frozen=True)
class Actor:
    """Who acts: account name, role and team (``None`` for admins without a team)."""

    name: str
    role: Role
    team: str | None


@dataclass(frozen=True)
class NoteRules:
    """A municipality's note categories and data-protection guard."""

    categories: NoteCategories
    guard: PrivacyGuard


class _DistrictLookup:
    def __init__(self, districts: list[dict], teams: Mapping):
        self.items = [
            {"id": d["id"], "name": d["properties"].get("name"), "team": teams.get(d["id"])}
            for d in districts
        ]
        self.tree = shapely.STRtree([shape(d["geometry"]) for d in districts])

    def at(self, lon: float, lat: float) -> dict | None:
        hits = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        return self.items[min(hits)] if len(hits) else None


_lookups: dict = {}


def district_at(store: Store, area: str, lon: float, lat: float) -> dict | None:
    """The district containing a point (lon/lat degrees) as ``{id, name, team}``, or None.

    Cached per revision of the district layer and the team assignments.
    """
    teams = store.read_meta(area).get("teams") or {}
    key = (id(store), area, store.revision(area, "districts"), tuple(sorted(teams.items())))
    lookup = _lookups.get(key)
    if lookup is None:
        lookup = _DistrictLookup(store.query(area, "districts"), teams)
        _lookups.clear()
        _lookups[key] = lookup
    return lookup.at(lon, lat)


def may_write(actor: Actor, team: str | None) -> bool:
    """Whether ``actor`` may create or change a note of ``team``."""
    return can_write(actor.role, own_team=team is not None and team == actor.team)


def _require_write(actor: Actor, team: str | None) -> None:
    if not may_write(actor, team):
        if actor.role == Role.VIEWER:
            raise Forbidden("viewers read notes but cannot change them")
        raise Forbidden(f"this note belongs to team {team!r}; only that team may change it")


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


def nearest_addresses(
    store: Store,
    area: str,
    lon: float,
    lat: float,
    *,
    radius_m: float = PROPOSAL_RADIUS_M,
    limit: int = 8,
) -> list[dict]:
    """The addresses within ``radius_m`` metres of a point, nearest first.

    Parameters
    ----------
    lon, lat : float
        The point in degrees (EPSG:4326).
    radius_m : float
        Search radius in metres (straight line, EPSG:25832).
    limit : int
        At most this many addresses.

    Returns
    -------
    list of dict
        ``{"id", "street", "housenumber", "postcode", "key", "label", "distance_m"}``
        (metres, 0.1 m). Building outlines are not stored: the addresses of the building
        a point lies in are among the nearest ones (an address on a building outline is
        a point on its surface).
    """
    from sozialraum.services import areas

    return areas.address_points(store, area).nearest(lon, lat, radius_m=radius_m, limit=limit)


def address_id_for_key(store: Store, area: str, key: str) -> str | None:
    """The id of the address with the normalised ``key`` (the first one), or None."""
    from sozialraum.services import areas

    return areas.address_points(store, area).id_for_key(key)


def _tie_to_address(
    store: Store, area: str, note: NoteInput, rules: NoteRules, nearest: bool
) -> NoteInput:
    """A mailbox note without ``address_id``: tied to the nearest address within
    :data:`TIE_RADIUS_M` (``nearest``) or refused."""
    if note.address_id or rules.categories[note.category].kind != "mailbox":
        return note
    if not nearest:
        raise InvalidInput(
            "Briefkasten-Beobachtungen gehören zu einer Adresse: bitte die Adresse des Hauses "
            "wählen und bestätigen."
        )
    found = nearest_addresses(store, area, note.lon, note.lat, radius_m=TIE_RADIUS_M, limit=1)
    if not found:
        near = nearest_addresses(store, area, note.lon, note.lat, radius_m=PROPOSAL_RADIUS_M)
        closest = (
            f" (die nächste, {near[0]['label']}, liegt {near[0]['distance_m']:.0f} m entfernt)"
            if near
            else ""
        )
        raise InvalidInput(
            "Briefkasten-Beobachtungen gehören zu einer Adresse, aber im Umkreis von "
            f"{TIE_RADIUS_M:.0f} m um den Punkt liegt keine{closest}. Bitte die Adresse "
            "angeben (address_id)."
        )
    return replace(note, address_id=found[0]["id"])


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
    note = _tie_to_address(store, area, note, rules, nearest_address)
    return note, district_at(store, area, note.lon, note.lat)


def check_note(
    store: Store, area: str, data: Mapping, *, actor: Actor, rules: NoteRules, today: date
) -> None:
    """Every check of :func:`create_note` without writing (for forms with several notes)."""
    note, district = _checked(store, area, data, rules, today)
    _require_write(actor, (district or {}).get("team") or actor.team)
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
    team = (district or {}).get("team") or actor.team
    _require_write(actor, team)
    feature = _feature(
        note,
        author=actor.name,
        district=district,
        team=team,
        links=_link_properties(store, area, note),
    )
    return store.add(area, LAYER, feature, actor=actor.name)


@dataclass
class TieReport:
    """What :func:`tie_mailbox_notes` did: ids of the tied notes, per note it could not
    tie ``(id, distance in metres to the nearest address or None)``, and the ids of notes
    someone changed while it ran (left alone; run it again)."""

    tied: list[str]
    untied: list[tuple[str, float | None]]
    changed: list[str]


def tie_mailbox_notes(
    store: Store, area: str, *, actor: str, categories: NoteCategories, dry_run: bool = False
) -> TieReport:
    """Tie every mailbox observation without an address to the nearest address within
    :data:`TIE_RADIUS_M` metres (EPSG:25832), once.

    Each tie is an update through the store (a new version, in the audit log); the note's
    content, review state and dates stay as they are. Notes already tied (an
    ``address_key``) are left alone, so running it again changes nothing.

    Parameters
    ----------
    store : Store
    area : str
    actor : str
        Who ties (for the audit log), e.g. ``"cli:admin"``.
    categories : NoteCategories
        Which category has kind ``mailbox``.
    dry_run : bool
        Only report what would be tied; write nothing.

    Returns
    -------
    TieReport
        Never note text: ids and distances only.
    """
    mailbox = {c.id for c in categories if c.kind == "mailbox"}
    report = TieReport([], [], [])
    for note in store.query(area, LAYER):
        props = note["properties"]
        if props.get("category") not in mailbox or props.get("address_key"):
            continue
        lon, lat = note["geometry"]["coordinates"][:2]
        found = nearest_addresses(store, area, lon, lat, radius_m=TIE_RADIUS_M, limit=1)
        if not found:
            near = nearest_addresses(store, area, lon, lat, radius_m=float("inf"), limit=1)
            report.untied.append((note["id"], near[0]["distance_m"] if near else None))
            continue
        address = found[0]
        if not dry_run:
            changed = {
                "type": "Feature",
                "geometry": note["geometry"],
                "properties": {
                    **props,
                    "address_id": address["id"],
                    "address_key": address["key"],
                    "address_label": address["label"],
                },
            }
            try:
                store.update(
                    area,
                    LAYER,
                    note["id"],
                    changed,
                    expected_version=props["version"],
                    actor=actor,
                    audit_fields={"tied_to_address": True},
                )
            except (VersionConflict, NotFound):  # edited or deleted meanwhile
                report.changed.append(note["id"])
                continue
        report.tied.append(note["id"])
    return report


def visible(props: Mapping, reader: Actor | None, categories: NoteCategories | None) -> bool:
    """Whether ``reader`` sees a note.

    Notes belong to a team: a reader with a team sees only that team's notes; admins and
    accounts without a team see every team's. Viewers see released notes only.

    Parameters
    ----------
    props : mapping
        The note's properties.
    reader : Actor or None
        Who reads; ``None`` for internal reads (CLI, analyses), which see everything.
    categories : NoteCategories or None
        Needed for viewers: a category's ``release_required`` decides.
    """
    if reader is None:
        return True
    if reader.team is not None and reader.role != Role.ADMIN and props.get("team") != reader.team:
        return False
    if reader.role != Role.VIEWER:
        return True
    category = props.get("category")
    required = (
        categories[category].release_required
        if categories is not None and category in categories
        else True
    )
    return visible_to_viewers(props, required)


def visibility_scope(reader: Actor | None) -> tuple:
    """A key that is equal for two readers exactly when :func:`visible` lets them see
    the same notes (for caches of results built from notes, e.g. the coverage).

    ``("all", False)`` for internal reads, admins and accounts without a team,
    ``("team", name, False)`` for a caseworker or lead of a team; the last item is
    ``True`` for viewers (released notes only).
    """
    if reader is None:
        return ("all", False)
    viewer = reader.role == Role.VIEWER
    if reader.team is None or reader.role == Role.ADMIN:
        return ("all", viewer)
    return ("team", reader.team, viewer)


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
    _require_write(actor, before.get("team"))
    if before.get("review_state") == "archiviert":
        raise InvalidInput("Archivierte Notizen können nicht mehr geändert werden.")
    note, district = _checked(store, area, data, rules, today)
    team = (district or {}).get("team") or before.get("team") or actor.team
    _require_write(actor, team)
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
    _require_write(actor, current["properties"].get("team"))
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
        if is_expired(props, today):
            continue
        state = props.get("review_state") or "entwurf"
        if state != review_state and (review_state is not None or state == "archiviert"):
            continue
        if not visible(props, reader, categories):
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


#: Columns of note exports (GeoPackage/GeoJSON property names) and their German CSV headers.
EXPORT_COLUMNS: dict[str, str] = {
    "category": "Kategorie-Id",
    "category_label": "Kategorie",
    "text": "Text",
    "observed_on": "Beobachtet am",
    "expires_on": "Gültig bis",
    "review_state": "Status",
    "mailbox_status": "Briefkasten",
    "author": "Verfasst von",
    "team": "Team",
    "district": "Bezirk-Id",
    "district_name": "Bezirk",
    "address_label": "Adresse",
    "resource_label": "Ort",
    "osm_ref": "OSM-Objekt",
    "version": "Version",
    "updated_at": "Geändert (UTC)",
}


def labelled(feature: dict, rules: NoteRules, district_names: Mapping[str, str]) -> dict:
    """A note with German labels for category, mailbox status, review state and district."""
    props = dict(feature["properties"])
    category = props.get("category")
    props["category_label"] = (
        rules.categories[category].label if category in rules.categories else category
    )
    status = props.get("mailbox_status")
    props["mailbox_status_label"] = MAILBOX_STATUSES.get(status, status) if status else None
    state = props.get("review_state")
    props["review_state_label"] = STATES.get(state, state) if state else None
    props["district_name"] = district_names.get(props.get("district"))
    return {
        "type": "Feature",
        "id": feature["id"],
        "geometry": feature["geometry"],
        "properties": props,
    }


def export_rows(features: list[dict]) -> tuple[list[str], list[list]]:
    """Header and rows for a CSV of labelled notes (see :func:`labelled`), with lon/lat."""
    header = ["Id", *EXPORT_COLUMNS.values(), "Länge (WGS84)", "Breite (WGS84)"]
    rows = []
    for feature in features:
        props = feature["properties"]
        values = [props.get(c) for c in EXPORT_COLUMNS]
        status = props.get("mailbox_status_label")
        values[list(EXPORT_COLUMNS).index("mailbox_status")] = status
        values[list(EXPORT_COLUMNS).index("review_state")] = props.get("review_state_label")
        lon, lat = feature["geometry"]["coordinates"][:2]
        rows.append([feature["id"], *values, lon, lat])
    return header, rows
