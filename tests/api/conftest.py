"""Fixtures of the REST suites: the sample builder and a cast of users.

    alice, bob  every permission identifier of the registry, writable; each in a group of
                their own (`client.group_id`), so each is an outsider to the other's data
    hermit      like alice, but `nopublic`: public records are hidden from them
    reader      every permission identifier, read-only
    nobody      no permission at all
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api.samples import PERMISSIONS, Samples, find_id

MakeUser = Callable[..., Any]


def _member(make_user: MakeUser, admin: httpx.Client, *permissions: str,
            nopublic: bool = False) -> Any:
    client = make_user(*permissions, nopublic=nopublic)
    client.user_id = find_id(admin, "users", name=client.user_name)
    client.group_id = find_id(admin, "groups", name=client.group_name)
    return client


@pytest.fixture(scope="session")
def alice(make_user: MakeUser, admin: httpx.Client) -> Any:
    return _member(make_user, admin, *(f"{p}:writable" for p in PERMISSIONS))


@pytest.fixture(scope="session")
def bob(make_user: MakeUser, admin: httpx.Client) -> Any:
    return _member(make_user, admin, *(f"{p}:writable" for p in PERMISSIONS))


@pytest.fixture(scope="session")
def hermit(make_user: MakeUser, admin: httpx.Client) -> Any:
    return _member(make_user, admin, *(f"{p}:writable" for p in PERMISSIONS), nopublic=True)


@pytest.fixture(scope="session")
def reader(make_user: MakeUser, admin: httpx.Client) -> Any:
    return _member(make_user, admin, *PERMISSIONS)


@pytest.fixture(scope="session")
def nobody(make_user: MakeUser, admin: httpx.Client) -> Any:
    return _member(make_user, admin)


@pytest.fixture(scope="session")
def samples(admin: httpx.Client, alice: Any) -> Samples:
    return Samples(admin, user_id=find_id(admin, "users", name="admin"),
                   group_id=alice.group_id)
