"""docs/webservice.md names every operation, module and wire error code Comptoir serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from comptoir.api.webservice import restapi, routes
from comptoir.api.webservice.errors import WIRE_CODES
from comptoir.schema.modules import MODULES

DOC = (Path(__file__).parents[3] / "docs" / "webservice.md").read_text()
NAMES = {"fileupload": "FileUpload"}  # operations matched in any case, shown in vtiger's


@pytest.mark.parametrize("operation", sorted({*routes.OPERATIONS, *restapi.OPERATIONS}))
def test_every_operation_is_documented(operation: str) -> None:
    assert f"`{NAMES.get(operation, operation)}`" in DOC


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_is_documented(module: str) -> None:
    assert f"| {module} | {MODULES[module].prefix} |" in DOC


@pytest.mark.parametrize("code", sorted(set(WIRE_CODES.values())))
def test_every_wire_code_is_documented(code: str) -> None:
    assert f"`{code}`" in DOC
