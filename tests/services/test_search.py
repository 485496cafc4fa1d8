"""The global search on a real database: prefixes, case and accents, numbers, e-mail
addresses and phone numbers; changes and deletions show at once; the rights are those of
the list operation; no input makes it fail."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from typing import Any, TypeVar

import pytest

from comptoir.services import auth, records, sales
from comptoir.services.access import Caller
from comptoir.services.search import Hit, search
from comptoir.storage import search as index
from comptoir.storage.database import Database, run_with_database
from tests.conftest import database_with_admin

ADMIN = Caller(user=1, name="admin", admin=True)
T = TypeVar("T")


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database_with_admin(tmp_path_factory.mktemp("search"), "comptoir_search") as found:
        yield found


def run(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    return run_with_database(url, work)


def create(url: str, entity: str, values: dict[str, Any]) -> int:
    made = run(url, lambda db: records.create_record(db, ADMIN, entity, values))
    return int(made.data["ID"])


def find(url: str, text: str, caller: Caller = ADMIN, limit: int = 20) -> list[Hit]:
    return run(url, lambda db: search(db, caller, text, limit=limit))


def found(url: str, text: str, caller: Caller = ADMIN) -> set[tuple[str, int]]:
    return {(hit.entity, hit.ID) for hit in find(url, text, caller)}


def tag() -> str:
    """A word no other test's records have (letters only: a whole token)."""
    return "q" + "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))


def user(url: str, *grants: str, nopublic: bool = False) -> tuple[Caller, int]:
    """A new user in a new group granted `grants` (read only); the caller and the group."""
    name = tag()

    async def make(db: Database) -> tuple[Caller, int]:
        group = await auth.create_group(db, name, tuple((g, False) for g in grants))
        user_id = await auth.create_user(db, name, "pw-" + name, nopublic=nopublic,
                                         group_names=(name,))
        async with db.read() as conn:
            return await auth.load_caller(conn, user_id), group

    return run(url, make)


def test_prefixes_case_accents_numbers_emails_and_phones(url: str) -> None:
    word = tag()
    account = create(url, "accounts", {
        "lastname": f"ACME Corp {word}", "currency": "EUR", "email": f"sales@{word}.example",
        "phone": "+33 1 23 45 67 89", "customernum": f"C-{word}-7"})
    contact = create(url, "contacts", {
        "lastname": "Élève", "firstname": f"Jérôme {word}", "email": f"jerome@{word}.example",
        "phone": "+33 6 12 34 56 78", "company": f"ACME {word}"})
    for text in ("acm", "ACME", f"{word} acme", "eleve jero", f"ÉLÈVE {word[:4]}"):
        assert found(url, text) & {("accounts", account), ("contacts", contact)}, text
    assert found(url, f"acm {word}") == {("accounts", account), ("contacts", contact)}
    assert found(url, f"acme corp {word}") == {("accounts", account)}  # every word matches
    assert found(url, f"eleve {word}") == {("contacts", contact)}
    assert found(url, f"jerome@{word}") == {("contacts", contact)}
    assert found(url, f"{word}.example") == {("accounts", account), ("contacts", contact)}
    assert found(url, f"sales@{word}") == {("accounts", account)}  # an account's e-mail
    assert ("accounts", account) in found(url, "+33 1 23 45")  # and phone
    assert ("contacts", contact) in found(url, "+33 6 12 34")
    assert found(url, f"{word} 06 12") == set()
    assert found(url, f"c-{word}") == {("accounts", account)}
    hit = next(h for h in find(url, f"acme corp {word}") if h.ID == account)
    assert hit == Hit("accounts", account, f"C-{word}-7 · ACME Corp {word}",
                      f"sales@{word}.example · +33 1 23 45 67 89")
    hit = next(h for h in find(url, f"eleve {word}") if h.ID == contact)
    assert hit == Hit("contacts", contact, f"Élève, Jérôme {word}",
                      f"jerome@{word}.example · +33 6 12 34 56 78")


def test_a_document_number_is_found(url: str) -> None:
    word = tag()
    account = create(url, "accounts", {"lastname": f"Buyer {word}", "currency": "EUR"})
    draft = create(url, "transactions", {"type": 3, "account": account, "currency": "EUR",
                                         "subject": f"Consulting {word}"})
    create(url, "lineitems", {"transaction": draft, "quantity": 1, "listprice": 10,
                              "tax1": 20})
    number = run(url, lambda db: sales.issue_document(db, ADMIN, draft, {})).data[
        "transactionnum"]
    assert number and "-" in number
    for text in (number, number.lower(), number.rsplit("-", 1)[0]):
        assert ("transactions", draft) in found(url, text), text
    hit = next(h for h in find(url, f"{number} {word}") if h.ID == draft)
    assert hit.entity == "transactions" and hit.label == f"{number} · Consulting {word}"


def test_changes_and_deletions_show_at_once(url: str) -> None:
    word, other = tag(), tag()
    account = create(url, "accounts", {"lastname": f"Old {word}", "currency": "EUR"})
    assert found(url, word) == {("accounts", account)}
    run(url, lambda db: records.update_record(db, ADMIN, "accounts", account,
                                              {"lastname": f"New {other}"}))
    assert found(url, word) == set()
    assert found(url, f"new {other}") == {("accounts", account)}
    run(url, lambda db: records.update_record(db, ADMIN, "accounts", account,
                                              {"description": "not searched"}))
    assert found(url, other) == {("accounts", account)}
    run(url, lambda db: records.delete_record(db, ADMIN, "accounts", account))
    assert found(url, other) == set()


def test_only_readable_entities_and_visible_records(url: str) -> None:
    word = tag()
    reader, group = user(url, "accounts")
    _, elsewhere = user(url, "accounts")
    loner, _ = user(url, "accounts", nopublic=True)
    public = create(url, "accounts", {"lastname": f"Public {word}", "currency": "EUR"})
    ours = create(url, "accounts", {"lastname": f"Ours {word}", "currency": "EUR",
                                    "ownergroup": group})
    theirs = create(url, "accounts", {"lastname": f"Theirs {word}", "currency": "EUR",
                                      "ownergroup": elsewhere})
    contact = create(url, "contacts", {"lastname": f"Contact {word}"})
    assert found(url, word) == {("accounts", public), ("accounts", ours),
                                ("accounts", theirs), ("contacts", contact)}
    # no contacts permission: no contacts; another group's account: not seen
    assert found(url, word, reader) == {("accounts", public), ("accounts", ours)}
    # nopublic: only what the user's groups own (none here)
    assert found(url, word, loner) == set()
    nobody, _ = user(url)
    assert found(url, word, nobody) == set()
    # an API key limited to contacts sees no accounts, even with the permission
    both, _ = user(url, "accounts", "contacts")
    assert found(url, word, both) == {("accounts", public), ("contacts", contact)}
    keyed = replace(both, scopes=frozenset({"contacts:read"}))
    assert found(url, word, keyed) == {("contacts", contact)}


def test_the_limit_is_shared_between_entities(url: str) -> None:
    word = tag()
    accounts = [create(url, "accounts", {"lastname": f"Many {word} {i}", "currency": "EUR"})
                for i in range(5)]
    contacts = [create(url, "contacts", {"lastname": f"Many {word} {i}"}) for i in range(2)]
    hits = find(url, f"many {word}", limit=4)
    assert [h.entity for h in hits] == ["accounts", "accounts", "contacts", "contacts"]
    assert {h.ID for h in hits} <= set(accounts) | set(contacts)
    assert len(find(url, f"many {word}", limit=20)) == 7
    assert len(find(url, f"many {word}", limit=1)) == 1


@pytest.mark.parametrize("text", [
    "", "   ", "\t\n", '"', '""', "'", "*", "acm*", '"acm', "NEAR(a b)", "a NEAR b", "-", "-acm",
    "a OR b", "NOT x", "AND", "(", ")", "()", "col:acm", "^acm", "{a b}", "+", "%", "_", "\\",
    "%_%", "a\x00b", "\x00", "\ud800", "é" * 500, " ".join(["w"] * 100), "😀", "™", "--",
    "'; DROP TABLE accounts; --",
])
def test_hostile_input_never_fails(url: str, text: str) -> None:
    hits = find(url, text)
    assert isinstance(hits, list)
    if not index.words(text):
        assert hits == []


def test_symbols_are_no_wildcards(url: str) -> None:
    word = tag()
    account = create(url, "accounts", {"lastname": f"Percent {word}", "currency": "EUR"})
    assert found(url, f"{word} %") == {("accounts", account)}  # a word of symbols: left out
    assert found(url, f"{word[:3]}%{word[4:]}") == set()
    assert found(url, f"{word[:3]}_{word[4:]}") == set()
