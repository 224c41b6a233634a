"""Which columns of an address list hold the street, house number, postcode and city.

Municipal exports name their columns in many ways (``Straße``, ``Str.``, ``Hausnr.``,
``HNr``, ``Haus-Nr.``, ``house_number``, ``PLZ/Ort``, ``Anschrift``…) and carry other
columns that look similar: running numbers (``Nr``, ``Lfd. Nr.``), customer or case
numbers, names, birth dates. :func:`detect` reads the header *and* the cells: a column is
taken for a role only if its name means that role (or, for unnamed combined columns, its
cells are unmistakably addresses), and running numbers, ids, names and dates are never
taken. Where two columns could hold the same part, or nothing fits, it does not guess:
:meth:`Detection.require` raises :class:`ColumnProblem` naming the candidate columns, and
the caller asks the user (``--columns`` in the CLI, the mapping step on the web page).

A :class:`ColumnMapping` maps each role to a column index; one column may serve several
roles: ``street`` and ``housenumber`` on the same column is a combined column ("Straße und
Hausnummer"), ``postcode`` and ``city`` on the same column is "PLZ Ort", and all four on
one column is a one-line address ("Anschrift"). No Flask, no I/O: used by the mailbox
check (:mod:`sozialraum.services.mailbox_check`) and the returned-mail import
(:mod:`sozialraum.services.mailbox_returns`).
"""

from __future__ import annotations

from sozialraum.services.columns.detection import (
    Detection,
    detect,
)
from sozialraum.services.columns.kinds import (
    ADDRESS_PARTS,
    DATE_CELL,
    GERMAN_ACCUSATIVE,
    POSTCODE_CELL,
    POSTCODE_CITY_CELL,
    ROLE_LABELS,
    ROLE_WORDS,
    ROLES,
    SAMPLE_ROWS,
    SKIP_WHY,
    SUFFIX_CELL,
    ColumnProblem,
    ColumnProfile,
    CsvProblem,
    column_key,
    header_kind,
    profile,
)
from sozialraum.services.columns.mapping import (
    GERMAN_COLUMN_HINT,
    ColumnMapping,
    german_quoted_names,
    has_address,
    join_suffix,
    mapping_from_indices,
    mapping_from_names,
    quoted_names,
    split_postcode_city,
)
from sozialraum.services.columns.returns import (
    REASON_CONTENT_SHARE,
    REASON_NAMES,
    RETURN_DATE_NAMES,
    ReturnColumns,
    describe_returns,
    detect_returns,
)

__all__ = [
    "ADDRESS_PARTS",
    "DATE_CELL",
    "GERMAN_ACCUSATIVE",
    "GERMAN_COLUMN_HINT",
    "POSTCODE_CELL",
    "POSTCODE_CITY_CELL",
    "REASON_CONTENT_SHARE",
    "REASON_NAMES",
    "RETURN_DATE_NAMES",
    "ROLES",
    "ROLE_LABELS",
    "ROLE_WORDS",
    "SAMPLE_ROWS",
    "SKIP_WHY",
    "SUFFIX_CELL",
    "ColumnMapping",
    "ColumnProblem",
    "ColumnProfile",
    "CsvProblem",
    "Detection",
    "ReturnColumns",
    "column_key",
    "describe_returns",
    "detect",
    "detect_returns",
    "german_quoted_names",
    "has_address",
    "header_kind",
    "join_suffix",
    "mapping_from_indices",
    "mapping_from_names",
    "profile",
    "quoted_names",
    "split_postcode_city",
]
