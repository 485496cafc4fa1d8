"""One error tree for the whole core, with stable codes.

    ComptoirError                    code
    ├── BadRequestError              bad_request       the request itself is malformed
    │   ├── InvalidFieldError        invalid_field     one field's value is wrong (names the field)
    │   │   ├── MissingFieldError    missing_field     a mandatory field has no value
    │   │   └── InvalidReferenceError invalid_reference a reference to the wrong kind of record
    │   ├── InvalidIdError           invalid_id        a malformed record id (webservice `12x5`)
    │   ├── TooLargeError            too_large         a body over the configured limit
    │   ├── QuerySyntaxError         query_syntax      a query text (VTQL) that does not parse
    │   └── UnknownRelationError     unknown_relation  no such relation between two modules
    ├── AuthenticationError          unauthenticated   no or bad credentials / token
    │   ├── ChallengeError           invalid_challenge no live login challenge (webservice)
    │   ├── InvalidSessionError      invalid_session   unknown or ended session (webservice)
    │   ├── SessionExpiredError      session_expired   session past its life span
    │   └── SessionIdleError         session_idle      session left idle too long
    ├── PermissionDeniedError        permission_denied lacking the permission for the operation
    ├── NotFoundError                not_found         no such record (or one the caller may not see)
    ├── UnknownEntityError           unknown_entity    no such entity
    ├── OperationNotAllowedError     not_allowed       the entity does not offer the operation
    ├── ConflictError                conflict          ID present / non-matching ID / not deletable
    │   └── AlreadyConvertedError    already_converted a lead converted before
    ├── PreconditionFailedError      precondition      If-Match does not match
    ├── SchemaBehindError            schema_behind     the database needs `comptoir db upgrade`
    ├── UnavailableError             unavailable       every database connection is busy: retry
    └── TooManyAttemptsError         too_many_attempts too many failed log-ins lately: retry later

The core knows no HTTP status: each front door maps `code` to its own wire format in one
table (see `api/rest/errors.py`).
"""

from __future__ import annotations

from typing import Any


class ComptoirError(Exception):
    code = "error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadRequestError(ComptoirError):
    code = "bad_request"


class InvalidFieldError(BadRequestError):
    """A value of one named field is wrong; the message names the field first."""

    code = "invalid_field"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}", field=field, problem=problem)
        self.field = field


class MissingFieldError(InvalidFieldError):
    code = "missing_field"

    def __init__(self, field: str, problem: str = "does not have a value") -> None:
        super().__init__(field, problem)


class InvalidReferenceError(InvalidFieldError):
    code = "invalid_reference"


class InvalidIdError(BadRequestError):
    code = "invalid_id"


class TooLargeError(BadRequestError):
    code = "too_large"


class QuerySyntaxError(BadRequestError):
    """A query text does not parse; the message gives the position and the token."""

    code = "query_syntax"


class UnknownRelationError(BadRequestError):
    """A relation (a related list: label and module) the source module does not have."""

    code = "unknown_relation"


class AuthenticationError(ComptoirError):
    code = "unauthenticated"


class ChallengeError(AuthenticationError):
    code = "invalid_challenge"


class InvalidSessionError(AuthenticationError):
    code = "invalid_session"


class SessionExpiredError(AuthenticationError):
    code = "session_expired"


class SessionIdleError(AuthenticationError):
    code = "session_idle"


class PermissionDeniedError(ComptoirError):
    code = "permission_denied"


class NotFoundError(ComptoirError):
    code = "not_found"


class UnknownEntityError(NotFoundError):
    code = "unknown_entity"


class OperationNotAllowedError(ComptoirError):
    code = "not_allowed"


class ConflictError(ComptoirError):
    code = "conflict"


class AlreadyConvertedError(ConflictError):
    code = "already_converted"


class PreconditionFailedError(ComptoirError):
    code = "precondition"


class SchemaBehindError(ComptoirError):
    code = "schema_behind"


class UnavailableError(ComptoirError):
    """The database could not give a connection in time (every one busy): the request
    changed nothing and may be sent again after `retry_after` seconds."""

    code = "unavailable"

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class TooManyAttemptsError(ComptoirError):
    """Too many failed log-ins of one user name, or from one client address, lately
    (`services/throttle.py`): log-ins are refused without checking the credentials for
    `retry_after` seconds."""

    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after
