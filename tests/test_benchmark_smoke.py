"""Smoke test for benchmarks/run.py: the --quick workload runs, passes and prints the table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


def test_benchmark_quick(tmp_path: Path) -> None:
    raw = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", str(raw)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"

    table = proc.stdout
    assert table.startswith("machine: "), table
    for row in (
        "full run (s)",
        "collect-only (s)",
        "peak RSS full (MiB)",
        "peak RSS collect (MiB)",
        "tier2/plain",
        "floor/plain",
        "tier2/floor",
    ):
        assert row in table, f"missing {row!r} in:\n{table}"
    # --quick measures tier2's modes, and skips the scaling, xdist and memory sections.
    assert "tier2 modes (20 items" in table
    assert "golden check: full " in table
    assert "report: full " in table
    assert "scaling (" not in table
    assert "xdist (" not in table
    assert "memory (" not in table
    assert "BENCHMARK FAILED" not in proc.stderr

    data = json.loads(raw.read_text(encoding="utf-8"))
    assert data["options"]["items"] == 20
    series = {(s["side"], s["mode"]): s for s in data["series"] if s["group"] == "base"}
    assert set(series) == {
        (side, mode) for side in ("tier2", "plain", "floor") for mode in ("full", "collect")
    }
    for (side, mode), ser in series.items():
        assert ser["samples"], (side, mode)
        for sample in ser["samples"]:
            # The script itself fails on a non-zero exit or a count mismatch; double-check.
            assert sample["count"] == 20, (side, mode, sample)
            assert sample["seconds"] > 0
            assert sample["maxrss_kib"] > 0
    modes = {(s["variant"], s["mode"]): s for s in data["series"] if s["group"] == "modes"}
    assert set(modes) == {
        (variant, mode)
        for variant in ("golden check", "report", "cold cache")
        for mode in ("full", "collect")
    }
    # A pin item per scenario (5 per file, 4 files) beside the 20 expectations.
    assert {s["count"] for s in modes["golden check", "full"]["samples"]} == {40}
    assert {s["count"] for s in modes["report", "full"]["samples"]} == {20}
