"""The machine's writeback threshold (`cloud_api.db.writeback`): a machine that lets more
written data wait than a storm's commits can queue behind is told what to set (and to keep the
WAL on a volume of its own); one set as advised, or that sets a small byte count, is not; an
unreadable or odd /proc says nothing."""

from __future__ import annotations

from pathlib import Path

from cloud_api.db import writeback

GIB = 2**30


def test_the_default_ratio_on_a_large_machine_is_advised_with_the_setting_to_make() -> None:
    said = writeback.advice(0, 10, 24 * GIB)
    assert said is not None
    assert "2,458 MB" in said and "vm.dirty_background_ratio = 10 % of 24 GiB" in said
    assert f"vm.dirty_background_bytes = {writeback.ADVISED_BYTES}" in said
    assert "WAL on a volume of its own" in said


def test_bytes_win_over_the_ratio_as_in_the_kernel() -> None:
    assert writeback.waiting_bytes(writeback.ADVISED_BYTES, 10, 24 * GIB) == writeback.ADVISED_BYTES
    assert writeback.advice(writeback.ADVISED_BYTES, 10, 24 * GIB) is None
    said = writeback.advice(512 * 2**20, 0, 24 * GIB)
    assert said is not None and "vm.dirty_background_bytes = 536870912" in said


def test_a_small_machine_under_the_limit_is_not_told() -> None:
    assert writeback.advice(0, 10, GIB // 2) is None  # 51 MB wait at most


def _proc(root: Path, background_bytes: str, ratio: str, meminfo: str) -> Path:
    (root / "sys/vm").mkdir(parents=True)
    (root / "sys/vm/dirty_background_bytes").write_text(background_bytes, encoding="ascii")
    (root / "sys/vm/dirty_background_ratio").write_text(ratio, encoding="ascii")
    (root / "meminfo").write_text(meminfo, encoding="ascii")
    return root


def test_the_machine_is_read_from_proc(tmp_path: Path) -> None:
    proc = _proc(tmp_path / "a", "0\n", "10\n", "MemTotal:       24576000 kB\nMemFree: 1 kB\n")
    said = writeback.machine_advice(proc)
    assert said is not None and "vm.dirty_background_ratio = 10 %" in said
    assert (
        writeback.machine_advice(_proc(tmp_path / "b", "33554432\n", "0\n", "MemTotal: 24576000 kB\n"))
        is None
    )


def test_an_unreadable_or_odd_proc_says_nothing(tmp_path: Path) -> None:
    assert writeback.machine_advice(tmp_path / "missing") is None
    assert writeback.machine_advice(_proc(tmp_path / "c", "lots\n", "10\n", "MemTotal: 1 kB\n")) is None
    assert writeback.machine_advice(_proc(tmp_path / "d", "0\n", "10\n", "MemTotal: 24576000 MB\n")) is None
    assert writeback.machine_advice(_proc(tmp_path / "e", "0\n", "10\n", "")) is None
