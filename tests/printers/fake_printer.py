"""A fake network receipt printer on loopback, for tests and the benchmark.

It listens like an Ethernet printer on a raw TCP port, records the bytes of each
connection, answers ESC/POS real-time status requests (DLE EOT 1..4) as an Epson printer
does, and can be told to misbehave the ways printers do in a rush:

* `refuse()`: stop listening (switched off): connections are refused; `listen()` again.
* `hang(after=N)`: take N bytes of a job, then never read or answer again (N=0: accept
  the connection and never read at all); `hang(after=N, later=K)` serves the next K
  connections normally first.
* `close_after(N)`: take N bytes of a job, then drop the connection.
* `paper_out()`: answer status with the paper-end bits set, until `paper_in()`.

The status answers are written from the Epson bit layout here, not from the code under
test, so a wrong bit on either side shows up.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

from tests.patience import patient

DLE, EOT = 0x10, 0x04


@dataclass
class Session:
    """One connection: everything received, and the job bytes without status requests."""

    raw: bytearray = field(default_factory=bytearray)
    printed: bytearray = field(default_factory=bytearray)
    status_requests: int = 0
    ended: bool = False
    dropped: bool = False  # the printer closed it mid-job
    hung: bool = False
    last_byte_at: float = 0.0  # time.monotonic() when the last job byte arrived


@dataclass
class _Behaviour:
    kind: str = "normal"  # normal, hang, close
    after: int = 0
    later: int = 0  # connections still to serve normally before misbehaving


class FakePrinter:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.sessions: list[Session] = []
        self.connections_refused = False
        self._paper_out = False
        self._behaviour = _Behaviour()
        self._lock = threading.Lock()
        self._stop = threading.Event()  # set once, when the fake printer is closed
        self._accepting = threading.Event()
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._handlers: list[threading.Thread] = []
        self._clients: list[socket.socket] = []

    # ---- lifecycle -------------------------------------------------------------------
    def __enter__(self) -> FakePrinter:
        self.listen()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def url(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    def listen(self) -> None:
        """Start (or start again, on the same port) taking connections."""
        self._stop_listening()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(64)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._accepting = threading.Event()
        self._accepting.set()
        self._acceptor = threading.Thread(target=self._accept, args=(listener, self._accepting), daemon=True)
        self._acceptor.start()

    def refuse(self) -> None:
        """Stop listening: like a printer switched off, connections are refused."""
        self._stop_listening()

    def close(self) -> None:
        self._stop_listening()
        self._stop.set()
        with self._lock:
            clients, self._clients = self._clients, []
            handlers, self._handlers = self._handlers, []
        for thread in handlers:
            thread.join(timeout=2)
        for client in clients:
            client.close()

    def _stop_listening(self) -> None:
        listener, acceptor = self._listener, self._acceptor
        self._listener = self._acceptor = None
        if listener is not None:
            self._accepting.clear()
            assert acceptor is not None
            acceptor.join(timeout=2)
            listener.close()

    # ---- misbehaviour ----------------------------------------------------------------
    def hang(self, after: int = 0, later: int = 0) -> None:
        """New connections (after `later` normal ones): take `after` job bytes, then stop
        reading and answering."""
        self._behaviour = _Behaviour("hang", after, later)

    def close_after(self, count: int) -> None:
        """New connections: take `count` job bytes, then drop the connection."""
        self._behaviour = _Behaviour("close", count)

    def behave(self) -> None:
        """New connections are served normally again."""
        self._behaviour = _Behaviour()

    def paper_out(self) -> None:
        self._paper_out = True

    def paper_in(self) -> None:
        self._paper_out = False

    # ---- what was printed ------------------------------------------------------------
    def jobs(self) -> list[bytes]:
        """The job bytes of each connection that sent any, in order."""
        with self._lock:
            return [bytes(s.printed) for s in self.sessions if s.printed]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + patient(timeout)
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("the fake printer did not get there in time")
            time.sleep(0.005)

    # ---- serving ---------------------------------------------------------------------
    def _accept(self, listener: socket.socket, accepting: threading.Event) -> None:
        while accepting.is_set() and not self._stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            session = Session()
            behaviour = self._behaviour
            if behaviour.later > 0:
                behaviour.later -= 1
                behaviour = _Behaviour()
            thread = threading.Thread(target=self._serve, args=(client, session, behaviour), daemon=True)
            with self._lock:
                self.sessions.append(session)
                self._clients.append(client)
                self._handlers.append(thread)
            thread.start()

    def _serve(self, client: socket.socket, session: Session, behaviour: _Behaviour) -> None:
        client.settimeout(0.05)
        pending = b""  # the start of a status request split across reads
        try:
            while not self._stop.is_set():
                if behaviour.kind == "hang" and len(session.printed) >= behaviour.after:
                    session.hung = True
                    self._stop.wait()  # never read again, never answer
                    return
                try:
                    chunk = client.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                with self._lock:
                    session.raw += chunk
                pending = self._take(client, session, behaviour, pending + chunk)
                if behaviour.kind == "close" and len(session.printed) >= behaviour.after:
                    session.dropped = True
                    # Linger 0: the close resets the connection, as a rebooting printer does.
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
        finally:
            session.ended = True
            client.close()

    def _take(self, client: socket.socket, session: Session, behaviour: _Behaviour, data: bytes) -> bytes:
        """Record job bytes, answer status requests; return an unfinished request's bytes."""
        limit = behaviour.after if behaviour.kind in ("hang", "close") else None
        at = 0
        while at < len(data):
            if limit is not None and len(session.printed) >= limit:
                return b""  # bytes past the limit were read but never printed
            if data[at] == DLE:
                if len(data) - at < 3:
                    return data[at:]
                if data[at + 1] == EOT:
                    session.status_requests += 1
                    client.sendall(bytes([self._answer(data[at + 2])]))
                    at += 3
                    continue
            with self._lock:
                session.printed.append(data[at])
                session.last_byte_at = time.monotonic()
            at += 1
        return b""

    def _answer(self, request: int) -> int:
        """An Epson TM-T88's answer byte to DLE EOT `request`."""
        fixed = 0b0001_0010  # bits 1 and 4 are always set
        out = self._paper_out
        if request == 1:  # printer status: bit 3 offline
            return fixed | (0b0000_1000 if out else 0)
        if request == 2:  # offline cause: bit 5 printing stopped at paper end
            return fixed | (0b0010_0000 if out else 0)
        if request == 4:  # roll sensor: bits 2-3 near end, bits 5-6 end
            return fixed | (0b0110_1100 if out else 0)
        return fixed  # 3: error cause, none
