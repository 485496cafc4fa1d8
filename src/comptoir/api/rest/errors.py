"""The REST front door's one error table: core error code -> HTTP status and reason.

Every error answer is `text/plain` "<Reason>: <detail>", as ZeyOS answers; 401 answers
carry `WWW-Authenticate: Bearer realm="<instance>"`; 503 (every connection busy) and 429 (too
many failed log-ins) carry `Retry-After`.
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse, Response

from comptoir.errors import ComptoirError, TooManyAttemptsError, UnavailableError

STATUS: dict[str, tuple[int, str]] = {
    "error": (500, "Internal Server Error"),
    "bad_request": (400, "Bad Request"),
    "invalid_field": (400, "Bad Request"),
    "missing_field": (400, "Bad Request"),
    "invalid_reference": (400, "Bad Request"),
    "invalid_id": (400, "Bad Request"),
    "too_large": (413, "Payload Too Large"),
    "query_syntax": (400, "Bad Request"),
    "unknown_relation": (400, "Bad Request"),
    "unauthenticated": (401, "Unauthorized"),
    "invalid_challenge": (401, "Unauthorized"),
    "invalid_session": (401, "Unauthorized"),
    "session_expired": (401, "Unauthorized"),
    "session_idle": (401, "Unauthorized"),
    "permission_denied": (403, "Forbidden"),
    "not_found": (404, "Not Found"),
    "unknown_entity": (404, "Not Found"),
    "not_allowed": (405, "Method Not Allowed"),
    "conflict": (409, "Conflict"),
    "already_converted": (409, "Conflict"),
    "precondition": (412, "Precondition Failed"),
    "schema_behind": (503, "Service Unavailable"),
    "unavailable": (503, "Service Unavailable"),
    "too_many_attempts": (429, "Too Many Requests"),
}


def error_response(status: int, reason: str, detail: str, instance: str,
                   headers: dict[str, str] | None = None) -> Response:
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = f'Bearer realm="{instance}"'
    return PlainTextResponse(f"{reason}: {detail}", status_code=status, headers=headers)


def retry_headers(exc: ComptoirError) -> dict[str, str] | None:
    """`Retry-After` for an error that passes (every connection busy, too many failed
    log-ins)."""
    if isinstance(exc, UnavailableError | TooManyAttemptsError):
        return {"Retry-After": str(exc.retry_after)}
    return None


def render_error(exc: ComptoirError, instance: str) -> Response:
    status, reason = STATUS[exc.code]
    return error_response(status, reason, exc.message, instance, retry_headers(exc))
