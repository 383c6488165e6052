"""The storefront's Jinja2 templates (autoescaped: names and addresses are text, never markup)
and its static files, both read from the package."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, Response

STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("cloud_api.storefront", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = money
    return env


def page(template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    html = environment().get_template(template).render(**values)
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


@cache
def _static(name: str) -> bytes:
    return resources.files("cloud_api.storefront").joinpath("static", name).read_bytes()


def static(name: str) -> Response:
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in STATIC_TYPES or "/" in name or name.startswith("."):
        return Response("Not found", status_code=404, media_type="text/plain")
    try:
        body = _static(name)
    except FileNotFoundError:
        return Response("Not found", status_code=404, media_type="text/plain")
    return Response(body, media_type=STATIC_TYPES[suffix], headers={"Cache-Control": "public, max-age=3600"})
