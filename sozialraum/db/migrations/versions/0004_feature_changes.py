"""A change number per feature row, and ``sozialraum_expect`` (a missing row fails a write).

A cached layer is brought up to date with what changed; ``sozialraum_expect`` fails a statement
(and so its transaction) when the row it changes is missing.

Every insert and every change of a feature takes the next ``feature_change`` number (writes of
an area hold the area's lock until they commit, so an area's numbers commit in order). A server
process that holds a layer up to number N reads only the rows above N and the layer's ids in
order (for removals and order), instead of the whole layer after each write of another process.

A single-feature write sends its statements and its COMMIT together (one round trip while the
area's lock is held); the change of a stale version matches no row, and ``sozialraum_expect``
turns that into an error, so the COMMIT rolls the whole write back.
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
CREATE FUNCTION sozialraum_expect(ok boolean, what text DEFAULT 'row') RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT ok THEN
        RAISE EXCEPTION 'sozialraum: the % the write expected is not there', what
            USING ERRCODE = 'no_data_found';
    END IF;
    RETURN true;
END
$$;
"""

DOWNGRADE = """
DROP FUNCTION sozialraum_expect(boolean, text);
DROP INDEX features_changed;
ALTER TABLE features DROP COLUMN changed;
DROP SEQUENCE feature_change;
"""


def upgrade() -> None:
    """Add the change number (existing rows are numbered in table order) and the check."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Drop the change number and the check."""
    op.execute(DOWNGRADE)
