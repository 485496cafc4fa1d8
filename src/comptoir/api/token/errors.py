"""The token front door's one error table: core error code -> HTTP status and wire code.

Every error answers JSON `{"error": {"code": ..., "message": ...}}` with the status of the
REST API.  Every 401 is the same answer, whatever the reason (no, unknown, expired or
revoked key), so that it never tells which.
"""

from __future__ import annotations

import orjson
from starlette.responses import Response

from comptoir.errors import ComptoirError, TooManyAttemptsError, UnavailableError

STATUS: dict[str, tuple[int, str]] = {
    "error": (500, "internal_error"),
    "bad_request": (400, "bad_request"),
    "invalid_field": (400, "invalid_field"),
    "missing_field": (400, "missing_field"),
    "invalid_reference": (400, "invalid_reference"),
    "invalid_id": (400, "bad_request"),
    "too_large": (413, "too_large"),
    "query_syntax": (400, "bad_request"),
    "unknown_relation": (400, "bad_request"),
    "unauthenticated": (401, "unauthorized"),
    "invalid_challenge": (401, "unauthorized"),
    "invalid_session": (401, "unauthorized"),
    "session_expired": (401, "unauthorized"),
    "session_idle": (401, "unauthorized"),
    "permission_denied": (403, "forbidden"),
    "not_found": (404, "not_found"),
    "unknown_entity": (404, "not_found"),
    "not_allowed": (405, "not_allowed"),
    "conflict": (409, "conflict"),
    "already_converted": (409, "conflict"),
    "precondition": (412, "precondition_failed"),
    "schema_behind": (503, "unavailable"),
    "unavailable": (503, "unavailable"),
    "too_many_attempts": (429, "too_many_attempts"),  # no log-in here: for completeness
}

UNAUTHORIZED = "Invalid API key"
#: a request without a key at all: says so (every wrong key gets the same UNAUTHORIZED)
MISSING = "Missing API key: send it in the token: header"


def error_response(status: int, code: str, message: str,
                   headers: dict[str, str] | None = None) -> Response:
    if status == 401 and message != MISSING:
        message = UNAUTHORIZED
    return Response(orjson.dumps({"error": {"code": code, "message": message}}),
                    status_code=status, headers=headers, media_type="application/json")


def render_error(exc: ComptoirError) -> Response:
    status, code = STATUS.get(exc.code, STATUS["error"])
    message = exc.message if status != 500 else "Internal error"
    retry = ({"Retry-After": str(exc.retry_after)}
             if isinstance(exc, UnavailableError | TooManyAttemptsError) else None)
    return error_response(status, code, message, retry)
