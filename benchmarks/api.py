"""`[api]` benchmark (issue 27): what the typed API models cost and how much code they are.

Called from ``benchmarks/run.py --only api`` after the ``[notes]`` run (note create and
update through the HTTP API against a GET in the same run, median and p95). Measured here,
in-process and without a server:

- one validation of a note body by the pydantic model (:func:`sozialraum.web.schemas.validate`)
  against the strict JSON reading of the same body (:func:`sozialraum.web._json.strict_loads`)
  that every body has gone through before;
- generating the OpenAPI document from the route table and the models (done once per process);
- lines of the web layer (``sozialraum/web/**/*.py``) and of its API description (models,
  generator).

Nothing here is a test; there are no time limits.
"""

from __future__ import annotations

import json
import statistics
import time

from common import ROOT

BODY = {
    "address_id": "a1",
    "category": "beobachtung",
    "text": "API-Notiz: Spielplatz am Nachmittag gut besucht, Bank beschädigt.",
    "observed_on": "2026-11-30",
}


def _median_us(fn, rounds: int = 2000, repeat: int = 5) -> float:
    medians = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(rounds):
            fn()
        medians.append((time.perf_counter() - started) / rounds * 1e6)
    return statistics.median(medians)


def _lines(paths) -> int:
    return sum(len(p.read_text(encoding="utf-8").splitlines()) for p in paths)


def bench_api() -> None:
    from sozialraum.web._json import strict_loads
    from sozialraum.web.notes.schemas import NoteInput
    from sozialraum.web.openapi import openapi_document
    from sozialraum.web.schemas import validate

    raw = json.dumps(BODY, ensure_ascii=False).encode("utf-8")
    parsed = strict_loads(raw)
    loads_us = _median_us(lambda: strict_loads(raw))
    model_us = _median_us(lambda: validate(NoteInput, parsed))
    dump_us = _median_us(lambda: validate(NoteInput, parsed).model_dump(exclude_unset=True))
    started = time.perf_counter()
    openapi_document.cache_clear()
    document = openapi_document()
    document_s = time.perf_counter() - started
    web = sorted((ROOT / "sozialraum" / "web").rglob("*.py"))
    described = [p for p in web if p.name in ("schemas.py", "openapi.py")]
    print("\n[api] typed API models (pydantic) on the notes create body, in-process")
    print(f"  {'strict JSON reading of the body (baseline)':<52} {loads_us:8.1f} µs   ratio  1.00")
    print(
        f"  {'NoteInput validation (pydantic, strict)':<52} {model_us:8.1f} µs   ratio "
        f"{model_us / loads_us:5.2f}"
    )
    print(
        f"  {'validation + model_dump for the service':<52} {dump_us:8.1f} µs   ratio "
        f"{dump_us / loads_us:5.2f}"
    )
    operations = sum(len(item) for item in document["paths"].values())
    print(
        f"  OpenAPI document generated in {document_s * 1000:.0f} ms (once per process): "
        f"{operations} operations, {len(document['components']['schemas'])} schemas"
    )
    print(
        f"  web layer: {_lines(web):,} lines in {len(web)} files; of them the API description "
        f"(models and generator: {len(described)} files) {_lines(described):,} lines"
    )
