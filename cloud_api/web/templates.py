"""A site's Jinja2 templates and static files, both read from its package (`templates/`,
`static/`): the one set-up the storefront and the console share.

Templates are autoescaped (names, addresses and notes come from people: they are text, never
markup) and strict (a value a template names but the page did not give is an error, not a
blank). Pages are never cached; static files are, for an hour. A static name that is not a
plain file name of a served type answers 404, as does a file that is not there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, Response


class Site:
    def __init__(
        self,
        package: str,
        static_types: Mapping[str, str],
        filters: Mapping[str, Callable[..., Any]] | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        """`static_types`: the media type served for each file suffix; `filters` and `values`:
        what every template of the site may use."""
        self.package = package
        self.static_types = dict(static_types)
        self._filters = dict(filters or {})
        self._values = dict(values or {})
        self.environment = cache(self._environment)
        self._read = cache(self._read_static)

    def page(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        html = self.environment().get_template(template).render(**values)
        return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})

    def static(self, name: str) -> Response:
        suffix = name[name.rfind(".") :] if "." in name else ""
        if suffix not in self.static_types or "/" in name or name.startswith("."):
            return _not_found()
        try:
            body = self._read(name)
        except FileNotFoundError:
            return _not_found()
        return Response(
            body, media_type=self.static_types[suffix], headers={"Cache-Control": "public, max-age=3600"}
        )

    def _environment(self) -> Environment:
        env = Environment(
            loader=PackageLoader(self.package, "templates"),
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters.update(self._filters)
        env.globals.update(self._values)
        return env

    def _read_static(self, name: str) -> bytes:
        return resources.files(self.package).joinpath("static", name).read_bytes()


def _not_found() -> Response:
    return Response("Not found", status_code=404, media_type="text/plain")
