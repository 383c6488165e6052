"""An in-memory `JobStore`, keeping the contract the store's print_job table keeps."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

from printers.documents import Document
from printers.payload import from_payload, to_payload
from printers.queue import Job, PrinterConfig


@dataclass
class Row:
    job: Job
    status: str = "queued"  # queued, sending, printed, unprintable
    last_error: str = ""
    claims: int = 0  # times handed to a worker
    history: list[str] = field(default_factory=list)


class MemoryJobStore:
    def __init__(self, printers: list[PrinterConfig]) -> None:
        self.configs = list(printers)
        self.rows: list[Row] = []
        self.lock = threading.Lock()

    def add(self, printer: str, document: Document, *, reprint: bool = False) -> int:
        with self.lock:
            job = Job(
                id=len(self.rows) + 1,
                printer=printer,
                document=document.kind,
                payload=to_payload(document),
                reprint=reprint,
            )
            self.rows.append(Row(job))
            return job.id

    def row(self, job_id: int) -> Row:
        return self.rows[job_id - 1]

    def printed_ids(self) -> list[int]:
        return [r.job.id for r in self.rows if r.status == "printed"]

    # ---- JobStore --------------------------------------------------------------------
    def printers(self) -> list[PrinterConfig]:
        return list(self.configs)

    def document(self, job: Job) -> Document:
        return from_payload(job.document, job.payload)

    def next_job(self, printer: str) -> Job | None:
        with self.lock:
            mine = [r for r in self.rows if r.job.printer == printer and r.status in ("queued", "sending")]
            if not mine:
                return None
            row = min(mine, key=lambda r: r.job.id)
            if row.status == "sending":  # left in flight by a worker that died
                row.job = replace(row.job, reprint=True)
            row.status = "sending"
            row.claims += 1
            row.job = replace(row.job, attempts=row.job.attempts + 1)
            row.history.append(f"claimed by {printer}")
            return row.job

    def mark_printed(self, job_id: int, then_claim: str | None = None) -> Job | None:
        with self.lock:
            row = self.row(job_id)
            assert row.status == "sending", f"job {job_id} printed while {row.status}"
            row.status = "printed"
            row.history.append("printed")
        return self.next_job(then_claim) if then_claim is not None else None

    def mark_failed(self, job_id: int, error: str, partial: bool) -> None:
        with self.lock:
            row = self.row(job_id)
            row.status, row.last_error = "queued", error
            if partial:
                row.job = replace(row.job, reprint=True)
            row.history.append(f"failed: {error}")

    def mark_unprintable(self, job_id: int, error: str) -> None:
        with self.lock:
            row = self.row(job_id)
            row.status, row.last_error = "unprintable", error

    def move_to_backup(self, job_id: int, backup: str) -> None:
        with self.lock:
            row = self.row(job_id)
            row.job = replace(row.job, printer=backup, backup_of=row.job.printer)
            row.status = "queued"
            row.history.append(f"moved to {backup}")

    def waiting(self, printer: str) -> int:
        with self.lock:
            return sum(1 for r in self.rows if r.job.printer == printer and r.status in ("queued", "sending"))
