"""Pin files: `<stem>.tier2.golden.json` beside each suite, read, verified and written.

A pin file holds, per scenario, the scenario hash and each mission result's hash and
canonical result (so that a drift can be shown field by field), plus the suite hash. It
is written with sorted keys, two-space indents and `\\n` line endings, so it is byte-identical
everywhere and a diff in review shows which scenario moved.

A pin is verified against itself before it is trusted: every mission hash must be the
SHA-256 of its recorded result, and the scenario hash must follow from its missions, so
that a hand edit or a bad merge is caught. That costs one hash per mission, paid for the
scenarios that are judged only (a deselected scenario's pin is never hashed).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import SUITE_SUFFIXES
from ..atomic import write_atomically as write_atomically
from ..core.canonical import compose_object, dumps, sha256
from ..core.exceptions import Tier2Error
from ..core.harness import result_hash_of, scenario_members, tree_of
from ..core.test_run import TestRunResult

FORMAT = "pytest-tier2-golden"
VERSION = 1
PIN_SUFFIX = ".tier2.golden.json"
CONFLICT_MARKERS = ("<<<<<<<", "|||||||", "=======", ">>>>>>>")
"""What git leaves at the start of a line in a file it could not merge."""
EDITED = "recorded result does not match its hash: edited by hand?"


class PinFileError(Tier2Error):
    """A pin file exists but cannot be used."""


@dataclass(frozen=True)
class PinFile:
    """A parsed pin file."""

    suite: str
    suite_hash: str
    scenarios: Mapping[str, Any]
    """Each scenario's pin, as parsed: `{"missions": {...}, "scenario_hash": ...}`."""
    sha: str
    """SHA-256 of the file's bytes: what a pending change was computed against."""
    name: str = ""
    """How messages name the file."""
    path: Path | None = None
    _problems: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)

    def problem(self, scenario: str) -> str | None:
        """Why this scenario's pin cannot be trusted, if its recorded hashes do not follow
        from its recorded results; verified once, when first asked."""
        if scenario not in self._problems:
            mismatch = verify_scenario(scenario, self.scenarios[scenario])
            self._problems[scenario] = (
                None if mismatch is None else self._mismatch_message(scenario, mismatch)
            )
        return self._problems[scenario]

    def verify_all(self) -> bool:
        """Verify every scenario now; whether all of them are consistent."""
        return all([self.problem(scenario) is None for scenario in self.scenarios])

    def trust(self) -> None:
        """Take every scenario as consistent: these bytes were verified in an earlier run."""
        self._problems.update(dict.fromkeys(self.scenarios))

    def _mismatch_message(self, scenario: str, mission: str) -> str:
        """`file:line: scenario 'x', mission 'y': ...`, at the mission's (or scenario's) line."""
        try:
            text = self.path.read_text("utf-8") if self.path is not None else ""
        except (OSError, UnicodeDecodeError):
            text = ""
        line = _key_line(text, [scenario, *([mission] if mission else [])])
        if mission:
            return f"{self.name}:{line}: scenario '{scenario}', mission '{mission}': {EDITED}"
        return (
            f"{self.name}:{line}: scenario '{scenario}': its scenario hash does not follow "
            "from its recorded missions: edited by hand?"
        )


def pin_path_for(suite_path: Path) -> Path:
    name = suite_path.name
    for suffix in SUITE_SUFFIXES:
        if name.endswith(suffix):
            return suite_path.with_name(name[: -len(suffix)] + PIN_SUFFIX)
    raise ValueError(f"not a suite file: {suite_path}")


def suite_paths_for(pin_path: Path) -> list[Path]:
    stem = pin_path.name[: -len(PIN_SUFFIX)]
    return [pin_path.with_name(stem + suffix) for suffix in SUITE_SUFFIXES]


def content_sha(data: bytes) -> str:
    """How a pending change recognises the exact files it was computed from."""
    return hashlib.sha256(data).hexdigest()


def file_sha(path: Path) -> str | None:
    """`content_sha` of a file, None when there is none."""
    try:
        return content_sha(path.read_bytes())
    except FileNotFoundError:
        return None


def scenario_pin(result: TestRunResult, scenario: str) -> dict[str, Any]:
    """What a pin records for one scenario: its hash, and each mission's hash and result."""
    scenario_result = result.suite_result.scenario_results[scenario]
    missions: dict[str, Any] = {}
    for key, mission in scenario_result.mission_results.items():
        missions[key] = {"hash": result_hash_of(mission), "result": tree_of(mission)}
    return {"missions": missions, "scenario_hash": scenario_result.scenario_hash}


def read_pins(path: Path, shown: str | None = None) -> PinFile | None:
    """The pin file, None when there is none; PinFileError when it is unusable.

    `shown` is how messages name the file (by default, its path as given).
    """
    name = shown or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise PinFileError(f"{name}: cannot be read: {error.strerror or error}") from None
    return parse_pins(data, name, path)


def parse_pins(data: bytes, name: str, path: Path | None = None) -> PinFile:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PinFileError(f"{name}: cannot be read: {error}") from None
    conflict = _conflict_marker(text)
    if conflict is not None:
        line, marker = conflict
        raise PinFileError(
            f"{name}:{line}: unresolved merge conflict (git conflict marker {marker!r}); "
            "resolve it, or regenerate the file with --tier2-golden=fix"
        )
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PinFileError(f"{name}:{error.lineno}: not a valid pin file: {error.msg}") from None
    except RecursionError:
        raise PinFileError(f"{name}:1: not a valid pin file: nested too deeply") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise PinFileError(f'{name}:1: not a pytest-tier2 pin file (no "format": "{FORMAT}")')
    version = document.get("version")
    if version != VERSION:
        newer = isinstance(version, int) and version > VERSION
        advice = "upgrade pytest-tier2" if newer else "re-pin with --tier2-golden=update"
        raise PinFileError(
            f"{name}:1: pins were written in format version {version!r}; this "
            f"pytest-tier2 reads version {VERSION}: {advice}"
        )
    problem = _pins_problem(document)
    if problem:
        raise PinFileError(f"{name}:1: not a valid pin file: {problem}")
    return PinFile(
        document["suite"],
        document["suite_hash"],
        document["scenarios"],
        content_sha(data),
        name,
        path,
    )


def _conflict_marker(text: str) -> tuple[int, str] | None:
    """The line and marker of the first git conflict marker, if the file holds one."""
    if not any(marker in text for marker in CONFLICT_MARKERS):
        return None  # the usual case, found without splitting the file into lines
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith(CONFLICT_MARKERS):
            return number, line[:7]
    return None


def _pins_problem(document: Mapping[str, Any]) -> str | None:
    """What is wrong with the shape of a parsed pin file, if anything."""
    if not isinstance(document.get("suite"), str) or not isinstance(
        document.get("suite_hash"), str
    ):
        return "'suite' and 'suite_hash' must be strings"
    scenarios = document.get("scenarios")
    if not isinstance(scenarios, dict):
        return "'scenarios' must be an object"
    for scenario, pin in scenarios.items():
        if not isinstance(pin, dict) or not isinstance(pin.get("scenario_hash"), str):
            return f"scenario {scenario!r} needs a 'scenario_hash' string"
        missions = pin.get("missions")
        if not isinstance(missions, dict) or not all(
            isinstance(m, dict) and isinstance(m.get("hash"), str) and "result" in m
            for m in missions.values()
        ):
            return f"scenario {scenario!r} needs 'missions', each with a 'hash' and a 'result'"
    return None


def verify_scenario(scenario: str, pin: Mapping[str, Any]) -> str | None:
    """The mission whose recorded hash is not that of its recorded result, or "" when the
    scenario hash does not follow from the missions; None when the pin is consistent.

    One hash per mission, and one for the scenario, composed exactly as `ScenarioResult`
    composes it.
    """
    texts = []
    for key, mission in pin["missions"].items():
        try:
            text = dumps(mission["result"])
        except (ValueError, TypeError):  # NaN or infinity: never written by pytest-tier2
            return str(key)
        if sha256(text) != mission["hash"]:
            return str(key)
        texts.append((key, text))
    if sha256(compose_object(scenario_members(scenario, texts))) != pin["scenario_hash"]:
        return ""
    return None


def _key_line(text: str, keys: list[str]) -> int:
    """The line of `"scenarios": {"<keys[0]>": {"missions": {"<keys[1]>"`, as written by
    `render_pins`; the best line found so far when the file was laid out otherwise."""
    position, line = text.find('"scenarios": {'), 1
    depth_indent = 4
    for key in keys:
        if position < 0:
            break
        needle = "\n" + " " * depth_indent + json.dumps(key) + ": {"
        found = text.find(needle, position)
        if found < 0:
            break
        position = found + 1
        line = text.count("\n", 0, position) + 1
        depth_indent += 4  # a mission sits under the scenario's "missions" object
    return line


def render_pins(suite: str, suite_hash: str, scenarios: Mapping[str, Any]) -> bytes:
    document = {
        "format": FORMAT,
        "scenarios": dict(scenarios),
        "suite": suite,
        "suite_hash": suite_hash,
        "version": VERSION,
    }
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode()
