"""Mission and operation registries: code-as-configuration, read-only while a run is under way."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from .builder import MISSION_PARAMS, build_from_params
from .canonical import FrozenMap, dumps, freeze_mapping, thaw
from .engine import (
    ExecutionContext,
    OrchestrationResult,
    Orchestrator,
    StepSpec,
    WorkflowDefinition,
)
from .exceptions import (
    DuplicateRegistrationError,
    RegistryError,
    RegistryLockedError,
    UnknownMissionError,
)
from .operations import BUILTIN_OPERATIONS, OperationHandler
from .params import ParamTypes, normalise
from .suggest import did_you_mean

__all__ = [
    "MISSION_REGISTRY",
    "MissionBuilder",
    "NameRegistry",
    "ParamTypes",
    "Registry",
    "UnknownMissionError",
    "default_registry",
    "run_mission",
]

MissionBuilder = Callable[[Mapping[str, Any] | None], WorkflowDefinition]
"""Builds a mission's workflow from its params (None when the call gave none)."""

T = TypeVar("T")
BUILTIN = "pytest_tier2 (built in)"


def _caller_place(depth: int) -> str:
    """`file:line` of the code `depth` frames above the caller, for error messages."""
    frame = inspect.currentframe()
    for _ in range(depth + 1):
        frame = frame.f_back if frame is not None else None
    if frame is None:
        return "unknown place"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


class NameRegistry(MutableMapping[str, T], Generic[T]):
    """Named entries with the place each was registered; refuses changes while locked."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}
        self._places: dict[str, str] = {}
        self._locks = 0

    def add(self, name: str, entry: T, place: str) -> None:
        """Register `entry` under a new `name`; a second registration of a name is an error."""
        self._check_unlocked()
        if type(name) is not str or not name:
            raise RegistryError(f"a {self.kind} name must be a non-empty string, not {name!r}")
        if not callable(entry):
            raise RegistryError(f"{self.kind} '{name}' must be callable, not {entry!r}")
        if name in self._entries:
            raise DuplicateRegistrationError(
                f"{self.kind} '{name}' is registered twice: at {self._places[name]} and at {place}"
            )
        self._entries[name] = entry
        self._places[name] = place

    def place_of(self, name: str) -> str:
        return self._places[name]

    def _check_unlocked(self) -> None:
        if self._locks:
            raise RegistryLockedError(
                f"the {self.kind} registry is read-only while a run is under way"
            )

    def __getitem__(self, name: str) -> T:
        return self._entries[name]

    def __setitem__(self, name: str, entry: T) -> None:
        """Replace or add an entry (tests use this through monkeypatch)."""
        self._check_unlocked()
        self._entries[name] = entry
        self._places[name] = _caller_place(1)

    def __delitem__(self, name: str) -> None:
        self._check_unlocked()
        del self._entries[name]
        del self._places[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<{self.kind} registry: {', '.join(self)}>"


class Registry:
    """The missions and operations a run can use. Extend it before a run; it locks during one."""

    def __init__(self) -> None:
        self.missions: NameRegistry[MissionBuilder] = NameRegistry("mission")
        self.operations: NameRegistry[OperationHandler] = NameRegistry("operation")
        self._params: dict[str, tuple[MissionBuilder, dict[str, tuple[type, ...]]]] = {}
        """Declared params by mission, with the builder they were declared for."""

    @classmethod
    def with_builtins(cls) -> Registry:
        """A registry holding the built-in missions and operations."""
        registry = cls()
        for name, builder in _BUILTIN_BUILDERS.items():
            registry._add_mission(name, builder, BUILTIN, MISSION_PARAMS[name])
        registry.missions.add("echo", build_echo, BUILTIN)  # echo carries any params back
        for name, handler in BUILTIN_OPERATIONS.items():
            registry.operations.add(name, handler, BUILTIN)
        return registry

    def add_mission(
        self, name: str, builder: MissionBuilder, params: Mapping[str, ParamTypes] | None = None
    ) -> None:
        """Register a mission builder under a new name.

        `params` declares the params it reads, each with a type or a tuple of types
        (`{"start": int, "label": str}`); a suite that gives another name, or a value of
        another type, fails at collection. Without `params` the mission accepts any.
        """
        self._add_mission(name, builder, _caller_place(1), params)

    def _add_mission(
        self,
        name: str,
        builder: MissionBuilder,
        place: str,
        params: Mapping[str, ParamTypes] | None,
    ) -> None:
        declared = None if params is None else normalise(str(name), params)
        self.missions.add(name, builder, place)
        if declared is not None:
            self._params[name] = (builder, declared)

    def mission_params(self, name: str) -> Mapping[str, tuple[type, ...]] | None:
        """The params mission `name` declares, or None when it accepts any.

        A declaration holds for the builder it was made with: a builder replaced later
        (by monkeypatch, say) accepts any params. Reading a suite file checks calls against
        it (`core.params.param_problem`); `run_mission` from Python does not, as before.
        """
        entry = self._params.get(name)
        if entry is None or self.missions.get(name) is not entry[0]:
            return None
        return entry[1]

    def reading_signature(self) -> str:
        """What reading a suite file depends on in this registry: each mission's name and the
        params it declares. A cache of read suites keys its entries by it, so that a changed
        registration makes them be read again. Operations are checked when steps run, not
        when a suite is read, so they are not part of it."""
        parts = []
        for name in self.missions:  # sorted
            declared = self.mission_params(name)
            if declared is None:
                parts.append(f"{name}(*)")
                continue
            params = ",".join(
                f"{param}:{'|'.join(f'{kind.__module__}.{kind.__qualname__}' for kind in kinds)}"
                for param, kinds in sorted(declared.items())
            )
            parts.append(f"{name}({params})")
        return ";".join(parts)

    def add_operation(self, name: str, handler: OperationHandler) -> None:
        """Register a pure `(state, payload) -> new_state` operation under a new name."""
        self.operations.add(name, handler, _caller_place(1))

    def copy(self) -> Registry:
        """An independent registry with the same entries, for a session to extend."""
        clone = Registry()
        for source, target in (
            (self.missions, clone.missions),
            (self.operations, clone.operations),
        ):
            for name in source:
                target.add(name, source[name], source.place_of(name))  # type: ignore[arg-type]
        clone._params = dict(self._params)
        return clone

    @contextmanager
    def running(self) -> Iterator[None]:
        """Hold the registry read-only for the duration of a run."""
        self.missions._locks += 1
        self.operations._locks += 1
        try:
            yield
        finally:
            self.missions._locks -= 1
            self.operations._locks -= 1

    def build(self, name: str, params: Mapping[str, Any] | None) -> WorkflowDefinition:
        """Build mission `name`'s workflow from a private copy of `params`."""
        builder = self.missions.get(name)
        if builder is None:
            raise UnknownMissionError(
                f"Unknown mission: '{name}'{did_you_mean(name, self.missions)}. "
                f"Available missions: {list(self.missions)}"
            )
        frozen = None if params is None else freeze_mapping(params, "params")
        if builder in _PURE_BUILDERS:
            workflow = _built(builder, frozen)
        else:
            workflow = builder(None if frozen is None else thaw(frozen))
        if not isinstance(workflow, WorkflowDefinition):
            raise RegistryError(
                f"mission '{name}' builder returned {type(workflow).__name__}, "
                "not a WorkflowDefinition"
            )
        return workflow

    def run_mission(
        self, name: str, ctx: ExecutionContext, params: Mapping[str, Any] | None = None
    ) -> OrchestrationResult:
        """Build and run one mission."""
        with self.running():
            workflow = self.build(name, params)
            return Orchestrator(self.operations).run_workflow(workflow, ctx)


def build_echo(params: Mapping[str, Any] | None = None) -> WorkflowDefinition:
    """A single noop step that carries its params: the smallest deterministic mission."""
    frozen = freeze_mapping(params, "params")
    step = StepSpec(
        id="echo-step",
        kind="runtime",
        payload={"operation": "noop", "description": "Echo workflow step", "params": frozen},
    )
    return WorkflowDefinition(
        id="wf-echo", steps=(step,), metadata={"mission_type": "echo", "params": frozen}
    )


_BUILTIN_BUILDERS: dict[str, MissionBuilder] = {
    name: build_from_params(name) for name in ("daily_loop", "run_tests")
}
_PURE_BUILDERS: frozenset[MissionBuilder] = frozenset((*_BUILTIN_BUILDERS.values(), build_echo))
"""The built-in builders: pure functions of their params, returning an immutable workflow."""
_BUILT: dict[tuple[MissionBuilder, str], WorkflowDefinition] = {}
_BUILT_LIMIT = 64


def _built(builder: MissionBuilder, params: FrozenMap | None) -> WorkflowDefinition:
    """A built-in mission's workflow, built once per distinct params (a suite typically runs
    the same mission with the same params in every scenario): a fifth of a suite's run."""
    key = (builder, "null" if params is None else dumps(params))
    workflow = _BUILT.get(key)
    if workflow is None:
        workflow = builder(None if params is None else thaw(params))
        if len(_BUILT) >= _BUILT_LIMIT:  # a bound, not a policy: many distinct params
            _BUILT.clear()
        _BUILT[key] = workflow
    return workflow


_DEFAULT = Registry.with_builtins()
MISSION_REGISTRY: NameRegistry[MissionBuilder] = _DEFAULT.missions
"""The default registry's missions; extend it with `default_registry().add_mission`."""


def default_registry() -> Registry:
    """The process-wide registry that the module-level `run_mission` uses."""
    return _DEFAULT


def run_mission(
    name: str,
    ctx: ExecutionContext,
    params: Mapping[str, Any] | None = None,
    *,
    registry: Registry | None = None,
) -> OrchestrationResult:
    """Run a named mission through `registry` (the default registry when None)."""
    return (registry or _DEFAULT).run_mission(name, ctx, params)
