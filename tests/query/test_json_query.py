"""The ZeyOS JSON query parser: what each form of the language becomes, and the 400 that
names the token for everything the registry does not know."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.errors import InvalidFieldError
from comptoir.query.ast import Compare, FieldRef, Group, Query, Selected, SortKey
from comptoir.query.json_query import parse
from comptoir.query.operators import BY_SYMBOL, OPERATORS
from comptoir.schema.registry import ENTITIES

ACCOUNTS = ENTITIES["accounts"]

#: the seed's first example, its invalid JSON fixed (the missing comma; the key 2 quoted)
SEED_QUERY: dict[str, Any] = {
    "fields": {
        "Id": "ID", "Name": "lastname", "Nickname": "extdata.nickname",
        "Address": "contact.address", "Postalcode": "contact.postalcode",
        "Town": "contact.city", "SalesAgent": "assigneduser.name",
    },
    "filters": {
        "visibility": 0,
        "contact.country": {"IN": ["DE", "AT", "GB"]},
        "2": ["OR", {"lastmodified": {">": 1524472045}},
              {"contact.lastmodified": {">": 1524472045}}],
    },
    "sort": ["+lastname", "-contact.country"],
    "limit": 3,
    "offset": 0,
}


def query(body: dict[str, Any], entity: str = "accounts") -> Query:
    return parse(ENTITIES[entity], body)[0]


def test_seed_example() -> None:
    q = query(SEED_QUERY)
    assert q.fields == (
        Selected("Id", FieldRef("ID")), Selected("Name", FieldRef("lastname")),
        Selected("Nickname", FieldRef("nickname", extdata=True)),
        Selected("Address", FieldRef("address", via="contact")),
        Selected("Postalcode", FieldRef("postalcode", via="contact")),
        Selected("Town", FieldRef("city", via="contact")),
        Selected("SalesAgent", FieldRef("name", via="assigneduser")),
    )
    greater = BY_SYMBOL[">"]
    assert q.where == Group("AND", (
        Compare(FieldRef("visibility"), BY_SYMBOL["="], 0),
        Compare(FieldRef("country", via="contact"), BY_SYMBOL["IN"], ("DE", "AT", "GB")),
        Group("OR", (Compare(FieldRef("lastmodified"), greater, 1524472045),
                     Compare(FieldRef("lastmodified", via="contact"), greater, 1524472045))),
    ))
    assert q.sort == (SortKey(FieldRef("lastname")),
                      SortKey(FieldRef("country", via="contact"), descending=True))
    assert (q.limit, q.offset, q.count, q.distinct) == (3, 0, False, False)


def test_seed_count_example() -> None:
    q = query({"count": 1, "filters": SEED_QUERY["filters"]})
    assert q.count and q.where is not None


def test_seed_expand_example() -> None:
    q = query({"fields": ["ID", "subject", "binfile"], "expand": ["binfile"], "limit": 1},
              "messages")
    assert [s.key for s in q.fields] == ["ID", "subject", "binfile"]
    assert q.expand == ("binfile",)


def test_seed_form_example() -> None:
    # fields[]=ID&fields[]=lastname&fields[]=firstname&limit=3, as the form parser reads it
    q = query({"fields": ["ID", "lastname", "firstname"], "limit": "3"}, "contacts")
    assert [s.key for s in q.fields] == ["ID", "lastname", "firstname"] and q.limit == 3


def test_array_and_numeric_keys_are_the_same_selection() -> None:
    as_array = query({"fields": ["ID", "lastname"]})
    as_object = query({"fields": {"0": "ID", "1": "lastname"}})
    assert as_array.fields == as_object.fields
    mixed = query({"fields": {"0": "ID", "alias": "lastname"}})
    assert [s.key for s in mixed.fields] == ["ID", "alias"]


def test_filter_and_filters_are_synonyms_and_merge() -> None:
    one = query({"filter": {"visibility": 0}})
    other = query({"filters": {"visibility": 0}})
    assert one.where == other.where == Compare(FieldRef("visibility"), BY_SYMBOL["="], 0)
    both = query({"filter": {"visibility": 0}, "filters": {"type": 1}})
    assert isinstance(both.where, Group) and len(both.where.items) == 2


def test_every_operator_parses() -> None:
    for op in OPERATORS:
        value: Any = ["a"] if op.symbol in ("IN", "!IN") else "a"
        q = query({"filter": {"lastname": {op.symbol: value}}})
        assert isinstance(q.where, Compare) and q.where.op is op


def test_several_operators_and_together() -> None:
    q = query({"filter": {"lastmodified": {">": 1, "<": 5}}})
    assert isinstance(q.where, Group) and q.where.kind == "AND"
    assert [c.op.symbol for c in q.where.items if isinstance(c, Compare)] == [">", "<"]


def test_nested_groups_and_not() -> None:
    q = query({"filter": {"0": ["AND", {"visibility": 0},
                                {"1": ["OR", {"type": 1}, {"NOT": ["not", {"type": 2}]}]}]}})
    assert q.where == Group("AND", (
        Compare(FieldRef("visibility"), BY_SYMBOL["="], 0),
        Group("OR", (Compare(FieldRef("type"), BY_SYMBOL["="], 1),
                     Group("NOT", (Compare(FieldRef("type"), BY_SYMBOL["="], 2),)))),
    ))


def test_null_and_lists() -> None:
    assert query({"filter": {"contact": None}}).where == Compare(
        FieldRef("contact"), BY_SYMBOL["="], None)
    assert query({"filter": {"contact": {"!=": None}}}).where == Compare(
        FieldRef("contact"), BY_SYMBOL["!="], None)
    assert query({"filter": {"type": [1, "2"]}}).where == Compare(
        FieldRef("type"), BY_SYMBOL["IN"], (1, 2))


def test_values_take_the_type_of_their_field() -> None:
    q = query({"filter": {"visibility": "0", "lastname": 12, "extdata.level": 3,
                          "extdata.code": "3"}})
    assert isinstance(q.where, Group)
    assert [c.value for c in q.where.items if isinstance(c, Compare)] == [0, "12", 3.0, "3"]


def test_defaults_and_export() -> None:
    q, export = parse(ACCOUNTS, {})
    assert (q.fields, q.where, q.limit, q.offset, export) == ((), None, 1000, 0, False)
    q, export = parse(ACCOUNTS, {"export": "1"})
    assert export and q.limit is None
    q, export = parse(ACCOUNTS, {"export": True, "limit": 5})
    assert export and q.limit == 5


def test_sort_and_expand_as_strings() -> None:
    q = query({"sort": "-lastmodified", "expand": "items"}, "transactions")
    assert (q.sort, q.expand) == ((SortKey(FieldRef("lastmodified"), True),), ("items",))
    assert query({"sort": "-lastmodified,ID"}).sort == (
        SortKey(FieldRef("lastmodified"), True), SortKey(FieldRef("ID")))


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("unknown parameter", {"filtre": {}}, "filtre: unknown query parameter"),
    ("unknown field", {"fields": ["nope"]}, "fields: unknown field nope of accounts"),
    ("hidden field", {"fields": ["password"]}, "fields: unknown field password of users"),
    ("hidden joined field", {"fields": ["assigneduser.password"]},
     "fields: unknown field password of users (in assigneduser.password)"),
    ("join through a plain field", {"fields": ["lastname.x"]},
     "fields: lastname is not a reference of accounts"),
    ("second-degree join", {"fields": ["contact.account.lastname"]},
     "fields: only first-degree joins are possible (contact.account.lastname)"),
    ("bad extdata name", {"fields": ["extdata.a b"]}, "fields: invalid custom field name"),
    ("empty name", {"sort": [""]}, "sort:  is not a field name"),
    ("sort unknown", {"sort": ["-nope"]}, "sort: unknown field nope of accounts"),
    ("sort by a hidden field", {"sort": ["assigneduser.password"]}, "sort: unknown field"),
    ("filter unknown field", {"filter": {"nope": 1}}, "filter: unknown field nope"),
    ("unknown operator", {"filter": {"lastname": {"LIKE": "a"}}},
     "filter: lastname: unknown operator LIKE"),
    ("regex on an integer", {"filter": {"visibility": {"~": "1"}}},
     "filter: visibility ~: this operator applies to text fields only"),
    ("invalid regex", {"filter": {"lastname": {"~": "("}}},
     "filter: lastname ~: invalid regular expression"),
    ("backreference", {"filter": {"lastname": {"~": "(a)\\1"}}}, "invalid regular expression"),
    ("null with <", {"filter": {"lastname": {"<": None}}},
     "filter: lastname <: null can only be compared with = and !="),
    ("null in a list", {"filter": {"type": {"IN": [1, None]}}}, "null is not a value of a list"),
    ("text for an integer", {"filter": {"visibility": "x"}}, "filter: visibility =: x is not an integer"),
    ("integer out of range", {"filter": {"visibility": 2**40}}, "integer out of range"),
    ("object as a value", {"filter": {"lastname": {"=": {"a": 1}}}}, "must be a string or a number"),
    ("NUL in a value", {"filter": {"lastname": "a\x00"}}, "must not contain NUL"),
    ("json field compared", {"filter": {"items": "x"}}, "json fields can only be compared with null"),
    ("filter not an object", {"filter": "visibility"}, "filter: must be an object of conditions"),
    ("empty group", {"filter": {"0": ["OR"]}}, "OR needs at least one filter"),
    ("group of a string", {"filter": {"0": ["OR", "x"]}}, "must be an object of conditions"),
    ("limit 0", {"limit": 0}, "limit: must be an integer from 1 to 10000"),
    ("limit too big", {"limit": 10001}, "limit: must be an integer from 1 to 10000"),
    ("limit text", {"limit": "ten"}, "limit: must be an integer"),
    ("negative offset", {"offset": -1}, "offset: must be an integer from 0"),
    ("count not a boolean", {"count": "maybe"}, "count: must be a boolean"),
    ("fields not a list", {"fields": 3}, "fields: must be an array or an object"),
    ("field not a string", {"fields": [3]}, "fields: 3 is not a field name"),
    ("alias twice", {"fields": {"0": "ID", "ID": "lastname"}}, "fields: ID is selected twice"),
    ("distinct sort not selected", {"fields": ["lastname"], "distinct": 1, "sort": ["ID"]},
     "sort: ID: with distinct, only selected fields can be sorted on"),
    ("expand a text field", {"expand": ["lastname"]}, "expand: lastname is not an expandable field"),
    ("query not a string", {"query": 5}, "query: must be a string"),
]


@pytest.mark.parametrize(("body", "message"), [(b, m) for _, b, m in BAD],
                         ids=[name for name, _, _ in BAD])
def test_bad_queries_name_the_token(body: dict[str, Any], message: str) -> None:
    entity = "transactions" if "items" in str(body) else "accounts"
    if "password of users" in message and "assigneduser" not in str(body):
        entity = "users"
    with pytest.raises(InvalidFieldError) as caught:
        parse(ENTITIES[entity], body)
    assert message in caught.value.message


def test_extdata_on_an_entity_without_custom_fields() -> None:
    plain = next(e for e in ENTITIES.values() if not e.extdata)
    with pytest.raises(InvalidFieldError, match="has no custom fields"):
        parse(plain, {"fields": ["extdata.x"]})


def test_search_needs_searchable_fields() -> None:
    assert query({"query": "  "}).search is None
    assert query({"query": "dupont lyon"}).search == "dupont lyon"
    with pytest.raises(InvalidFieldError, match="query: at most"):
        query({"query": " ".join(["w"] * 11)})


def test_deep_nesting_is_a_400_not_a_crash() -> None:
    node: Any = {"visibility": 0}
    for _ in range(5000):
        node = {"0": ["NOT", node]}
    with pytest.raises(InvalidFieldError, match="filter.*nest at most 16 deep"):
        query({"filter": node})


def test_huge_filters_are_refused() -> None:
    many = {"0": ["OR", *({"visibility": i} for i in range(201))]}
    with pytest.raises(InvalidFieldError, match="at most 200 comparisons"):
        query({"filter": many})
    with pytest.raises(InvalidFieldError, match="at most 1000 values"):
        query({"filter": {"ID": {"IN": list(range(1001))}}})
