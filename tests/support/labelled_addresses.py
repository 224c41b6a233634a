"""A labelled set of typed address variants built from real extracts, with expected results.

Used by ``tests/analysis/test_matching.py`` and by ``benchmarks/mailbox.py``. Every case is
``(description, input parts, allowed kinds, truth key or None)``: abbreviations, case,
hyphens, suffix and range forms, missing postcode, one-line input, typos, wrong city,
addresses that do not exist. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
from collections import Counter

from sozialraum.model.addresses import normalise_housenumber, normalise_street

CONFIDENT = {"exact", "normalised", "fuzzy"}


def truth_key(props) -> tuple[str, str, str]:
    """The normalised (street, housenumber, postcode) of an address's properties."""
    return (
        normalise_street(props["street"]),
        normalise_housenumber(props["housenumber"]),
        (props.get("postcode") or "").strip(),
    )


def _abbreviate(street: str) -> str:
    return re.sub(r"(?i)stra(ß|ss)e\b", "Str.", street)


def _typo(street: str, rng: random.Random) -> str:
    letters = [  # two different letters side by side: swapping them is a real typo
        i
        for i in range(2, len(street) - 4)
        if street[i].isalpha() and street[i + 1].isalpha() and street[i] != street[i + 1]
    ]
    i = rng.choice(letters)
    return street[:i] + street[i + 1] + street[i] + street[i + 2 :]


def labelled_set(addresses: list[dict], seed: int, count: int) -> list[tuple]:
    """(description, input parts, allowed kinds, truth key or None) per variant."""
    rng = random.Random(seed)
    distinct = {truth_key(a["properties"]) for a in addresses}
    by_street_number = Counter((street, number) for street, number, _ in distinct)
    numbers_on: dict[str, set[str]] = {}
    for a in addresses:
        k = truth_key(a["properties"])
        numbers_on.setdefault(k[0], set()).add(k[1])
    usable = [a for a in addresses if a["properties"].get("postcode")]
    cases = []
    for feature in rng.sample(usable, count):
        p = feature["properties"]
        street, number, postcode, city = p["street"], p["housenumber"], p["postcode"], p.get("city")
        truth = truth_key(p)
        unique = by_street_number[(truth[0], truth[1])] == 1
        cases.append(("as in OSM", (street, number, postcode, city), {"exact"}, truth))
        variant = _abbreviate(street)
        if variant == street:
            variant = street.upper()
        cases.append(
            ("abbreviated", (variant, number, postcode, None), {"exact", "normalised"}, truth)
        )
        hyphenated = street.lower().replace(" ", "-")
        cases.append(
            (
                "lower case, hyphen",
                (hyphenated, number, postcode, None),
                {"exact", "normalised"},
                truth,
            )
        )
        cases.append(("one line", (f"{_abbreviate(street)} {number}, {postcode} {city or ''}",),
                      {"exact", "normalised"}, truth))  # fmt: skip
        if unique:
            cases.append(
                ("no postcode", (street, number, None, None), {"exact", "normalised"}, truth)
            )
        else:
            cases.append(("no postcode, twice", (street, number, None, None), {"ambiguous"}, None))
        if re.fullmatch(r"\d+[a-zA-Z]", number.strip()):
            digits, letter = number.strip()[:-1], number.strip()[-1]
            for form in (
                f"{digits} {letter}",
                f"{digits}-{letter.upper()}",
                f"{digits} {letter.upper()}",
            ):
                cases.append(("suffix form", (street, form, postcode, None), {"normalised"}, truth))
        if "-" in number or "/" in number:
            cases.append(("range form", (street, number.replace("-", "/"), postcode, None),
                          {"exact", "normalised"}, truth))  # fmt: skip
        if len(street) >= 10:
            cases.append(("typo", (_typo(street, rng), number, postcode, None), {"fuzzy"}, truth))
        cases.append(("wrong city", (street, number, None, "Berlin"), {"none"}, None))
        missing = str(max(int(re.match(r"\d+", n).group()) for n in numbers_on[truth[0]]
                          if re.match(r"\d+", n)) + 500)  # fmt: skip
        cases.append(("no such number", (street, missing, postcode, None), {"none"}, None))
        cases.append(("no such street", ("Zyxwvutweg", number, postcode, None), {"none"}, None))
        if not number.strip()[-1].isalpha() and f"{truth[1]}z" not in numbers_on[truth[0]]:
            cases.append(
                ("no such suffix", (street, number + "z", postcode, None), {"ambiguous"}, None)
            )
    return cases


def run_case(matcher, parts):
    """Match one case's input parts: one part is a one-line address."""
    return matcher.match_line(parts[0]) if len(parts) == 1 else matcher.match(*parts)


def judge(kind: str, got, allowed: set[str], truth) -> tuple[bool, bool]:
    """(correct, wrong confident match) for a result of ``kind`` with truth key ``got``."""
    wrong_confident = kind in CONFIDENT and got != truth
    return kind in allowed and not wrong_confident, wrong_confident


# -- list layouts as municipalities export them ------------------------------------------
# Every case above written into a whole file in the shape of a real export: running
# numbers (from 1, from 40), customer numbers, client names and birth dates (fictional,
# written fresh here), combined columns, one address column, Windows-1252 and UTF-8 (with
# and without BOM), ";" and ",". The address columns must be detected from the file alone.
_FIRST = ("Anna", "Ben", "Cem", "Dana", "Emil", "Fatma", "Greta", "Hamza", "Ida", "Jonas")
_LAST = ("Beispiel", "Muster", "Probe", "Vorlage", "Entwurf", "Skizze", "Schema", "Modell")


def _extras(i: int, rng: random.Random) -> dict[str, str]:
    return {
        "nr": str(i + 1),
        "nr40": str(i + 40),
        "kunde": f"{rng.randint(100, 999)}A{rng.randint(100000, 999999)}",
        "name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
        "vorname": rng.choice(_FIRST),
        "nachname": rng.choice(_LAST),
        "geboren": f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1940, 2005)}",
        "iso": f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    }


def _parts(parts: tuple) -> tuple[str, str, str, str]:
    street, number, postcode, city = (*parts, None, None, None)[:4]
    return street or "", number or "", postcode or "", city or ""


def _joined(*values: str, sep: str = " ") -> str:
    return sep.join(v for v in values if v)


def _split_suffix(number: str) -> tuple[str, str]:
    """ "12a" → ("12", "a"), "12-14" → ("12", "-14"): a house number as exports with a
    suffix column write it."""
    letter = re.fullmatch(r"(\d+)\s*[-/]?\s*([A-Za-z])", number)
    if letter:
        return letter.group(1), letter.group(2)
    span = re.fullmatch(r"(\d+)\s*([-/]\s*\d+\s*[A-Za-z]?)", number)
    return (span.group(1), span.group(2)) if span else (number, "")


def _line(street: str, number: str, postcode: str, city: str) -> str:
    return _joined(_joined(street, number), _joined(postcode, city), sep=", ")


#: name -> (header, encoding, delimiter, expected address columns, cells of one case)
LAYOUTS = {
    "Nr;Straße;Hausnummer;PLZ;Ort (cp1252)": (
        ["Nr", "Straße", "Hausnummer", "PLZ", "Ort"], "cp1252", ";",
        {"street": "Straße", "housenumber": "Hausnummer", "postcode": "PLZ", "city": "Ort"},
        lambda x, s, n, p, c: [x["nr"], s, n, p, c],
    ),
    "Lfd. Nr. 40…, Kundennummer, Name, Str., Hausnr. (BOM, ',')": (
        ["Lfd. Nr.", "Kundennummer", "Name", "Str.", "Hausnr.", "PLZ", "Ort"], "utf-8-sig", ",",
        {"street": "Str.", "housenumber": "Hausnr.", "postcode": "PLZ", "city": "Ort"},
        lambda x, s, n, p, c: [x["nr40"], x["kunde"], x["name"], s, n, p, c],
    ),
    "Kd.-Nr., Name, Geburtsdatum, Straße und Hausnummer, PLZ Ort": (
        ["Kd.-Nr.", "Nachname", "Vorname", "Geburtsdatum", "Straße und Hausnummer", "PLZ Ort"],
        "cp1252", ";",
        {"street": "Straße und Hausnummer", "housenumber": "Straße und Hausnummer",
         "postcode": "PLZ Ort", "city": "PLZ Ort"},
        lambda x, s, n, p, c: [x["kunde"], x["nachname"], x["vorname"], x["geboren"],
                               _joined(s, n), _joined(p, c)],
    ),
    "Nr., Anschrift, geb. (UTF-8, ',')": (
        ["Nr.", "Anschrift", "geb."], "utf-8", ",",
        {"street": "Anschrift", "housenumber": "Anschrift", "postcode": "Anschrift",
         "city": "Anschrift"},
        lambda x, s, n, p, c: [x["nr"], _line(s, n, p, c), x["geboren"]],
    ),
    "id,client,street,house_number,zip,city,date_of_birth": (
        ["id", "client", "street", "house_number", "zip", "city", "date_of_birth"], "utf-8", ",",
        {"street": "street", "housenumber": "house_number", "postcode": "zip", "city": "city"},
        lambda x, s, n, p, c: [x["kunde"], x["name"], s, n, p, c, x["iso"]],
    ),
    "Pos.;STRASSE HAUSNR.;PLZ/ORT (cp1252)": (
        ["Pos.", "STRASSE HAUSNR.", "PLZ/ORT"], "cp1252", ";",
        {"street": "STRASSE HAUSNR.", "housenumber": "STRASSE HAUSNR.", "postcode": "PLZ/ORT",
         "city": "PLZ/ORT"},
        lambda x, s, n, p, c: [x["nr40"], _joined(s, n), _joined(p, c)],
    ),
    "Nr 40…;Name;Straße;Haus-Nr.;Postleitzahl;Wohnort (BOM)": (
        ["Nr", "Name", "Straße", "Haus-Nr.", "Postleitzahl", "Wohnort"], "utf-8-sig", ";",
        {"street": "Straße", "housenumber": "Haus-Nr.", "postcode": "Postleitzahl",
         "city": "Wohnort"},
        lambda x, s, n, p, c: [x["nr40"], x["name"], s, n, p, c],
    ),
    "Straße;Hausnr.;Zusatz;PLZ;Ort, the suffix apart (cp1252)": (
        ["Lfd. Nr.", "Straße", "Hausnr.", "Zusatz", "PLZ", "Ort"], "cp1252", ";",
        {"street": "Straße", "housenumber": "Hausnr.", "suffix": "Zusatz", "postcode": "PLZ",
         "city": "Ort"},
        lambda x, s, n, p, c: [x["nr"], s, *_split_suffix(n), p, c],
    ),
    "Str.,HNr,PLZ,Ort (cp1252, ',')": (
        ["Str.", "HNr", "PLZ", "Ort"], "cp1252", ",",
        {"street": "Str.", "housenumber": "HNr", "postcode": "PLZ", "city": "Ort"},
        lambda x, s, n, p, c: [s, n, p, c],
    ),
}  # fmt: skip


def layout_file(cases: list[tuple], layout: str, seed: int) -> tuple[bytes, list[tuple]]:
    """The cases written as one file of ``layout`` (see :data:`LAYOUTS`), and the cases in
    the order of its rows (one-line cases are split into parts first; cases whose text the
    file's encoding cannot hold are left out)."""
    import csv
    import io

    from sozialraum.analysis.matching import parse_line

    header, encoding, delimiter, _, cells = LAYOUTS[layout]
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    kept = []
    for case in cases:
        parts = case[1]
        street, number, postcode, city = _parts(parse_line(parts[0]) if len(parts) == 1 else parts)
        row = cells(_extras(len(kept), rng), street, number, postcode, city)
        try:
            "".join(row).encode(encoding)
        except UnicodeEncodeError:
            continue
        writer.writerow(row)
        kept.append(case)
    return out.getvalue().encode(encoding), kept


def layout_quality(matcher, cases: list[tuple], layout: str, seed: int = 7):
    """Write ``cases`` as a ``layout`` file, read it back (columns detected from the file)
    and match every row: (table, rows, correct, wrong confident, incorrect examples)."""
    from sozialraum.services.uploads import address_values, match_address, read_address_csv

    data, kept = layout_file(cases, layout, seed)
    table = read_address_csv(data)
    correct, wrong, incorrect = 0, 0, []
    for values, (description, _, allowed, truth) in zip(address_values(table), kept, strict=True):
        result = match_address(matcher, values)
        got = truth_key(result.feature["properties"]) if result.feature else None
        if "normalised" in allowed:  # a layout may write the number as OSM does ("12" "a")
            allowed = allowed | {"exact"}
        ok, confidently_wrong = judge(result.kind, got, allowed, truth)
        correct += ok
        wrong += confidently_wrong
        if not ok:
            incorrect.append((description, values, result.kind, result.reason))
    return table, len(kept), correct, wrong, incorrect
