"""Jinja2 set-up: autoescape everywhere (OCR text is untrusted), and what every page needs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from web.auth import CSRF_FIELD, csrf_token, session_account

TEMPLATES = Path(__file__).parent / "templates"


def _age(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


def _when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def _confidence(value: Any) -> str:
    if value is None or isinstance(value, jinja2.Undefined):
        return ""
    try:
        return f"{float(value):.2f}"
    except (TypeError, ValueError):
        return ""


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its extension
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["age"] = _age
    env.filters["when"] = _when
    env.filters["confidence"] = _confidence
    return env


templates = Jinja2Templates(env=_environment())


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    account = session_account(request)
    flash = request.session.pop("flash", None)
    full = {
        "account": account,
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "flash": flash,
        **(context or {}),
    }
    response: HTMLResponse = templates.TemplateResponse(
        request, name, full, status_code=status_code, headers=dict(headers or {})
    )
    return response
