"""The benchmarks' machine line: the speed figures are read beside the CPU they were measured on."""

from __future__ import annotations

from pathlib import Path

from benchmarks import machine

CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 9R14
flags\t\t: fpu sse2 avx2 avx512f avx512_vnni

processor\t: 1
model name\t: Another CPU
flags\t\t: fpu amx_tile
"""


def test_the_first_processors_model_and_extensions_are_named(tmp_path: Path):
    info = tmp_path / "cpuinfo"
    info.write_text(CPUINFO, encoding="utf-8")
    line = machine.describe(info)
    assert line.startswith("machine: AMD EPYC 9R14, ")
    assert line.endswith(" cores, avx2 avx512f avx512_vnni")


def test_a_cpu_without_the_extensions_says_so_and_an_unreadable_one_says_unknown(tmp_path: Path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: Old CPU\nflags\t\t: fpu sse2\n", encoding="utf-8")
    assert machine.describe(info).endswith("cores, none of " + "/".join(machine.EXTENSIONS))
    assert machine.describe(tmp_path / "missing").endswith("cores, extensions unknown")
