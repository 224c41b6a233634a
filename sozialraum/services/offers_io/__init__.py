"""Import and export of support offers: CSV (German spreadsheets) and GeoJSON (no Flask).

CSV columns are the German field names of :data:`sozialraum.model.offers.FIELD_LABELS`
(``Name``, ``Träger``, ``Förderer``, …, ``Breite``, ``Länge``) plus an optional ``ID``;
lists are separated by ``|`` (ids or German labels), dates are ``2026-10-01`` or
``01.10.2026``. GeoJSON is a FeatureCollection of Points (or null geometries for
region-wide offers) in EPSG:4326 with the English property names of
:data:`~sozialraum.model.offers.FIELDS`.

An import is all or nothing: every row is checked first and each problem is reported with
its row; only a file without problems is written, in one write. A row with the ``ID`` of an
offer updates it; a row without one updates the offer with the same name and provider, if
there is exactly one, and adds a new offer otherwise — so importing the same file twice
changes nothing.

A row with an address but no coordinates (and not region-wide) is placed at that address
when it matches one address of the area exactly or in normalised form
(:class:`~sozialraum.analysis.matching.AddressMatcher`); otherwise the row is a problem.
Stored offers that are not in the file are reported (``missing``), never deleted or kept
silently: ``archive_missing`` archives them in the same write. A row of an archived offer
makes it active again.
"""

from __future__ import annotations

from sozialraum.services.offers_io.export import (
    CSV_HEADER,
    export_csv,
    export_geojson,
    export_rows,
)
from sozialraum.services.offers_io.files import (
    IGNORED_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    OffersFileProblem,
)
from sozialraum.services.offers_io.importing import (
    ImportReport,
    import_offers,
    read_offers_file,
)

__all__ = [
    "CSV_HEADER",
    "IGNORED_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ImportReport",
    "OffersFileProblem",
    "export_csv",
    "export_geojson",
    "export_rows",
    "import_offers",
    "read_offers_file",
]
