"""The audit log of account changes (see :mod:`sozialraum.accounts.audit`).

``accounts_audit`` holds one line per entry: the same keyed hash chain as the area logs
(``audit_log``, ``audit.jsonl``), verified by the same code. ``accounts_audit_head`` is its
head (count and last hash, one row), so removed entries at the end are noticed.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE accounts_audit (
    seq bigint PRIMARY KEY CHECK (seq > 0),
    line text NOT NULL
);
CREATE TABLE accounts_audit_head (
    id smallint PRIMARY KEY CHECK (id = 1),
    count bigint NOT NULL CHECK (count >= 0),
    hash text NOT NULL
);
"""

DOWNGRADE = "DROP TABLE accounts_audit_head; DROP TABLE accounts_audit;"


def upgrade() -> None:
    """Create the account audit log and its head."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Drop the account audit log and its head."""
    op.execute(DOWNGRADE)
