"""Property tests of the pure value layer: every value a field accepts comes back from
storage as it went in, and anything else is an InvalidFieldError naming the field."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.errors import InvalidFieldError
from comptoir.schema.fields import Enum, Field, Int, IntArray, Json, Kind, Number, Text, TextArray
from comptoir.wire.values import (
    extdata_to_storage,
    extdata_to_wire,
    in_range,
    to_storage,
    to_wire,
)

INT = Int("n")
WIDE = Int("n", wide=True)
NAME = Text("name", max_length=10)
KIND = Enum("kind", {0: "A", 1: "B", 5: "F"})
AMOUNT = Number("amount", minimum=0)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(st.integers(-(2**31), 2**31 - 1))
def test_int32_values_round_trip_and_accept_their_digits(value: int) -> None:
    assert to_wire(INT, to_storage(INT, value)) == value
    assert to_storage(INT, str(value)) == value


@given(st.integers().filter(lambda v: not -(2**31) <= v < 2**31))
def test_int32_rejects_what_does_not_fit(value: int) -> None:
    assert not in_range(INT, value)
    with pytest.raises(InvalidFieldError, match="^n: "):
        to_storage(INT, value)


@given(st.integers(-(2**63), 2**63 - 1))
def test_int64_values_round_trip(value: int) -> None:
    assert to_storage(WIDE, value) == value


@given(st.text(max_size=10).filter(lambda t: "\x00" not in t))
def test_text_within_its_length_round_trips(value: str) -> None:
    assert to_wire(NAME, to_storage(NAME, value)) == value


@given(st.text(min_size=11))
def test_text_over_its_length_is_refused(value: str) -> None:
    with pytest.raises(InvalidFieldError, match="^name: "):
        to_storage(NAME, value)


@given(st.integers())
def test_enums_take_only_their_choices(value: int) -> None:
    if value in KIND.choices:
        assert to_storage(KIND, value) == value
    else:
        with pytest.raises(InvalidFieldError, match="^kind: (must be one of 0, 1, 5|integer)"):
            to_storage(KIND, value)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_numbers_are_finite_and_bounded(value: float) -> None:
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        with pytest.raises(InvalidFieldError, match="^amount: "):
            to_storage(AMOUNT, value)
    else:
        assert to_storage(AMOUNT, value) == value


# a top-level string is read as the JSON text of a document (as the API returns it)
@given(json_values.filter(lambda v: not isinstance(v, str)))
def test_json_documents_round_trip_as_json_text(value: Any) -> None:
    field = Json("data")
    stored = to_storage(field, value)
    if value is None:  # a null document is SQL NULL
        assert stored is None
        return
    assert orjson.loads(to_wire(field, stored)) == value
    assert to_storage(field, stored) == stored  # the JSON string the API returns is accepted


@given(st.lists(st.text().filter(lambda t: "\x00" not in t), max_size=5),
       st.lists(st.integers(-(2**63), 2**63 - 1), max_size=5))
def test_arrays_round_trip(texts: list[str], numbers: list[int]) -> None:
    assert to_wire(TextArray("t"), to_storage(TextArray("t"), texts)) == texts
    assert to_wire(IntArray("i"), to_storage(IntArray("i"), numbers)) == numbers


@given(st.one_of(st.text().filter(lambda t: "\x00" not in t),
                 st.integers(-(2**53), 2**53),
                 st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300,
                           max_value=1e300)))
def test_custom_field_values_keep_their_type(value: Any) -> None:
    assert extdata_to_wire(*extdata_to_storage("nick", value)) == value


@pytest.mark.parametrize("value", [[1], {"a": 1}, None, b"x"])
def test_custom_field_values_are_text_or_numbers(value: Any) -> None:
    with pytest.raises(InvalidFieldError, match=r"^extdata\.nick: "):
        extdata_to_storage("nick", value)


def test_null_is_refused_by_fields_that_are_not_nullable() -> None:
    with pytest.raises(InvalidFieldError, match="^name: must not be null"):
        to_storage(Field("name", Kind.TEXT, nullable=False), None)
