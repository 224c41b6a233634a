"""Every interactive map page shows the area's own basemap in headless Chromium (issue 20):
area, district, search (with the "place a note" map), profile, coverage and the review
queue; at desktop (1280x800) and phone (390x844) size. The map region is not a flat
background (share of pixels that differ from the basemap's background and Leaflet's grey),
every tile comes from our own /tiles/ endpoint, no request leaves 127.0.0.1, no page error.
Without an archive the same pages show the German notice and no error."""

from __future__ import annotations

from io import BytesIO

import pytest
from support.browser import log_in
from support.pixels import BACKGROUND, LEAFLET_GREY, SCREENSHOTS, share_near

from sozialraum.demo.area import DEMO_AREA
from sozialraum.osm.import_basemap import basemap_path

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}


def _pages(demo_store) -> dict[str, tuple[str, str]]:
    """Page name -> (path, CSS selector of the map's box; every map is part of its page)."""
    district = demo_store.query(DEMO_AREA, "districts")[0]["id"]
    base = f"/gebiete/{DEMO_AREA}"
    return {
        "area": (f"{base}/", "#karte"),
        "district": (f"{base}/bezirke/{district}/", "#karte"),
        "search": (f"{base}/suche", "#karte"),
        "note-placing": (f"{base}/?notiz=1", "#karte"),
        "profile": (f"{base}/profil", "#karte.profile-map"),
        "coverage": (f"{base}/abdeckung", "#karte"),
        "review": (f"{base}/pruefung", "#review-map"),
    }


def _map_context(page, selector: str):
    """The frame that holds the Leaflet map (the page's own), and the map element's locator."""
    return page.main_frame, page.locator(selector)


#: "ready": the basemap layer's visible tiles are all drawn (Leaflet marks a tile
#: ``leaflet-tile-loaded`` when protomaps-leaflet has painted it) and no zoom is running
BASEMAP_STATE = """() => { const c = document.querySelector('.leaflet-container');
    if (!c) return null;
    const tiles = c.querySelectorAll('.leaflet-tile-pane .leaflet-tile');
    const done = c.querySelectorAll('.leaflet-tile-pane .leaflet-tile-loaded');
    if (c.querySelector('.leaflet-zoom-anim')) return 'zooming';
    return tiles.length > 0 && tiles.length === done.length ? 'ready'
        : (c.getAttribute('data-basemap') || 'none') + ' ' + done.length + '/' + tiles.length; }"""


#: hide our own layers and controls (CSSOM, allowed by the CSP) so only the basemap is measured
HIDE_OUR_LAYERS = (
    "() => { document.querySelectorAll('.leaflet-overlay-pane, .leaflet-marker-pane, "
    ".leaflet-shadow-pane, .leaflet-tooltip-pane, .leaflet-popup-pane, "
    ".leaflet-control-container').forEach(e => { e.style.visibility = 'hidden'; }); }"
)


def _wait_ready(frame, timeout_ms: int = 20_000) -> str:
    """Poll (no string evaluation: the CSP forbids it) until the basemap is drawn."""
    state = None
    for _ in range(timeout_ms // 50):
        state = frame.evaluate(BASEMAP_STATE)
        if state == "ready":
            break
        frame.page.wait_for_timeout(50)
    return state


def _map_pixels(page, locator, name: str):
    import numpy as np
    from PIL import Image

    box = locator.bounding_box()
    clip = {
        "x": box["x"] + 50,
        "y": box["y"] + 80,
        "width": max(50, box["width"] - 100),
        "height": max(50, box["height"] - 120),
    }
    shot = page.screenshot(clip=clip)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"basemap-page-{name}.png").write_bytes(shot)
    return np.asarray(Image.open(BytesIO(shot)).convert("RGB"))


@pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_every_map_page_shows_the_basemap(open_session, live_server, demo_store, viewport):
    s = open_session(viewport=VIEWPORTS[viewport])
    log_in(s.page, live_server)
    tile_statuses: list[tuple[int, str]] = []
    s.context.on(
        "response",
        lambda r: tile_statuses.append((r.status, r.url)) if "/tiles/" in r.url else None,
    )
    for name, (path, selector) in _pages(demo_store).items():
        s.page.goto(f"{live_server}{path}")
        s.page.wait_for_selector(selector)
        frame, locator = _map_context(s.page, selector)
        state = _wait_ready(frame)
        assert state == "ready", f"{name}: basemap not drawn ({state})"
        s.page.wait_for_timeout(300)  # labels may redraw a neighbouring tile once
        locator.scroll_into_view_if_needed()
        frame.evaluate(HIDE_OUR_LAYERS)  # measure the basemap alone, not our markers
        pixels = _map_pixels(s.page, locator, f"{name}-{viewport}")
        drawn = 1 - share_near(pixels, BACKGROUND, 12) - share_near(pixels, LEAFLET_GREY, 6)
        print(f"{name} {viewport}: {drawn:.1%} of the map region drawn")
        assert drawn > 0.05, f"{name}: map region nearly flat ({drawn:.1%} drawn)"
        assert frame.locator(".sozialraum-basemap-notice").count() == 0, name
    tiles = [u for _, u in tile_statuses]
    assert tiles and all(f"/tiles/{DEMO_AREA}/" in u for u in tiles)
    assert all(status in (200, 304) for status, _ in tile_statuses), tile_statuses
    s.check()


def test_without_an_archive_maps_show_the_notice(open_session, live_server, demo_store):
    basemap_path(demo_store, DEMO_AREA).unlink()
    s = open_session(viewport=VIEWPORTS["desktop"])
    log_in(s.page, live_server)
    for name, (path, selector) in _pages(demo_store).items():
        response = s.page.goto(f"{live_server}{path}")
        assert response.status == 200, name
        s.page.wait_for_selector(selector)
        s.page.wait_for_selector(".sozialraum-basemap-notice")
        root = s.page
        text = root.locator(".sozialraum-basemap-notice").inner_text()
        assert text.startswith("Grundkarte nicht verfügbar"), name
        assert root.locator(".sozialraum-basemap-notice").is_visible(), name
    s.check()
