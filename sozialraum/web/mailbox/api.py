"""The mailbox-check API.

A JSON list of addresses (or a CSV list) in, status, risk and action out.

POST only, so no address appears in a URL or an access log; nothing of the list is
stored or logged.
"""

from __future__ import annotations

from flask import request

from sozialraum import settings
from sozialraum.errors import InvalidInput, TooLarge
from sozialraum.model.mailbox import RISK_LEVELS
from sozialraum.services.columns import ColumnProblem, CsvProblem
from sozialraum.services.mailbox_check import check_inputs, result_record
from sozialraum.services.uploads import address_values, read_address_csv
from sozialraum.web import context as ctx
from sozialraum.web._json import json_body
from sozialraum.web.mailbox.schemas import (
    MAX_ADDRESSES,
    MAX_FIELD_CHARS,
    MailboxAddresses,
    MailboxCheck,
    MailboxQuery,
)
from sozialraum.web.responses import json_response
from sozialraum.web.schemas import operation

PART_FIELDS = ("street", "housenumber", "postcode", "city")


def _item(index: int, item: object) -> tuple:
    """An address as ``(line,)`` or ``(street, housenumber, postcode, city)``.

    See :func:`~sozialraum.services.uploads.match_address`; :class:`InvalidInput` naming the
    position.
    """
    if isinstance(item, str):
        if len(item) > MAX_FIELD_CHARS:
            raise InvalidInput(f"address {index}: at most {MAX_FIELD_CHARS} characters")
        return (item,)
    if isinstance(item, dict):
        unknown = set(item) - {*PART_FIELDS, "address"}
        if unknown:
            raise InvalidInput(f"address {index}: unknown fields {sorted(unknown)}")
        for key, value in item.items():
            if value is not None and not isinstance(value, str):
                raise InvalidInput(f"address {index}: {key} must be a string")
            if value and len(value) > MAX_FIELD_CHARS:
                raise InvalidInput(f"address {index}: {key} is longer than {MAX_FIELD_CHARS}")
        if item.get("address"):
            return (item["address"],)
        if not item.get("street"):
            raise InvalidInput(f"address {index}: give street (and housenumber) or address")
        return tuple(item.get(key) or "" for key in PART_FIELDS)
    raise InvalidInput(f"address {index}: expected a string or an object")


def _csv_inputs(query: MailboxQuery) -> tuple[list[tuple], dict[str, str]]:
    """The addresses of a CSV body and the columns used (role → column name).

    The body is a list as exported; its columns are detected as for the CLI or named in the
    ``columns`` parameter.
    """
    try:
        table = read_address_csv(
            request.get_data(cache=False), max_rows=MAX_ADDRESSES,
            columns=query.columns or None,
        )  # fmt: skip
    except ColumnProblem as exc:
        raise InvalidInput(exc.hint("the columns parameter: columns=")) from None
    except CsvProblem as exc:
        if exc.status == 413:
            raise TooLarge(f"at most {MAX_ADDRESSES:,} addresses per request") from None
        raise InvalidInput(exc.message) from None
    return address_values(table), table.mapping.names()


@operation(
    "Delivery-risk check: match addresses, mailbox status with evidence, risk "
    "(hoch/mittel/niedrig/unbekannt), reasons and suggested action. Nothing of the list is "
    "stored or logged; the tool advises, it decides nothing.",
    query=MailboxQuery,
    body=MailboxAddresses,
    read_body=False,  # JSON or CSV; the items' messages name their position
    body_media={
        "text/csv": {
            "schema": {
                "type": "string",
                "description": "A list as exported (UTF-8 or Windows-1252, ';' or ','), header "
                f"row first, at most {MAX_ADDRESSES:,} rows",
            }
        }
    },
    ok=MailboxCheck,
    etag=False,
    errors=(400, 401, 404, 413),
)
def mailbox_check(area: str, query: MailboxQuery):
    """Check a list of addresses against the area.

    Match, mailbox status with evidence, delivery risk, reasons and suggested action per address,
    plus counts per risk level.

    The body is a JSON list (strings or objects with street, housenumber, postcode, city),
    or a CSV list as exported (``Content-Type: text/csv``; its address columns are
    detected, or named in the ``columns`` query parameter as for ``--columns``).
    """
    if request.mimetype == "text/csv":
        inputs, columns = _csv_inputs(query)
        return _answer(area, inputs, columns)
    body = json_body()
    if isinstance(body, dict) and "addresses" in body:
        body = body["addresses"]
    if not isinstance(body, list) or not body:
        raise InvalidInput(
            'send a JSON list of addresses: ["Lindenstraße 12, 45903 Musterstadt", '
            '{"street": "…", "housenumber": "…", "postcode": "…", "city": "…"}]'
        )
    if len(body) > MAX_ADDRESSES:
        raise TooLarge(f"at most {MAX_ADDRESSES:,} addresses per request")
    return _answer(area, [_item(i, item) for i, item in enumerate(body)])


def _answer(area: str, inputs: list[tuple], columns: dict[str, str] | None = None):
    today = settings.today()
    results, counts = check_inputs(
        ctx.store(), area, inputs, actions=ctx.mailbox_actions(), today=today,
        visible=ctx.note_filter(),
    )  # fmt: skip
    records = [{"index": i, **result_record(r, today)} for i, r in enumerate(results)]
    answer = {
        "area": area,
        "checked_on": today.isoformat(),
        "counts": {level: counts.get(level, 0) for level in RISK_LEVELS},
        "results": records,
    }
    if columns is not None:
        answer["columns"] = columns
    return json_response(answer, **{"Cache-Control": "private, no-store"})
