"""A post office's returned-mail export (fictional) and the near-miss houses it names."""

from __future__ import annotations

from sozialraum.model.notes import add_months

AREA = "musterstadt-nord"


#: Fictional houses added to the demo area: "Wallstraße 16" is a near miss of the one
#: "Waldstraße 16" (fuzzy, one candidate); "Sallstraße 4" of both "Sahlstraße 4" and
#: "Saalstraße 4" (ambiguous).
NEAR_MISS_HOUSES = (("Waldstraße", "16"), ("Sahlstraße", "4"), ("Saalstraße", "4"))
HEADER = "Sendungsnummer;Datum;Empfänger;Straße;Hausnummer;PLZ;Ort;Vermerk;Grund"


def add_houses(store, houses=NEAR_MISS_HOUSES) -> dict[str, dict]:
    """Add fictional houses to the demo area; returns them by "street number"."""
    from sozialraum.model.addresses import address_key

    lon, lat = store.query(AREA, "addresses")[0]["geometry"]["coordinates"]
    features = [
        {
            "type": "Feature",
            "id": f"t{i}",
            "geometry": {"type": "Point", "coordinates": [lon + 0.0005 * i, lat + 0.0005]},
            "properties": {
                "street": street,
                "housenumber": number,
                "postcode": "45903",
                "city": "Musterstadt",
                "key": address_key(street, number, "45903"),
                "osm_type": "node",
                "osm_id": 990_000 + i,
            },
        }
        for i, (street, number) in enumerate(houses)
    ]
    store.add_many(AREA, "addresses", features, actor="test")
    return {f"{f['properties']['street']} {f['properties']['housenumber']}": f for f in features}


def post_office_export(today, exact: dict, *, vermerk=None) -> str:
    """A post office's returns export (fictional): row 2 a near miss (fuzzy), row 3 exact,
    row 4 a near miss of two streets (ambiguous). Reasons as free text with names."""
    vermerk = vermerk or ["Rücksendung an Absender"] * 3
    day = add_months(today, -1).strftime("%d.%m.%Y")
    return "\n".join([
        HEADER,
        f"RR100200300DE;{day};Schnabelsberger, Anna;Wallstraße;16;45903;Musterstadt;"
        f"{vermerk[0]};Anna Schnabelsberger verzogen",
        f"RR100200301DE;{day};Schnabelsberger, Anna;{exact['street']};{exact['housenumber']};"
        f"45903;Musterstadt;{vermerk[1]};Empfänger Schnabelsberger, Anna unbekannt",
        f"RR100200302DE;{day};Nowak, Jan;Sallstraße;4;45903;Musterstadt;{vermerk[2]};"
        "verzogen nach Offenbacher Str. 5, Langen",
    ]) + "\n"  # fmt: skip
