"""`[mailbox]` benchmark: the batch mailbox check on 100,000 rows, and matching quality.

1. Speed and memory. The real extracts in ``../shared/osm`` are imported into a temporary
   data folder; the area with the most address features is used. From its addresses the
   labelled set of ``tests/support/labelled_addresses.py`` is built (every address with a
   postcode, deterministic seed: as in OSM, Str. abbreviations, lower case with hyphens,
   one-line input, suffix and range forms, missing postcode, typos, wrong city, numbers,
   streets and suffixes that do not exist) and 100,000 rows are drawn from it with
   replacement into ``IN.csv`` (``ref;street;housenumber;postcode;city``, UTF-8). Each
   repeat runs, interleaved, as separate processes:

   - the baseline: a pure pandas script (Python start, ``import pandas``, ``read_csv`` of
     the same rows with two pre-normalised key columns added, left ``merge`` with the
     area's addresses on those keys, ``to_csv``). Normalising the keys of both sides
     (``normalise_street``/``normalise_housenumber``, one-line rows split first) is set-up
     and not timed;
   - ours: ``python -m sozialraum.cli check-addresses IN.csv -o OUT.csv`` (Python start,
     imports, loading the area, matching, assessing, writing);
   - ``python -m sozialraum.cli --help``: the CLI's interpreter start and top-level
     imports alone (a lower bound: the check imports more modules on top).

   Printed: median wall times, their ratio to the baseline (target for the check <= 3),
   and each process's peak memory (``ru_maxrss`` of that one child from ``os.wait4``).
   The pandas steps are also timed in this process, without start-up, for reference. The
   CLI's output is checked against the labelled truth of every row.
2. Quality. The labelled set is matched on Neuss and Dreieich exactly as
   ``tests/analysis/test_matching.py`` does (seed 5, 40 addresses each): share of correct
   results (target >= 99 %) and wrong confident matches (target 0). Then the same cases
   are written as whole files in each list layout of ``LAYOUTS`` there (running numbers,
   customer numbers, names, birth dates, combined columns, one address column, cp1252 and
   UTF-8, ``;`` and ``,``) and read back with the columns detected from the file alone:
   per layout whether the columns were found, the share correct and the wrong confident
   matches; the baseline is the column rule before ``sozialraum.services.columns`` (first column
   named like a part, by name only) on the same file.

Nothing here is a test; there are no time limits. Called from
``benchmarks/run.py --only mailbox``.
"""

from __future__ import annotations

import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from common import SHARED_OSM

ROWS = 100_000
SEED = 2026
COLUMNS = ("ref", "street", "housenumber", "postcode", "city")
QUALITY_AREAS = ("neuss-innenstadt", "dreieich-dreieichenhain")

_PANDAS = """
import sys
import pandas as pd
rows = pd.read_csv(sys.argv[1], sep=";", dtype=str, keep_default_na=False)
addresses = pd.read_csv(sys.argv[2], sep=";", dtype=str, keep_default_na=False)
out = rows.merge(addresses, how="left", on=["street_key", "number_key"])
out.to_csv(sys.argv[3], sep=";", index=False)
"""


# -- set-up --------------------------------------------------------------------------
def _import_largest(data_dir: Path) -> tuple[str, list[dict]]:
    """Import every real extract; the name and addresses of the one with the most."""
    from sozialraum.osm.importer import import_area
    from sozialraum.store import GeoJSONStore

    store = GeoJSONStore(data_dir)
    counts = {}
    for path in sorted(SHARED_OSM.glob("*.osm")):
        import_area(store, path.stem, osm_file=path)
        counts[path.stem] = len(store.query(path.stem, "addresses"))
    name = max(counts, key=counts.get)
    return name, store.query(name, "addresses")


def _cells(parts: tuple) -> list[str]:
    """street, housenumber, postcode, city of a case (a one-line address goes in street)."""
    return [part or "" for part in (*parts, "", "", "")[:4]]


def _draw_rows(addresses: list[dict]) -> tuple[list[list[str]], list[tuple]]:
    """ROWS input rows drawn with replacement from the labelled set, and their cases."""
    from support.labelled_addresses import labelled_set

    usable = sum(1 for a in addresses if a["properties"].get("postcode"))
    cases = labelled_set(addresses, seed=SEED, count=usable)
    picks = random.Random(SEED).choices(cases, k=ROWS)
    rows = [[f"R{i:06d}", *_cells(case[1])] for i, case in enumerate(picks)]
    return rows, picks


def _write_csv(path: Path, header, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _keys(street: str, number: str) -> list[str]:
    """Pre-normalised (street, number) keys; a one-line address is split first."""
    from sozialraum.analysis.matching import parse_line
    from sozialraum.model.addresses import normalise_housenumber, normalise_street

    if street and not number:
        street, number, _, _ = parse_line(street)
    return [normalise_street(street), normalise_housenumber(number)]


def _write_baseline_inputs(folder: Path, rows, addresses) -> None:
    """The rows with their key columns, and the area's addresses by key (deduplicated)."""
    keyed = folder / "in-keys.csv"
    _write_csv(keyed, [*COLUMNS, "street_key", "number_key"],
               [[*row, *_keys(row[1], row[2])] for row in rows])  # fmt: skip
    table: dict[tuple, list[str]] = {}
    for a in addresses:
        p = a["properties"]
        key = tuple(_keys(p["street"], p["housenumber"]))
        table.setdefault(key, [*key, p["street"], p["housenumber"], p.get("postcode") or ""])
    by_key = folder / "addresses-keys.csv"
    _write_csv(by_key, ["street_key", "number_key", "matched_street", "matched_housenumber",
                        "matched_postcode"], table.values())  # fmt: skip


# -- measuring -----------------------------------------------------------------------
def _run_child(argv: list[str], env: dict) -> tuple[float, float]:
    """Run ``argv``; (wall seconds, peak RSS in MiB of that one child)."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            err.seek(0)
            raise SystemExit(f"{argv[:4]} failed:\n{err.read().decode(errors='replace')}")
    return seconds, usage.ru_maxrss / 1024  # KiB on Linux


def _pandas_in_process(keyed: Path, by_key: Path, out: Path) -> float:
    import pandas as pd

    started = time.perf_counter()
    rows = pd.read_csv(keyed, sep=";", dtype=str, keep_default_na=False)
    addresses = pd.read_csv(by_key, sep=";", dtype=str, keep_default_na=False)
    merged = rows.merge(addresses, how="left", on=["street_key", "number_key"])
    merged.to_csv(out, sep=";", index=False)
    seconds = time.perf_counter() - started
    if len(merged) != ROWS:
        raise SystemExit(f"pandas merge gave {len(merged)} rows, expected {ROWS}")
    return seconds


def _check_output(path: Path, picks: list[tuple]) -> tuple[int, int, Counter]:
    """(correct rows, wrong confident rows, rows per match kind) of the CLI's output."""
    from support.labelled_addresses import judge, truth_key

    with path.open(encoding="utf-8-sig", newline="") as fh:
        out = list(csv.DictReader(fh, delimiter=";"))
    if len(out) != len(picks):
        raise SystemExit(f"check-addresses wrote {len(out)} rows, expected {len(picks)}")
    correct = wrong = 0
    kinds: Counter = Counter()
    for row, (_, _, allowed, truth) in zip(out, picks, strict=True):
        matched = {k: row[f"matched_{k}"] for k in ("street", "housenumber", "postcode")}
        got = truth_key(matched) if matched["street"] else None
        ok, confidently_wrong = judge(row["match_kind"], got, allowed, truth)
        correct += ok
        wrong += confidently_wrong
        kinds[row["match_kind"]] += 1
    return correct, wrong, kinds


# -- report --------------------------------------------------------------------------
def _line(label: str, seconds: float, baseline: float, peak: float, note: str = "") -> None:
    print(
        f"  {label:<58} {seconds:7.2f} s   ratio {seconds / baseline:5.2f}  "
        f"peak {peak:5.0f} MiB  {note}".rstrip()
    )


@dataclass
class _Inputs:
    """Everything the timed runs need, written into one temporary folder."""

    folder: Path
    area: str
    addresses: int
    rows: list[list[str]]
    picks: list[tuple]
    size_mb: float
    seconds: float

    def commands(self) -> dict[str, list[str]]:
        """The three child processes of one repeat: pandas baseline, the check, start-up."""
        f, python = self.folder, sys.executable
        return {
            "pandas": [python, "-c", _PANDAS, str(f / "in-keys.csv"),
                       str(f / "addresses-keys.csv"), str(f / "pandas-out.csv")],
            "check": [python, "-m", "sozialraum.cli", "check-addresses", str(f / "in.csv"),
                      "-o", str(f / "out.csv"), "--area", self.area, "--data-dir",
                      str(f / "data")],
            "help": [python, "-m", "sozialraum.cli", "--help"],
        }  # fmt: skip


def _prepare(folder: Path) -> _Inputs:
    """Import the extracts, draw the rows, write the CLI's and the baseline's inputs."""
    started = time.perf_counter()
    area, addresses = _import_largest(folder / "data")
    rows, picks = _draw_rows(addresses)
    _write_csv(folder / "in.csv", COLUMNS, rows)
    _write_baseline_inputs(folder, rows, addresses)
    (folder / "instance").mkdir()
    size_mb = (folder / "in.csv").stat().st_size / 1e6
    seconds = time.perf_counter() - started
    return _Inputs(folder, area, len(addresses), rows, picks, size_mb, seconds)


def _measure(inputs: _Inputs, repeat: int) -> dict[str, list[tuple[float, float]]]:
    """(wall s, peak MiB) of every child process, ``repeat`` interleaved rounds."""
    env = {**os.environ, "SOZIALRAUM_INSTANCE_PATH": str(inputs.folder / "instance")}
    env.pop("SOZIALRAUM_DATA_DIR", None)
    commands = inputs.commands()
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeat):  # interleaved: the machine's noise hits all three alike
        for name, argv in commands.items():
            runs[name].append(_run_child(argv, env))
    return runs


def _report_speed(inputs: _Inputs, runs, in_process: float, checked, repeat: int) -> None:
    wall = {name: statistics.median(s for s, _ in values) for name, values in runs.items()}
    peak = {name: max(m for _, m in values) for name, values in runs.items()}
    distinct = len({tuple(row[1:]) for row in inputs.rows})
    print(
        f"\n[mailbox] check-addresses, {ROWS:,} rows against {inputs.area} "
        f"({inputs.addresses:,} addresses, the most of the real extracts)"
    )
    print(
        f"  input: {inputs.size_mb:.1f} MB CSV, {distinct:,} distinct rows drawn with "
        f"replacement from the labelled set; set-up {inputs.seconds:.1f} s (not timed)\n"
        f"  separate processes, interleaved, median of {repeat}; peak = max RSS of the process"
    )
    base = wall["pandas"]
    _line("pandas: start+import, read_csv, merge, to_csv (baseline)",
          base, base, peak["pandas"])  # fmt: skip
    _line("sozialraum check-addresses CLI (start to written CSV)",
          wall["check"], base, peak["check"], "target <= 3")  # fmt: skip
    _line("  part of it: CLI start + top-level imports (--help)",
          wall["help"], base, peak["help"])  # fmt: skip
    label = "pandas read_csv+merge+to_csv in-process, no start-up"
    print(f"  {label:<58} {in_process:7.2f} s")
    correct, wrong, kinds = checked
    shown = ", ".join(f"{kind} {count:,}" for kind, count in kinds.most_common())
    print(
        f"  CLI output vs labelled truth: correct {correct:,} of {ROWS:,} "
        f"({correct / ROWS:.2%}), wrong confident {wrong}; {shown}"
    )


def _bench_speed(repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sozialraum-mailbox-bench-") as tmp:
        folder = Path(tmp)
        inputs = _prepare(folder)
        runs = _measure(inputs, repeat)
        in_process = statistics.median(
            _pandas_in_process(folder / "in-keys.csv", folder / "addresses-keys.csv",
                               folder / "pandas-in-process.csv")
            for _ in range(repeat)
        )  # fmt: skip
        checked = _check_output(folder / "out.csv", inputs.picks)
    _report_speed(inputs, runs, in_process, checked, repeat)


def _bench_quality() -> None:
    from support.labelled_addresses import judge, labelled_set, run_case, truth_key

    from sozialraum.analysis.matching import AddressMatcher
    from sozialraum.osm.importer import import_area
    from sozialraum.store import GeoJSONStore

    print("  labelled set as in tests/analysis/test_matching.py (seed 5, 40 addresses per area)")
    print(f"  {'area':<26} {'cases':>6} {'correct':>8} {'share':>8} {'wrong confident':>16}")
    for name in QUALITY_AREAS:
        with tempfile.TemporaryDirectory() as folder:
            store = GeoJSONStore(Path(folder))
            import_area(store, "a", osm_file=SHARED_OSM / f"{name}.osm")
            addresses = store.query("a", "addresses")
        matcher, cases = AddressMatcher(addresses), labelled_set(addresses, seed=5, count=40)
        correct = wrong = 0
        for _, parts, allowed, truth in cases:
            result = run_case(matcher, parts)
            got = truth_key(result.feature["properties"]) if result.feature else None
            ok, confidently_wrong = judge(result.kind, got, allowed, truth)
            correct += ok
            wrong += confidently_wrong
        print(
            f"  {name:<26} {len(cases):>6} {correct:>8} {correct / len(cases):>8.1%} "
            f"{wrong:>16}   target >= 99 %, 0"
        )
        print(f"    {'the same cases as a list layout (target >= 99 %, 0 wrong)':<62} "
              f"{'rows':>5} {'columns':>7} {'share':>7} {'wrong':>6}")  # fmt: skip
        _bench_layouts(matcher, cases)


#: The column rule before sozialraum.services.columns (the baseline of the layout figures): the
#: first column whose folded name is one of these, by name only.
_OLD_ALIASES = {
    "street": {"street", "strasse", "str", "strassenname"},
    "housenumber": {"housenumber", "hausnummer", "hnr", "nr", "hausnr", "number"},
    "postcode": {"postcode", "plz", "postleitzahl", "zip"},
    "city": {"city", "ort", "stadt", "wohnort", "gemeinde"},
    "address": {"address", "adresse", "anschrift", "addresse"},
}


def _old_rule(matcher, data: bytes, kept: list[tuple]) -> tuple[int, int] | None:
    """(correct, wrong confident) of a layout file read with the old column rule, or
    ``None`` when that rule refused the file."""
    from support.labelled_addresses import judge, truth_key

    from sozialraum.services.columns import column_key
    from sozialraum.services.uploads import read_table

    table = read_table(data)
    keys = [column_key(h) for h in table.header]
    columns = {
        role: next(i for i, k in enumerate(keys) if k in aliases)
        for role, aliases in _OLD_ALIASES.items()
        if any(k in aliases for k in keys)
    }
    if "street" not in columns and "address" not in columns:
        return None
    correct = wrong = 0
    for row, (_, _, allowed, truth) in zip(table.rows, kept, strict=True):

        def cell(role, row=row):
            i = columns.get(role)
            return row[i] if i is not None and i < len(row) else ""

        if "street" in columns:
            result = matcher.match(cell("street"), cell("housenumber"), cell("postcode"),
                                   cell("city"))  # fmt: skip
        else:
            result = matcher.match_line(cell("address"))
        got = truth_key(result.feature["properties"]) if result.feature else None
        ok, confidently_wrong = judge(result.kind, got, allowed, truth)
        correct += ok
        wrong += confidently_wrong
    return correct, wrong


def _bench_layouts(matcher, cases) -> None:
    """Per list layout of tests/support/labelled_addresses.py: columns found from the file
    alone, share correct, wrong confident matches; the old column rule as the baseline."""
    from support.labelled_addresses import LAYOUTS, layout_file, layout_quality

    for layout in LAYOUTS:
        table, rows, correct, wrong, _ = layout_quality(matcher, cases, layout)
        found = "yes" if table.mapping.names() == LAYOUTS[layout][3] else "NO"
        data, kept = layout_file(cases, layout, seed=7)
        old = _old_rule(matcher, data, kept)
        before = "refused" if old is None else f"{old[0] / rows:.1%}, {old[1]} wrong"
        print(
            f"    {layout[:62]:<62} {rows:>5} {found:>7} {correct / rows:>7.1%} {wrong:>6}"
            f"   old rule: {before}"
        )


def bench_mailbox(repeat: int) -> None:
    """Speed and peak memory of the mailbox check against pandas; matching quality."""
    overall = time.perf_counter()
    _bench_speed(repeat)
    _bench_quality()
    print(f"  [mailbox] total {time.perf_counter() - overall:.0f} s")
