"""No credential in any log line: a filter that blanks bearer tokens, `Authorization`
headers, device and refresh tokens, signed tokens, passwords in JSON, and credentials in
URLs (`access_token=`, `token=`, `ticket=`, `code=`), installed on uvicorn's access and
error loggers, the cloud's own, and every handler they write through."""

from __future__ import annotations

import logging
import re
from typing import Any

HIDDEN = "[redacted]"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)[^\"',}\r\n]+"), rf"\1{HIDDEN}"),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+"), rf"\1{HIDDEN}"),
    (
        re.compile(r"(?i)([?&;](?:access_token|refresh_token|device_token|token|ticket|code)=)[^&\s\"']+"),
        rf"\1{HIDDEN}",
    ),
    (
        re.compile(
            r"(?i)([\"'](?:access_token|refresh_token|device_token|token|password|current_password|new_password)[\"']\s*:\s*[\"'])[^\"']*"
        ),
        rf"\1{HIDDEN}",
    ),
    (re.compile(r"\b(ml[dr]_)[A-Za-z0-9_.~-]+"), rf"\1{HIDDEN}"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), HIDDEN),
]
# Every pattern above needs one of these words in the text: most lines (an access line)
# have none and are passed by one search instead of six rewrites.
_TRIGGER = re.compile(r"(?i)authorization|bearer|token|ticket|code=|password|ml[dr]_|eyJ")
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "cloud_api", "httpx", "sync", "makeline")


def redact(text: str) -> str:
    if _TRIGGER.search(text) is None:
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _clean(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    """Rewrites a record's message and arguments (keeping their shape, which uvicorn's
    access formatter relies on) and any traceback text already formatted."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _clean(v) for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FILTER = RedactSecrets()


def install() -> None:
    """Put the filter on our loggers and on every handler they write through (a logger's
    own filters see only the records made on it; its handlers see its children's too).
    Safe to call again after logging is configured anew."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
