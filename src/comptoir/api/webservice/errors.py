"""The webservice front door's one error table: core error code -> vtiger wire code.

Every error is answered `{"success": false, "error": {"message": ..., "code": ...}}` with
HTTP 200, as vtiger does (its clients look at `success`, not at the status).  vtiger has
no code for a wrong value; Comptoir answers `INVALID_PARAMETER` and names the field.
"""

from __future__ import annotations

from typing import Any

from comptoir.errors import ComptoirError

WIRE_CODES: dict[str, str] = {
    "error": "INTERNAL_SERVER_ERROR",
    "bad_request": "INVALID_PARAMETER",
    "invalid_field": "INVALID_PARAMETER",
    "missing_field": "MANDATORY_FIELDS_MISSING",
    "invalid_reference": "REFERENCE_INVALID",
    "invalid_id": "INVALID_ID_ATTRIBUTE",
    "too_large": "INVALID_PARAMETER",
    "query_syntax": "QUERY_SYNTAX_ERROR",
    "unknown_relation": "UNKOWN_ENTITY",  # sic, vtiger's spelling
    "unauthenticated": "INVALID_USER_CREDENTIALS",
    "invalid_challenge": "INVALID_AUTH_TOKEN",
    "invalid_session": "INVALID_SESSIONID",
    "session_expired": "SESSION_EXPIRED",
    "session_idle": "SESSION_LEFT_IDLE",
    "permission_denied": "ACCESS_DENIED",
    "not_found": "RECORD_NOT_FOUND",
    "unknown_entity": "ACCESS_DENIED",
    "not_allowed": "OPERATION_NOT_SUPPORTED",
    "conflict": "DATABASE_QUERY_ERROR",
    "already_converted": "LEAD_ALREADY_CONVERTED",
    "precondition": "DATABASE_QUERY_ERROR",
    "schema_behind": "INTERNAL_SERVER_ERROR",
    # vtiger has no code for it; answered with HTTP 503 and Retry-After (routes.answer)
    "unavailable": "SERVICE_UNAVAILABLE",
    # vtiger has none either: too many failed logins (services/throttle.py), HTTP 200 like
    # every webservice error; the message says in how many seconds to try again
    "too_many_attempts": "TOO_MANY_ATTEMPTS",
}


class WireError(Exception):
    """An error only the webservice has (unknown operation, missing session): its wire
    code and message as they are."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def error_body(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, WireError):
        code, message = exc.code, exc.message
    elif isinstance(exc, ComptoirError):
        code, message = WIRE_CODES[exc.code], exc.message
        if exc.code == "missing_field":  # vtiger's wording: "<field> does not have a value"
            message = f"{exc.details['field']} does not have a value"
            if exc.details["problem"] != "does not have a value":  # LineItems: its own words
                message = exc.details["problem"]
        elif exc.code == "invalid_reference":  # the problem names the field already
            message = exc.details["problem"]
    else:
        code, message = "INTERNAL_SERVER_ERROR", "Unknown Error while processing request"
    return {"success": False, "error": {"message": message, "code": code}}
