"""Form bodies decode like the ZeyOS clients encode them (property tests of api/forms)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.api.forms import parse_body, parse_form, parse_id
from comptoir.errors import BadRequestError

FORM = "application/x-www-form-urlencoded"
keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
plain = st.text(max_size=20).filter(lambda v: v.strip()[:1] not in ("{", "["))


@given(st.dictionaries(keys, plain, max_size=5))
def test_plain_pairs_decode_to_strings(pairs: dict[str, str]) -> None:
    assert parse_form(urlencode(pairs).encode()) == pairs


@given(keys, st.lists(plain, min_size=1, max_size=5))
def test_php_arrays_and_repeated_keys_are_lists(key: str, values: list[str]) -> None:
    php = urlencode([(f"{key}[]", v) for v in values]).encode()
    assert parse_form(php) == {key: values}
    if len(values) > 1:
        repeated = urlencode([(key, v) for v in values]).encode()
        assert parse_form(repeated) == {key: values}


def test_nested_keys_and_json_values() -> None:
    body = parse_body(b'extdata[nick]=Max&filter={"type":1}&%2Btags[]=a&%2Btags[]=b', FORM)
    assert body == {"extdata": {"nick": "Max"}, "filter": {"type": 1}, "+tags": ["a", "b"]}


@pytest.mark.parametrize("raw", [b"a[]=1&a[x]=2", b"a]=1", b"a[b]=1&a[]=2",
                                 b"a=1&a[x][y]=2", b"a[x]=1&a[x][y]=2"])
def test_malformed_keys_are_bad_requests(raw: bytes) -> None:
    with pytest.raises(BadRequestError, match="^body: "):
        parse_form(raw)


@pytest.mark.parametrize(("raw", "media"), [(b"[1, 2]", "application/json"),
                                            (b"{nope", "application/json"),
                                            (b"<a/>", "application/xml")])
def test_bodies_that_are_not_objects_are_bad_requests(raw: bytes, media: str) -> None:
    with pytest.raises(BadRequestError, match="^body: "):
        parse_body(raw, media)


form_keys = st.builds(lambda name, path: name + "".join(f"[{p}]" for p in path), keys,
                      st.lists(st.sampled_from(["", "x", "y", "0"]), max_size=3))


@given(st.lists(st.tuples(form_keys, plain), max_size=6))
def test_any_bracketed_form_decodes_or_is_a_bad_request(pairs: list[tuple[str, str]]) -> None:
    """Keys plain and bracketed, in any mix and order: a dict, or a 400 (never a crash)."""
    try:
        body = parse_form(urlencode(pairs).encode())
    except BadRequestError as exc:
        assert exc.message.startswith("body: malformed form key")
    else:
        assert set(body) <= {key.split("[", 1)[0] for key, _ in pairs}


@pytest.mark.parametrize(("raw", "digits", "expected"), [
    ("42", 18, 42), ("007", 18, 7), ("9" * 18, 18, int("9" * 18)), ("9" * 19, 18, None),
    ("9" * 19, 19, int("9" * 19)), ("", 18, None), ("-1", 18, None), ("1e3", 18, None),
    ("\u0661", 18, None), (" 1", 18, None)])
def test_an_id_is_ascii_digits_within_their_limit(raw: str, digits: int,
                                                  expected: int | None) -> None:
    assert parse_id(raw, digits) == expected
