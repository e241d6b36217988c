"""Declared mission params: which names a mission reads, and the types of their values.

A declaration maps each param name to a type or a tuple of types. Values follow JSON's
rules, not Python's: a bool is never an integer (nor any number), and an integer is
accepted where a float is declared. A mission declared without params accepts none; a
mission registered with no declaration at all accepts any params.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .exceptions import RegistryError
from .suggest import did_you_mean

ParamTypes = type | tuple[type, ...]
"""What a declaration gives for one param: a type, or a tuple of types."""

TYPE_NAMES: Mapping[type, str] = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "a mapping",
    type(None): "null",
}


def normalise(mission: str, params: Mapping[str, ParamTypes]) -> dict[str, tuple[type, ...]]:
    """A declaration as `{name: (types...)}`, or RegistryError saying what is wrong with it."""
    if not isinstance(params, Mapping):
        raise RegistryError(
            f"mission '{mission}' params must be a mapping of name to type, not {params!r}"
        )
    declared: dict[str, tuple[type, ...]] = {}
    for name, types in params.items():
        if type(name) is not str or not name:
            raise RegistryError(
                f"mission '{mission}' param names must be non-empty strings, not {name!r}"
            )
        kinds = types if isinstance(types, tuple) else (types,)
        if not kinds or not all(isinstance(kind, type) for kind in kinds):
            raise RegistryError(
                f"mission '{mission}' param '{name}' must be declared with a type or a "
                f"tuple of types, not {types!r}"
            )
        declared[name] = kinds
    return declared


def accepts(types: tuple[type, ...], value: Any) -> bool:
    """Whether `value` is of one of `types`, in JSON's terms (see the module docstring)."""
    if isinstance(value, bool):
        return bool in types or object in types
    if isinstance(value, int) and float in types:
        return True
    return isinstance(value, types)


def describe(types: tuple[type, ...]) -> str:
    """`an integer`, `a string or null`: the types as a message names them."""
    return " or ".join(TYPE_NAMES.get(kind, f"a {kind.__name__}") for kind in types)


def show(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class ParamProblem:
    """Why a call's params do not fit its mission's declaration."""

    name: str
    """The param at fault."""
    message: str
    in_value: bool
    """True when its value is wrong (a type), False when its name is (unknown)."""


def param_problem(
    mission: str, declared: Mapping[str, tuple[type, ...]], params: Mapping[str, Any]
) -> ParamProblem | None:
    """The first param, in the call's order, that the declaration refuses; None if all fit."""
    for name, value in params.items():
        types = declared.get(name)
        if types is None:
            if not declared:
                message = f"unknown param {name!r}: mission '{mission}' takes no params"
            else:
                message = (
                    f"unknown param {name!r} for mission '{mission}'"
                    f"{did_you_mean(name, declared)} (accepted: {', '.join(sorted(declared))})"
                )
            return ParamProblem(name, message, in_value=False)
        if not accepts(types, value):
            message = (
                f"param {name!r} of mission '{mission}' must be {describe(types)}, "
                f"not {show(value)}"
            )
            return ParamProblem(name, message, in_value=True)
    return None
