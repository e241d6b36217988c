#!/usr/bin/env python3
"""What verifying a pin file on reading costs: one hash per mission (and per scenario).

Builds a pin file from a real run (SCENARIOS x MISSIONS `daily_loop` results), then
times reading it with and without verification, and running the suite it pins, for
scale. Prints medians over --repeat reads.

    python benchmarks/golden_verify.py [--scenarios 100] [--missions 10] [--repeat 21]
"""

from __future__ import annotations

import argparse
import statistics
import time

from pytest_tier2.core.canonical import dumps
from pytest_tier2.core.expectations import SuiteExpectationsDefinition
from pytest_tier2.core.harness import MissionCall, ScenarioDefinition
from pytest_tier2.core.suite import ScenarioSuiteDefinition
from pytest_tier2.core.test_run import run_test_run
from pytest_tier2.golden.pinfile import parse_pins, render_pins, scenario_pin


def median_seconds(action: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=100)
    parser.add_argument("--missions", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()

    calls = [MissionCall("daily_loop", alias=f"m{i}") for i in range(args.missions)]
    suite = ScenarioSuiteDefinition(
        "bench",
        [ScenarioDefinition(f"s{i}", {"counter": i}, calls) for i in range(args.scenarios)],
    )
    expectations = SuiteExpectationsDefinition(())

    def run() -> object:
        return run_test_run(suite, expectations)

    result = run_test_run(suite, expectations)
    scenarios = {name: scenario_pin(result, name) for name in result.suite_result.scenario_results}
    data = render_pins("bench", result.suite_result.suite_hash, scenarios)

    def read(verify: bool) -> None:
        pins = parse_pins(data, "bench")
        if verify:
            assert not any(pins.problem(name) for name in pins.scenarios)

    result_bytes = sum(
        len(dumps(m["result"])) for pin in scenarios.values() for m in pin["missions"].values()
    )

    missions = args.scenarios * args.missions
    read(True)
    plain = median_seconds(lambda: read(False), args.repeat)
    verified = median_seconds(lambda: read(True), args.repeat)
    running = median_seconds(run, max(3, args.repeat // 5))
    print(f"pin file: {missions:,} missions in {args.scenarios} scenarios, {len(data):,} bytes")
    print(f"  (canonical results: {result_bytes:,} bytes)")
    print(f"read, not verified : {plain * 1000:8.2f} ms")
    print(f"read and verified  : {verified * 1000:8.2f} ms")
    print(
        f"verification       : {(verified - plain) * 1000:8.2f} ms "
        f"({(verified - plain) / missions * 1e6:.1f} us per mission)"
    )
    print(f"running the suite  : {running * 1000:8.2f} ms (for scale)")


if __name__ == "__main__":
    main()
