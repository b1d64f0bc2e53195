"""Accounts: password hashes, names, sign-in throttling, API tokens, roles, and `users` CLI."""

from __future__ import annotations

import hashlib
import io
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from sqlalchemy import select

from docintake import accounts, cli
from docintake.accounts import Account, Action, Role
from docintake.cli import main
from docintake.exceptions import (
    AuthError,
    ForbiddenError,
    NotFoundError,
    ThrottledError,
    UsageError,
)
from storage.db import Database
from storage.models import ApiToken, LoginAttempt, User

PASSWORD = "correct horse battery"
START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    """argon2id at minimum cost: the default takes ~0.1 s a hash, and throttling needs many."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", hasher)
    accounts._dummy_hash.cache_clear()
    return hasher


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(accounts, "_now", c)
    return c


def _hash_of(db: Database, name: str) -> str:
    with db.session() as s:
        user = s.get(User, name)
        assert user is not None
        return user.password_hash


def _failures(db: Database) -> list[tuple[str, str]]:
    with db.session() as s:
        return [(a.user_name, a.address) for a in s.scalars(select(LoginAttempt))]


# ---- users ----------------------------------------------------------------------------------


def test_password_is_stored_as_an_argon2_hash(db: Database) -> None:
    account = accounts.create_user(db, "alice", Role.REVIEWER, PASSWORD)

    assert account == Account("alice", Role.REVIEWER)
    stored = _hash_of(db, "alice")
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)


def test_names_ignore_case(db: Database) -> None:
    assert accounts.create_user(db, "Alice", "reviewer", PASSWORD).name == "alice"

    with pytest.raises(UsageError, match="already exists"):
        accounts.create_user(db, "ALICE", "admin", "another password")
    assert accounts.authenticate(db, "aLiCe", PASSWORD, "10.0.0.1").name == "alice"
    assert [u.name for u in accounts.list_users(db)] == ["alice"]


@pytest.mark.parametrize("name", ["", "a" * 121, "al ice", "alice@example", "аlice"])
def test_bad_names_are_refused(db: Database, name: str) -> None:
    with pytest.raises(UsageError, match="Invalid user name"):
        accounts.create_user(db, name, "operator", PASSWORD)
    assert accounts.list_users(db) == []


def test_longest_name_and_allowed_characters(db: Database) -> None:
    name = "J.Doe_2-" + "x" * 112
    assert accounts.create_user(db, name, "operator", PASSWORD).name == name.lower()


def test_short_password_and_unknown_role_are_refused(db: Database) -> None:
    with pytest.raises(UsageError, match="at least 10 characters"):
        accounts.create_user(db, "bob", "operator", "123456789")
    with pytest.raises(UsageError, match="Unknown role 'boss'"):
        accounts.create_user(db, "bob", "boss", PASSWORD)
    assert accounts.list_users(db) == []


def test_set_password_set_role_and_list(db: Database) -> None:
    accounts.create_user(db, "bob", "operator", PASSWORD)
    accounts.set_password(db, "Bob", "a new long password")
    assert accounts.set_role(db, "bob", "admin") == Account("bob", Role.ADMIN)

    with pytest.raises(AuthError):
        accounts.authenticate(db, "bob", PASSWORD, "10.0.0.1")
    assert accounts.authenticate(db, "bob", "a new long password", "10.0.0.1").role is Role.ADMIN
    with pytest.raises(UsageError, match="at least 10"):
        accounts.set_password(db, "bob", "short")
    with pytest.raises(NotFoundError):
        accounts.set_role(db, "nobody", "admin")
    [info] = accounts.list_users(db)
    assert (info.name, info.role, info.active, info.tokens) == ("bob", Role.ADMIN, True, 0)


# ---- signing in -----------------------------------------------------------------------------


def test_wrong_password_and_unknown_user_give_the_same_error(db: Database) -> None:
    accounts.create_user(db, "alice", "reviewer", PASSWORD)

    with pytest.raises(AuthError) as wrong_password:
        accounts.authenticate(db, "alice", "not the password", "10.0.0.1")
    with pytest.raises(AuthError) as unknown_user:
        accounts.authenticate(db, "mallory", PASSWORD, "10.0.0.1")

    assert type(wrong_password.value) is type(unknown_user.value) is AuthError
    assert wrong_password.value.message == unknown_user.value.message == "Wrong name or password."
    assert sorted(_failures(db)) == [("alice", "10.0.0.1"), ("mallory", "10.0.0.1")]


def test_inactive_user_cannot_sign_in(db: Database) -> None:
    accounts.create_user(db, "alice", "reviewer", PASSWORD)
    accounts.deactivate(db, "alice")

    with pytest.raises(AuthError, match="Wrong name or password"):
        accounts.authenticate(db, "alice", PASSWORD, "10.0.0.1")
    assert accounts.list_users(db)[0].active is False


def test_five_failures_throttle_the_name_even_with_the_right_password(
    db: Database, clock: Clock
) -> None:
    accounts.create_user(db, "alice", "reviewer", PASSWORD)
    for i in range(5):
        clock.advance(minutes=1)
        with pytest.raises(AuthError) as e:
            accounts.authenticate(db, "alice", f"guess number {i}", f"10.0.0.{i}")
        assert not isinstance(e.value, ThrottledError)
    first_failure = START + timedelta(minutes=1)

    with pytest.raises(ThrottledError) as throttled:
        accounts.authenticate(db, "alice", PASSWORD, "10.9.9.9")
    assert throttled.value.exit_code == 7
    assert throttled.value.retry_at == first_failure + accounts.THROTTLE_WINDOW
    assert "try again after 09:16 UTC (in 11 minutes)" in throttled.value.message
    # Refused attempts are not counted: the lock does not grow.
    assert len(_failures(db)) == 5

    clock.now = first_failure + accounts.THROTTLE_WINDOW
    assert accounts.authenticate(db, "alice", PASSWORD, "10.9.9.9").name == "alice"


def test_throttling_is_checked_before_the_password(
    db: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts.create_user(db, "alice", "reviewer", PASSWORD)
    for _ in range(5):
        with pytest.raises(AuthError):
            accounts.authenticate(db, "alice", "wrong password", "10.0.0.1")
    checked: list[str] = []

    class Watched(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            checked.append(str(password))
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "_hasher", Watched(time_cost=1, memory_cost=8, parallelism=1))
    with pytest.raises(AuthError):
        accounts.authenticate(db, "bob", "someone else", "10.0.0.2")
    assert checked == ["someone else"]  # the watch works
    with pytest.raises(ThrottledError):
        accounts.authenticate(db, "alice", PASSWORD, "10.0.0.1")
    assert checked == ["someone else"]


def test_twenty_failures_from_one_address_throttle_every_name(db: Database, clock: Clock) -> None:
    accounts.create_user(db, "alice", "reviewer", PASSWORD)
    for i in range(20):
        with pytest.raises(AuthError) as e:
            accounts.authenticate(db, f"user{i}", "some password", "203.0.113.7")
        assert not isinstance(e.value, ThrottledError)

    with pytest.raises(ThrottledError):
        accounts.authenticate(db, "alice", PASSWORD, "203.0.113.7")
    # Another address is not affected.
    assert accounts.authenticate(db, "alice", PASSWORD, "198.51.100.1").name == "alice"

    clock.advance(minutes=15)
    assert accounts.authenticate(db, "alice", PASSWORD, "203.0.113.7").name == "alice"


def test_failures_outside_the_window_do_not_count(db: Database, clock: Clock) -> None:
    accounts.create_user(db, "alice", "reviewer", PASSWORD)
    for _ in range(4):
        with pytest.raises(AuthError):
            accounts.authenticate(db, "alice", "wrong password", "10.0.0.1")
    clock.advance(minutes=16)
    for _ in range(4):
        with pytest.raises(AuthError) as e:
            accounts.authenticate(db, "alice", "wrong password", "10.0.0.1")
        assert not isinstance(e.value, ThrottledError)


def test_success_clears_own_failures_but_not_other_addresses(db: Database, clock: Clock) -> None:
    accounts.create_user(db, "alice", "reviewer", PASSWORD)
    accounts.create_user(db, "bob", "reviewer", PASSWORD)
    for _ in range(4):
        with pytest.raises(AuthError):
            accounts.authenticate(db, "alice", "typo password", "10.0.0.1")
    for _ in range(3):
        with pytest.raises(AuthError):
            accounts.authenticate(db, "bob", "a guess at it", "10.6.6.6")

    accounts.authenticate(db, "alice", PASSWORD, "10.0.0.1")
    accounts.authenticate(db, "bob", PASSWORD, "10.0.0.1")

    # Alice's own typos are forgotten; the guesses at bob from elsewhere are kept.
    assert _failures(db) == [("bob", "10.6.6.6")] * 3
    for _ in range(4):
        with pytest.raises(AuthError) as e:
            accounts.authenticate(db, "alice", "typo password", "10.0.0.1")
        assert not isinstance(e.value, ThrottledError)


def test_old_hash_parameters_are_upgraded_at_sign_in(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts.create_user(db, "alice", "reviewer", PASSWORD)
    weak = _hash_of(db, "alice")
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", stronger)

    accounts.authenticate(db, "alice", PASSWORD, "10.0.0.1")

    upgraded = _hash_of(db, "alice")
    assert upgraded != weak and "m=16,t=2" in upgraded
    assert accounts.authenticate(db, "alice", PASSWORD, "10.0.0.1").name == "alice"
    assert _hash_of(db, "alice") == upgraded  # no rehash when nothing changed


# ---- API tokens -----------------------------------------------------------------------------


def test_token_round_trip_stores_only_the_hash(db: Database) -> None:
    accounts.create_user(db, "alice", "reviewer", PASSWORD)
    token = accounts.new_token(db, "Alice")

    assert len(token) >= 43
    assert accounts.account_for_token(db, token) == Account("alice", Role.REVIEWER)
    with db.session() as s:
        [row] = s.scalars(select(ApiToken))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert row.user_name == "alice"
    assert accounts.new_token(db, "alice") != token
    assert accounts.list_users(db)[0].tokens == 2


@pytest.mark.parametrize("token", ["", "made-up-token"])
def test_unknown_token_is_refused(db: Database, token: str) -> None:
    with pytest.raises(AuthError, match="Unknown or revoked API token"):
        accounts.account_for_token(db, token)


def test_revoked_token_and_deactivated_user_are_refused(db: Database) -> None:
    accounts.create_user(db, "alice", "reviewer", PASSWORD)
    accounts.create_user(db, "bob", "operator", PASSWORD)
    revoked = accounts.new_token(db, "alice")
    assert accounts.revoke_tokens(db, "alice") == 1
    with pytest.raises(AuthError):
        accounts.account_for_token(db, revoked)

    bobs = accounts.new_token(db, "bob")
    assert accounts.deactivate(db, "bob") == 1
    with pytest.raises(AuthError):
        accounts.account_for_token(db, bobs)
    with pytest.raises(UsageError, match="deactivated"):
        accounts.new_token(db, "bob")
    with pytest.raises(NotFoundError):
        accounts.new_token(db, "nobody")


# ---- roles ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "may"),
    [
        (Role.OPERATOR, {"upload", "view"}),
        (Role.REVIEWER, {"view", "review"}),
        (Role.ADMIN, {"upload", "view", "review", "admin"}),
    ],
)
def test_role_permissions(role: Role, may: set[str]) -> None:
    assert {a.value for a in Action if accounts.allowed(role, a)} == may
    assert Account("x", role).can("review") is ("review" in may)


def test_require_raises_forbidden() -> None:
    accounts.require(Account("ann", Role.ADMIN), Action.ADMIN)
    with pytest.raises(ForbiddenError, match="ann \\(operator\\) may not review") as e:
        accounts.require(Account("ann", Role.OPERATOR), "review")
    assert e.value.exit_code == 8


# ---- `docintake users` ----------------------------------------------------------------------


def _users(tmp_path: Path, *args: str) -> int:
    return main(["--home", str(tmp_path), "users", *args])


def test_cli_roles_are_the_service_roles() -> None:
    assert tuple(Role) == cli.ROLES


def test_users_add_reads_the_password_from_stdin(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))

    assert _users(tmp_path, "add", "Bob", "--role", "reviewer") == 0

    assert "added bob (reviewer)" in capsys.readouterr().out
    assert accounts.authenticate(db, "bob", PASSWORD, "127.0.0.1") == Account("bob", Role.REVIEWER)


def test_users_add_refuses_a_short_password_or_no_password(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert _users(tmp_path, "add", "bob", "--role", "admin") == 2
    assert "at least 10 characters" in capsys.readouterr().err

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert _users(tmp_path, "add", "bob", "--role", "admin") == 2
    assert "No password" in capsys.readouterr().err
    assert accounts.list_users(db) == []


def test_users_add_prompts_twice_at_a_terminal(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_stdin_is_terminal", lambda: True)
    runner = CliRunner()
    args = ["--home", str(tmp_path), "users", "add", "carol", "--role", "admin"]

    result = runner.invoke(cli.cli, args, input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 1 and "Repeat for confirmation" in result.output
    assert PASSWORD not in result.output  # hidden input
    assert accounts.authenticate(db, "carol", PASSWORD, "127.0.0.1").role is Role.ADMIN


def test_users_token_prints_only_the_token(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    accounts.create_user(db, "alice", "operator", PASSWORD)

    assert _users(tmp_path, "token", "alice") == 0

    captured = capsys.readouterr()
    token = captured.out.removesuffix("\n")
    assert "\n" not in token and " " not in token
    assert accounts.account_for_token(db, token) == Account("alice", Role.OPERATOR)
    assert "shown once" in captured.err


def test_users_list_passwd_and_deactivate(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    accounts.create_user(db, "alice", "reviewer", PASSWORD)
    accounts.new_token(db, "alice")
    accounts.create_user(db, "bob", "admin", PASSWORD)

    assert _users(tmp_path, "list") == 0
    listing = capsys.readouterr().out
    assert "2 user(s)" in listing
    assert [line.split("│")[1:5] for line in listing.splitlines() if "alice" in line] == [
        [" alice ", " reviewer ", " yes    ", " 1      "]
    ]

    monkeypatch.setattr(sys, "stdin", io.StringIO("the new password\n"))
    assert _users(tmp_path, "passwd", "ALICE") == 0
    assert "password changed for alice" in capsys.readouterr().out
    assert accounts.authenticate(db, "alice", "the new password", "127.0.0.1").name == "alice"

    assert _users(tmp_path, "deactivate", "alice") == 0
    assert "1 API token(s) revoked" in capsys.readouterr().out
    [alice] = [u for u in accounts.list_users(db) if u.name == "alice"]
    assert (alice.active, alice.tokens) == (False, 0)


def test_users_errors_map_to_exit_codes(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert _users(tmp_path, "token", "nobody") == 6
    assert "No user 'nobody'" in capsys.readouterr().err
    assert _users(tmp_path, "add", "bad name", "--role", "admin") == 2
    assert "Invalid user name" in capsys.readouterr().err
    assert _users(tmp_path, "add", "bob", "--role", "boss") == 2
