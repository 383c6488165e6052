"""A command run on a real pseudo-terminal, as a person at the store computer runs it:
everything it draws is kept, so a test can wait for the screen and read what came before."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable

DEADLINE_S = 180.0
ALT_SCREEN_ON = b"\x1b[?1049h"  # the full-screen app took the terminal
ALT_SCREEN_OFF = b"\x1b[?1049l"  # and gave it back


class Screen:
    def __init__(self, args: list[str], rows: int = 40, cols: int = 140) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "makeline", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self._master = master
        self._lock = threading.Lock()
        self._seen = bytearray()
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self._master, 65536)
            except OSError:  # EIO: the command closed the terminal
                return
            if not chunk:
                return
            with self._lock:
                self._seen += chunk

    @property
    def seen(self) -> bytes:
        with self._lock:
            return bytes(self._seen)

    def text(self) -> str:
        return self.seen.decode("utf-8", "replace")

    def wait_for(self, condition: Callable[[bytes], bool], what: str, deadline_s: float = DEADLINE_S) -> None:
        deadline = time.monotonic() + deadline_s
        while not condition(self.seen):
            if self.process.poll() is not None:
                time.sleep(0.2)  # let the reader drain what was written before the exit
                if condition(self.seen):
                    return
                raise AssertionError(
                    f"the command exited ({self.process.returncode}) before {what}:\n{self.text()[-3000:]}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting: {what}\n{self.text()[-3000:]}")
            time.sleep(0.05)

    def finish(self, deadline_s: float = DEADLINE_S) -> int:
        try:
            return self.process.wait(timeout=deadline_s)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self._reader.join(timeout=10)
            os.close(self._master)
