"""The store: areas, features (PostGIS), kept versions, the audit log, layer generations, artifacts.

Features are kept as the exact GeoJSON text (``json``: key order and numbers as written, so an
export gives the GeoJSON layout back unchanged); ``properties`` (jsonb), ``version`` and
``geom`` (PostGIS, EPSG:4326, GiST index), written with it, serve queries. The audit log keeps each
entry's exact line, so :func:`sozialraum.store.audit.verify_lines` checks it like the file log;
``areas.audit_count``/``audit_hash`` play the role of ``audit.head``.
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the PostGIS extension (if missing) and the store's tables."""
    # needs a superuser once per database unless it exists (README "Deployment")
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute(
        """
        CREATE TABLE areas (
            name text PRIMARY KEY,
            meta json NOT NULL,
            audit_count integer NOT NULL DEFAULT 0,
            audit_hash text NOT NULL DEFAULT repeat('0', 64),
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE SEQUENCE feature_pos AS bigint;
        CREATE TABLE features (
            area text NOT NULL REFERENCES areas (name) ON DELETE CASCADE,
            layer text NOT NULL,
            id text NOT NULL,
            pos bigint NOT NULL DEFAULT nextval('feature_pos'),
            feature json NOT NULL,
            -- version, properties and geom are written with the feature (a json operator on
            -- it would fail on a text holding NUL, which json keeps but text cannot)
            version integer NOT NULL,
            -- for queries; written with the feature (NUL characters, which jsonb cannot hold,
            -- left out: the feature itself keeps them)
            properties jsonb NOT NULL,
            geom geometry(Geometry, 4326),
            PRIMARY KEY (area, layer, id)
        );
        CREATE INDEX features_geom ON features USING gist (geom);
        CREATE INDEX features_order ON features (area, layer, pos);
        CREATE TABLE feature_versions (
            area text NOT NULL REFERENCES areas (name) ON DELETE CASCADE,
            layer text NOT NULL,
            id text NOT NULL,
            version integer NOT NULL,
            feature json NOT NULL,
            pos bigint NOT NULL DEFAULT nextval('feature_pos'),
            PRIMARY KEY (area, layer, id, version)
        );
        CREATE TABLE layers (
            area text NOT NULL REFERENCES areas (name) ON DELETE CASCADE,
            layer text NOT NULL,
            generation text NOT NULL,
            PRIMARY KEY (area, layer)
        );
        CREATE TABLE audit_log (
            area text NOT NULL REFERENCES areas (name) ON DELETE CASCADE,
            seq integer NOT NULL,
            layer text,
            line text NOT NULL,
            PRIMARY KEY (area, seq)
        );
        CREATE INDEX audit_log_layer ON audit_log (area, layer, seq);
        CREATE TABLE artifacts (
            area text NOT NULL REFERENCES areas (name) ON DELETE CASCADE,
            name text NOT NULL,
            data bytea NOT NULL,
            generation text NOT NULL,
            PRIMARY KEY (area, name)
        );
        """
    )


def downgrade() -> None:
    """Drop the store's tables (the extension stays)."""
    op.execute(
        "DROP TABLE artifacts, audit_log, layers, feature_versions, features, areas;"
        " DROP SEQUENCE feature_pos;"
    )
