"""The storefront's Jinja2 templates (autoescaped: names and addresses are text, never markup)
and its static files, both read from the package."""

from __future__ import annotations

from typing import Any

from starlette.responses import HTMLResponse, Response

from cloud_api.web.templates import Site

STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"


SITE = Site("cloud_api.storefront", STATIC_TYPES, filters={"money": money})


def page(template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    return SITE.page(template, status_code, **values)


def static(name: str) -> Response:
    return SITE.static(name)
