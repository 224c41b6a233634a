"""A change number per feature row, so a cached layer is brought up to date with what changed.

Every insert and every change of a feature takes the next ``feature_change`` number (writes of
an area hold the area's lock until they commit, so an area's numbers commit in order). A server
process that holds a layer up to number N reads only the rows above N and the layer's ids in
order (for removals and order), instead of the whole layer after each write of another process.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE SEQUENCE feature_change AS bigint;
ALTER TABLE features ADD COLUMN changed bigint NOT NULL DEFAULT nextval('feature_change');
CREATE INDEX features_changed ON features (area, layer, changed);
"""

DOWNGRADE = """
DROP INDEX features_changed;
ALTER TABLE features DROP COLUMN changed;
DROP SEQUENCE feature_change;
"""


def upgrade() -> None:
    """Add the change number (existing rows are numbered in table order)."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Drop the change number."""
    op.execute(DOWNGRADE)
