"""Who is asking: session sign-in for pages, Bearer tokens (or the session) for the API, and
the per-session CSRF token every form POST must carry."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable

from fastapi import Request

from docintake import accounts
from docintake.accounts import Account, Action
from docintake.exceptions import AuthError, ForbiddenError
from storage.db import Database

SESSION_COOKIE = "docintake_session"
SESSION_MAX_AGE = 8 * 60 * 60  # one working day; then sign in again
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(Exception):
    """A page asked for without a session: the browser is sent to /login."""


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def client_address(request: Request) -> str:
    # uvicorn puts the real client here (X-Forwarded-For only from trusted proxies).
    return request.client.host if request.client else "unknown"


def csrf_token(request: Request) -> str:
    """This session's CSRF token, made on first use (the login form needs one too)."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, given: object) -> None:
    expected = request.session.get("csrf")
    if not (
        isinstance(expected, str)
        and expected
        and isinstance(given, str)
        and hmac.compare_digest(expected.encode(), given.encode())
    ):
        raise ForbiddenError("The form's security token is missing or stale; reload the page.")


async def csrf_form(request: Request) -> None:
    """Dependency for form POSTs (FastAPI has parsed the form already; this reuses it)."""
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))


def sign_in(request: Request, account: Account) -> None:
    # A fresh session (and CSRF token) at sign-in: nothing planted before it carries over.
    request.session.clear()
    request.session["user"] = account.name
    request.session["csrf"] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
    request.session.clear()


def session_account(request: Request) -> Account | None:
    """The signed-in user, looked up each time so that deactivation and role changes count."""
    name = request.session.get("user")
    if not isinstance(name, str):
        return None
    account = accounts.active_account(database(request), name)
    if account is None:
        request.session.clear()
    return account


def page_user(action: Action | None = None) -> Callable[[Request], Account]:
    """Dependency for pages: LoginRequired without a session, ForbiddenError for the role."""

    def dependency(request: Request) -> Account:
        account = session_account(request)
        if account is None:
            raise LoginRequired()
        if action is not None:
            accounts.require(account, action)
        return account

    return dependency


def form_user(action: Action) -> Callable[[Request], Awaitable[Account]]:
    """Dependency for form POSTs: signed in, allowed, then the CSRF token (in this order, so
    that a stranger is sent to sign in rather than told about tokens)."""
    allowed = page_user(action)

    async def dependency(request: Request) -> Account:
        account = allowed(request)
        await csrf_form(request)
        return account

    return dependency


def api_user(action: Action) -> Callable[[Request], Awaitable[Account]]:
    """Dependency for the API: a Bearer token, or the browser's session (a POST then needs
    the X-CSRF-Token header, since cookies are sent by any site's forms)."""

    async def dependency(request: Request) -> Account:
        header = request.headers.get("authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise AuthError("Send Authorization: Bearer TOKEN (docintake users token NAME).")
            account = accounts.account_for_token(database(request), token.strip())
        else:
            found = session_account(request)
            if found is None:
                raise AuthError("Not signed in: send Authorization: Bearer TOKEN.")
            if request.method not in SAFE_METHODS:
                check_csrf(request, request.headers.get(CSRF_HEADER))
            account = found
        accounts.require(account, action)
        return account

    return dependency
