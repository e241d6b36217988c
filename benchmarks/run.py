#!/usr/bin/env python3
"""Benchmark pytest-tier2 against plain pytest and a do-nothing "floor" plugin.

Usage::

    python benchmarks/run.py                 # 10,000 items, repeat 3, scaling + xdist rows
    python benchmarks/run.py --quick         # tiny smoke workload (seconds)
    python benchmarks/run.py --items 2000 --repeat 5 --no-scaling --json out.json

Three workloads of the same size are generated, each in its own rootdir (with an
empty ``pytest.ini`` so pytest never walks up to a project config):

* **tier2** - ``*.tier2.yaml`` suites (5 scenarios per file, each running
  ``daily_loop`` and ``echo``; ``--per-file`` expectations per file), collected by
  the installed ``pytest-tier2`` plugin through its entry point.
* **plain** - the same number of trivial Python tests (``assert k == k``), run
  with ``-p no:tier2``.
* **floor** - a minimal generated plugin (the rootdir's ``conftest.py``) turning
  each empty ``*.floor`` file into ``--per-file`` do-nothing items named from a
  constant, without reading the file; run with ``-p no:tier2``. This is the best
  any file-collecting plugin could do.

Each measurement is one whole ``python -m pytest`` process; the reported value is
the median over ``--repeat`` runs, interleaved across sides.  Peak RSS comes from
the child's rusage (``os.wait4``).  Every workload gets one untimed warm-up run
first; bytecode caching is on for the children (in a private PYTHONPYCACHEPREFIX).
Every run's exit code and item count are checked: a benchmark of a failing run is
meaningless, so any mismatch aborts.

Progress goes to stderr, the table to stdout.  Workload generation is
deterministic.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

Side = Literal["tier2", "plain", "floor"]
Mode = Literal["full", "collect"]

SIDES: Final[tuple[Side, ...]] = ("tier2", "plain", "floor")
SCENARIOS_PER_FILE: Final = 5
# Plugins are not autoloaded (PYTEST_DISABLE_PLUGIN_AUTOLOAD): each run loads exactly the
# ones it measures, whatever else is installed (the test extra installs a dozen).
# pytest's cache provider stays on, as in every user's run: tier2 keeps its parse cache there.
BASE_PYTEST_ARGS: Final[tuple[str, ...]] = ("-q",)
TIER2_ARGS: Final[tuple[str, ...]] = ("-p", "tier2")
XDIST_ARGS: Final[tuple[str, ...]] = ("-p", "xdist")
# Environment variables that would change what a child pytest does.
SCRUBBED_ENV: Final[tuple[str, ...]] = (
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
    "PYTEST_CURRENT_TEST",
    "PYTEST_VERSION",
    "PYTEST_XDIST_AUTO_NUM_WORKERS",
    "PYTEST_XDIST_WORKER",
    "PYTEST_XDIST_WORKER_COUNT",
    "PYTEST_XDIST_TESTRUNUID",
    "TEAMCITY_VERSION",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONPATH",
    "PYTHONPYCACHEPREFIX",
    "COV_CORE_SOURCE",
    "COV_CORE_CONFIG",
    "COV_CORE_DATAFILE",
)
SCALING_FACTORS: Final[tuple[tuple[str, int, int], ...]] = (
    # (label, numerator, denominator) applied to --items
    ("base/5", 1, 5),
    ("base", 1, 1),
    ("base*5", 5, 1),
)

VARIANTS: Final[dict[str, tuple[str, ...]]] = {
    "": (),
    "golden check": ("--tier2-golden=check",),
    "report": ("--tier2-report=tier2-report.json",),
    "cold cache": ("--cache-clear",),  # tier2 reads every file, then stores it
    "golden update": ("--tier2-golden=update",),  # untimed: writes the pins "golden check" reads
    "random order": ("-p", "randomly"),
}

# Targets (issue 15: the distance to the floor).
TARGET_FULL: Final = 1.15  # tier2/floor full run
TARGET_COLLECT: Final = 1.30  # tier2/floor collect-only, also in golden and report modes
TARGET_RSS: Final = 1.05  # tier2/floor peak RSS, full run
TARGET_GOLDEN: Final = 1.10  # tier2 golden check / tier2 without golden, full run
TARGET_MEMORY: Final = 1.10  # peak RSS per process, -n 2 or random order / serial ordered
TARGET_SCALING_MIN: Final = 5.5  # tier2 (5x)/(1x) <= max(5.5, plain's own)
TARGET_XDIST_SPEEDUP: Final = 1.6  # tier2 -n 2 speed-up, if plain reaches it
TARGET_XDIST_RATIO: Final = 1.0  # tier2(-n 2)/plain(-n 2) otherwise

MIB: Final = 1024.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class BenchmarkError(RuntimeError):
    """A run failed or did not run what it should have; the numbers would be meaningless."""


# --------------------------------------------------------------------------- workload


@dataclass(frozen=True)
class Workload:
    side: Side
    root: Path
    files: int
    per_file: int

    @property
    def items(self) -> int:
        return self.files * self.per_file


def _q(value: str) -> str:
    """A YAML double-quoted scalar (the values used here need no escaping)."""
    return json.dumps(value)


# Each template: (id suffix, mission kind, path, op, expected YAML or None).
# mission kind "loop" -> the daily_loop result, "echo" -> that scenario's echo result.
# ``{c}`` is replaced by the scenario's initial counter, ``{n}`` by the scenario number,
# ``{msg}`` by the message given to that scenario's echo.
_TEMPLATES: Final[tuple[tuple[str, str, str, str, str | None], ...]] = (
    ("loop_ok", "loop", "success", "eq", "true"),
    ("loop_wf", "loop", "lineage.workflow_id", "eq", _q("wf-daily-loop")),
    ("first_step", "loop", "executed_steps.0.id", "exists", None),
    ("counter_gt", "loop", "final_state.counter", "gt", "{c_minus_1}"),
    ("counter_lt", "loop", "final_state.counter", "lt", "{c_plus_100}"),
    ("wf_contains", "loop", "lineage.workflow_id", "contains", _q("daily")),
    ("id_matches", "loop", "id", "matches", _q("^wf-daily")),
    ("no_failure", "loop", "failed_step_id", "eq", "null"),
    ("no_extra", "loop", "final_state.not_there", "absent", None),
    ("counter_ge", "loop", "final_state.counter", "ge", "{c}"),
    ("owner", "loop", "final_state.owner", "eq", _q("team-{n}")),
    ("receipt", "loop", "receipt.id", "exists", None),
    ("last_step", "loop", "executed_steps.3.kind", "exists", None),
    ("counter_le", "loop", "final_state.counter", "le", "{c}"),
    ("wf_ne", "loop", "lineage.workflow_id", "ne", _q("wf-echo")),
    ("echo_ok", "echo", "success", "eq", "true"),
    ("echo_id", "echo", "id", "eq", _q("wf-echo")),
    ("echo_step", "echo", "executed_steps.0.id", "eq", _q("echo-step")),
    ("echo_matches", "echo", "id", "matches", _q("^wf-e")),
    ("echo_no_err", "echo", "error_message", "eq", "null"),
    ("steps_contain", "loop", "lineage.executed_step_ids", "contains", _q("daily-log-summary")),
    ("receipt_steps", "loop", "receipt.steps", "contains", _q("daily-confirm-priorities")),
    ("step_kind", "loop", "executed_steps.0.kind", "eq", _q("human")),
    ("echo_lineage", "echo", "lineage.executed_step_ids", "contains", _q("echo-step")),
    ("echo_message", "echo", "executed_steps.0.payload.params.message", "eq", _q("{msg}")),
)


def tier2_suite(file_index: int, per_file: int) -> str:
    """One deterministic suite file with SCENARIOS_PER_FILE scenarios and per_file expectations."""
    lines = [f"suite: bench_{file_index:05d}", "scenarios:"]
    counters: list[int] = []
    echo_keys: list[str] = []
    for s in range(SCENARIOS_PER_FILE):
        counter = s * 10 + file_index % 7
        counters.append(counter)
        # Vary the result key: odd scenarios rename the echo mission with ``as``.
        echo_key = f"echo_{s}" if s % 2 else "echo"
        echo_keys.append(echo_key)
        lines += [
            f"  - name: s{s}",
            f"    initial_state: {{counter: {counter}, owner: team-{s}}}",
            "    missions:",
            "      - name: daily_loop",
            "        params: {requested_steps: 4}",  # the default: the same work as none
            "      - name: echo",
        ]
        if echo_key != "echo":
            lines.append(f"        as: {echo_key}")
        lines.append(f"        params: {{message: hello-{file_index}-{s}}}")
    lines.append("expectations:")
    for e in range(per_file):
        s = e % SCENARIOS_PER_FILE
        suffix, kind, path, op, expected = _TEMPLATES[(e + file_index) % len(_TEMPLATES)]
        mission = "daily_loop" if kind == "loop" else echo_keys[s]
        lines += [
            f"  - id: e{e:03d}_{suffix}",
            f"    scenario: s{s}",
            f"    mission: {mission}",
            f"    path: {path}",
            f"    op: {op}",
        ]
        if expected is not None:
            c = counters[s]
            value = expected.format(
                c=c, c_minus_1=c - 1, c_plus_100=c + 100, n=s, msg=f"hello-{file_index}-{s}"
            )
            lines.append(f"    expected: {value}")
    return "\n".join(lines) + "\n"


def plain_module(per_file: int) -> str:
    return "".join(f"def test_e{k}():\n    assert {k} == {k}\n\n\n" for k in range(per_file))


FLOOR_CONFTEST: Final = '''\
"""Floor plugin: do-nothing items made from the file name, without reading the file."""
from __future__ import annotations

import pytest

ITEMS_PER_FILE = {per_file}
NAMES = tuple(f"e{{i}}" for i in range(ITEMS_PER_FILE))


class FloorItem(pytest.Item):
    def runtest(self) -> None:
        pass

    def reportinfo(self):
        return self.path, None, self.name


class FloorFile(pytest.File):
    def collect(self):
        for name in NAMES:
            yield FloorItem.from_parent(self, name=name)


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".floor":
        return FloorFile.from_parent(parent, path=file_path)
    return None
'''


def write_workload(side: Side, root: Path, files: int, per_file: int) -> Workload:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    # Its own rootdir: pytest stops here and never reads /work/main's pyproject.
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    for i in range(files):
        if side == "tier2":
            (root / f"suite_{i:05d}.tier2.yaml").write_text(
                tier2_suite(i, per_file), encoding="utf-8"
            )
        elif side == "plain":
            (root / f"test_{i:05d}.py").write_text(plain_module(per_file), encoding="utf-8")
        else:
            (root / f"f_{i:05d}.floor").write_bytes(b"")
    if side == "floor":
        (root / "conftest.py").write_text(
            FLOOR_CONFTEST.format(per_file=per_file), encoding="utf-8"
        )
    return Workload(side=side, root=root, files=files, per_file=per_file)


# --------------------------------------------------------------------------- running


@dataclass
class Sample:
    side: Side
    mode: Mode
    items: int
    workers: int
    variant: str
    seconds: float
    cpu_seconds: float  # user + system, the process and its reaped children (xdist workers)
    maxrss_kib: int
    count: int


@dataclass
class Series:
    """All timed samples of one (side, mode, items, workers) configuration."""

    side: Side
    mode: Mode
    items: int
    workers: int
    variant: str = ""
    samples: list[Sample] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu_seconds(self) -> float:
        return statistics.median(s.cpu_seconds for s in self.samples)

    @property
    def rss_mib(self) -> float:
        return statistics.median(s.maxrss_kib for s in self.samples) / MIB


_PASSED_RE: Final = re.compile(r"^(\d+) passed(?: in |, (\d+) warnings? in )[\d.]+s")
_COLLECTED_RE: Final = re.compile(r"^(\d+) tests? collected in [\d.]+s")


def child_env(pycache: Path | None = None) -> dict[str, str]:
    """The children's environment: no inherited pytest options, bytecode caching on.

    Bytecode caching is on (whatever PYTHONDONTWRITEBYTECODE says here) because that
    is how developers run pytest: plain pytest then reuses its rewritten test modules
    after the warm-up run.  With ``pycache`` the caches go there, so a benchmark
    writes nothing outside its own temporary directory.
    """
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env["PYTHONHASHSEED"] = "0"
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    if pycache is not None:
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


class Runner:
    def __init__(self, python: str, logdir: Path, pycache: Path) -> None:
        self.python = python
        self.logdir = logdir
        self.env = child_env(pycache)
        self._n = 0

    def command(self, workload: Workload, mode: Mode, workers: int, variant: str = "") -> list[str]:
        cmd = [self.python, "-m", "pytest", *BASE_PYTEST_ARGS]
        if mode == "collect":
            cmd.append("--collect-only")
        if workload.side == "tier2":
            cmd += TIER2_ARGS
        if workers:
            cmd += [*XDIST_ARGS, "-n", str(workers)]
        cmd += VARIANTS[variant]
        return cmd

    def run(self, workload: Workload, mode: Mode, workers: int = 0, variant: str = "") -> Sample:
        """Run one whole pytest process; check it ran every item and passed."""
        self._n += 1
        cmd = self.command(workload, mode, workers, variant)
        out_path = self.logdir / f"{self._n:04d}-{workload.side}-{mode}-{workload.items}.log"
        with out_path.open("wb") as out:
            start = time.perf_counter()
            proc = subprocess.Popen(
                cmd, cwd=workload.root, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
            _, status, rusage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped by wait4
        output = out_path.read_text(encoding="utf-8", errors="replace")
        count = self._verify(workload, mode, cmd, proc.returncode, output, variant)
        return Sample(
            side=workload.side,
            mode=mode,
            items=workload.items,
            workers=workers,
            variant=variant,
            seconds=seconds,
            cpu_seconds=rusage.ru_utime + rusage.ru_stime,
            maxrss_kib=int(rusage.ru_maxrss),  # KiB on Linux
            count=count,
        )

    @staticmethod
    def _verify(
        workload: Workload, mode: Mode, cmd: Sequence[str], rc: int, output: str, variant: str
    ) -> int:
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        last = lines[-1] if lines else ""
        pattern = _PASSED_RE if mode == "full" else _COLLECTED_RE
        match = pattern.match(last)
        count = int(match.group(1)) if match else -1
        expected = workload.items
        if variant.startswith("golden"):  # one pin item per scenario
            expected += workload.files * SCENARIOS_PER_FILE
        if rc != 0 or count != expected:
            tail = "\n".join(output.splitlines()[-40:])
            raise BenchmarkError(
                f"{workload.side} {mode} run in {workload.root} failed: exit code {rc}, "
                f"expected {expected} items "
                f"{'passed' if mode == 'full' else 'collected'}, summary {last!r}\n"
                f"command: {' '.join(cmd)}\n--- output tail ---\n{tail}"
            )
        return count


Config = tuple[Workload, Mode, int] | tuple[Workload, Mode, int, str]


def measure(
    runner: Runner,
    configs: Sequence[Config],
    repeat: int,
    label: str,
) -> list[Series]:
    """Run every config `repeat` times, interleaved: a, b, c, a, b, c, ..."""
    full = [(c[0], c[1], c[2], c[3] if len(c) == 4 else "") for c in configs]
    series = [Series(w.side, mode, w.items, workers, variant) for w, mode, workers, variant in full]
    for r in range(repeat):
        for (workload, mode, workers, variant), ser in zip(full, series, strict=True):
            sample = runner.run(workload, mode, workers, variant)
            ser.samples.append(sample)
            log(
                f"  [{label} {r + 1}/{repeat}] {workload.side:5s} {mode:7s} {variant:13s}"
                f"{workload.items:>6,d} items{f' -n {workers}' if workers else ''}: "
                f"{sample.seconds:7.3f} s  (cpu {sample.cpu_seconds:7.3f} s)  "
                f"{sample.maxrss_kib / MIB:7.1f} MiB"
            )
    return series


def warm_up(runner: Runner, workloads: Iterable[Workload]) -> None:
    """One untimed full run per workload: fills the bytecode caches, checks it passes."""
    for workload in workloads:
        sample = runner.run(workload, "full")
        log(f"  [warm-up] {workload.side:5s} {workload.items:>6,d} items: {sample.seconds:.3f} s")


# --------------------------------------------------------------------------- report


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_info(python: str) -> dict[str, str]:
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": python,
        "pytest": _version("pytest"),
        "pytest-tier2": _version("pytest-tier2"),
        "pytest-xdist": _version("pytest-xdist"),
        "cpus": str(os.cpu_count() or 0),
        "affinity_cpus": str(len(os.sched_getaffinity(0)))
        if hasattr(os, "sched_getaffinity")
        else "n/a",
        **({"loadavg_start": _loadavg()} if hasattr(os, "getloadavg") else {}),
    }


def _loadavg() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def _ok(good: bool) -> str:
    return "ok" if good else "MISS"


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("inf")


@dataclass
class Results:
    machine: dict[str, str]
    options: dict[str, Any]
    base: list[Series] = field(default_factory=list)
    scaling: list[Series] = field(default_factory=list)
    xdist: list[Series] = field(default_factory=list)
    modes: list[Series] = field(default_factory=list)
    memory: list[Series] = field(default_factory=list)
    checks: dict[str, bool] = field(default_factory=dict)


def _find(
    series: Iterable[Series], side: Side, mode: Mode, items: int, workers: int, variant: str = ""
) -> Series:
    wanted = (side, mode, items, workers, variant)
    for ser in series:
        if (ser.side, ser.mode, ser.items, ser.workers, ser.variant) == wanted:
            return ser
    raise KeyError(wanted)


def render(results: Results, items: int, per_file: int) -> str:
    out: list[str] = []
    m = results.machine
    out.append(
        f"machine: {m['platform']} | {m['implementation']} {m['python']} | "
        f"pytest {m['pytest']} | pytest-tier2 {m['pytest-tier2']} | "
        f"pytest-xdist {m['pytest-xdist']} | CPUs {m['cpus']} (usable {m['affinity_cpus']})"
    )
    if "loadavg_start" in m:
        out.append(
            f"load average (1 min): {m['loadavg_start']} at start, {m.get('loadavg_end', '?')} "
            "at end (well above 0 means other work competed for the CPUs: trust CPU rows more)"
        )
    opts = results.options
    out.append(
        f"workload: {items:,} items per side ({items // per_file:,} files x {per_file}); "
        f"median of {opts['repeat']} interleaved whole-process runs; "
        f"pytest {' '.join(BASE_PYTEST_ARGS)}"
    )
    out.append("")

    def base(side: Side, mode: Mode) -> Series:
        return _find(results.base, side, mode, items, 0)

    header = (
        f"{'':<22}{'tier2':>9}{'plain':>9}{'floor':>9}"
        f"{'tier2/plain':>13}{'floor/plain':>13}{'tier2/floor':>13}   {'target':<21}{'':>6}"
    )
    out.append(header)
    out.append("-" * len(header))
    # key None: informational (CPU time is far less sensitive to a busy machine than
    # wall time, but the targets are on wall time).
    rows: list[tuple[str, Callable[[Series], float], Mode, float, str | None]] = [
        ("full run (s)", lambda s: s.seconds, "full", TARGET_FULL, "full"),
        ("collect-only (s)", lambda s: s.seconds, "collect", TARGET_COLLECT, "collect"),
        ("peak RSS full (MiB)", lambda s: s.rss_mib, "full", TARGET_RSS, "rss_full"),
        ("peak RSS collect (MiB)", lambda s: s.rss_mib, "collect", TARGET_RSS, None),
        ("full run CPU (s)", lambda s: s.cpu_seconds, "full", TARGET_FULL, None),
        ("collect-only CPU (s)", lambda s: s.cpu_seconds, "collect", TARGET_COLLECT, None),
    ]
    for label, value, mode, target, key in rows:
        t, p, f = (value(base(side, mode)) for side in SIDES)
        ratio = _ratio(t, f)
        good = ratio <= target
        if key is not None:
            results.checks[key] = good
            goal, verdict = f"tier2/floor <= {target:.2f}", _ok(good)
        else:
            goal, verdict = f"(info) <= {target:.2f}", f"({_ok(good)})"
        unit = "{:>9.3f}" if "(s)" in label else "{:>9.1f}"
        out.append(
            f"{label:<22}"
            + "".join(unit.format(v) for v in (t, p, f))
            + f"{ratio:>12.2f}x{_ratio(f, p):>12.2f}x{_ratio(t, f):>12.2f}x"
            + f"   {goal:<21}{verdict:>6}"
        )

    if results.modes:
        _render_modes(results, out, items)
    if results.memory:
        _render_memory(results, out)

    if results.scaling:
        sizes = sorted({s.items for s in results.scaling})
        out.append("")
        out.append("scaling (full run, median s; CPU = user+sys, for information)")
        head = (
            f"{'items':>10}{'files':>8}{'tier2':>10}{'plain':>10}{'tier2/plain':>13}"
            f"{'tier2 CPU':>11}{'plain CPU':>11}"
        )
        out.append(head)
        out.append("-" * len(head))

        def scaled(side: Side, n: int) -> Series:
            return _find(results.scaling, side, "full", n, 0)

        for n in sizes:
            ts, ps = scaled("tier2", n), scaled("plain", n)
            out.append(
                f"{n:>10,d}{n // per_file:>8,d}{ts.seconds:>10.3f}{ps.seconds:>10.3f}"
                f"{_ratio(ts.seconds, ps.seconds):>12.2f}x"
                f"{ts.cpu_seconds:>11.3f}{ps.cpu_seconds:>11.3f}"
            )
        hi = sizes[-1]
        mid = items if items in sizes else sizes[len(sizes) // 2]
        t_growth = _ratio(scaled("tier2", hi).seconds, scaled("tier2", mid).seconds)
        p_growth = _ratio(scaled("plain", hi).seconds, scaled("plain", mid).seconds)
        t_cpu_growth = _ratio(scaled("tier2", hi).cpu_seconds, scaled("tier2", mid).cpu_seconds)
        p_cpu_growth = _ratio(scaled("plain", hi).cpu_seconds, scaled("plain", mid).cpu_seconds)
        limit = max(TARGET_SCALING_MIN, p_growth)
        good = t_growth <= limit
        results.checks["scaling"] = good
        name = f"{_k(hi)}/{_k(mid)}"
        out.append(
            f"{name:>10}{'':>8}{t_growth:>9.2f}x{p_growth:>9.2f}x{'':>13}"
            f"{t_cpu_growth:>10.2f}x{p_cpu_growth:>10.2f}x"
        )
        out.append(
            f"target: tier2 {name} <= max({TARGET_SCALING_MIN}, plain's {name}) = {limit:.2f}"
            f"   {_ok(good)}"
        )

    if results.xdist:
        workers = max(s.workers for s in results.xdist)
        out.append("")
        out.append(f"xdist (full run, median s, {items:,} items)")
        head = (
            f"{'':<10}{'serial':>10}{f'-n {workers}':>10}{'speed-up':>11}"
            f"{'CPU serial':>12}{f'CPU -n {workers}':>12}"
        )
        out.append(head)
        out.append("-" * len(head))
        speedups: dict[Side, float] = {}
        par: dict[Side, float] = {}
        for side in ("tier2", "plain"):
            serial = base(side, "full")
            parallel = _find(results.xdist, side, "full", items, workers)
            par[side] = parallel.seconds
            speedups[side] = _ratio(serial.seconds, par[side])
            out.append(
                f"{side:<10}{serial.seconds:>10.3f}{par[side]:>10.3f}{speedups[side]:>10.2f}x"
                f"{serial.cpu_seconds:>12.3f}{parallel.cpu_seconds:>12.3f}"
            )
        ratio = _ratio(par["tier2"], par["plain"])
        plain_reaches = speedups["plain"] >= TARGET_XDIST_SPEEDUP
        if plain_reaches:
            good = speedups["tier2"] >= TARGET_XDIST_SPEEDUP
            goal = f"target: tier2 speed-up >= {TARGET_XDIST_SPEEDUP} (plain reaches it)"
        else:
            good = ratio <= TARGET_XDIST_RATIO
            goal = (
                f"target: <= {TARGET_XDIST_RATIO:.1f} "
                f"(plain gets no {TARGET_XDIST_SPEEDUP}x itself)"
            )
        results.checks["xdist"] = good
        out.append(f"tier2(-n {workers})/plain(-n {workers}): {ratio:.2f}x   {goal}  {_ok(good)}")

    out.append("")
    missed = [k for k, v in results.checks.items() if not v]
    out.append("all targets met" if not missed else f"targets missed: {', '.join(missed)}")
    return "\n".join(out)


def _render_modes(results: Results, out: list[str], items: int) -> None:
    """tier2's golden check, `--tier2-report` and a cold parse cache, beside its plain run."""
    floor_collect = _find(results.base, "floor", "collect", items, 0)
    out.append("")
    out.append(f"tier2 modes ({items:,} items; median s, CPU = user+sys)")
    head = f"{'':<24}{'full':>9}{'collect':>9}{'full CPU':>10}{'collect CPU':>13}{'/ floor':>9}"
    out.append(head)
    out.append("-" * len(head))
    rows = [("no golden, no report", results.base, "")] + [
        (variant, results.modes, variant) for variant in ("golden check", "report", "cold cache")
    ]
    base_full = _find(results.base, "tier2", "full", items, 0)
    for label, group, variant in rows:
        full = _find(group, "tier2", "full", items, 0, variant)
        collect = _find(group, "tier2", "collect", items, 0, variant)
        out.append(
            f"{label:<24}{full.seconds:>9.3f}{collect.seconds:>9.3f}{full.cpu_seconds:>10.3f}"
            f"{collect.cpu_seconds:>13.3f}{_ratio(collect.seconds, floor_collect.seconds):>8.2f}x"
        )
    for variant in ("golden check", "report"):
        full = _find(results.modes, "tier2", "full", items, 0, variant)
        collect = _find(results.modes, "tier2", "collect", items, 0, variant)
        full_ratio = _ratio(full.seconds, base_full.seconds)
        collect_ratio = _ratio(collect.seconds, floor_collect.seconds)
        key = variant.split()[0]
        results.checks[f"{key}_full"] = full_good = full_ratio <= TARGET_GOLDEN
        results.checks[f"{key}_collect"] = collect_good = collect_ratio <= TARGET_COLLECT
        out.append(
            f"{variant}: full {full_ratio:.2f}x the run without it (target <= {TARGET_GOLDEN:.2f})"
            f" {_ok(full_good)}; collect-only {collect_ratio:.2f}x the floor"
            f" (target <= {TARGET_COLLECT:.2f}) {_ok(collect_good)}"
        )


def _render_memory(results: Results, out: list[str]) -> None:
    """Peak RSS of the largest process of a run (the controller or a worker under -n)."""
    items = results.memory[0].items
    out.append("")
    out.append(f"memory (full run, {items:,} items; peak RSS of the largest process, MiB)")
    serial = _find(results.memory, "tier2", "full", items, 0)
    floor = _find(results.memory, "floor", "full", items, 0)
    head = f"{'':<28}{'peak RSS':>10}{'/ serial':>10}{'/ floor':>9}{'seconds':>9}"
    out.append(head)
    out.append("-" * len(head))
    for ser in results.memory:
        name = f"{ser.side} " + (f"-n {ser.workers}" if ser.workers else ser.variant or "serial")
        out.append(
            f"{name:<28}{ser.rss_mib:>10.1f}{_ratio(ser.rss_mib, serial.rss_mib):>9.2f}x"
            f"{_ratio(ser.rss_mib, floor.rss_mib):>8.2f}x{ser.seconds:>9.2f}"
        )
    for ser in results.memory:
        if ser.side == "tier2" and (ser.workers or ser.variant):
            name = f"-n {ser.workers}" if ser.workers else ser.variant
            ratio = _ratio(ser.rss_mib, serial.rss_mib)
            results.checks[f"memory {name}"] = good = ratio <= TARGET_MEMORY
            out.append(
                f"target: tier2 {name} <= {TARGET_MEMORY:.2f}x serial ordered: {ratio:.2f}x"
                f"   {_ok(good)}"
            )
            if ser.workers:  # xdist's controller keeps every report it receives
                floor_n = _find(results.memory, "floor", "full", items, ser.workers)
                out.append(
                    f"  xdist's own share: floor -n {ser.workers} is "
                    f"{_ratio(floor_n.rss_mib, floor.rss_mib):.2f}x floor serial; tier2 -n "
                    f"{ser.workers} is {_ratio(ser.rss_mib, floor_n.rss_mib):.2f}x floor -n "
                    f"{ser.workers}"
                )


def _k(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark pytest-tier2 against plain pytest and a do-nothing floor plugin."
    )
    parser.add_argument("--items", type=int, default=10_000, help="base workload size per side")
    parser.add_argument("--per-file", type=int, default=50, help="items per generated file")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement")
    parser.add_argument("--workers", type=int, default=2, help="xdist -n value")
    parser.add_argument("--no-scaling", action="store_true", help="skip the scaling rows")
    parser.add_argument("--no-xdist", action="store_true", help="skip the -n rows")
    parser.add_argument(
        "--no-modes", action="store_true", help="skip the golden, report and cold-cache rows"
    )
    parser.add_argument(
        "--memory-items",
        type=int,
        default=50_000,
        help="workload size of the memory rows (serial, -n, random order); 0 skips them",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny workload (4 files x 5 items), repeat 1; no warm-up, scaling or xdist (smoke)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also dump the raw numbers")
    parser.add_argument("--keep", action="store_true", help="keep the generated workloads and logs")
    parser.add_argument(
        "--check", action="store_true", help="exit with status 2 if any target is missed"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.items, args.per_file, args.repeat = 20, 5, 1
        args.no_scaling = args.no_xdist = True
        args.memory_items = 0
    if args.items <= 0 or args.per_file <= 0 or args.items % args.per_file:
        parser.error("--items must be a positive multiple of --per-file")
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    if args.memory_items % args.per_file or args.memory_items < 0:
        parser.error("--memory-items must be a multiple of --per-file (0 skips)")
    if not args.no_scaling and (args.items // 5) % args.per_file:
        parser.error("--items / 5 must be a multiple of --per-file for the scaling rows")
    return args


def check_environment(python: str, need_xdist: bool, need_randomly: bool = False) -> None:
    """Fail early (and clearly) when the plugin or xdist is not importable by the child."""
    code = (
        "import importlib.metadata as m, sys\n"
        "eps = {e.name for e in m.entry_points(group='pytest11')}\n"
        "missing = [n for n in sys.argv[1:] if n not in eps]\n"
        "sys.exit(', '.join(missing) or None)\n"
    )
    wanted = ["tier2", *(["xdist"] if need_xdist else []), *(["randomly"] if need_randomly else [])]
    proc = subprocess.run(
        [python, "-c", code, *wanted], capture_output=True, text=True, env=child_env()
    )
    if proc.returncode != 0:
        raise BenchmarkError(
            f"pytest plugins not installed for {python}: {proc.stderr.strip()} "
            "(pip install -e '.[test]')"
        )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    python = sys.executable  # the children use this interpreter (and its plugins)
    items: int = args.items
    per_file: int = args.per_file
    repeat: int = args.repeat
    try:
        check_environment(
            python,
            need_xdist=not args.no_xdist or bool(args.memory_items),
            need_randomly=bool(args.memory_items),
        )
    except BenchmarkError as exc:
        log(f"BENCHMARK FAILED: {exc}")
        return 1

    work = Path(tempfile.mkdtemp(prefix="tier2-bench-"))
    logdir = work / "logs"
    logdir.mkdir()
    runner = Runner(python, logdir, work / "pycache")
    results = Results(
        machine=machine_info(python),
        options={
            "items": items,
            "per_file": per_file,
            "repeat": repeat,
            "workers": args.workers,
            "scaling": not args.no_scaling,
            "xdist": not args.no_xdist,
            "modes": not args.no_modes,
            "memory_items": args.memory_items,
            "pytest_args": list(BASE_PYTEST_ARGS),
        },
    )
    log(f"workloads and logs in {work}")
    try:
        log(f"generating base workloads: {items:,} items per side")
        base = {
            side: write_workload(side, work / f"{side}-{items}", items // per_file, per_file)
            for side in SIDES
        }
        if not args.quick:  # a smoke run's figures mean nothing: no need to warm them
            warm_up(runner, base.values())
        log("base: full runs")
        results.base += measure(runner, [(base[s], "full", 0) for s in SIDES], repeat, "full")
        log("base: collect-only runs")
        results.base += measure(runner, [(base[s], "collect", 0) for s in SIDES], repeat, "collect")

        if not args.no_modes:
            log("tier2 modes: golden check, --tier2-report, cold parse cache")
            runner.run(base["tier2"], "full", 0, "golden update")  # the pins, untimed
            modes: list[Config] = [
                (base["tier2"], mode, 0, variant)
                for variant in ("golden check", "report", "cold cache")
                for mode in ("full", "collect")
            ]
            results.modes += measure(runner, modes, repeat, "modes")

        if not args.no_scaling:
            sizes = [items * num // den for _, num, den in SCALING_FACTORS]
            for n in sizes:
                if n == items:  # reuse the base full-run series
                    results.scaling += [
                        _find(results.base, s, "full", items, 0) for s in ("tier2", "plain")
                    ]
                    continue
                log(f"scaling: {n:,} items")
                pair = [
                    write_workload(s, work / f"{s}-{n}", n // per_file, per_file)
                    for s in ("tier2", "plain")
                ]
                warm_up(runner, pair)
                results.scaling += measure(
                    runner, [(w, "full", 0) for w in pair], repeat, f"scale {_k(n)}"
                )
                for w in pair:
                    shutil.rmtree(w.root, ignore_errors=True)

        if not args.no_xdist:
            log(f"xdist: -n {args.workers}")
            results.xdist += measure(
                runner,
                [(base[s], "full", args.workers) for s in ("tier2", "plain")],
                repeat,
                f"-n {args.workers}",
            )
        if args.memory_items:
            n = args.memory_items
            log(f"memory: {n:,} items, serial, -n {args.workers}, random order, floor")
            memory = {
                s: write_workload(s, work / f"{s}-mem-{n}", n // per_file, per_file)
                for s in ("tier2", "floor")
            }
            warm_up(runner, memory.values())
            results.memory += measure(
                runner,
                [
                    (memory["tier2"], "full", 0),
                    (memory["tier2"], "full", args.workers),
                    (memory["tier2"], "full", 0, "random order"),
                    (memory["floor"], "full", 0),
                    (memory["floor"], "full", args.workers),
                ],
                repeat,
                f"memory {_k(n)}",
            )
            for w in memory.values():
                shutil.rmtree(w.root, ignore_errors=True)
    except BenchmarkError as exc:
        log(f"\nBENCHMARK FAILED: {exc}")
        log(f"(workloads and logs kept in {work})")
        return 1

    if hasattr(os, "getloadavg"):
        results.machine["loadavg_end"] = _loadavg()
    table = render(results, items, per_file)
    print(table, flush=True)
    if args.json:
        payload = {
            "machine": results.machine,
            "options": results.options,
            "checks": results.checks,
            "series": [
                {
                    "group": group,
                    "side": s.side,
                    "mode": s.mode,
                    "items": s.items,
                    "workers": s.workers,
                    "variant": s.variant,
                    "median_seconds": s.seconds,
                    "peak_rss_mib": s.rss_mib,
                    "samples": [asdict(x) for x in s.samples],
                }
                for group, series in (
                    ("base", results.base),
                    ("scaling", results.scaling),
                    ("xdist", results.xdist),
                    ("modes", results.modes),
                    ("memory", results.memory),
                )
                for s in series
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        log(f"raw numbers written to {args.json}")
    if args.keep:
        log(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    if args.check and not all(results.checks.values()):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
