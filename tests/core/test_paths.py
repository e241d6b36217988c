"""The path grammar's helpers: parsing, the nearest existing paths, and every leaf.

`nearest_paths` fills the `nearest` member of a `path_missing` verdict, and `iter_leaves`
lists what golden drift reports and `show` print, so their exact output is pinned.
"""

from __future__ import annotations

import pytest

from pytest_tier2.core.exceptions import PathSyntaxError
from pytest_tier2.core.paths import format_path, iter_leaves, nearest_paths, parse_path


@pytest.mark.parametrize(("value", "kind"), [(1, "int"), (None, "NoneType"), (("a",), "tuple")])
def test_a_path_that_is_not_a_string_is_refused_naming_its_type(value, kind):
    with pytest.raises(PathSyntaxError) as raised:
        parse_path(value)
    assert str(raised.value) == f"a path must be a string, not {kind}"


def test_nearest_paths_come_best_match_first_then_in_key_order():
    root = {"final_state": {"counter": 1, "count_total": 2, "a.b": {"c": 3}}}

    # `counter` matches best, `count_total` is close enough (a ratio of 0.59 against 0.5),
    # and `a.b` is only the next key.
    assert nearest_paths(root, ("final_state", "countr")) == [
        "final_state.counter",
        "final_state.count_total",
        "final_state.a\\.b",
    ]


def test_nearest_paths_are_at_most_three_by_default_and_as_many_as_asked():
    root = {"state": {"aaa": 0, "count1": 1, "count12": 2, "count123": 3, "count1234": 4}}

    assert nearest_paths(root, ("state", "count")) == [
        "state.count1",
        "state.count12",
        "state.count123",
    ]
    assert nearest_paths(root, ("state", "count"), limit=1) == ["state.count1"]
    # The close ones first, best first, then the others (`aaa`) in key order.
    assert nearest_paths(root, ("state", "count"), limit=5) == [
        "state.count1",
        "state.count12",
        "state.count123",
        "state.count1234",
        "state.aaa",
    ]


def test_equally_close_paths_come_in_reverse_key_order_as_difflib_ranks_them():
    root = {"state": {"k1": 1, "k2": 2, "k3": 3, "k4": 4}}

    assert nearest_paths(root, ("state", "k0")) == ["state.k4", "state.k3", "state.k2"]


def test_nearest_paths_into_a_list_are_its_indices():
    root = {"items": [10, 20]}

    assert nearest_paths(root, ("items", "5")) == ["items.0", "items.1"]


def test_nearest_path_through_a_scalar_is_the_scalar_itself():
    assert nearest_paths({"counter": 1}, ("counter", "x")) == ["counter"]
    assert nearest_paths({"counter": 1}, ("counter", "x", "y")) == ["counter"]
    # A scalar root has no path to offer.
    assert nearest_paths(5, ("a",)) == []


def test_nearest_paths_of_a_path_that_exists_are_what_lies_there():
    # A verdict only asks about missing paths; a path that exists has no missing segment
    # to match, so what lies there comes in key order, the path itself for a scalar.
    root = {"state": {"b": 1, "a": 2}, "items": [10, 20], "counter": 1}

    assert nearest_paths(root, ("state",)) == ["state.a", "state.b"]
    assert nearest_paths(root, ("items",)) == ["items.0", "items.1"]
    assert nearest_paths(root, ("counter",)) == ["counter"]
    assert nearest_paths(root, ()) == ["counter", "items", "state"]


def test_every_leaf_in_key_order_with_its_path_empty_containers_included():
    value = {"b": {"y": [1, {}], "x": []}, "a": None, "c.d": {"e\\f": "g"}}

    assert list(iter_leaves(value)) == [
        (("a",), None),
        (("b", "x"), []),
        (("b", "y", "0"), 1),
        (("b", "y", "1"), {}),
        (("c.d", "e\\f"), "g"),
    ]
    assert [format_path(path) for path, _ in iter_leaves(value)] == [
        "a",
        "b.x",
        "b.y.0",
        "b.y.1",
        "c\\.d.e\\\\f",
    ]


@pytest.mark.parametrize("value", [5, "text", None, {}, []])
def test_a_scalar_or_an_empty_root_is_its_own_only_leaf(value):
    assert list(iter_leaves(value)) == [((), value)]


def test_leaves_under_a_prefix_carry_it():
    assert list(iter_leaves({"k": [True]}, ("final_state",))) == [(("final_state", "k", "0"), True)]
