"""Grouped reports on SQLite and PostgreSQL: one and two fields, time buckets across a
year boundary, exact sums, filters, sorting and limits, labels, CSV, every bad spec naming
its key, and access exactly as the list operation's (permission, then visible records)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from comptoir.errors import InvalidFieldError, PermissionDeniedError, UnknownEntityError
from comptoir.services import auth, records
from comptoir.services.access import Caller
from comptoir.services.reports import Report, group_report
from comptoir.storage.database import Database, run_with_database
from tests.conftest import database_with_admin

ADMIN = Caller(user=1, name="admin", admin=True)
T = TypeVar("T")


def stamp(text: str) -> int:
    """A Unix time from `YYYY-MM-DD HH:MM:SS` in UTC."""
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp())


def D(text: str) -> Decimal:  # noqa: N802 (reads as a literal)
    return Decimal(text)


async def _create(db: Database, name: str, values: dict[str, Any]) -> int:
    return int((await records.create_record(db, ADMIN, name, values)).data["ID"])


async def _scenario(db: Database) -> dict[str, int]:
    sales = await auth.create_group(db, "sales", (("billing", False),))
    other = await auth.create_group(db, "other", (("billing", False),))
    crm = await auth.create_group(db, "crm", (("accounts", False),))
    seller = await auth.create_user(db, "seller", "pw-seller-1", group_names=("sales",))
    await auth.create_user(db, "stranger", "pw-stranger-1", group_names=("crm",))
    acme = await _create(db, "accounts", {"lastname": "ACME", "currency": "EUR"})
    zeta = await _create(db, "accounts", {"lastname": "Zeta", "currency": "EUR"})
    documents = [  # type, account, date, net amount, owner group
        (3, acme, "2025-12-15 12:00:00", 0.1, None),
        (3, acme, "2026-01-10 12:00:00", 0.2, None),
        (3, acme, "2026-01-20 12:00:00", 0.7, None),
        (3, zeta, "2025-12-31 23:59:59", 100.05, None),
        (0, zeta, "2026-01-01 00:00:00", 50, None),
        (3, zeta, "2026-02-01 08:00:00", 1234567.89, other),
        (3, acme, "2026-02-14 12:00:00", 19.99, sales),
    ]
    for kind, account, date, net, group in documents:
        await _create(db, "transactions", {"type": kind, "account": account,
                                           "date": stamp(date), "netamount": net,
                                           "currency": "EUR", "ownergroup": group})
    return {"acme": acme, "zeta": zeta, "seller": seller, "sales": sales, "crm": crm}


class Scenario:
    def __init__(self, url: str, ids: dict[str, int]) -> None:
        self.url, self.ids = url, ids

    def run(self, work: Callable[[Database], Awaitable[T]]) -> T:
        return run_with_database(self.url, work)

    def report(self, spec: dict[str, Any], caller: Caller = ADMIN,
               entity: str = "transactions") -> Report:
        return self.run(lambda db: group_report(db, caller, entity, spec))

    def caller(self, name: str) -> Caller:
        async def load(db: Database) -> Caller:
            user = await auth.find_user(db, name)
            assert user is not None
            async with db.read() as conn:
                return await auth.load_caller(conn, user)

        return self.run(load)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    with database_with_admin(tmp_path_factory.mktemp("reports"), "reports") as url:
        made = Scenario(url, {})
        made.ids = made.run(_scenario)
        yield made


GROUPED: list[tuple[dict[str, Any], list[tuple[Any, ...]]]] = [
    # one field, with the sums exact (0.1 + 0.2 + 0.7 is 1.00, not 0.9999999999999999)
    ({"group": ["account"], "measures": ["count", "sum:netamount"],
      "filters": {"account.lastname": "ACME"}},
     [("acme", 4, D("20.99"))]),
    ({"group": ["account"], "measures": ["sum:netamount"],
      "filters": {"account.lastname": "ACME", "ownergroup": None}},
     [("acme", D("1.00"))]),
    # months across the year boundary: 23:59:59 UTC on 31 December is still December
    ({"group": ["date:month"], "measures": ["count", "sum:netamount"], "filters": {"type": 3}},
     [("2025-12", 2, D("100.15")), ("2026-01", 2, D("0.90")), ("2026-02", 2, D("1234587.88"))]),
    ({"group": ["date:year"], "measures": ["count"]}, [("2025", 2), ("2026", 5)]),
    ({"group": ["date:day"], "measures": ["count"],
      "filters": {"date": {">=": stamp("2025-12-31 00:00:00"), "<": stamp("2026-01-02 00:00:00")}}},
     [("2025-12-31", 1), ("2026-01-01", 1)]),
    # two fields: the groups in order of the first, then the second
    ({"group": ["account", "date:month"], "measures": ["count", "sum:netamount"]},
     [("acme", "2025-12", 1, D("0.10")), ("acme", "2026-01", 2, D("0.90")),
      ("acme", "2026-02", 1, D("19.99")), ("zeta", "2025-12", 1, D("100.05")),
      ("zeta", "2026-01", 1, D("50.00")), ("zeta", "2026-02", 1, D("1234567.89"))]),
    ({"group": ["type", "account"], "measures": ["count"]},
     [(0, "zeta", 1), (3, "acme", 4), (3, "zeta", 2)]),
    # averages to the cent, minimum and maximum as stored
    ({"group": ["account"], "measures": ["avg:netamount", "min:netamount", "max:netamount"],
      "filters": {"account.lastname": "ACME"}},
     [("acme", D("5.25"), D("0.1"), D("19.99"))]),
    # filters as POST /{entity} takes them, groups of conditions included
    ({"group": ["type"], "measures": ["count"],
      "filters": {"any": ["OR", {"netamount": {">": 1000}}, {"type": 0}]}},
     [(0, 1), (3, 1)]),
    ({"group": ["type"], "measures": ["count"], "filters": {"type": 9}}, []),
    # sorted by a measure, descending; the limit cuts
    ({"group": ["date:month"], "measures": ["sum:netamount"], "sort": ["-sum:netamount"],
      "limit": 2},
     [("2026-02", D("1234587.88")), ("2025-12", D("100.15"))]),
    ({"group": ["account"], "measures": ["avg:netamount"], "sort": ["-avg:netamount"]},
     [("zeta", D("411572.65")), ("acme", D("5.25"))]),
    # a field of the referenced record
    ({"group": ["account.lastname"], "measures": ["count"]}, [("ACME", 4), ("Zeta", 3)]),
    # count is the default measure; one group may be a string
    ({"group": "type"}, [(0, 1), (3, 6)]),
]


def _named(scenario: Scenario, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [tuple(scenario.ids.get(v, v) if isinstance(v, str) else v for v in row)
            for row in rows]


@pytest.mark.parametrize(("spec", "expected"), GROUPED)
def test_grouping(scenario: Scenario, spec: dict[str, Any],
                  expected: list[tuple[Any, ...]]) -> None:
    report = scenario.report(spec)
    assert report.rows == _named(scenario, expected)
    group = [spec["group"]] if isinstance(spec["group"], str) else spec["group"]
    assert report.columns == (*group, *spec.get("measures", ["count"]))


def test_a_limit_says_when_it_cut(scenario: Scenario) -> None:
    assert scenario.report({"group": ["date:month"], "limit": 2}).truncated
    assert not scenario.report({"group": ["date:month"], "limit": 3}).truncated


def test_labels_and_csv(scenario: Scenario) -> None:
    report = scenario.report({"group": ["type", "account"],
                              "measures": ["count", "sum:netamount"]})
    acme, zeta = scenario.ids["acme"], scenario.ids["zeta"]
    assert report.labels == {"type": {0: "BILLING_QUOTE", 3: "BILLING_INVOICE"},
                             "account": {acme: "ACME", zeta: "Zeta"}}
    assert report.to_csv().split("\r\n") == [
        "type,type:label,account,account:label,count,sum:netamount",
        f"0,BILLING_QUOTE,{zeta},Zeta,1,50.00",
        f"3,BILLING_INVOICE,{acme},ACME,4,20.99",
        f"3,BILLING_INVOICE,{zeta},Zeta,2,1234667.94",
        ""]


BAD_SPECS: list[tuple[dict[str, Any], str]] = [
    ({}, "group"),
    ({"group": []}, "group"),
    ({"group": ["type", "account", "status"]}, "group"),
    ({"group": ["type", "type"]}, "group"),
    ({"group": [3]}, "group"),
    ({"group": ["nope"]}, "group[1]"),
    ({"group": ["type", "account.nope"]}, "group[2]"),
    ({"group": ["date"]}, "group[1]"),
    ({"group": ["date:week"]}, "group[1]"),
    ({"group": ["type:month"]}, "group[1]"),
    ({"group": ["netamount"]}, "group[1]"),
    ({"group": ["items"]}, "group[1]"),
    ({"group": ["extdata.colour"]}, "group[1]"),
    ({"group": ["type"], "measures": ["count", "sum:subject"]}, "measures[2]"),
    ({"group": ["type"], "measures": ["median:netamount"]}, "measures[1]"),
    ({"group": ["type"], "measures": ["sum:date"]}, "measures[1]"),
    ({"group": ["type"], "measures": ["sum:ID"]}, "measures[1]"),
    ({"group": ["type"], "measures": ["sum:nope"]}, "measures[1]"),
    ({"group": ["type"], "measures": "sum"}, "measures[1]"),
    ({"group": ["type"], "measures": [{"sum": "netamount"}]}, "measures"),
    ({"group": ["type"], "filters": {"nope": 1}}, "filters"),
    ({"group": ["type"], "filters": {"type": "invoice"}}, "filters: type ="),
    ({"group": ["type"], "filters": [1]}, "filters"),
    ({"group": ["type"], "sort": ["netamount"]}, "sort[1]"),
    ({"group": ["type"], "limit": 0}, "limit"),
    ({"group": ["type"], "limit": "5"}, "limit"),
    ({"group": ["type"], "limit": 10001}, "limit"),
    ({"group": ["type"], "colour": "red"}, "colour"),
]


@pytest.mark.parametrize(("spec", "key"), BAD_SPECS)
def test_a_bad_spec_names_its_key(scenario: Scenario, spec: dict[str, Any], key: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        scenario.report(spec)
    assert caught.value.field == key


def test_an_unknown_entity(scenario: Scenario) -> None:
    with pytest.raises(UnknownEntityError):
        scenario.report({"group": ["type"]}, entity="nothing")


def test_a_caller_without_the_permission_is_refused(scenario: Scenario) -> None:
    stranger = scenario.caller("stranger")
    with pytest.raises(PermissionDeniedError):
        scenario.report({"group": ["type"]}, stranger)
    # the same entity the caller may list answers
    assert scenario.report({"group": ["type"]}, stranger, "accounts").rows == [(0, 2)]


def test_only_the_records_the_caller_sees_are_counted(scenario: Scenario) -> None:
    seller = scenario.caller("seller")
    # the invoice of the group "other" is not counted; the group's own one is
    report = scenario.report({"group": ["date:month"], "measures": ["count", "sum:netamount"],
                              "filters": {"type": 3}}, seller)
    assert report.rows == [("2025-12", 2, D("100.15")), ("2026-01", 2, D("0.90")),
                           ("2026-02", 1, D("19.99"))]
    # a filter on a joined record the caller may not read (no accounts permission)
    # matches nothing, and references are not labelled
    assert scenario.report({"group": ["type"], "filters": {"account.lastname": "ACME"}},
                           seller).rows == []
    by_account = scenario.report({"group": ["account"]}, seller)
    assert by_account.labels == {"account": {}}
    assert by_account.rows == _named(scenario, [("acme", 4), ("zeta", 2)])
