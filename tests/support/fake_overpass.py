"""A fake Overpass API and Nominatim server for tests (no internet).

It serves real OSM data: the elements of an OSM extract, read with pyosmium and
written in the Overpass JSON format (``[out:json]``). Usage::

    with FakeOverpass(Path("extract.osm"), mode="ok") as fake:
        settings = ImportSettings(overpass_url=fake.overpass_url,
                                  nominatim_url=fake.nominatim_url, timeout_s=5)
        ...
        assert "[out:json]" in fake.requests[0]

Endpoints (all on 127.0.0.1, a free port):

- ``POST /api/interpreter`` (query in the form field ``data``; GET ``?data=`` works too):
  the elements whose tags match one of the query's tag filters (``[k]``, ``[k=v]``),
  plus the nodes, ways and ways' nodes they reference (Overpass ``(._;>;)``). Area
  filters (``poly:``, bbox) are not applied; osmnx and the importer clip themselves.
  If the query has no tag filter, every element of the extract is returned.
- ``GET /api/status``: a status text as Overpass sends it.
- ``GET /nominatim/search?q=...&format=json&polygon_geojson=1``: one boundary result
  whose polygon is :data:`PLACE_POLYGON`, or ``[]`` for a name in ``unknown_places``.

Modes (``mode=``) change the answer of the interpreter only: ``"ok"``; ``"busy"``
(HTTP 429); ``"gateway"`` (HTTP 504); ``"error"`` (HTTP 400 with an Overpass HTML
error page); ``"slow"`` (waits ``slow_s`` seconds, then answers; a stop ends the wait);
``"remark"`` (HTTP 200, no elements and a ``remark`` with a runtime error, which is how
Overpass reports a query that hit its ``[timeout:N]`` or memory limit).
As Overpass does, a query whose ``[timeout:N]`` is not a positive integer (``atoi``) gets
HTTP 400 in every mode.

OSM data © OpenStreetMap contributors, ODbL 1.0.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import osmium

MODES = ("ok", "busy", "gateway", "error", "slow", "remark")

#: The place polygon Nominatim answers with: the populated core of the Aplerbeck extract.
PLACE_POLYGON = (7.534, 51.490, 7.561, 51.499)  # west, south, east, north

GENERATOR = "Overpass API 0.7.62.5 1bd436f1"
COPYRIGHT = (
    "The data included in this document is from www.openstreetmap.org. "
    "The data is made available under ODbL."
)
_MEMBER_TYPES = {"n": "node", "w": "way", "r": "relation"}
_STATEMENT = re.compile(r"\b(node|way|relation|nwr|nw|nr|wr)((?:\[[^\]]*\])+)")
_QUOTED = r"""(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([\w:.-]+))"""
_CLAUSE = re.compile(r"\[\s*" + _QUOTED + r"\s*(?:(=)\s*" + _QUOTED + r"\s*)?\]")
_TYPE_LETTERS = {"node": "n", "way": "w", "relation": "r"}
_TIMEOUT = re.compile(r"\[\s*timeout\s*:\s*([^\]]*)\]")

_ERROR_PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
  <meta http-equiv="content-type" content="text/html; charset=utf-8" lang="en"/>
  <title>OSM3S Response</title>
</head>
<body>

<p>{copyright}</p>
<p><strong style="color:#FF0000">Error</strong>: {message} </p>

</body>
</html>
"""
_ERRORS = {
    "busy": (
        HTTPStatus.TOO_MANY_REQUESTS,
        "runtime error: open64: 0 Success /osm3s_osm_base "
        "Dispatcher_Client::request_read_and_idx::rate_limited. "
        "Please check /api/status for the quota of your IP address.",
    ),
    "gateway": (
        HTTPStatus.GATEWAY_TIMEOUT,
        "runtime error: open64: 0 Success /osm3s_osm_base "
        "Dispatcher_Client::request_read_and_idx::timeout. "
        "The server is probably too busy to handle your request.",
    ),
    "error": (
        HTTPStatus.BAD_REQUEST,
        "line 1: parse error: Unknown type &quot;nodee&quot;",
    ),
}


def _unquote(groups: tuple) -> str:
    single, double, bare = groups
    text = single if single is not None else double if double is not None else bare
    return re.sub(r"\\(.)", r"\1", text)


@functools.lru_cache(maxsize=4)
def load_elements(osm_path: str) -> tuple[dict[tuple[str, int], dict], str]:
    """Read every node, way and relation of an OSM file as Overpass JSON elements.

    Returns the elements keyed by ``("n"|"w"|"r", id)`` in Overpass output order
    (nodes, ways, relations; ascending ids) and the data timestamp (or ``""``).
    """
    elements: dict[tuple[str, int], dict] = {}
    newest = 0
    for obj in osmium.FileProcessor(osm_path):
        newest = max(newest, int(obj.timestamp.timestamp()))
        tags = {tag.k: tag.v for tag in obj.tags}
        if obj.is_node():
            if not obj.location.valid():
                continue
            element = {
                "type": "node",
                "id": obj.id,
                "lat": round(obj.location.lat, 7),
                "lon": round(obj.location.lon, 7),
            }
            key = ("n", obj.id)
        elif obj.is_way():
            element = {"type": "way", "id": obj.id, "nodes": [n.ref for n in obj.nodes]}
            key = ("w", obj.id)
        elif obj.is_relation():
            members = [
                {"type": _MEMBER_TYPES[m.type], "ref": m.ref, "role": m.role} for m in obj.members
            ]
            element = {"type": "relation", "id": obj.id, "members": members}
            key = ("r", obj.id)
        else:
            continue
        if tags:
            element["tags"] = tags
        elements[key] = element
    order = {"n": 0, "w": 1, "r": 2}
    ordered = dict(sorted(elements.items(), key=lambda item: (order[item[0][0]], item[0][1])))
    reader = osmium.io.Reader(osm_path, osmium.osm.osm_entity_bits.NOTHING)
    timestamp = reader.header().get("osmosis_replication_timestamp", "")
    reader.close()
    if not timestamp and newest > 0:
        timestamp = datetime.fromtimestamp(newest, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ordered, timestamp


def _valid_timeout(query: str) -> bool:
    """Overpass reads ``[timeout:N]`` with ``atoi``: "60.0" is 60, "0.5" is 0 (an error)."""
    match = _TIMEOUT.search(query)
    if match is None:
        return True
    digits = re.match(r"[+-]?\d+", match.group(1).strip())
    return digits is not None and int(digits.group()) > 0


def parse_filters(query: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The query's statements as ``(type letters, [(key, value or None), ...])``."""
    statements = []
    for kind, clauses in _STATEMENT.findall(query):
        letters = _TYPE_LETTERS.get(kind, kind)  # nwr, nw, nr, wr: letters already
        conditions = []
        for match in _CLAUSE.finditer(clauses):
            key = _unquote(match.group(1, 2, 3))
            value = _unquote(match.group(5, 6, 7)) if match.group(4) else None
            conditions.append((key, value))
        if conditions:
            statements.append((letters, conditions))
    return statements


def select_elements(elements: dict[tuple[str, int], dict], query: str) -> list[dict]:
    """The elements a tag-filtered Overpass query with ``(._;>;)`` would return."""
    statements = parse_filters(query)
    if not statements:
        return list(elements.values())
    selected: set[tuple[str, int]] = set()
    for (letter, osm_id), element in elements.items():
        tags = element.get("tags", {})
        for letters, conditions in statements:
            if letter in letters and all(
                key in tags and (value is None or tags[key] == value) for key, value in conditions
            ):
                selected.add((letter, osm_id))
                break
    # recurse down: relations -> member nodes and ways, ways -> their nodes
    for letter, osm_id in list(selected):
        if letter == "r":
            for member in elements[(letter, osm_id)]["members"]:
                if member["type"] in ("node", "way"):
                    selected.add((member["type"][0], member["ref"]))
    for letter, osm_id in list(selected):
        if letter == "w" and (letter, osm_id) in elements:
            selected.update(("n", ref) for ref in elements[(letter, osm_id)]["nodes"])
    return [element for key, element in elements.items() if key in selected]


def nominatim_result(place: str, polygon=PLACE_POLYGON) -> dict:
    """A Nominatim ``search`` result (``format=json&polygon_geojson=1``) for ``place``."""
    west, south, east, north = polygon
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {
        "place_id": 123456789,
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
        "osm_type": "relation",
        "osm_id": 1234567,
        "lat": f"{(south + north) / 2:.7f}",
        "lon": f"{(west + east) / 2:.7f}",
        "class": "boundary",
        "type": "administrative",
        "place_rank": 18,
        "importance": 0.45,
        "addresstype": "suburb",
        "name": place.split(",")[0].strip(),
        "display_name": f"{place}, Nordrhein-Westfalen, Deutschland",
        "boundingbox": [f"{south:.7f}", f"{north:.7f}", f"{west:.7f}", f"{east:.7f}"],
        "geojson": {"type": "Polygon", "coordinates": [ring]},
    }


class FakeOverpass:
    """Fake Overpass + Nominatim on ``127.0.0.1`` in a background thread.

    Attributes
    ----------
    url : str
        ``http://127.0.0.1:PORT``; ``overpass_url`` and ``nominatim_url`` are the
        endpoints to put into :class:`~sozialraum.settings.ImportSettings`.
    requests : list of str
        The Overpass QL queries the interpreter received (in every mode).
    nominatim_requests : list of dict
        The query parameters of every Nominatim request.
    """

    def __init__(
        self,
        osm_path: str | Path,
        mode: str = "ok",
        *,
        slow_s: float = 3.0,
        unknown_places: tuple[str, ...] = ("Nirgendwo",),
        place_polygon: tuple[float, float, float, float] = PLACE_POLYGON,
    ):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.osm_path = Path(osm_path)
        self.mode = mode
        self.slow_s = slow_s
        self.unknown_places = {name.casefold() for name in unknown_places}
        self.place_polygon = place_polygon
        self.requests: list[str] = []
        self.nominatim_requests: list[dict[str, str]] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake server is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def overpass_url(self) -> str:
        return f"{self.url}/api"

    @property
    def nominatim_url(self) -> str:
        return f"{self.url}/nominatim/"

    def start(self) -> FakeOverpass:
        load_elements(str(self.osm_path))  # parse before serving, fail early
        self._stopping.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # ends the wait of "slow" answers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeOverpass:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- answers -----------------------------------------------------------

    def _record(self, query: str) -> None:
        with self._lock:
            self.requests.append(query)

    def interpreter(self, query: str) -> tuple[int, str, bytes]:
        """Status, content type and body of the interpreter's answer to ``query``."""
        self._record(query)
        status, message = _ERRORS.get(self.mode, (HTTPStatus.OK, ""))
        if not _valid_timeout(query):
            status = HTTPStatus.BAD_REQUEST
            message = (
                "line 1: static error: For the attribute &quot;timeout&quot; of the element "
                "&quot;osm-script&quot; the only allowed values are positive integers."
            )
        if status != HTTPStatus.OK:
            page = _ERROR_PAGE.format(copyright=COPYRIGHT, message=message)
            return status, "text/html; charset=utf-8", page.encode()
        if self.mode == "slow":
            self._stopping.wait(self.slow_s)
        elements, timestamp = load_elements(str(self.osm_path))
        body = {
            "version": 0.6,
            "generator": GENERATOR,
            "osm3s": {"timestamp_osm_base": timestamp, "copyright": COPYRIGHT},
            "elements": select_elements(elements, query),
        }
        if self.mode == "remark":
            timeout = _TIMEOUT.search(query)
            seconds = timeout.group(1).strip() if timeout else "180"
            body["elements"] = []
            body["remark"] = (
                'runtime error: Query timed out in "query" at line 1 after '
                f"{int(float(seconds))} seconds."
            )
        return HTTPStatus.OK, "application/json", json.dumps(body).encode()

    def status(self) -> str:
        return (
            "Connected as: 2130706433\n"
            "Current time: 2026-07-14T15:30:00Z\n"
            "Announced endpoint: none\n"
            "Rate limit: 0\n"
            "2 slots available now.\n"
            "Currently running queries (pid, space limit, time limit, start time):\n"
        )

    def nominatim(self, params: dict[str, str]) -> list[dict]:
        with self._lock:
            self.nominatim_requests.append(params)
        query = params.get("q", "").strip()
        if not query or query.casefold() in self.unknown_places:
            return []
        return [nominatim_result(query, self.place_polygon)]


def _make_handler(fake: FakeOverpass) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "Apache/2.4.62"

        def log_message(self, format, *args):  # quiet during tests
            pass

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def _params(self, text: str) -> dict[str, str]:
            return {key: values[-1] for key, values in parse_qs(text).items()}

        def do_GET(self):
            parts = urlsplit(self.path)
            params = self._params(parts.query)
            if parts.path == "/api/interpreter":
                self._send(*fake.interpreter(params.get("data", "")))
            elif parts.path == "/api/status":
                self._send(HTTPStatus.OK, "text/plain", fake.status().encode())
            elif parts.path in ("/nominatim/search", "/nominatim/search.php"):
                body = json.dumps(fake.nominatim(params)).encode()
                self._send(HTTPStatus.OK, "application/json; charset=utf-8", body)
            else:
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = self._params(self.rfile.read(length).decode("utf-8"))
            if urlsplit(self.path).path == "/api/interpreter":
                self._send(*fake.interpreter(form.get("data", "")))
            else:
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n")

    return Handler
