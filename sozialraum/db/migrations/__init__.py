"""Alembic migrations of the PostgreSQL schema (see ``README``)."""
