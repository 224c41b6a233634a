"""Walk pages (Sozialraumerkundung): plan, order, print the A4 walk sheet, record findings.

Forms post plain fields; planning, ordering and the findings go through
:mod:`sozialraum.services.walks` (German messages, data-protection guard, team rights).
"""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from flask import redirect, render_template, request, url_for
from flask_login import current_user

from sozialraum import settings
from sozialraum.analysis.reachability import AnalysisUnavailable
from sozialraum.analysis.walking import DEFAULT_SPEED_KMH, walk_minutes
from sozialraum.errors import Forbidden, InvalidInput, NotFound, VersionConflict
from sozialraum.maps import print_maps
from sozialraum.model.notes import MAILBOX_STATUSES
from sozialraum.model.roles import can_write_somewhere
from sozialraum.services import areas as services
from sozialraum.services import notes as fieldnotes
from sozialraum.services import walks
from sozialraum.services.coverage import street_lines_m
from sozialraum.web import context as ctx
from sozialraum.web.basemap.tiles import print_ground
from sozialraum.web.walks import shown_walk

MAX_LINES = 40


def _labels() -> dict[str, str]:
    labels = {c.id: c.label for c in ctx.categories()}
    labels.update(ctx.note_rules().categories.labels())
    return labels


def walks_page(area: str):
    """Planned and done walks of an area; start planning one for a district."""
    meta = ctx.area_meta()
    names = ctx.district_names(area)
    return render_template(
        "walks/rundgaenge.html",
        area=area,
        meta=meta,
        walks=walks.list_walks(ctx.store(), area, reader=ctx.current_actor()),
        districts=sorted(names.items(), key=lambda item: item[1] or ""),
        district_names=names,
        can_write=can_write_somewhere(current_user.role),
    )


def _typed_addresses(area: str, text: str) -> list[dict]:
    """One address per line → address stops; unclear lines are an error naming them."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_LINES:
        raise InvalidInput(f"Höchstens {MAX_LINES} Adressen.")
    index = services.address_index(ctx.store(), area)
    picks = []
    for line in lines:
        found = index.search(line[:200], 5)
        exact = [s for s in found if s.match == "exakt"]
        if len(exact) != 1:
            hint = "; ".join(s.label for s in found[:3]) or "keine ähnliche Adresse"
            raise InvalidInput(
                f"Adresse „{line[:60]}“ nicht eindeutig gefunden (Vorschläge: {hint})."
            )
        picks.append({"kind": "address", "ref": exact[0].id})
    return picks


def _typed_points(text: str) -> list[dict]:
    """Lines ``Breite, Länge, Bezeichnung`` (degrees) → point stops."""
    picks = []
    for number, line in enumerate((x.strip() for x in text.splitlines() if x.strip()), start=1):
        parts = [p.strip() for p in line.split(",", 2)]
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except (IndexError, ValueError):
            raise InvalidInput(
                f"Freier Punkt {number}: bitte „Breite, Länge, Bezeichnung“ (z. B. "
                "„51.43, 6.95, Bank am Spielplatz“)."
            ) from None
        picks.append(
            {"kind": "point", "lat": lat, "lon": lon, "label": parts[2] if len(parts) > 2 else ""}
        )
    return picks


def _planning_context(area: str, meta: dict, district: str, form: dict, **extra) -> dict:
    store = ctx.store()
    resources = store.query(area, "resources", district=district)
    labels = _labels()
    groups: dict[str, list[dict]] = {}
    for cat in ctx.categories():
        members = [r for r in resources if cat.id in (r["properties"].get("categories") or [])]
        if members:
            groups[cat.label] = sorted(members, key=lambda r: r["properties"].get("name") or "")
    notes = fieldnotes.list_notes(
        store,
        area,
        today=settings.today(),
        district=district,
        reader=ctx.current_actor(),
        rules=ctx.note_rules(),
    )
    return {
        "area": area,
        "meta": meta,
        "district": district,
        "district_name": ctx.district_names(area).get(district, district),
        "groups": groups,
        "notes": [fieldnotes.labelled(n, ctx.note_rules(), {}) for n in notes],
        "labels": labels,
        "form": form,
        "chosen": set(request.form.getlist("stop")),
        "today": settings.today().isoformat(),
        **extra,
    }


def new_walk(area: str):
    """Plan a walk for a district: details and stops; the app proposes the order."""
    meta = ctx.area_meta()
    names = ctx.district_names(area)
    teams = ctx.store().read_meta(area).get("teams") or {}
    # own team's districts first, then those without a team (open to every team)
    own = [d for d in names if teams.get(d) == current_user.team]
    own += [d for d in names if not teams.get(d)]
    own = own or list(names)
    district = request.values.get("district") or (own[0] if own else "")
    if district not in names:
        raise NotFound(f"district {district!r} does not exist")
    # known before the form: another team's district is said before anything is filled in
    blocked = fieldnotes.district_refusal(ctx.current_actor(), teams.get(district), "Rundgänge")
    if request.method == "GET":
        return render_template(
            "walks/rundgang_neu.html",
            **_planning_context(
                area, meta, district, {}, blocked=blocked, no_team=not teams.get(district)
            ),
        )
    form = {k: request.form.get(k, "") for k in ("title", "walk_on", "purpose", "participants")}
    form["district"] = district
    try:
        picks = _typed_addresses(area, request.form.get("addresses", ""))
        for value in request.form.getlist("stop"):
            kind, _, ref = value.partition(":")
            picks.append({"kind": kind, "ref": ref})
        picks += _typed_points(request.form.get("points", ""))
        walk = walks.create_walk(
            ctx.store(),
            area,
            form,
            picks,
            actor=ctx.current_actor(),
            rules=ctx.note_rules(),
            today=settings.today(),
        )
    except (InvalidInput, Forbidden) as exc:
        message = (blocked or exc.message) if isinstance(exc, Forbidden) else exc.message
        context = _planning_context(
            area, meta, district, form, error=message, blocked=blocked,
            no_team=not teams.get(district),
        )  # fmt: skip
        return render_template("walks/rundgang_neu.html", **context), exc.status
    return redirect(url_for("pages.walk", area=area, walk_id=walk["id"]), 303)


def walk_map_svg(area: str, walk: dict, *, width_px: int = 720, height_px: int = 520) -> str:
    """The walk's overview map (see :func:`sozialraum.maps.print_maps.walk_map_svg`).

    Empty without a walk network.
    """
    store = ctx.store()
    try:
        network = services.walk_network(store, area)
    except AnalysisUnavailable:
        return ""
    return print_maps.walk_map_svg(
        network,
        walk["properties"]["stops"],
        walks.walk_route(store, area, walk),
        title=f"Karte des Rundgangs: {walk['properties']['title']}",
        street_names_m=street_lines_m(store, area),
        ground_m=print_ground(area),
        width_px=width_px,
        height_px=height_px,
    )


def _walk_context(area: str, meta: dict, walk: dict, **extra) -> dict:
    walk = shown_walk(area, walk)
    props = walk["properties"]
    total = props.get("route_m")
    stops = walks.stop_details(
        ctx.store(),
        area,
        walk,
        today=settings.today(),
        labels=_labels(),
        reader=ctx.current_actor(),
        rules=ctx.note_rules(),
    )
    names = ctx.district_names(area)
    for stop in stops:
        stop["known"] = [fieldnotes.labelled(n, ctx.note_rules(), names) for n in stop["known"]]
    return {
        "area": area,
        "meta": meta,
        "walk": walk,
        "p": props,
        "district_name": names.get(props["district"], props["district"]),
        "stops": stops,
        "total_min": None if total is None else walk_minutes(total, DEFAULT_SPEED_KMH),
        "can_edit": fieldnotes.may_write(ctx.current_actor(), props.get("team")),
        "svg": walk_map_svg(area, walk),
        **extra,
    }


def walk_page(area: str, walk_id: str):
    """A walk: map with route, stops in order with distances, change or propose the order."""
    meta = ctx.area_meta()
    walk = walks.get_walk(ctx.store(), area, walk_id, reader=ctx.current_actor())
    if request.method == "GET":
        return render_template(
            "walks/rundgang.html",
            **_walk_context(area, meta, walk, saved=request.args.get("gespeichert")),
        )
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        raise InvalidInput("Die Fassung fehlt. Bitte laden Sie die Seite neu.") from None
    order = None
    if request.form.get("action") != "vorschlagen":
        count = len(walk["properties"]["stops"])
        try:
            positions = [int(request.form.get(f"pos-{i}", "")) for i in range(count)]
        except ValueError:
            context = _walk_context(area, meta, walk, error="Reihenfolge: bitte Zahlen eingeben.")
            return render_template("walks/rundgang.html", **context), 400
        order = sorted(range(count), key=lambda i: (positions[i], i))
        if sorted(positions) != list(range(1, count + 1)):
            message = f"Reihenfolge: jede Zahl von 1 bis {count} genau einmal."
            context = _walk_context(area, meta, walk, error=message)
            return render_template("walks/rundgang.html", **context), 400
    try:
        walks.reorder_walk(
            ctx.store(), area, walk_id, order, expected_version=version, actor=ctx.current_actor()
        )
    except VersionConflict:
        current = walks.get_walk(ctx.store(), area, walk_id, reader=ctx.current_actor())
        message = (
            "Jemand anderes hat den Rundgang inzwischen geändert. Hier ist die aktuelle "
            "Reihenfolge; Ihre Änderung wurde nicht gespeichert."
        )
        return render_template(
            "walks/rundgang.html", **_walk_context(area, meta, current, error=message)
        ), 409
    return redirect(url_for("pages.walk", area=area, walk_id=walk_id, gespeichert=1), 303)


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def walk_sheet(area: str, walk_id: str):
    """The printable A4 walk sheet: map, numbered stops with checklists, space for notes, QR."""
    meta = ctx.area_meta()
    walk = walks.get_walk(ctx.store(), area, walk_id, reader=ctx.current_actor())
    link = url_for("pages.walk", area=area, walk_id=walk_id, _external=True)
    context = _walk_context(area, meta, walk, qr=_qr_svg(link), link=link)
    # A4 with 10 mm margins: 190 mm wide, at most 110 mm high — the map fills the width
    context["svg"] = walk_map_svg(area, context["walk"], width_px=760, height_px=440)
    return render_template("walks/laufzettel.html", **context)


def walk_findings(area: str, walk_id: str):
    """After the walk: findings per stop in one form; each becomes a note."""
    meta = ctx.area_meta()
    store = ctx.store()
    walk = walks.get_walk(store, area, walk_id, reader=ctx.current_actor())
    categories = [c for c in ctx.note_rules().categories if c.kind != "mailbox"]
    context = _walk_context(
        area, meta, walk, categories=categories, mailbox_statuses=MAILBOX_STATUSES
    )
    if request.method == "GET":
        return render_template("walks/ergebnisse.html", **context, values={})
    count = len(walk["properties"]["stops"])
    findings = [
        {
            "text": request.form.get(f"text-{i}", ""),
            "category": request.form.get(f"category-{i}") or None,
            "mailbox_status": request.form.get(f"mailbox-{i}") or None,
        }
        for i in range(count)
    ]
    try:
        created = walks.record_findings(
            store,
            area,
            walk_id,
            findings,
            actor=ctx.current_actor(),
            rules=ctx.note_rules(),
            today=settings.today(),
        )
    except (InvalidInput, Forbidden) as exc:
        message = (
            "Dafür fehlt Ihnen die Berechtigung." if isinstance(exc, Forbidden) else exc.message
        )
        values = {i: f for i, f in enumerate(findings)}
        return render_template(
            "walks/ergebnisse.html", **context, values=values, error=message
        ), exc.status
    return redirect(
        url_for(
            "pages.notes", area=area, district=walk["properties"]["district"], neu=len(created)
        ),
        303,
    )
