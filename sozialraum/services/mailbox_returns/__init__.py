"""Returned-mail records (Rückläufer): import from a CSV and use them as mailbox evidence.

A record holds the address (matched to the area), the day the letter came back, the reason
as one of a fixed set (:data:`~sozialraum.model.mailbox.RETURN_REASONS`, mapped from the
file's text, which is never kept: post-office texts often name the recipient) and an expiry
(:data:`~sozialraum.model.mailbox.RETURNED_MAIL_KEEP_MONTHS` months) — never a name: other
columns of the file (names, case numbers) are not read at all.

The columns are detected by meaning and content (:mod:`sozialraum.services.columns`, as for the
mailbox check) and the report names which column was read for what. Addresses are matched
with the mailbox check's rules, but only an exact or normalised match is recorded by
itself: a fuzzy or ambiguous row is reported as skipped with its candidates, and recorded
only when the user picks one of them (``choices``; the CLI's ``--accept-fuzzy``). A wrong
record can be withdrawn by a lead (:func:`withdraw_return`): it stays in the layer, marked
withdrawn, so it no longer counts and a re-import of the same file does not bring it back.
Re-importing the same file adds nothing (a record's id is derived from address, day and
reason). No Flask here.
"""

from __future__ import annotations

from sozialraum.services.mailbox_returns.records import (
    DEFAULT_REASON,
    LAYER,
    MAX_WITHDRAW_REASON_CHARS,
    ReturnsProblem,
    active_returns,
    expired_return_ids,
    is_withdrawn,
    purge_expired_returns,
    reason_label,
    return_evidence,
    rewrite_free_text_reasons,
    withdraw_return,
)
from sozialraum.services.mailbox_returns.upload import (
    SURE_KINDS,
    ReturnsReport,
    SkippedRow,
    import_returns,
    read_returns,
)

__all__ = [
    "DEFAULT_REASON",
    "LAYER",
    "MAX_WITHDRAW_REASON_CHARS",
    "SURE_KINDS",
    "ReturnsProblem",
    "ReturnsReport",
    "SkippedRow",
    "active_returns",
    "expired_return_ids",
    "import_returns",
    "is_withdrawn",
    "purge_expired_returns",
    "read_returns",
    "reason_label",
    "return_evidence",
    "rewrite_free_text_reasons",
    "withdraw_return",
]
