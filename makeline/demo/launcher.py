"""The cloud side of `makeline demo`: a local cloud (`makeline cloud --demo`, embedded
PostgreSQL) as a child process, the demo store enrolled in it with a code head office
asks for, and simulated online customers ordering from it. Each part is a process the
demo stops on the way out; none of them is needed for the store to run."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import select

from store_db.db import StoreDB
from store_db.models import Store
from sync.agent.ledger import Ledger
from sync.agent.link import auth_headers
from sync.enroll import enroll
from sync.errors import CloudUnreachable, EnrollmentRefused

HEAD_OFFICE = ("hq@makeline.test", "makeline-demo")
STORE_MANAGER = ("manager@makeline.test", "makeline-demo")


def console_banner(cloud_url: str) -> str:
    """Where head office's console is, and the demo logins that open it."""
    return (
        f"Console: {cloud_url}/console: head office signs in as {HEAD_OFFICE[0]} "
        f"(password {HEAD_OFFICE[1]}); the store's manager as {STORE_MANAGER[0]} (same password)."
    )


def free_port(preferred: int = 8000) -> int:
    """`preferred` when nothing listens there, else any free port.

    Address reuse as the server itself binds (uvicorn sets it too): right after a previous
    run the port still has closed connections waiting out TIME_WAIT, and is free to serve.
    """
    for port in (preferred, 0):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise CloudUnreachable("No free port on this computer for the demo cloud.")


@dataclass
class ChildProcess:
    """A child process writing to a log file; stopped politely, then firmly."""

    process: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(cls, args: list[str], log: Path) -> ChildProcess:
        with log.open("ab") as out:  # the child keeps its own copy of the file
            process = subprocess.Popen(
                [sys.executable, "-m", "makeline", *args], stdout=out, stderr=subprocess.STDOUT
            )
        return cls(process, log)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        """Ctrl-C first: the cloud then stops its embedded PostgreSQL on the way out."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            if self.process.poll() is not None:
                return
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout / 2)
                return
            except subprocess.TimeoutExpired:
                continue
        self.process.kill()
        self.process.wait()


def start_cloud(folder: Path, port: int, wait_s: float = 120.0) -> tuple[ChildProcess, str]:
    """`makeline cloud --demo` on `port`, its database in `folder`; returns it once healthy."""
    url = f"http://127.0.0.1:{port}"
    log = folder / "cloud.log"
    child = ChildProcess.start(
        ["cloud", "--demo", "--data-dir", str(folder / "cloud-pg"), "--port", str(port)], log
    )
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if not child.alive():
            raise CloudUnreachable(f"the cloud stopped while starting (see {log})")
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                return child, url
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    child.stop()
    raise CloudUnreachable(f"the cloud did not answer within {wait_s:.0f} s (see {log})")


def enrollment_code(
    cloud_url: str, store_code: str, email: str = HEAD_OFFICE[0], password: str = HEAD_OFFICE[1]
) -> str:
    """A one-use code, asked for as head office, that enrolls the cloud's store `store_code`."""
    with httpx.Client(base_url=cloud_url, timeout=30) as http:
        signed = http.post("/api/v1/login", json={"email": email, "password": password})
        if signed.status_code != 200:
            raise EnrollmentRefused(
                f"Head office {email} could not sign in to the demo cloud: {signed.text[:200]}"
            )
        token = signed.json()["access_token"]
        made = http.post(
            "/api/v1/enrollments",
            json={"store_code": store_code},
            headers={"Authorization": f"Bearer {token}"},
        )
        if made.status_code != 201:
            raise EnrollmentRefused(f"The demo cloud gave no enrollment code: {made.text[:200]}")
        return str(made.json()["code"])


def connect_store(db: StoreDB, cloud_url: str) -> str:
    """The store's id in the cloud, enrolling it first unless its credential still works there."""
    link = Ledger(db).link()
    if link is not None and link.cloud_url == cloud_url.rstrip("/"):
        answer = httpx.get(
            f"{cloud_url}/api/v1/sync/pull",
            params={"after": 0, "limit": 1},
            headers=auth_headers(link.device_token),
            timeout=10,
        )
        if answer.status_code == 200:
            return str(answer.json()["store_id"])
    with db.read() as session:
        store_code = session.scalars(select(Store.code)).one()
    return enroll(db, cloud_url, enrollment_code(cloud_url, store_code), label="makeline demo").store_id


def wait_online(cloud_url: str, store_id: str, wait_s: float = 30.0) -> bool:
    """True once the cloud has heard the store's agent (it takes online orders then)."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{cloud_url}/api/v1/stores/{store_id}", timeout=5).json().get("online"):
                return True
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    return False
