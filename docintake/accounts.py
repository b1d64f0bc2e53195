"""Users, roles, passwords, API tokens and sign-in throttling, for the CLI and the web app.

Names are case-insensitive: they are stored in lower case, so "Alice" and "alice" are one user
and the database's primary key keeps them unique. Passwords are argon2 hashes; API tokens are
stored as their SHA-256 only. Functions raise ``docintake.exceptions`` errors and never print.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from docintake.exceptions import (
    AuthError,
    ForbiddenError,
    NotFoundError,
    ThrottledError,
    UsageError,
)
from storage.models import ApiToken, LoginAttempt, User

if TYPE_CHECKING:
    from storage.db import Database


class Role(StrEnum):
    OPERATOR = "operator"  # uploads documents, sees their status
    REVIEWER = "reviewer"  # reviews
    ADMIN = "admin"  # users, escalations, settings; may also review


class Action(StrEnum):
    UPLOAD = "upload"
    VIEW = "view"
    REVIEW = "review"
    ADMIN = "admin"


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.OPERATOR: frozenset({Action.UPLOAD, Action.VIEW}),
    Role.REVIEWER: frozenset({Action.VIEW, Action.REVIEW}),
    Role.ADMIN: frozenset(Action),
}

NAME_MAX = 120  # the width of users.name (and of approvals.reviewer, audit_log.actor)
# ASCII only: Unicode look-alikes ("аlice" with a Cyrillic a) would be different users that
# reviewers cannot tell apart in the audit log.
NAME_PATTERN = re.compile(rf"[A-Za-z0-9._-]{{1,{NAME_MAX}}}")
PASSWORD_MIN = 10
ADDRESS_MAX = 64  # the width of login_attempts.address (an IPv6 address is at most 45)

# Throttling. Failed sign-ins within the window are counted per name and per address; once a
# count reaches its limit (5 failures: the 6th attempt is refused), further attempts are
# refused without checking the password until the oldest failures leave the window. Per name
# stops guessing one person's password (5 is plenty for typos); per address stops one machine
# trying a few passwords on many names (20 leaves room for an office behind one NAT address).
# Refused attempts are not counted, so a burst of guesses does not extend the lock.
MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_ADDRESS = 20
THROTTLE_WINDOW = timedelta(minutes=15)

WRONG_CREDENTIALS = "Wrong name or password."
BAD_TOKEN = "Unknown or revoked API token."

# argon2id with the library's defaults (RFC 9106 low-memory profile). When those defaults
# change, ``authenticate`` rehashes at the next sign-in.
_hasher = PasswordHasher()


def _now() -> datetime:
    """The clock (tests move it)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Account:
    name: str
    role: Role

    def can(self, action: Action | str) -> bool:
        return allowed(self.role, action)


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: Role
    active: bool
    tokens: int  # API tokens not revoked
    created_at: datetime


def allowed(role: Role | str, action: Action | str) -> bool:
    """Whether ``role`` may do ``action`` (upload, view, review, admin)."""
    return Action(action) in PERMISSIONS[Role(role)]


def require(account: Account, action: Action | str) -> None:
    """ForbiddenError unless the account's role may do ``action``."""
    if not allowed(account.role, action):
        raise ForbiddenError(f"{account.name} ({account.role}) may not {action}.")


# ---- users -----------------------------------------------------------------------------------


def normalize_name(name: str) -> str:
    """The stored form of a user name; UsageError when it breaks the rules."""
    if not NAME_PATTERN.fullmatch(name):
        raise UsageError(
            f"Invalid user name {name!r}: 1 to {NAME_MAX} characters, letters, digits, "
            "'.', '_' or '-'."
        )
    return name.lower()


def parse_role(role: Role | str) -> Role:
    try:
        return Role(str(role).lower())
    except ValueError:
        raise UsageError(
            f"Unknown role {role!r}: one of {', '.join(r.value for r in Role)}."
        ) from None


def _check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise UsageError(f"The password must have at least {PASSWORD_MIN} characters.")


def _account(user: User) -> Account:
    return Account(user.name, Role(user.role))


def _user(s: Session, name: str) -> User:
    user = s.get(User, normalize_name(name))
    if user is None:
        raise NotFoundError(f"No user {name!r}.")
    return user


def create_user(db: Database, name: str, role: Role | str, password: str) -> Account:
    key = normalize_name(name)
    parsed = parse_role(role)
    _check_password(password)
    password_hash = _hasher.hash(password)
    try:
        with db.session() as s:
            if s.get(User, key) is not None:
                raise UsageError(f"User {key!r} already exists (names ignore case).")
            s.add(User(name=key, role=parsed.value, password_hash=password_hash, active=True))
            s.flush()
    except IntegrityError:  # created by someone else between our check and our insert
        raise UsageError(f"User {key!r} already exists (names ignore case).") from None
    return Account(key, parsed)


def set_password(db: Database, name: str, password: str) -> Account:
    _check_password(password)
    password_hash = _hasher.hash(password)
    with db.session() as s:
        user = _user(s, name)
        user.password_hash = password_hash
        return _account(user)


def set_role(db: Database, name: str, role: Role | str) -> Account:
    parsed = parse_role(role)
    with db.session() as s:
        user = _user(s, name)
        user.role = parsed.value
        return _account(user)


def deactivate(db: Database, name: str) -> int:
    """The user can no longer sign in; their API tokens are revoked. Returns tokens revoked."""
    with db.session() as s:
        user = _user(s, name)
        user.active = False
        return _revoke(s, user.name)


def active_account(db: Database, name: str) -> Account | None:
    """The account of an active user (its current role); None when unknown or deactivated.

    For sessions: a signed-in browser keeps working only while the user stays active.
    """
    key = name.strip().lower()
    if not NAME_PATTERN.fullmatch(key):
        return None
    with db.session() as s:
        user = s.get(User, key)
        return _account(user) if user is not None and user.active else None


def list_users(db: Database) -> list[UserInfo]:
    with db.session() as s:
        tokens: dict[str, int] = {
            user_name: count
            for user_name, count in s.execute(
                select(ApiToken.user_name, func.count())
                .where(ApiToken.revoked_at.is_(None))
                .group_by(ApiToken.user_name)
            )
        }
        return [
            UserInfo(u.name, Role(u.role), u.active, tokens.get(u.name, 0), u.created_at)
            for u in s.scalars(select(User).order_by(User.name))
        ]


# ---- signing in ------------------------------------------------------------------------------


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def _aware(at: datetime) -> datetime:
    # SQLite gives back naive datetimes; everything we store is UTC.
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _retry_at(
    s: Session, column: InstrumentedAttribute[str], value: str, limit: int, now: datetime
) -> datetime | None:
    """When a throttled name or address may try again; None when it is not throttled."""
    recent = [
        _aware(at)
        for at in s.scalars(
            select(LoginAttempt.at)
            .where(column == value, LoginAttempt.at > now - THROTTLE_WINDOW)
            .order_by(LoginAttempt.at.desc())
            .limit(limit)
        )
    ]
    if len(recent) < limit:
        return None
    # The count drops below the limit when the limit-th most recent failure leaves the window.
    return recent[-1] + THROTTLE_WINDOW


def _throttled(s: Session, key: str, address: str, now: datetime) -> datetime | None:
    times = [
        t
        for t in (
            _retry_at(s, LoginAttempt.user_name, key, MAX_FAILURES_PER_NAME, now),
            _retry_at(s, LoginAttempt.address, address, MAX_FAILURES_PER_ADDRESS, now),
        )
        if t is not None
    ]
    return max(times) if times else None


def authenticate(db: Database, name: str, password: str, address: str) -> Account:
    """The account for a right name and password; AuthError otherwise, ThrottledError when
    there were too many failures (checked before the password, so it reveals nothing)."""
    key = name.strip().lower()[:NAME_MAX]
    address = address[:ADDRESS_MAX]
    now = _now()
    account: Account | None = None
    retry_at: datetime | None = None
    # The failure is recorded in a session that commits, and the error raised after it:
    # raising inside the session would roll the record back.
    with db.session() as s:
        retry_at = _throttled(s, key, address, now)
        if retry_at is None:
            user = s.get(User, key) if NAME_PATTERN.fullmatch(key) else None
            # An unknown name costs a hash check too, so timing does not tell names apart.
            stored = user.password_hash if user is not None else _dummy_hash()
            ok: bool
            try:
                ok = _hasher.verify(stored, password)
            except (VerificationError, InvalidHashError):
                ok = False
            if user is not None and ok and user.active:
                account = _account(user)
                if _hasher.check_needs_rehash(stored):
                    user.password_hash = _hasher.hash(password)
                # This name's own failures from here (typos) are forgotten. Failures from
                # other addresses stay: they may be someone else guessing.
                s.execute(
                    delete(LoginAttempt).where(
                        LoginAttempt.user_name == key, LoginAttempt.address == address
                    )
                )
            else:
                s.add(LoginAttempt(user_name=key, address=address, at=now))
    if retry_at is not None:
        minutes = max(1, -(-int((retry_at - now).total_seconds()) // 60))
        raise ThrottledError(
            f"Too many failed sign-ins; try again after {retry_at:%H:%M} UTC "
            f"(in {minutes} minute{'s' if minutes != 1 else ''}).",
            retry_at=retry_at,
        )
    if account is None:
        raise AuthError(WRONG_CREDENTIALS)
    return account


# ---- API tokens ------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(db: Database, name: str) -> str:
    """A new API token for an active user. Only its hash is kept: show it once."""
    token = secrets.token_urlsafe(32)
    with db.session() as s:
        user = _user(s, name)
        if not user.active:
            raise UsageError(f"User {user.name!r} is deactivated.")
        s.add(ApiToken(token_hash=_token_hash(token), user_name=user.name))
    return token


def account_for_token(db: Database, token: str) -> Account:
    """The account a token belongs to; AuthError when unknown, revoked or the user inactive.

    Not throttled: a token has 256 random bits, too many to guess.
    """
    if not token:
        raise AuthError(BAD_TOKEN)
    with db.session() as s:
        user = s.scalars(
            select(User)
            .join(ApiToken, ApiToken.user_name == User.name)
            .where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None))
        ).one_or_none()
        if user is None or not user.active:
            raise AuthError(BAD_TOKEN)
        return _account(user)


def _revoke(s: Session, key: str) -> int:
    tokens = s.scalars(
        select(ApiToken).where(ApiToken.user_name == key, ApiToken.revoked_at.is_(None))
    ).all()
    now = _now()
    for t in tokens:
        t.revoked_at = now
    return len(tokens)


def revoke_tokens(db: Database, name: str) -> int:
    """Revokes every API token of the user; returns how many."""
    with db.session() as s:
        return _revoke(s, _user(s, name).name)
