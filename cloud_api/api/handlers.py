"""The one place errors become answers: `{"detail": "...", "field": "..."}` with the
error's own status code. Nothing the caller sent can make a 500 with a stack trace."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from cloud_api.errors import CloudError, TooManyAttempts
from makeline.trade.errors import BadInput, TradeError

log = logging.getLogger(__name__)
_HEADER_NAMES = {"idempotency-key": "Idempotency-Key", "authorization": "Authorization"}


def field_name(loc: Sequence[Any]) -> str:
    """`("body", "items", 0, "size")` → `items.0.size`; headers keep their usual spelling."""
    parts = list(loc)
    if parts and parts[0] == "header" and len(parts) > 1:
        return _HEADER_NAMES.get(str(parts[1]).lower(), str(parts[1]))
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "body"


def _answer(status: int, detail: str, field: str | None, **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": detail, "field": field, **extra}, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(CloudError)
    async def cloud_error(request: Request, exc: CloudError) -> JSONResponse:
        if exc.status_code >= 500 and exc.status_code != 503:
            log.error("%s %s failed: %s", request.method, request.url.path, exc.detail)
        extra: dict[str, Any] = {"decline_code": exc.decline_code} if hasattr(exc, "decline_code") else {}
        if isinstance(exc, TooManyAttempts):  # the header in whole seconds (RFC 9110), the body exact
            extra["retry_after_s"] = round(exc.retry_after_s, 2)
        answer = _answer(exc.status_code, exc.detail, exc.field, **extra)
        if isinstance(exc, TooManyAttempts):
            answer.headers["Retry-After"] = str(math.ceil(exc.retry_after_s))
        return answer

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": field_name(e.get("loc", ())), "message": str(e.get("msg", "is not valid"))}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "body", "message": "is not valid"}
        detail = f"{first['field']}: {first['message']}"
        if len(errors) > 1:
            detail += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
        return _answer(422, detail, first["field"], errors=errors)

    @app.exception_handler(BadInput)
    async def bad_input(request: Request, exc: BadInput) -> JSONResponse:
        return _answer(422, str(exc), None)

    @app.exception_handler(TradeError)
    async def store_rule(request: Request, exc: TradeError) -> JSONResponse:
        return _answer(409, str(exc), None)

    @app.exception_handler(DataError)
    async def out_of_range(request: Request, exc: DataError) -> JSONResponse:
        log.info("refused a value the database cannot hold: %s", exc.orig)
        return _answer(422, "A value is out of range or not allowed for its field.", None)

    @app.exception_handler(IntegrityError)
    async def clash(request: Request, exc: IntegrityError) -> JSONResponse:
        log.info("refused a write that clashes with existing data: %s", exc.orig)
        return _answer(409, "That clashes with data that already exists; reload and try again.", None)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _answer(exc.status_code, str(exc.detail), None)
