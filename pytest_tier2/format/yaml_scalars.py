"""The values of YAML scalars, as every reader makes them: JSON-like, or a located error.

The fast reader and both composers resolve and build scalars here, so that a scalar means
the same whichever reader met it: the same value, or the same message.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import yaml

from .errors import YamlSourceError

STD = "tag:yaml.org,2002:"
MAP_TAG = STD + "map"
SEQ_TAG = STD + "seq"
STR_TAG = STD + "str"
MERGE_TAG = STD + "merge"
_INT_TAG = STD + "int"
_SCALAR_TAGS = {STD + name for name in ("str", "int", "float", "bool", "null")}
_NUMBER_TAGS = {_INT_TAG, STD + "float"}
_NULL_FORMS = ("", "~", "null", "Null", "NULL")
_CONSTRUCTOR = yaml.constructor.SafeConstructor()

MAX_NUMBER_CHARACTERS = 20_000
"""Longer numbers are refused before they are built: building a base-60 or a decimal
number takes time that grows faster than its length. A binary integer of 4,300 decimal
digits, the most canonical JSON writes, needs about 14,300 characters."""
_INT_BITS_ALWAYS_WRITTEN = 2_000  # 603 decimal digits: below any digit limit Python allows
_TOO_BIG_FLOAT = "it is beyond the range of a float"


def show_tag(tag: str) -> str:
    """A tag as it is written in a file: `!!python/name:os.system`, not its long form."""
    return "!!" + tag[len(STD) :] if tag.startswith(STD) else tag


def shown(value: str) -> str:
    """A scalar as a message quotes it: whole when short, else its start and its length."""
    if len(value) <= 60:
        return repr(value)
    return f"{value[:40]!r}... ({len(value):,} characters)"


_PLAIN_RESOLVER = yaml.resolver.Resolver()
_PLAIN_TAGS: dict[str, str] = {}


def resolve_plain(value: str) -> str:
    """The tag PyYAML's resolver gives a plain (unquoted) scalar, memoised for short ones."""
    tag = _PLAIN_TAGS.get(value)
    if tag is None:
        tag = str(_PLAIN_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)))  # type: ignore[no-untyped-call]
        if len(value) <= 40 and len(_PLAIN_TAGS) < 20_000:
            _PLAIN_TAGS[value] = tag
    return tag


_PLAIN_VALUES: dict[str, tuple[Any]] = {}


def plain_value(text: str, line: int) -> Any:
    """The value of a plain (unquoted) scalar, memoised for the short ones suites repeat."""
    cached = _PLAIN_VALUES.get(text)
    if cached is not None:
        return cached[0]
    value = scalar(resolve_plain(text), text, line)
    if len(text) <= 40 and len(_PLAIN_VALUES) < 20_000:
        _PLAIN_VALUES[text] = (value,)
    return value


def scalar(tag: str, value: str, line: int) -> Any:
    """The value of a scalar of a resolved or given tag: JSON-like, or a located error."""
    if tag == STR_TAG:
        return value
    if tag == MERGE_TAG:
        return "<<"
    if tag not in _SCALAR_TAGS:
        if tag == STD + "timestamp":
            kind = "date" if len(value) == 10 else "timestamp"
            raise YamlSourceError(
                line,
                f"tag '!!timestamp' is not allowed: {shown(value)} is a {kind}, not a JSON "
                "value; quote it to make it a string",
            )
        raise YamlSourceError(line, f"tag '{show_tag(tag)}' is not allowed")
    if tag == STD + "null" and value not in _NULL_FORMS:
        raise YamlSourceError(line, f"{shown(value)} is not a valid !!null")
    if tag in _NUMBER_TAGS and len(value) > MAX_NUMBER_CHARACTERS:
        raise YamlSourceError(
            line,
            f"{shown(value)} is too long for a number (at most "
            f"{MAX_NUMBER_CHARACTERS:,} characters)",
        )
    try:
        result = _CONSTRUCTOR.construct_object(yaml.ScalarNode(tag, value))
    except OverflowError:  # a base-60 float: PyYAML sums it with an int place value
        raise YamlSourceError(
            line, f"{shown(value)} is not a JSON value: {_TOO_BIG_FLOAT}"
        ) from None
    except (ValueError, KeyError, IndexError, yaml.YAMLError):
        if tag == _INT_TAG and _int_digit_limit() < sum(map(str.isdigit, value)):
            raise YamlSourceError(line, _too_many_digits(value)) from None
        raise YamlSourceError(line, f"{shown(value)} is not a valid {show_tag(tag)}") from None
    if isinstance(result, float) and not math.isfinite(result):
        if value.lstrip("+-").lower() in (".inf", ".nan"):
            problem = "NaN and infinity are not"
        else:
            problem = _TOO_BIG_FLOAT
        raise YamlSourceError(line, f"{shown(value)} is not a JSON value: {problem}")
    if type(result) is int and result.bit_length() > _INT_BITS_ALWAYS_WRITTEN:
        try:
            str(result)  # what canonical JSON does; Python refuses ints past its digit limit
        except ValueError:
            raise YamlSourceError(line, _too_many_digits(value)) from None
    return result


def _int_digit_limit() -> int:
    """Python's limit on the digits of an int written as text (0, or absent, is none)."""
    limit: int = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    return limit or sys.maxsize


def _too_many_digits(value: str) -> str:
    return (
        f"{shown(value)} is not a JSON value: an integer of more than {_int_digit_limit():,} digits"
    )
