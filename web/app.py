"""``create_app(settings)``: the pages, the REST API under /api, sessions and error answers."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from docintake import __version__
from docintake.exceptions import AuthError, DocintakeError, ThrottledError
from docintake.settings import Settings, web_session_secret
from storage.db import Database
from web import api, pages
from web.auth import SESSION_COOKIE, SESSION_MAX_AGE, LoginRequired
from web.errors import headers_for, status_for
from web.rendering import render

STATIC = Path(__file__).parent / "static"
# Our pages load nothing from elsewhere and run no inline script; Swagger UI (/docs) does.
CSP = (
    "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
OPEN_DOCS = ("/docs", "/redoc")


class SecureCookieOverHttps:
    """Adds ``Secure`` to Set-Cookie when the request came over https (also behind a proxy
    that uvicorn trusts), so the same app works on plain http at 127.0.0.1."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def send_secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = []
                for key, value in message.get("headers", []):
                    if key.lower() == b"set-cookie" and b"secure" not in value.lower():
                        value += b"; secure"
                    headers.append((key, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_secure)


def _is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    """The web app for one home and database (``db`` lets tests pass theirs)."""
    app = FastAPI(
        title="docintake",
        version=__version__,
        description="Review queue, decisions and uploads. Authenticate with "
        "`Authorization: Bearer TOKEN` (`docintake users token NAME`).",
    )
    app.state.settings = settings
    app.state.db = db or Database(settings.database)

    # Last added runs first: the Secure flag is added to what the session middleware sets.
    app.add_middleware(
        SessionMiddleware,
        secret_key=web_session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
    )
    app.add_middleware(SecureCookieOverHttps)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith(OPEN_DOCS):
            response.headers.setdefault("Content-Security-Policy", CSP)
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)

    @app.exception_handler(DocintakeError)
    async def docintake_error(request: Request, exc: DocintakeError) -> Response:
        status = status_for(exc)
        if _is_api(request):
            return JSONResponse({"detail": exc.message}, status, headers=headers_for(exc))
        if isinstance(exc, AuthError) and not isinstance(exc, ThrottledError):
            return RedirectResponse("/login", status_code=303)
        context = {"message": exc.message, "status": status}
        return render(request, "error.html", context, status_code=status)

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
