"""Access keys sealed at rest: the stored value is not the key, does not decrypt for
another user, an older plain value still logs in and is sealed then; the key file; the
`comptoir user accesskey` command."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import run_cli

from comptoir.config import Settings
from comptoir.errors import AuthenticationError, InvalidFieldError
from comptoir.services import auth, keyring, sessions
from comptoir.storage.database import Database, run_with_database
from comptoir.storage.tables import TABLES

users = TABLES["users"]


@pytest.fixture
def restore_key() -> Iterator[None]:
    yield
    keyring.configure(Settings.from_env())


def stored_key(url: str, name: str) -> tuple[int, str]:
    async def work(db: Database) -> dict[str, Any] | None:
        async with db.read() as conn:
            return await conn.one(sa.select(users.c.ID, users.c.accesskey)
                                  .where(users.c.name == name))

    row = run_with_database(url, work)
    assert row is not None
    return row["ID"], row["accesskey"]


def new_user(url: str) -> tuple[str, str]:
    name = f"key_{secrets.token_hex(4)}"

    async def work(db: Database) -> str:
        await auth.create_user(db, name, "pw")
        return await auth.access_key(db, name)

    return name, run_with_database(url, work)


def test_seal_round_trip() -> None:
    sealed = keyring.seal(7, "0123456789abcdef")
    assert sealed.startswith("v1:") and "0123456789abcdef" not in sealed
    assert keyring.seal(7, "0123456789abcdef") != sealed  # a fresh nonce each time
    assert keyring.unseal(7, sealed) == "0123456789abcdef"


@pytest.mark.parametrize("stored", ["v1:", "v1:!!!", "v1:" + "A" * 40, "v1:AAAA"])
def test_garbage_does_not_unseal(stored: str) -> None:
    with pytest.raises(AuthenticationError, match="does not decrypt"):
        keyring.unseal(1, stored)


def test_key_is_stored_sealed(database_url: str) -> None:
    name, key = new_user(database_url)
    user_id, stored = stored_key(database_url, name)
    assert re.fullmatch(r"[0-9a-f]{16}", key)
    assert stored.startswith("v1:") and key not in stored
    assert keyring.unseal(user_id, stored) == key


def test_sealed_key_copied_to_another_user_does_not_unseal(database_url: str) -> None:
    name, _ = new_user(database_url)
    other, _ = new_user(database_url)
    _, stored = stored_key(database_url, name)
    other_id, _ = stored_key(database_url, other)

    async def copy(db: Database) -> None:
        async with db.write() as conn:
            await conn.run(sa.update(users).where(users.c.ID == other_id)
                           .values(accesskey=stored))

    run_with_database(database_url, copy)
    with pytest.raises(AuthenticationError, match="does not decrypt"):
        keyring.unseal(other_id, stored)
    with pytest.raises(AuthenticationError, match="does not decrypt"):
        run_with_database(database_url, lambda db: auth.access_key(db, other))


def test_another_secret_key_does_not_unseal(restore_key: None) -> None:
    sealed = keyring.seal(3, "0123456789abcdef")
    keyring.configure(Settings(secret_key=secrets.token_urlsafe(32)))
    with pytest.raises(AuthenticationError):
        keyring.unseal(3, sealed)


def test_a_plain_legacy_key_logs_in_and_is_sealed_then(database_url: str) -> None:
    name, _ = new_user(database_url)
    user_id, _ = stored_key(database_url, name)
    legacy = secrets.token_hex(8)

    async def work(db: Database) -> dict[str, Any]:
        async with db.write() as conn:
            await conn.run(sa.update(users).where(users.c.ID == user_id)
                           .values(accesskey=legacy))
        assert await auth.access_key(db, name) == legacy
        challenge = await sessions.get_challenge(db, name)
        hashed = hashlib.md5((challenge["token"] + legacy).encode()).hexdigest()
        return await sessions.login(db, name, hashed)

    assert run_with_database(database_url, work)["user"] == user_id
    _, stored = stored_key(database_url, name)
    assert stored.startswith("v1:") and keyring.unseal(user_id, stored) == legacy


def test_key_file_is_created_once_with_mode_0600(tmp_path: Path, restore_key: None) -> None:
    path = tmp_path / "comptoir.key"
    keyring.configure(Settings(secret_key="", secret_key_file=str(path)))
    sealed = keyring.seal(5, "abc")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    content = path.read_text()
    assert len(keyring._decode(content, "secret_key_file")) == 32
    # a later start reads the same key
    keyring.configure(Settings(secret_key="", secret_key_file=str(path)))
    assert path.read_text() == content
    assert keyring.unseal(5, sealed) == "abc"
    assert os.listdir(tmp_path) == ["comptoir.key"]


@pytest.mark.parametrize("secret", ["short", "*" * 44, secrets.token_urlsafe(16)])
def test_a_bad_secret_key_is_refused(secret: str, restore_key: None) -> None:
    with pytest.raises(InvalidFieldError, match="secret_key: must hold a key"):
        keyring.configure(Settings(secret_key=secret))


def test_cli_prints_and_resets_the_access_key(database_url: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    name, key = new_user(database_url)
    run_cli(database_url, "user", "accesskey", name)
    assert capsys.readouterr().out == key + "\n"
    run_cli(database_url, "user", "accesskey", name.upper(), "--reset")
    fresh = capsys.readouterr().out.strip()
    assert re.fullmatch(r"[0-9a-f]{16}", fresh) and fresh != key
    run_cli(database_url, "user", "accesskey", name)
    assert capsys.readouterr().out == fresh + "\n"
    user_id, stored = stored_key(database_url, name)
    assert keyring.unseal(user_id, stored) == fresh
