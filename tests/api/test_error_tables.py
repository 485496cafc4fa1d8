"""Every front door maps every core error code: a new error class without its line in a
door's table fails here, not as a 500 in production."""

from __future__ import annotations

import pytest

from comptoir import errors
from comptoir.api.rest.errors import STATUS as REST
from comptoir.api.token.errors import STATUS as TOKEN
from comptoir.api.webservice.errors import WIRE_CODES as WEBSERVICE


def _codes(cls: type[errors.ComptoirError]) -> set[str]:
    found = {cls.code}
    for sub in cls.__subclasses__():
        found |= _codes(sub)
    return found


CODES = sorted(_codes(errors.ComptoirError) | {
    c.code for c in vars(errors).values()
    if isinstance(c, type) and issubclass(c, errors.ComptoirError)})


@pytest.mark.parametrize("code", CODES)
def test_every_door_maps_the_code(code: str) -> None:
    assert code in REST, "api/rest/errors.py"
    assert code in WEBSERVICE, "api/webservice/errors.py"
    assert code in TOKEN, "api/token/errors.py"
