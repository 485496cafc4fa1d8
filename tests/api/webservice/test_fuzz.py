"""Any request to webservice.php gets the envelope: never an internal error, never a
traceback.  Random operations with random parameters (webservice ids, JSON elements, VTQL
fragments, module and field names, junk), on a live server."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.webservice.conftest import WsClient
from comptoir.api.webservice.routes import OPERATIONS
from comptoir.schema.modules import MODULES

NAMES = sorted({f.name for m in MODULES.values() for f in m.fields} | {"id", "LineItems"})
MODULE_NAMES = [*MODULES, "Nope", "", "accounts"]
PARAMETERS = ["id", "element", "elementType", "query", "modifiedTime", "syncType",
              "relatedType", "relatedLabel", "relationIdLabel", "sourceRecordId",
              "relatedRecordId", "fieldTypeList", "partial_edit", "parentId", "fileName",
              "fileContents", "attachmentType", "username", "accessKey"]

ws_ids = st.builds(lambda p, i: f"{p}x{i}", st.integers(0, 40), st.integers(-2, 2**40))
scalars = st.one_of(st.text(max_size=30), ws_ids, st.integers(-(2**63), 2**63 - 1),
                    st.floats(allow_nan=True), st.booleans(), st.none(),
                    st.sampled_from(["", "null", "2026-02-30", "1e999", "Open", "19x1", "1" + "0" * 30]))
elements = st.dictionaries(st.sampled_from(NAMES), st.one_of(
    scalars, st.lists(st.dictionaries(st.sampled_from(NAMES), scalars, max_size=4),
                      max_size=3)), max_size=6)
vtql = st.builds(lambda m, f, v, tail: f"SELECT {f} FROM {m} WHERE {f} = {v}{tail}",
                 st.sampled_from(MODULE_NAMES), st.sampled_from([*NAMES, "*", "count(*)"]),
                 st.one_of(st.text(max_size=12), ws_ids.map(lambda i: f"'{i}'")),
                 st.sampled_from([";", "", " LIMIT 5;", " ORDER BY id DESC;", "'"]))


def _value(draw: Any, key: str) -> str:
    if key == "element":
        return draw(st.one_of(elements.map(lambda e: orjson.dumps(e, default=str).decode()),
                              st.text(max_size=20)))
    if key == "query":
        return draw(st.one_of(vtql, st.text(max_size=40)))
    if key == "elementType":
        return draw(st.sampled_from(MODULE_NAMES))
    return str(draw(scalars))


@st.composite
def requests(draw: Any) -> tuple[str, dict[str, str]]:
    operation = draw(st.one_of(st.sampled_from(sorted(OPERATIONS)), st.text(max_size=10)))
    keys = draw(st.lists(st.sampled_from(PARAMETERS), max_size=5, unique=True))
    return operation, {key: _value(draw, key) for key in keys}


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=requests(), post=st.booleans())
def test_no_request_is_an_internal_error(ws_admin: WsClient, request: tuple[str, dict[str, str]],
                                         post: bool) -> None:
    operation, params = request
    if operation.lower() == "logout":
        return  # would end the shared session
    body = (ws_admin.post if post else ws_admin.call)(operation, **params)
    assert set(body) in ({"success", "result"}, {"success", "error"}), body
    if body["success"] is False:
        assert body["error"]["code"] != "INTERNAL_SERVER_ERROR", (operation, params, body)
