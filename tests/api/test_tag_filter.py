"""The `tags` filter of the JSON query (an extension of the ZeyOS language): records that
have a tag, one of several, or none of them; checked like every other filter."""

from __future__ import annotations

import secrets

import httpx


def test_filter_by_tags(admin: httpx.Client) -> None:
    mark = secrets.token_hex(3)
    made = {}
    for name, tags in (("a", [f"vip-{mark}"]), ("b", [f"vip-{mark}", f"new-{mark}"]),
                       ("c", [f"new-{mark}"]), ("d", [])):
        r = admin.put("/accounts", json={"lastname": f"Tagged {mark} {name}", "currency": "EUR",
                                            "tags": tags})
        assert r.status_code == 201, r.text
        made[name] = r.json()["ID"]

    def names(tag_filter: object) -> list[str]:
        r = admin.post("/accounts", json={"fields": ["lastname"], "sort": ["lastname"],
                                          "filter": {"lastname": {"~~": f"Tagged {mark} %"},
                                                     "tags": tag_filter}})
        assert r.status_code == 200, r.text
        return [row["lastname"][-1] for row in r.json()]

    assert names(f"vip-{mark}") == ["a", "b"]
    assert names([f"vip-{mark}", f"new-{mark}"]) == ["a", "b", "c"]
    assert names({"!IN": [f"vip-{mark}"]}) == ["c", "d"]
    count = admin.post("/accounts", json={"count": 1, "filter": {"tags": f"new-{mark}"}})
    assert count.json() == {"count": 2}
    for wrong in ({"~~": "x"}, {"=": ["a", "b"]}, [1], "", {"=": "a", "IN": ["b"]}):
        r = admin.post("/accounts", json={"filter": {"tags": wrong}})
        assert r.status_code == 400 and "tags" in r.text, (wrong, r.text)
