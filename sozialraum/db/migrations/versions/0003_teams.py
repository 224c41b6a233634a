"""Teams created on the admin pages that nothing uses yet (see :mod:`sozialraum.accounts.postgres`).

A team exists wherever it is used (accounts, district assignments); this table only keeps
the names an admin created before any account or district has them.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE teams (
    name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 80)
);
"""

DOWNGRADE = "DROP TABLE teams;"


def upgrade() -> None:
    """Create the table of created teams."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Drop the table of created teams."""
    op.execute(DOWNGRADE)
