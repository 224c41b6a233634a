"""Contract of the account interfaces, run against every backend.

Users, sessions, the login limiter and created teams must behave the same on files and
on PostgreSQL: every test here runs once per backend (the ``accounts_backend`` fixture
in ``conftest.py``, here ``backend``). Each call of ``backend.users()``,
``.sessions()``, ``.limiter()`` or ``.teams()`` opens a new instance on the same
storage, as a second server process (or a second app server) would.
"""

from __future__ import annotations

import threading

import pytest

from sozialraum.accounts import (
    FileUserStore,
    LoginLimiter,
    SessionStore,
    TeamStore,
    User,
    UserStore,
)
from sozialraum.errors import InvalidInput, NotFound
from sozialraum.model.roles import Role

PASSWORD = "Ruhrort-Bäcker-42"


@pytest.fixture
def backend(accounts_backend):
    """The account stores of the backend under test (see ``conftest.py``)."""
    return accounts_backend


# -- users ---------------------------------------------------------------------------
def test_the_backends_implement_the_interfaces(backend, clock):
    assert isinstance(backend.users(), UserStore)
    assert isinstance(backend.sessions(clock=clock), SessionStore)
    assert isinstance(backend.limiter(clock=clock), LoginLimiter)
    assert isinstance(backend.teams(), TeamStore)


def test_add_get_list(backend):
    users = backend.users()
    assert users.list() == []
    added = users.add("Anna.Schmidt", "caseworker", "Team Nord", PASSWORD)
    assert isinstance(added, User)
    assert added.name == "anna.schmidt" and added.role is Role.CASEWORKER
    assert added.team == "Team Nord" and added.disabled is False
    assert added.created_at == added.password_changed_at and added.created_at.endswith("+00:00")
    users.add("bernd", Role.ADMIN, None, PASSWORD)
    users.add("admin-2", "admin", "  Team   Süd ", PASSWORD)
    assert users.get("ANNA.SCHMIDT ") == added
    assert [u.name for u in users.list()] == ["admin-2", "anna.schmidt", "bernd"]
    assert users.get("bernd").team is None
    assert users.get("admin-2").team == "Team Süd"
    assert backend.users().list() == users.list()  # another process sees the same


def test_duplicate_names_are_refused(backend):
    users = backend.users()
    users.add("anna", "viewer", "Team Nord", PASSWORD)
    with pytest.raises(InvalidInput, match="already exists"):
        backend.users().add("ANNA", "lead", "Team Süd", PASSWORD)
    assert users.get("anna").role is Role.VIEWER


def test_teams_join_the_spelling_in_use(backend):
    users = backend.users()
    users.add("anna", "caseworker", "Team Süd", PASSWORD)
    assert backend.users().add("bernd", "viewer", "team  süd", PASSWORD).team == "Team Süd"
    known = {"Team Ost-West"}
    assert users.add("carla", "lead", "TEAM OST-WEST", PASSWORD, known_teams=known).team == (
        "Team Ost-West"
    )
    assert users.get("carla").team == "Team Ost-West"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ab", "viewer", "Team Nord", PASSWORD), "3 to 40 lower-case letters"),
        (("anna", "boss", "Team Nord", PASSWORD), "invalid role"),
        (("anna", "viewer", "  ", PASSWORD), "needs a team"),
        (("anna", "viewer", "Team Nord", "kurz-123"), "at least 10 characters"),
        (("anna", "viewer", "Team Nord", "ANNA"), "at least 10 characters"),
    ],
)
def test_invalid_accounts_are_refused_and_nothing_is_stored(backend, args, message):
    users = backend.users()
    with pytest.raises(InvalidInput, match=message):
        users.add(*args)
    assert users.list() == []


def test_authenticate(backend):
    users = backend.users()
    users.add("anna", "caseworker", "Team Nord", PASSWORD)
    assert users.authenticate("Anna ", PASSWORD) == users.get("anna")
    for password in (PASSWORD + "x", PASSWORD.upper(), "", None, "x" * 5000):
        assert users.authenticate("anna", password) is None
    assert users.authenticate("nobody", PASSWORD) is None
    assert users.authenticate("not a valid name!", PASSWORD) is None


def test_set_password_disable_enable(backend):
    users, other = backend.users(), backend.users()
    users.add("anna", "caseworker", "Team Nord", PASSWORD)
    changed = users.set_password("anna", "neues-Passwort-2026")
    assert changed.password_changed_at >= changed.created_at
    assert other.authenticate("anna", PASSWORD) is None
    assert other.authenticate("anna", "neues-Passwort-2026") == changed
    with pytest.raises(InvalidInput, match="at least 10 characters"):
        users.set_password("anna", "kurz-123")
    assert other.authenticate("anna", "neues-Passwort-2026") == changed
    assert users.disable("anna").disabled is True
    assert other.get("anna").disabled is True
    assert other.authenticate("anna", "neues-Passwort-2026") is None
    assert users.disable("anna").disabled is True  # idempotent
    assert users.enable("anna").disabled is False
    assert other.authenticate("anna", "neues-Passwort-2026") is not None


@pytest.mark.parametrize("method", ["get", "disable", "enable"])
def test_unknown_user_is_not_found(backend, method):
    users = backend.users()
    users.add("anna", "caseworker", "Team Nord", PASSWORD)
    with pytest.raises(NotFound, match="no user 'bernd'") as info:
        getattr(users, method)("bernd")
    assert info.value.status == 404
    with pytest.raises(NotFound):
        users.set_password("bernd", PASSWORD)


def test_concurrent_adds_lose_no_user(backend):
    errors = []

    def add(worker: int) -> None:
        users = backend.users()
        try:
            for i in range(3):
                users.add(f"w{worker}-user{i}", "caseworker", f"Team {worker}", f"passwort-{i}-x!")
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    names = [u.name for u in backend.users().list()]
    assert names == sorted(f"w{w}-user{i}" for w in range(4) for i in range(3))


def test_set_role_and_team(backend):
    users = backend.users()
    users.add("boss", "admin", None, PASSWORD)
    users.add("anna", "viewer", "Team Süd", PASSWORD)
    users.add("bernd", "caseworker", "Team Nord", PASSWORD)
    changed = users.set_role_and_team("Bernd", "lead", "team  süd")
    assert changed.role is Role.LEAD and changed.team == "Team Süd"  # the spelling in use
    assert backend.users().get("bernd") == changed  # another process sees it
    known = {"Team Ost-West"}
    assert users.set_role_and_team(
        "bernd", Role.VIEWER, "TEAM OST-WEST", known_teams=known
    ).team == ("Team Ost-West")
    # its own old spelling does not count as "in use": a new spelling of its only team
    assert users.set_role_and_team("bernd", "viewer", "team ost west").team == "team ost west"
    assert users.set_role_and_team("anna", "admin", None).team is None
    assert users.set_role_and_team("anna", "admin", "Team Nord").team == "Team Nord"
    created = users.get("anna").created_at
    assert users.get("anna").password_changed_at == created  # the password is not touched
    assert users.authenticate("anna", PASSWORD) == users.get("anna")


@pytest.mark.parametrize(
    ("role", "team", "message", "german"),
    [
        ("boss", "Team Nord", "invalid role", "Bitte eine Rolle wählen"),
        ("caseworker", None, "needs a team", "braucht ein Team"),
        ("lead", "   ", "needs a team", "braucht ein Team"),
        ("viewer", "x" * 81, "at most 80", "höchstens 80"),
    ],
)
def test_invalid_role_or_team_changes_are_refused(backend, role, team, message, german):
    users = backend.users()
    users.add("boss", "admin", None, PASSWORD)
    before = users.add("anna", "viewer", "Team Nord", PASSWORD)
    with pytest.raises(InvalidInput, match=message) as info:
        users.set_role_and_team("anna", role, team)
    assert german in info.value.german
    assert backend.users().get("anna") == before


def test_a_team_matching_several_teams_is_refused(backend):
    users = backend.users()
    users.add("anna", "viewer", "Team Süd", PASSWORD)
    before = users.add("bernd", "viewer", "Team Nord", PASSWORD)
    with pytest.raises(InvalidInput, match="several existing teams"):
        users.set_role_and_team("bernd", "viewer", "team sued", known_teams={"Team Sued"})
    assert users.get("bernd") == before


def test_role_change_of_an_unknown_user_is_not_found(backend):
    users = backend.users()
    users.add("boss", "admin", None, PASSWORD)
    with pytest.raises(NotFound, match="no user 'bernd'") as info:
        users.set_role_and_team("bernd", "viewer", "Team Nord")
    assert info.value.german == "Das Konto „bernd“ gibt es nicht."
    assert [u.name for u in users.list()] == ["boss"]


def test_the_last_enabled_admin_can_be_neither_disabled_nor_demoted(backend):
    users, other = backend.users(), backend.users()
    users.add("boss", "admin", None, PASSWORD)
    users.add("anna", "caseworker", "Team Nord", PASSWORD)
    assert users.disable("anna").disabled is True  # not an admin: no rule
    for change in (
        lambda: other.disable("boss"),
        lambda: other.set_role_and_team("boss", "lead", "Team Nord"),
    ):
        with pytest.raises(InvalidInput, match="last enabled admin") as info:
            change()
        assert "letzte aktive Administrationskonto" in info.value.german
    boss = users.get("boss")
    assert boss.role is Role.ADMIN and not boss.disabled
    assert users.set_role_and_team("boss", "admin", "Team Nord").role is Role.ADMIN  # stays one
    assert users.enable("boss").disabled is False  # enabling an enabled admin is fine
    # a second admin: the first may go, then the second is the last one
    users.add("zora", "admin", None, PASSWORD)
    assert other.set_role_and_team("boss", "lead", "Team Nord").role is Role.LEAD
    with pytest.raises(InvalidInput, match="last enabled admin"):
        users.disable("zora")
    # a disabled admin does not count
    users.set_role_and_team("boss", "admin", None)
    users.disable("boss")
    with pytest.raises(InvalidInput, match="last enabled admin"):
        other.set_role_and_team("zora", "viewer", "Team Nord")
    assert users.enable("boss").disabled is False
    assert users.disable("zora").disabled is True
    assert [u.name for u in users.list() if u.role is Role.ADMIN and not u.disabled] == ["boss"]


@pytest.mark.parametrize("second", ["disable", "demote"])
def test_two_servers_cannot_remove_the_last_two_admins_at_once(backend, second):
    """Each of two processes removes one of the last two admins at the same moment:
    exactly one of them succeeds, every round (the check and the write are atomic)."""
    backend.users().add("admin-a", "admin", None, PASSWORD)
    backend.users().add("admin-b", "admin", None, PASSWORD)
    changes = {
        "disable": lambda users, name: users.disable(name),
        "demote": lambda users, name: users.set_role_and_team(name, "lead", "Team Nord"),
    }
    for _ in range(8):
        barrier = threading.Barrier(2)
        outcome: dict[str, str] = {}

        def remove(name: str, how: str, barrier=barrier, outcome=outcome) -> None:
            users = backend.users()  # its own instance, as another server
            barrier.wait()
            try:
                changes[how](users, name)
                outcome[name] = "done"
            except InvalidInput:
                outcome[name] = "refused"
            except Exception as exc:  # anything else fails the test below
                outcome[name] = repr(exc)

        threads = [
            threading.Thread(target=remove, args=("admin-a", "disable")),
            threading.Thread(target=remove, args=("admin-b", second)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcome.values()) == ["done", "refused"], outcome
        users = backend.users()
        admins = [u.name for u in users.list() if u.role is Role.ADMIN and not u.disabled]
        assert len(admins) == 1
        for name in ("admin-a", "admin-b"):  # both admins again for the next round
            users.set_role_and_team(name, "admin", None)
            users.enable(name)


def test_rename_team_changes_every_account_of_the_team(backend):
    users = backend.users()
    users.add("anna", "caseworker", "Team Nord", PASSWORD)
    users.add("bernd", "lead", "Team Nord", PASSWORD)
    users.add("carla", "viewer", "Team Süd", PASSWORD)
    users.add("boss", "admin", None, PASSWORD)
    assert users.rename_team("Team Nord", "Team Nordstadt") == ["anna", "bernd"]
    other = backend.users()
    assert {u.name: u.team for u in other.list()} == {
        "anna": "Team Nordstadt",
        "bernd": "Team Nordstadt",
        "boss": None,
        "carla": "Team Süd",
    }
    assert other.rename_team("Team Nord", "Team X") == []  # nobody left in the old name
    assert other.authenticate("anna", PASSWORD).team == "Team Nordstadt"


# -- created teams -------------------------------------------------------------------
def test_created_teams_add_list_rename(backend):
    teams = backend.teams()
    assert teams.list() == []
    teams.add("Team Osten")
    teams.add("Team Mitte")
    teams.add("Team Osten")  # nothing twice
    assert backend.teams().list() == ["Team Mitte", "Team Osten"]  # sorted, on every server
    backend.teams().rename("Team Osten", "Team Ost")
    assert teams.list() == ["Team Mitte", "Team Ost"]
    teams.rename("Team Mitte", "Team Ost")  # onto an existing name: one entry
    assert teams.list() == ["Team Ost"]
    teams.rename("Team Gibt-es-nicht", "Team Neu")  # the new name is added
    assert teams.list() == ["Team Neu", "Team Ost"]
    teams.rename("Team Neu", "Team Neu")  # the same name: kept
    assert teams.list() == ["Team Neu", "Team Ost"]


def test_concurrent_team_adds_lose_no_team(backend):
    def add(worker: int) -> None:
        teams = backend.teams()
        for i in range(3):
            teams.add(f"Team {worker}-{i}")

    threads = [threading.Thread(target=add, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert backend.teams().list() == sorted(f"Team {w}-{i}" for w in range(4) for i in range(3))


# -- sessions ------------------------------------------------------------------------
def test_sessions_create_and_lookup(backend, clock):
    sessions = backend.sessions(clock=clock)
    token = sessions.create("anna")
    assert len(token) >= 43 and token != sessions.create("anna")
    assert sessions.lookup(token) == "anna"
    assert backend.sessions(clock=clock).lookup(token) == "anna"  # another server
    for bad in (token + "x", "", None, 123, "x" * 10_000, "unknown"):
        assert sessions.lookup(bad) is None
    with pytest.raises(InvalidInput):
        sessions.create("")


def test_idle_sessions_expire(backend, clock):
    sessions = backend.sessions(clock=clock)
    token = sessions.create("anna")
    clock.advance(3599)
    assert sessions.lookup(token) == "anna"  # touched: last_seen moves
    clock.advance(3599)
    assert backend.sessions(clock=clock).lookup(token) == "anna"
    clock.advance(3600)
    assert sessions.lookup(token) is None
    assert backend.sessions(clock=clock).lookup(token) is None
    assert sessions.active() == 0


def test_lookups_inside_the_touch_interval_do_not_extend_the_session(backend, clock):
    sessions = backend.sessions(clock=clock)
    quiet, touched = sessions.create("anna"), sessions.create("bernd")
    clock.advance(30)  # inside the 60 s touch interval: nothing written
    assert sessions.lookup(quiet) == "anna"
    clock.advance(31)  # 61 s: written
    assert sessions.lookup(touched) == "bernd"
    clock.advance(3600 - 61)
    assert sessions.lookup(quiet) is None
    assert sessions.lookup(touched) == "bernd"


def test_logout_on_one_server_ends_the_session_on_every_server(backend, clock):
    server_a, server_b = backend.sessions(clock=clock), backend.sessions(clock=clock)
    first, second = server_a.create("anna"), server_a.create("anna")
    assert server_b.lookup(first) == "anna"
    assert server_b.revoke(first) is True
    assert server_a.lookup(first) is None and server_b.lookup(first) is None
    assert server_a.lookup(second) == "anna"
    assert server_a.revoke(first) is False
    assert server_a.revoke(None) is False and server_a.revoke("x" * 10_000) is False


def test_touch_after_revoke_on_another_server_does_not_resurrect(backend, clock):
    server_a, server_b = backend.sessions(clock=clock), backend.sessions(clock=clock)
    token = server_a.create("anna")
    assert server_b.lookup(token) == "anna"
    server_a.revoke(token)
    clock.advance(120)  # server B would now touch the session
    assert server_b.lookup(token) is None
    assert server_a.active() == 0


def test_revoke_user_and_active(backend, clock):
    sessions = backend.sessions(clock=clock)
    tokens = [sessions.create("anna") for _ in range(3)]
    other = sessions.create("bernd")
    assert backend.sessions(clock=clock).revoke_user("anna") == 3
    assert all(sessions.lookup(t) is None for t in tokens)
    assert sessions.lookup(other) == "bernd"
    assert sessions.revoke_user("anna") == 0
    assert sessions.active() == 1 and sessions.active("bernd") == 1 and sessions.active("x") == 0


def test_purge_expired(backend, clock):
    sessions = backend.sessions(clock=clock)
    old = [sessions.create("anna") for _ in range(2)]
    clock.advance(3000)
    fresh = sessions.create("bernd")
    clock.advance(700)
    assert sessions.purge_expired() == 2
    assert sessions.purge_expired() == 0
    assert sessions.active() == 1
    assert sessions.lookup(fresh) == "bernd" and sessions.lookup(old[0]) is None
    clock.advance(3600)
    assert sessions.revoke_user("bernd") == 0  # expired sessions are not counted


def test_invalid_session_settings_are_refused(backend):
    with pytest.raises(InvalidInput):
        backend.sessions(idle_timeout_s=0)
    with pytest.raises(InvalidInput):
        backend.sessions(touch_interval_s=-1)


# -- the login limiter ---------------------------------------------------------------
def test_nothing_recorded_allows(backend, clock):
    limiter = backend.limiter(clock=clock)
    assert limiter.retry_after("anna", "192.0.2.1") == 0
    limiter.success("anna", "192.0.2.1")
    assert limiter.retry_after("anna", "192.0.2.1") == 0


def test_per_user_limit(backend, clock):
    limiter = backend.limiter(clock=clock)
    for i in range(4):
        limiter.failure("anna", f"192.0.2.{i}")
        clock.advance(1)
    assert limiter.retry_after("anna", "198.51.100.7") == 0
    limiter.failure("Anna ", "192.0.2.9")  # same user, other spelling
    # first failure at t0, window 900 s, now t0 + 4
    assert limiter.retry_after("anna", "198.51.100.7") == pytest.approx(896)
    assert backend.limiter(clock=clock).retry_after("ANNA", None) == pytest.approx(896)
    assert limiter.retry_after("bernd", "192.0.2.9") == 0
    clock.advance(896)
    assert limiter.retry_after("anna", "198.51.100.7") == 0


def test_per_ip_limit(backend, clock):
    limiter = backend.limiter(clock=clock)
    for i in range(19):
        limiter.failure(f"user{i}", "203.0.113.5")
    assert limiter.retry_after("new-user", "203.0.113.5") == 0
    limiter.failure("user19", "203.0.113.5")
    assert limiter.retry_after("new-user", "203.0.113.5") == pytest.approx(900)
    assert limiter.retry_after("new-user", "203.0.113.6") == 0
    clock.advance(900)
    assert limiter.retry_after("new-user", "203.0.113.5") == 0


def test_ipv6_is_counted_per_64_network(backend, clock):
    limiter = backend.limiter(max_failures_per_ip=2, clock=clock)
    limiter.failure("a", "2001:db8:1:2::1")
    limiter.failure("b", "2001:db8:1:2:ffff::9")
    assert limiter.retry_after("c", "2001:db8:1:2::abcd") > 0
    assert limiter.retry_after("c", "2001:db8:1:3::1") == 0
    limiter.failure("d", "::ffff:192.0.2.1")
    limiter.failure("e", "192.0.2.1")
    assert limiter.retry_after("f", "192.0.2.1") > 0


def test_sliding_window(backend, clock):
    limiter = backend.limiter(clock=clock)
    for _ in range(5):
        limiter.failure("anna", "192.0.2.1")
        clock.advance(100)
    # failures at t0 .. t0+400, now t0+500: blocked until t0+900
    assert limiter.retry_after("anna", "192.0.2.1") == pytest.approx(400)
    clock.advance(400)
    assert limiter.retry_after("anna", "192.0.2.1") == 0
    limiter.failure("anna", "192.0.2.1")  # 5 inside the window again
    assert limiter.retry_after("anna", "192.0.2.1") == pytest.approx(100)


def test_success_clears_the_users_failures_but_not_the_addresses(backend, clock):
    limiter = backend.limiter(max_failures_per_user=3, max_failures_per_ip=5, clock=clock)
    for _ in range(3):
        limiter.failure("anna", "192.0.2.1")
    assert limiter.retry_after("anna", "192.0.2.2") > 0
    limiter.success("anna", "192.0.2.1")
    assert limiter.retry_after("anna", "192.0.2.2") == 0
    limiter.failure("bernd", "192.0.2.1")
    limiter.failure("bernd", "192.0.2.1")
    limiter.success("bernd", "192.0.2.1")
    assert limiter.retry_after("carla", "192.0.2.1") > 0  # 5 failures from that address


def test_many_failures_keep_the_block_until_the_window_passes(backend, clock):
    limiter = backend.limiter(clock=clock)
    for _ in range(50):
        limiter.failure("anna", "192.0.2.1")
    assert limiter.retry_after("anna", "192.0.2.1") == pytest.approx(900)
    clock.advance(899)
    assert limiter.retry_after("anna", "192.0.2.1") == pytest.approx(1)
    clock.advance(1)
    assert limiter.retry_after("anna", "192.0.2.1") == 0


def test_attempt_counts_before_the_password_is_checked(backend, clock):
    limiter = backend.limiter(clock=clock)
    for _ in range(5):
        wait_s, at = limiter.attempt("anna", "10.0.0.1")
        assert wait_s == 0.0 and at is not None
    wait_s, at = backend.limiter(clock=clock).attempt("anna", "10.0.0.1")
    assert wait_s > 0 and at is None
    assert limiter.retry_after("anna", "10.0.0.1") > 0


def test_a_successful_attempt_is_taken_back(backend, clock):
    limiter = backend.limiter(max_failures_per_user=5, max_failures_per_ip=2, clock=clock)
    for _ in range(3):  # three good logins from one address never block it
        _, at = limiter.attempt("anna", "10.0.0.1")
        limiter.success("anna", "10.0.0.1", at)
    assert limiter.retry_after("bert", "10.0.0.1") == 0.0
    limiter.attempt("bert", "10.0.0.1")
    limiter.attempt("carl", "10.0.0.1")  # two failed guesses: the address is blocked
    assert limiter.retry_after("dora", "10.0.0.1") > 0


def test_failures_on_two_servers_add_up(backend, clock):
    server_a = backend.limiter(max_failures_per_user=4, clock=clock)
    server_b = backend.limiter(max_failures_per_user=4, clock=clock)
    for server in (server_a, server_b, server_a):
        assert server.attempt("anna", "192.0.2.1")[0] == 0
    server_b.failure("anna", "192.0.2.2")
    assert server_a.retry_after("anna", "198.51.100.1") > 0
    assert server_b.attempt("anna", "198.51.100.1") == (pytest.approx(900), None)


def test_concurrent_attempts_let_exactly_the_limit_through(backend, clock):
    allowed, errors = [], []
    barrier = threading.Barrier(6)

    def guess() -> None:
        limiter = backend.limiter(max_failures_per_user=5, clock=clock)
        barrier.wait()
        try:
            for _ in range(3):
                wait_s, at = limiter.attempt("anna", "192.0.2.1")
                if wait_s == 0:
                    allowed.append(at)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=guess) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(allowed) == 5


def test_threads_lose_no_failure(backend, clock):
    def record(worker: int) -> None:
        limiter = backend.limiter(max_failures_per_ip=1000, clock=clock)
        for i in range(10):
            limiter.failure(f"t{worker}-{i}", "192.0.2.1")

    threads = [threading.Thread(target=record, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert backend.limiter(max_failures_per_ip=80, clock=clock).retry_after("x", "192.0.2.1") > 0
    assert backend.limiter(max_failures_per_ip=81, clock=clock).retry_after("x", "192.0.2.1") == 0


def test_invalid_limits_are_refused(backend):
    with pytest.raises(InvalidInput):
        backend.limiter(max_failures_per_user=0)
    with pytest.raises(InvalidInput):
        backend.limiter(window_s=0)


# -- copying accounts between backends -----------------------------------------------
def test_accounts_are_copied_with_their_passwords(backend, tmp_path):
    files = FileUserStore(tmp_path / "other" / "users.json")
    files.add("anna", "caseworker", "Team Nord", PASSWORD)
    files.add("bernd", "admin", None, "bernds-Passwort-1")
    files.add("zora", "admin", None, PASSWORD)  # the last enabled admin cannot be disabled
    files.disable("bernd")
    target = backend.users()
    target.add("carla", "lead", "Team Süd", PASSWORD)
    assert target.copy_from(files) == (3, 0)
    assert target.copy_from(files) == (0, 3)  # nothing twice
    assert target.get("anna") == files.get("anna")
    assert target.get("bernd") == files.get("bernd")
    assert target.authenticate("anna", PASSWORD) == files.get("anna")
    assert target.authenticate("bernd", "bernds-Passwort-1") is None  # still disabled
    back = FileUserStore(tmp_path / "back" / "users.json")
    assert back.copy_from(target) == (4, 0)
    assert back.records() == target.records()
