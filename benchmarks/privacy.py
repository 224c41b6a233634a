"""`[privacy]` benchmark (issue 18): how well and how fast the data-protection guard sorts
note texts.

Quality on the labelled set ``tests/model/privacy_labelled.toml`` (client-data texts in many
spellings vs. ordinary notes about places): recall (client texts refused) and false-refusal
rate (place notes refused), for the current rules and for the rule set before issue 18
(``benchmarks/privacy_rules_before.toml``), with the texts each one gets wrong counted.

Speed, medians of ``repeat`` runs in the same process, as ratios against the baseline (the
old rule set on the same texts): the labelled set as it is (short notes), and notes of the
maximum length (2,000 characters, place texts joined), and repetitive hostile inputs of
that length ("+1 +1 …", "Herr Herr …"), which would show a pattern that backtracks badly.
Called from ``benchmarks/run.py --only privacy``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from common import ROOT, median_time, row

LABELLED = ROOT / "tests" / "model" / "privacy_labelled.toml"
BEFORE = Path(__file__).with_name("privacy_rules_before.toml")
MAX_CHARS = 2000


def _long_texts(place: list[str], count: int) -> list[str]:
    texts, start = [], 0
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < MAX_CHARS:
            parts.append(place[start % len(place)])
            start += 1
        texts.append(" ".join(parts)[:MAX_CHARS])
    return texts


def bench_privacy(repeat: int) -> None:
    from sozialraum.model.privacy import load_privacy_guard

    data = tomllib.loads(LABELLED.read_text(encoding="utf-8"))
    client, place = data["client"], data["place"]
    guards = {"old rules": load_privacy_guard(base_file=BEFORE), "new rules": load_privacy_guard()}
    print(f"[privacy] labelled set: {len(client)} client-data texts, {len(place)} place notes")
    for name, guard in guards.items():
        missed = sum(1 for t in client if not guard.findings(t))
        refused = sum(1 for t in place if guard.findings(t))
        print(
            f"  {name:<10} recall {1 - missed / len(client):7.1%} ({missed} missed)   "
            f"false refusals {refused / len(place):6.1%} ({refused} refused)"
        )
    texts = client + place
    long_texts = _long_texts(place, 100)
    # repetitive 2,000-character inputs: a pattern that backtracks badly shows here
    hostile = [
        unit * (MAX_CHARS // len(unit))
        for unit in ("+1 ", "0", "1.", "1-", "Herr ", "Fr. Dr. ", "a(at)", "geb. ", "DE12 ", "Az. ")
    ]
    batches = (
        ("labelled notes", texts),
        ("2,000-char notes", long_texts),
        ("2,000-char repetitive", hostile),
    )
    for label, batch in batches:
        times = {
            name: median_time(lambda g=guard, b=batch: [g.findings(t) for t in b], repeat)
            for name, guard in guards.items()
        }
        base = times["old rules"]
        for name, seconds in times.items():
            per_text = seconds / len(batch) * 1e6
            row(f"{label}, {name}", seconds, base, f"{per_text:8.1f} µs per text")
