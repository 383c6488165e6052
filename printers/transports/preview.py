"""A preview folder: each job's text preview, as a person would read it off the paper.

`preview:///path/printouts` writes one `.txt` file per job, named by job number, order
label and document (`000017-1042-kitchen.txt`), so a demo store without a printer shows
its tickets. The bytes are decoded exactly as `printers.layout.preview` does; the file
appears whole (written aside, then renamed) or not at all.
"""

from __future__ import annotations

import os
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

from printers.decode import UndecodableBytes, decode
from printers.errors import PrinterDisconnected, PrinterUnreachable
from printers.transports.base import DEFAULT_TIMEOUTS, Timeouts
from printers.transports.status import PrinterStatus
from printers.transports.urls import PreviewUrl

NARROWEST = 32  # columns of 58 mm paper
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_count = 0
_count_lock = threading.Lock()


def _unnamed() -> str:
    """A name for a job sent outside the queue (a test page): time, then a counter."""
    global _count
    with _count_lock:
        _count += 1
        number = _count
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{os.getpid()}-{number}"


def file_name(job_id: int, document: str, label: str) -> str:
    parts = [f"{job_id:06d}", label.lstrip("#"), document]
    return "-".join(_UNSAFE.sub("-", p).strip("-") for p in parts if p.strip()) + ".txt"


class PreviewConnection:
    def __init__(self, url: PreviewUrl, *, printer: str = "", timeouts: Timeouts = DEFAULT_TIMEOUTS) -> None:
        self.url = url
        self.folder = Path(url.folder)
        self.address = url.address
        self.printer = printer
        self.timeouts = timeouts
        self._name = ""

    def name_job(self, job_id: int, document: str, label: str) -> None:
        self._name = file_name(job_id, document, label)

    def open(self, timeout: float | None = None) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            detail = f"cannot make the folder: {exc.strerror or exc}"
            raise PrinterUnreachable(self.address, detail, printer=self.printer) from exc

    def send(self, data: bytes, timeout: float | None = None) -> None:
        try:
            lines = decode(data)
        except UndecodableBytes as exc:
            raise PrinterDisconnected(self.address, str(exc), printer=self.printer) from exc
        widths = [line.width for line in lines.lines if line.kind == "text"]
        text = lines.as_text(max([NARROWEST, *widths]))
        target = self.folder / (self._name or f"{_unnamed()}.txt")
        aside = target.with_name(f".{target.name}.part")
        try:
            aside.write_text(text, encoding="utf-8")
            os.replace(aside, target)
        except OSError as exc:
            detail = f"cannot write {target.name}: {exc.strerror or exc}"
            raise PrinterUnreachable(self.address, detail, printer=self.printer) from exc

    def status(self, timeout: float | None = None) -> PrinterStatus | None:
        return None

    def close(self) -> None:
        pass
