"""The demo data set, loaded with `comptoir demo` into a fresh database (PostgreSQL when
COMPTOIR_TEST_DATABASE_URL names a server, else SQLite): its records exist with their
relations, its users can work with their groups' permissions, and it loads only once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

import orjson
import pytest
from conftest import fresh_database

from comptoir import cli
from comptoir.errors import NotFoundError, PermissionDeniedError
from comptoir.services import auth, demo, queries, records
from comptoir.services.access import Caller
from comptoir.storage.database import Database, run_with_database

T = TypeVar("T")
EXPECTED = {"accounts": 10, "contacts": 20, "addresses": 19, "contacts2contacts": 10,
            "items": 10, "pricelists": 2, "prices": 8, "pricelists2accounts": 2,
            "suppliers": 6, "ledgers": 2, "transactions": 17, "payments": 4, "projects": 2,
            "tasks": 9, "tickets": 4, "actionsteps": 2, "opportunities": 2, "notes": 3,
            "associations": 3}


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database where `Alice` (another spelling) and the admin already exist, then
    `comptoir demo` ran.  Before the admin exists, `comptoir demo` refuses (exit status 1):
    the records are created as an administrator."""
    with fresh_database(tmp_path_factory.mktemp("demo"), "comptoir_demo") as url:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("COMPTOIR_ADMIN_PASSWORD", "demo-admin")
            for argv, status in ((["db", "upgrade"], 0),
                                 (["user", "create", "Alice", "--password", "alice-own"], 0),
                                 (["demo"], 1),
                                 (["user", "create", "admin", "--password", "demo-admin",
                                   "--admin"], 0),
                                 (["demo"], 0)):
                assert cli.main([*argv, "--database", url]) == status, argv
        yield url


def on(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    return run_with_database(url, work)


async def caller_for(db: Database, name: str) -> Caller:
    user = await auth.find_user(db, name)
    assert user is not None, name
    async with db.read() as conn:
        return await auth.load_caller(conn, user)


async def everything(db: Database, caller: Caller) -> dict[str, list[dict[str, Any]]]:
    return {name: await queries.list_records(db, caller, name) for name in EXPECTED}


@pytest.fixture(scope="module")
def data(demo_url: str) -> dict[str, list[dict[str, Any]]]:
    """Every demo record, as the admin sees it."""

    async def read(db: Database) -> dict[str, list[dict[str, Any]]]:
        return await everything(db, await caller_for(db, "admin"))

    return on(demo_url, read)


def by_id(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {row["ID"]: row for row in rows}


def test_the_demo_records_exist(data: dict[str, list[dict[str, Any]]]) -> None:
    assert {name: len(rows) for name, rows in data.items()} == EXPECTED


def test_accounts_have_contacts_and_addresses(data: dict[str, list[dict[str, Any]]]) -> None:
    contacts = by_id(data["contacts"])
    types = {row["type"] for row in data["accounts"]}
    assert types == {0, 1, 2, 3}  # prospects, customers, suppliers, both
    for account in data["accounts"]:
        assert account["currency"] == "EUR"
        company = contacts[account["contact"]]
        assert company["type"] == 0 and company["lastname"] == account["lastname"]
        assert company["city"] and company["postalcode"] and company["country"]
        addresses = [a for a in data["addresses"] if a["account"] == account["ID"]]
        assert addresses and all(a["contact"] == company["ID"] for a in addresses)
        assert all(a["default"] == 1 for a in addresses)
        people = [contacts[r["contact1"]] for r in data["contacts2contacts"]
                  if r["contact2"] == company["ID"]]
        assert [p["type"] for p in people] == [1]
        assert people[0]["company"] == account["lastname"]


def test_transactions_are_consistent(data: dict[str, list[dict[str, Any]]]) -> None:
    accounts, items = by_id(data["accounts"]), by_id(data["items"])
    written = [t for t in data["transactions"] if t["items"]]  # the cycle's have line items
    assert {t["type"] for t in written} == {0, 1, 3, 6}
    for transaction in written:
        account = accounts[transaction["account"]]
        assert transaction["billingrecipient"] == account["lastname"]
        lines = orjson.loads(transaction["items"])
        products = [line for line in lines if line["type"] == 0]
        assert products
        net = Decimal(0)
        for line in products:
            item = items[line["item"]]
            assert (line["itemnum"], line["name"]) == (item["itemnum"], item["name"])
            net += Decimal(str(line["sellingprice"])) * Decimal(str(line["amount"]))
        assert Decimal(str(transaction["netamount"])) == net
        assert Decimal(str(transaction["tax"])) == (net * Decimal("0.2")).quantize(Decimal("0.01"))
        assert transaction["duedate"] > transaction["date"]


def test_payments_match_their_invoices(data: dict[str, list[dict[str, Any]]]) -> None:
    transactions = by_id(data["transactions"])
    ledgers = by_id(data["ledgers"])
    for payment in data["payments"]:
        assert payment["ledger"] in ledgers
        if payment["transaction"] is None:
            assert payment["account"] is not None  # a deposit on an account
            continue
        invoice = transactions[payment["transaction"]]
        gross = Decimal(str(invoice["netamount"])) + Decimal(str(invoice["tax"]))
        paid = Decimal(str(payment["amount"]))
        assert invoice["type"] == 3
        assert (invoice["status"], paid) in ((20, gross), (17, (gross / 2).quantize(Decimal("0.01"))))


def test_a_whole_sales_cycle(data: dict[str, list[dict[str, Any]]]) -> None:
    cycle = [t for t in data["transactions"] if not t["items"]]  # made with line items
    # quote, order, advance, progress, final, credit note; a quote; a supplier order, its
    # receipt and its invoice
    assert [t["type"] for t in cycle] == [0, 1, 3, 3, 3, 4, 0, 6, 7, 8]
    assert all(t["transactionnum"] for t in cycle)
    quote, order, advance, progress, final, credit = cycle[:6]
    assert (advance["invoicekind"], progress["invoicekind"], final["invoicekind"]) == (1, 2, 3)
    assert order["source"] == quote["ID"] and quote["status"] == 8  # ORDERED
    assert order["status"] == 16  # INVOICED
    # the three invoices sum to the order: the final one deducted the advance
    total = sum(Decimal(str(t["netamount"])) for t in (advance, progress, final))
    assert total == Decimal(str(order["netamount"]))
    assert credit["source"] == final["ID"]
    # one transfer paid the advance and the progress invoice
    payment = next(p for p in data["payments"] if p["subject"] == "Virement Hôtel du Lac")
    assert Decimal(str(payment["allocated"])) == Decimal(str(payment["amount"])) == sum(
        Decimal(str(t["grandtotal"])) for t in (advance, progress))
    assert (advance["status"], progress["status"]) == (20, 20)  # PAID
    # the key account's quote took the price list's prices (849 and 259, not 899 and 289)
    assert cycle[6]["netamount"] == 4 * 849 + 4 * 259
    receipt, supplier_invoice = cycle[8:]
    assert receipt["source"] == supplier_invoice["source"] == cycle[7]["ID"]


def test_catalog_relations(data: dict[str, list[dict[str, Any]]]) -> None:
    items, pricelists = by_id(data["items"]), by_id(data["pricelists"])
    accounts = by_id(data["accounts"])
    for price in data["prices"]:
        assert price["item"] in items and price["pricelist"] in pricelists
    for supplier in data["suppliers"]:
        assert accounts[supplier["account"]]["type"] in (2, 3)
        assert supplier["price"] == items[supplier["item"]]["purchaseprice"]
    assert {items[s["item"]]["type"] for s in data["suppliers"]} == {0}  # services: none
    linked = {accounts[link["account"]]["lastname"] for link in data["pricelists2accounts"]}
    assert linked == {"Cabinet Dupont & Associés", "Pharmacie Centrale de Lille"}


def test_projects_tasks_tickets_and_notes(data: dict[str, list[dict[str, Any]]]) -> None:
    projects, tickets = by_id(data["projects"]), by_id(data["tickets"])
    in_projects = [t for t in data["tasks"] if t["project"] is not None]
    assert {t["project"] for t in in_projects} == set(projects)
    assert all(t["ticket"] in tickets for t in data["tasks"] if t["project"] is None)
    assert len({t["ownergroup"] for t in data["tickets"]}) == 1
    notes = by_id(data["notes"])
    for association in data["associations"]:
        assert association["entity1"] == "notes" and association["index1"] in notes
        assert association["entity2"] == "accounts"


def test_tags_and_custom_fields(demo_url: str, data: dict[str, list[dict[str, Any]]]) -> None:
    dupont = next(a for a in data["accounts"] if a["customernum"] == "C-1001")
    laptop = next(i for i in data["items"] if i["itemnum"] == "NB-14")

    async def read(db: Database) -> list[dict[str, Any]]:
        admin = await caller_for(db, "admin")
        return [(await records.get_record(db, admin, name, record_id, extdata=True,
                                          tags=True)).data
                for name, record_id in (("accounts", dupont["ID"]), ("items", laptop["ID"]))]

    account, item = on(demo_url, read)
    assert account["tags"] == ["key-account", "legal"]
    assert account["extdata"] == {"industry": "Legal services", "employees": 18}
    assert item["tags"] == ["bestseller"]
    assert item["extdata"] == {"warranty_months": 36}


def test_demo_users_work_with_their_groups(demo_url: str,
                                           data: dict[str, list[dict[str, Any]]]) -> None:
    async def check(db: Database) -> None:
        # an existing user of the same name is left alone; the others have their password
        await auth.login(db, "alice", "alice-own", "pytest-demo")
        assert (await caller_for(db, "alice")).groups == {}
        await auth.login(db, "bob", "demo-bob", "pytest-demo")
        bob, carol = await caller_for(db, "bob"), await caller_for(db, "carol")
        assert bob.permissions["tickets"] is True and "billing" not in bob.permissions
        assert carol.permissions["inventory"] is True
        # Support owns the tickets: bob sees them all, carol lacks the permission
        assert len(await queries.list_records(db, bob, "tickets")) == 4
        with pytest.raises(PermissionDeniedError):
            await queries.list_records(db, carol, "tickets")
        # the supplier order is the Warehouse's
        order = next(t for t in data["transactions"] if t["type"] == 6)
        assert (await records.get_record(db, carol, "transactions", order["ID"])).data
        # a note owned by Support is hidden from carol, the public one is not
        hidden = next(n for n in data["notes"] if n["name"].startswith("Accès technique"))
        public = next(n for n in data["notes"] if n["ownergroup"] is None)
        with pytest.raises(NotFoundError):
            await records.get_record(db, carol, "notes", hidden["ID"])
        assert (await records.get_record(db, carol, "notes", public["ID"])).data

    on(demo_url, check)


def test_loading_again_adds_nothing(demo_url: str, data: dict[str, list[dict[str, Any]]],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert on(demo_url, demo.load_demo_if_empty) is False
    assert cli.main(["demo", "--database", demo_url]) == 0
    assert capsys.readouterr().out == "demo data already present\n"

    async def read(db: Database) -> dict[str, list[dict[str, Any]]]:
        return await everything(db, await caller_for(db, "admin"))

    assert on(demo_url, read) == data
