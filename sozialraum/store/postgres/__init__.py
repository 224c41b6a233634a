"""The PostgreSQL + PostGIS backend of the store (selected by a database URL)."""

from sozialraum.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
