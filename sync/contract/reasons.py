"""One sentence from a pydantic validation error: what a quarantine list shows."""

from __future__ import annotations

from pydantic import ValidationError

MAX_REASONS = 3


def reason_of(exc: ValidationError, kind: str = "") -> str:
    parts: list[str] = []
    for error in exc.errors(include_url=False, include_input=False)[:MAX_REASONS]:
        if error["type"] == "union_tag_invalid":
            tag = (error.get("ctx") or {}).get("tag", "?")
            parts.append(f"unknown kind '{tag}' (this side is older than the sender: update makeline)")
            continue
        loc = error["loc"][1:] if error["loc"][:1] == (kind,) else error["loc"]
        where = ".".join(str(p) for p in loc if not str(p).startswith(("function-", "tagged-")))
        parts.append(f"{where or 'the entry'}: {error['msg'].lower()}")
    more = exc.error_count() - MAX_REASONS
    text = "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
    return text[:500]
