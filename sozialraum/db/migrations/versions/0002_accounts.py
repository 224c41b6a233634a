"""Accounts: users, login sessions, the login limiter (see :mod:`sozialraum.accounts.postgres`).

Times of sessions and failed logins are seconds since the epoch (UTC, ``double precision``):
the app servers' clocks, compared exactly as the file backend compares them. Session rows
hold the SHA-256 of the token, never the token; limiter rows hold HMAC-SHA256 keys of user
names and addresses (salt in ``login_salt``), never the raw values.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE users (
    name text PRIMARY KEY CHECK (name ~ '^[a-z0-9._-]{3,40}$'),
    role text NOT NULL CHECK (role IN ('viewer', 'caseworker', 'lead', 'admin')),
    team text CHECK (team IS NOT NULL OR role = 'admin'),
    disabled boolean NOT NULL DEFAULT false,
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL,
    password_changed_at timestamptz NOT NULL
);
CREATE TABLE sessions (
    token_hash text PRIMARY KEY CHECK (length(token_hash) = 64),
    user_name text NOT NULL,
    created double precision NOT NULL,
    last_seen double precision NOT NULL
);
CREATE INDEX sessions_user_name ON sessions (user_name);
CREATE TABLE login_attempts (
    kind text NOT NULL CHECK (kind IN ('user', 'ip')),
    key text NOT NULL CHECK (length(key) = 64),
    times double precision[] NOT NULL,
    last_at double precision NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX login_attempts_last_at ON login_attempts (last_at);
CREATE TABLE login_salt (
    id integer PRIMARY KEY CHECK (id = 1),
    salt text NOT NULL CHECK (length(salt) >= 32)
);
"""

DOWNGRADE = "DROP TABLE login_salt, login_attempts, sessions, users;"


def upgrade() -> None:
    """Create the account tables."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Drop the account tables (every account, session and counted failure)."""
    op.execute(DOWNGRADE)
