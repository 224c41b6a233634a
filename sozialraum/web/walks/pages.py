"""Walk pages (Sozialraumerkundung): plan, order, print the A4 walk sheet, record findings.

Forms post plain fields; planning, ordering and the findings go through
:mod:`sozialraum.services.walks` (German messages, data-protection guard, team rights).
"""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user

from sozialraum import settings
from sozialraum.analysis.reachability import AnalysisUnavailable
from sozialraum.analysis.route import MAX_STOPS
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
from sozialraum.web.basemap.tiles import basemap_options, print_ground
from sozialraum.web.walks import category_labels, shown_walk

MAX_LINES = 40


def _labels() -> dict[str, str]:
    return category_labels()


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


def _typed_places(area: str, text: str) -> list[dict]:
    """One address or place name per line → stops; unclear lines are an error naming them."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_LINES:
        raise InvalidInput(f"Höchstens {MAX_LINES} Adressen.")
    return [walks.resolve_start(ctx.store(), area, line[:200], labels=_labels()) for line in lines]


def _value_pick(value: str) -> dict:
    """A form value ``kind:ref`` (or ``point:lon,lat,label`` from a click on the map)."""
    kind, _, ref = value.partition(":")
    if kind != "point":
        return {"kind": kind, "ref": ref}
    lon, _, rest = ref.partition(",")
    lat, _, label = rest.partition(",")
    try:
        return {"kind": "point", "lon": float(lon), "lat": float(lat), "label": label}
    except ValueError:
        raise InvalidInput("Ein Punkt auf der Karte ist fehlerhaft übermittelt worden.") from None


def _stop_value(stop: dict) -> str:
    if stop["kind"] == "point":
        return f"point:{stop['lon']:.6f},{stop['lat']:.6f},{stop.get('label') or ''}"
    return f"{stop['kind']}:{stop['ref']}"


def _form_picks(area: str) -> tuple[list[dict], bool]:
    """The stops a planner form sent, in order, and whether the app should order them.

    The start field (an address, a resource or a stop name, or the suggestion chosen in it),
    the typed addresses, then every checked stop in the form's order. Without JavaScript a new
    walk is ordered by the app (as before); the planner script and the edit form send
    ``reihenfolge=fest``; the button "Reihenfolge vorschlagen" always orders.
    """
    picks = []
    chosen = request.form.get("start_value", "")
    start = request.form.get("start", "").strip()
    if chosen:
        picks.append(_value_pick(chosen))
    elif start:
        picks.append(walks.resolve_start(ctx.store(), area, start[:200], labels=_labels()))
    picks += _typed_places(area, request.form.get("addresses", ""))
    picks += [_value_pick(v) for v in request.form.getlist("stop")]
    propose = (
        request.form.get("action") == "vorschlagen" or request.form.get("reihenfolge") != "fest"
    )
    return picks, propose


def _planner_data(area: str, meta: dict, district: str, notes: list, stops: list) -> dict:
    """What the planner script draws: places, addresses, notes, district, current stops."""
    store = ctx.store()
    places = walks.planner_places(store, area, district, labels=_labels())
    outline = next(
        (d["geometry"] for d in store.query(area, "districts") if d["id"] == district), None
    )
    return {
        "places": places["resources"],
        "addresses": places["addresses"],
        "notes": [
            {
                "value": f"note:{n['id']}",
                "label": n["properties"]["category_label"],
                "text": (n["properties"].get("text") or "")[:120],
                "address": n["properties"].get("address_label"),
                "lon": n["geometry"]["coordinates"][0],
                "lat": n["geometry"]["coordinates"][1],
            }
            for n in notes
        ],
        "stops": stops,
        "district": outline,
        "bbox": meta.get("bbox"),
        "basemap": basemap_options(area, meta.get("bbox") or [0, 0, 0, 0]),
        "tiles": current_app.config.get("TILE_URL") or "",
        "attribution": current_app.config.get("TILE_ATTRIBUTION") or "",
        "route_url": url_for("api.walk_planner_route", area=area),
        "places_url": url_for("api.walk_planner_places", area=area),
    }


def _chosen_stops(area: str, values: list[str]) -> list[dict]:
    """The stops a form had chosen, for showing them again (unknown ones left out)."""
    picks = []
    for value in values:
        try:
            picks.append(_value_pick(value))
        except InvalidInput:
            continue
    shown = []
    for pick in picks:
        try:
            stop = walks.resolve_stops(
                ctx.store(),
                area,
                [pick],
                reader=ctx.current_actor(),
                rules=ctx.note_rules(),
                today=settings.today(),
            )[0]
        except InvalidInput:
            continue
        shown.append(stop)
    return shown


def _planner_stops(stops: list[dict]) -> list[dict]:
    labels = _labels()
    out = []
    for stop in walks.merge_stops(stops):
        categories = stop.get("categories") or []
        out.append(
            {
                "value": _stop_value(stop),
                "kind": stop["kind"],
                "label": stop["label"],
                "what": labels.get(categories[0], categories[0]) if categories else "",
                "lon": stop["lon"],
                "lat": stop["lat"],
            }
        )
    return out


def _planning_context(
    area: str, meta: dict, district: str, form: dict, stops: list[dict], **extra
) -> dict:
    store = ctx.store()
    notes = fieldnotes.list_notes(
        store,
        area,
        today=settings.today(),
        district=district,
        reader=ctx.current_actor(),
        rules=ctx.note_rules(),
    )
    notes = [fieldnotes.labelled(n, ctx.note_rules(), {}) for n in notes]
    shown = _planner_stops(stops)
    data = _planner_data(area, meta, district, notes, shown)
    _tell_apart(store, area, data["places"])
    groups: dict[str, list[dict]] = {}
    for place in data["places"]:
        groups.setdefault(place["what"] or "Orte", []).append(place)
    return {
        "area": area,
        "meta": meta,
        "district": district,
        "district_name": ctx.district_names(area).get(district, district),
        "groups": groups,
        "notes": notes,
        "form": form,
        "stops": shown,
        "chosen": {s["value"] for s in shown},
        "planner": data,
        "today": settings.today().isoformat(),
        "max_stops": MAX_STOPS,
        **extra,
    }


def _tell_apart(store, area: str, places: list[dict]) -> None:
    """Give places that share a name a ``hint`` that tells them apart in the planner's lists.

    Places of the same name within 50 m are one place already (``merge_resources``); those
    left are farther apart and would look like duplicates. The hint is the place's address,
    else its nearest address ("nächste Adresse: Markt 3 (ca. 40 m)", straight line, EPSG:25832;
    see :func:`sozialraum.services.walks.stop_place`).
    """
    names: dict[str, int] = {}
    for place in places:
        names[place["label"]] = names.get(place["label"], 0) + 1
    points = None
    for place in places:
        if names[place["label"]] < 2:
            continue
        if place.get("address"):
            place["hint"] = place["address"]
            continue
        points = points if points is not None else services.address_points(store, area)
        stop = {"kind": "point", "label": place["label"], "lon": place["lon"], "lat": place["lat"]}
        place["hint"] = walks.stop_place(store, area, stop, {}, points)[1]


def new_walk(area: str):
    """Plan a walk for a district on its map: details, start, stops; order by hand or app."""
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
                area, meta, district, {}, [], blocked=blocked, no_team=not teams.get(district)
            ),
        )
    form = {k: request.form.get(k, "") for k in ("title", "walk_on", "purpose", "participants")}
    form["district"] = district
    try:
        picks, propose = _form_picks(area)
        walk = walks.create_walk(
            ctx.store(),
            area,
            form,
            picks,
            actor=ctx.current_actor(),
            rules=ctx.note_rules(),
            today=settings.today(),
            propose=propose,
        )
    except (InvalidInput, Forbidden) as exc:
        message = (blocked or exc.message) if isinstance(exc, Forbidden) else exc.message
        stops = _chosen_stops(area, request.form.getlist("stop"))
        context = _planning_context(
            area, meta, district, form, stops, error=message, blocked=blocked,
            no_team=not teams.get(district),
        )  # fmt: skip
        return render_template("walks/rundgang_neu.html", **context), exc.status
    return redirect(url_for("pages.walk", area=area, walk_id=walk["id"]), 303)


def walk_stops(area: str, walk_id: str):
    """Change a walk's stops on the planner (map and list); details and findings stay."""
    meta = ctx.area_meta()
    store = ctx.store()
    walk = shown_walk(area, walks.get_walk(store, area, walk_id, reader=ctx.current_actor()))
    props = walk["properties"]
    form = {k: props.get(k) for k in ("title", "walk_on", "purpose", "participants")}
    stops = [s for s in props["stops"] if s["kind"] != "note" or s.get("ref")]
    extra = {"walk": walk, "version": props["version"]}
    if request.method == "GET":
        context = _planning_context(area, meta, props["district"], form, stops, **extra)
        return render_template("walks/rundgang_neu.html", **context)
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        raise InvalidInput("Die Fassung fehlt. Bitte laden Sie die Seite neu.") from None
    try:
        picks, propose = _form_picks(area)
        walks.replace_stops(
            store,
            area,
            walk_id,
            picks,
            expected_version=version,
            actor=ctx.current_actor(),
            rules=ctx.note_rules(),
            today=settings.today(),
            propose=propose,
        )
    except (InvalidInput, Forbidden, VersionConflict) as exc:
        message = {
            Forbidden: "Dafür fehlt Ihnen die Berechtigung.",
            VersionConflict: "Jemand anderes hat den Rundgang inzwischen geändert. Hier sind "
            "die aktuellen Stationen; Ihre Änderung wurde nicht gespeichert.",
        }.get(type(exc), exc.message)
        if isinstance(exc, VersionConflict):
            walk = shown_walk(area, walks.get_walk(store, area, walk_id))
            shown = walk["properties"]["stops"]
            extra["version"] = walk["properties"]["version"]
        else:
            shown = _chosen_stops(area, request.form.getlist("stop"))
        context = _planning_context(
            area, meta, props["district"], form, shown, error=message, **extra
        )
        return render_template("walks/rundgang_neu.html", **context), exc.status
    return redirect(url_for("pages.walk", area=area, walk_id=walk_id, gespeichert=1), 303)


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
        "basemap": basemap_options(area, meta["bbox"]),  # the Leaflet map (offline use)
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
    # the QR code opens the stop list for entering the results after the walk
    link = url_for("pages.walk_findings", area=area, walk_id=walk_id, _external=True)
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
