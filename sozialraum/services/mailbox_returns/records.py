"""Returned-mail records in the store.

The active ones, their reasons, evidence for the mailbox check, withdrawal by a lead and the purge
of expired records.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sozialraum.errors import InvalidInput
from sozialraum.model.mailbox import (
    DEFAULT_RETURN_REASON,
    RETURN_REASONS,
    RETURNED_DETAIL_PREFIX,
    Evidence,
    return_reason,
)
from sozialraum.model.privacy import PrivacyGuard
from sozialraum.store.base import Store

LAYER = "returns"


DEFAULT_REASON = DEFAULT_RETURN_REASON


#: Longest withdrawal reason (characters).
MAX_WITHDRAW_REASON_CHARS = 300


class ReturnsProblem(InvalidInput):
    """A choice or withdrawal that cannot be done; ``german`` is the web's message."""

    def __init__(self, message: str, german: str):
        super().__init__(message)
        self.german = german


def is_withdrawn(record: dict) -> bool:
    """Whether a lead withdrew the record (it then counts nowhere)."""
    return bool(record["properties"].get("withdrawn_on"))


def reason_label(props: Mapping) -> str:
    """The German label of a record's reason.

    Records stored before reasons were mapped carry the post office's free text: it is mapped here
    on read and never shown.
    """
    return RETURN_REASONS[return_reason(props.get("reason") or "")]


def active_returns(store: Store, area: str, *, today: date) -> list[dict]:
    """Returned-mail records that have not expired and were not withdrawn, newest first.

    Each record's ``reason`` is the key of the fixed set (mapped on read for older records
    with free text) and ``reason_label`` its German label.
    """
    records = []
    for r in store.query(area, LAYER):
        props = r["properties"]
        if props["expires_on"] < today.isoformat() or is_withdrawn(r):
            continue
        reason = return_reason(props.get("reason") or "")
        records.append({**r, "properties": {**props, "reason": reason,
                                            "reason_label": RETURN_REASONS[reason]}})  # fmt: skip
    return sorted(records, key=lambda r: r["properties"]["returned_on"], reverse=True)


def expired_return_ids(store: Store, area: str, *, today: date) -> list[str]:
    """Ids of records past their expiry (to purge; withdrawn ones too)."""
    return [
        r["id"]
        for r in store.query(area, LAYER)
        if r["properties"]["expires_on"] < today.isoformat()
    ]


def purge_expired_returns(store: Store, area: str, *, today: date, actor: str) -> int:
    """Delete expired returned-mail records for good; returns how many."""
    ids = expired_return_ids(store, area, today=today)
    return store.purge(area, LAYER, ids, actor=actor) if ids else 0


def rewrite_free_text_reasons(store: Store, area: str, *, actor: str) -> int:
    """One-time clean-up: replace the free-text reasons of older records by their key.

    The key of the fixed set (:func:`~sozialraum.model.mailbox.return_reason`), in one write;
    returns how many records changed. Reading maps them anyway; this removes the text from the file.
    """
    changed = []
    for record in store.query(area, LAYER):
        props = record["properties"]
        if props.get("reason") in RETURN_REASONS:
            continue
        clean = {k: v for k, v in props.items() if k not in ("version", "updated_at")}
        clean["reason"] = return_reason(props.get("reason") or "")
        changed.append({**record, "properties": clean})
    if changed:
        store.upsert_many(area, LAYER, changed, actor=actor)
    return len(changed)


def withdraw_return(
    store: Store,
    area: str,
    record_id: str,
    *,
    reason: str,
    guard: PrivacyGuard,
    actor: str,
    today: date,
) -> dict:
    """Withdraw a wrong record (a lead's decision): it stops counting as evidence at once.

    The record stays in the layer marked ``withdrawn_on``/``withdrawn_by`` with the
    reason (so re-importing the same file does not bring it back) until it expires and
    is purged; the audit log records the withdrawal (``transition: withdrawn``), never the
    reason's text.

    Parameters
    ----------
    reason : str
        Why (required, at most :data:`MAX_WITHDRAW_REASON_CHARS` characters); it must pass
        the data-protection guard (no names, phone numbers, case numbers…).

    Raises
    ------
    NotFound
        No such record.
    ReturnsProblem
        No reason, too long, personal data in it, or already withdrawn.
    """
    text = " ".join((reason or "").split())
    if not text:
        raise ReturnsProblem(
            "a reason is required to withdraw a record", "Bitte einen Grund angeben."
        )
    if len(text) > MAX_WITHDRAW_REASON_CHARS:
        raise ReturnsProblem(
            f"the reason is too long (at most {MAX_WITHDRAW_REASON_CHARS} characters)",
            f"Der Grund ist zu lang (höchstens {MAX_WITHDRAW_REASON_CHARS} Zeichen).",
        )
    found = guard.findings(text)
    if found:
        ids = ", ".join(rule.id for rule in found)
        what = ", ".join(rule.label for rule in found)
        raise ReturnsProblem(
            f"the reason seems to contain personal data ({ids})",
            f"Der Grund enthält anscheinend {what}. Bitte ohne persönliche Daten begründen.",
        )
    record = store.get(area, LAYER, record_id)
    if is_withdrawn(record):
        raise ReturnsProblem(
            "the record was already withdrawn", "Dieser Rückläufer wurde schon zurückgezogen."
        )
    props = dict(record["properties"])
    version = props.pop("version", 1)
    props.pop("updated_at", None)
    props.update(
        reason=return_reason(props.get("reason") or ""),
        withdrawn_on=today.isoformat(),
        withdrawn_by=actor,
        withdrawn_reason=text,
    )
    return store.update(
        area, LAYER, record_id, {**record, "properties": props}, expected_version=version,
        actor=actor, audit_fields={"transition": "withdrawn"},
    )  # fmt: skip


def return_evidence(record: dict) -> Evidence:
    """A record as mailbox evidence (status ``post_zurueck``, role "Poststelle").

    The detail names the reason as its fixed-set label ("Rückläufer: verzogen").
    """
    props = record["properties"]
    return Evidence(
        "post_zurueck",
        date.fromisoformat(props["returned_on"]),
        "rueckläufer",
        "Poststelle",
        date.fromisoformat(props["expires_on"]),
        f"{RETURNED_DETAIL_PREFIX}{reason_label(props)}",
        record["id"],
    )
