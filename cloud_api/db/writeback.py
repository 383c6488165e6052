"""How much written data the kernel lets wait before it writes it, on the machine the cloud's
PostgreSQL runs on.

Linux writes a file's changed pages out in the background once they are 30 s old
(`vm.dirty_expire_centisecs`) or once more than `vm.dirty_background_bytes` of them wait (else
`vm.dirty_background_ratio` of memory, 10 % by default: 2.4 GB on a 24 GB machine). A storm of
stores back from an outage adds new pages to the tables at several MB a second; with the
default they wait their 30 s and go out together, 120–380 MB at once, and the WAL's fsync of a
customer's commit queues behind them on the disk: single orders of 50–140 ms, each 30 s
(`benchmarks/bench_storm.py --timeline`, docs/scale.md). With 32 MB the kernel writes them as
they come, and the slowest order of the same storm was 39 ms (one run); on a slower disk, 30 MB
at a time still held a commit for over 100 ms, and only the WAL on a device of its own took the
slow orders off it: the deployment puts it on a volume of its own as well.

The setting is the machine's, not the database's: `makeline cloud` says so when it runs its
embedded PostgreSQL on a machine that lets more wait (`advice`); it changes nothing itself.
"""

from __future__ import annotations

from pathlib import Path

ADVISED_BYTES = 32 * 1024 * 1024
MOST_BYTES = 64 * 1024 * 1024  # above this, the bursts are long enough to hold up a commit


def waiting_bytes(background_bytes: int, background_ratio: int, memory_bytes: int) -> int:
    """The written bytes the kernel lets wait before it starts writing them in the background
    (`background_bytes` wins when set, as in the kernel)."""
    if background_bytes > 0:
        return background_bytes
    return memory_bytes * background_ratio // 100


def advice(background_bytes: int, background_ratio: int, memory_bytes: int) -> str | None:
    """A sentence for the machine's owner when it lets more written data wait than a storm's
    commits can queue behind; None when it does not."""
    waiting = waiting_bytes(background_bytes, background_ratio, memory_bytes)
    if waiting <= MOST_BYTES:
        return None
    setting = (
        f"vm.dirty_background_bytes = {background_bytes}"
        if background_bytes > 0
        else f"vm.dirty_background_ratio = {background_ratio} % of {memory_bytes / 2**30:.0f} GiB"
    )
    return (
        f"this machine lets {waiting / 2**20:,.0f} MB of written pages wait before writing them "
        f"({setting}): in a storm of stores the tables' new pages go out in bursts and customers' "
        f"commits wait behind them; set vm.dirty_background_bytes = {ADVISED_BYTES}, and keep "
        "PostgreSQL's WAL on a volume of its own (docs/scale.md, the deployment)."
    )


def machine_advice(proc: Path = Path("/proc")) -> str | None:
    """`advice` for this machine, read from `proc` (Linux's); None where it cannot be read."""
    try:
        background_bytes = int((proc / "sys/vm/dirty_background_bytes").read_text(encoding="ascii"))
        background_ratio = int((proc / "sys/vm/dirty_background_ratio").read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None
    memory_kb = meminfo_kb("MemTotal", proc)
    return None if memory_kb is None else advice(background_bytes, background_ratio, memory_kb * 1024)


def meminfo_kb(name: str, proc: Path = Path("/proc")) -> int | None:
    """One figure of the kernel's `meminfo` (`MemTotal`, `Dirty`), in kB; None where it cannot
    be read or is not given in kB."""
    try:
        memory = (proc / "meminfo").read_text(encoding="ascii")
    except OSError:
        return None
    for line in memory.splitlines():
        found, _, value = line.partition(":")
        if found == name and value.split()[-1:] == ["kB"]:
            try:
                return int(value.split()[0])
            except ValueError:
                return None
    return None
