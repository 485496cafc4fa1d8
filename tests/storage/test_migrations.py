"""The migrations build exactly the schema that the registry declares: a change to the
registry without its migration fails here."""

from __future__ import annotations

import warnings
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from comptoir.storage import migrate, search
from comptoir.storage.database import run_with_database
from comptoir.storage.tables import metadata


def _not_search_index(name: str | None, type_: str, parents: Any) -> bool:
    """The search index (FTS5 tables, trigram indexes) is made by hand, not declared in
    `tables.py`: left out of the comparison, and nothing else is."""
    if type_ == "table":
        return name not in search.SEARCH_TABLES
    return not (type_ == "index" and name in search.SEARCH_INDEXES)


def _diff(connection: sa.Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={
        "compare_type": True, "include_name": _not_search_index})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLite cannot reflect expression indexes
        return list(compare_metadata(context, metadata))


def schema_diff(database_url: str) -> list[Any]:
    return migrate.inspect_database(database_url, _diff)


def test_migrated_database_matches_the_registry(database_url: str) -> None:
    assert migrate.status(database_url) == (migrate.head_revision(), migrate.head_revision())
    assert schema_diff(database_url) == []


def test_servers_refuse_a_database_whose_schema_is_behind(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from comptoir.errors import SchemaBehindError

    def check(url: str) -> None:
        run_with_database(url, migrate.check_schema)

    # given an empty database
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    # then the check names the command that upgrades it
    with pytest.raises(SchemaBehindError, match="comptoir db upgrade"):
        check(url)
    # and once upgraded, it passes
    migrate.upgrade(url)
    check(url)


def _autoincremented(connection: sa.Connection) -> set[str]:
    found = connection.execute(sa.text(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'"))
    return {row[0] for row in found}


def test_migrated_sqlite_tables_never_reuse_ids(database_url: str) -> None:
    """Every table declared with `sqlite_autoincrement` has AUTOINCREMENT once migrated
    (a batch rebuild without it lets SQLite give a deleted row's ID again)."""
    import pytest

    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL identities never reuse IDs")
    declared = {table.name for table in metadata.tables.values()
                if table.dialect_options["sqlite"]["autoincrement"]}
    assert declared - migrate.inspect_database(database_url, _autoincremented) == set()
