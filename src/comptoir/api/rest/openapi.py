"""The OpenAPI 3.1 document of the REST front door, derived from the registry.

    GET /{instance}/api/v1/openapi.json        (no authentication)

`build_document(instance)` walks `schema.registry.ENTITIES` (fields, operations, access),
`query.operators.OPERATORS` (the filter operators), the limits of `query.json_query` and the
error table of `api/rest/errors.py`: nothing here names an entity, a field or an operator by
hand, so the document cannot drift from the server.  Per entity, `components/schemas` holds:

    <entity>           a record as GET, PUT and PATCH return it
    <entity>-write     the body of PUT (create) and PATCH (update)
    <entity>-query     the body of POST (list / query)
    <entity>-filter    a filter on the entity's fields (groups hold filters)

Every status code a route can answer is declared (there is no `default`), and response
schemas are no stricter than the answers: tests/api/test_openapi.py fuzzes the live server
against this document with schemathesis.
"""

from __future__ import annotations

import functools
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from comptoir import __version__
from comptoir.api.instance import check_instance
from comptoir.api.rest.errors import STATUS
from comptoir.query.json_query import (
    DEFAULT_LIMIT,
    MAX_COMPARISONS,
    MAX_DEPTH,
    MAX_FIELDS,
    MAX_LIMIT,
    MAX_LIST,
    MAX_SORT,
    MAX_WORDS,
)
from comptoir.query.operators import GROUPS, OPERATORS, Family
from comptoir.schema.entities.companies import NUMBERING_KINDS
from comptoir.schema.entity import Access, Entity, Op
from comptoir.schema.fields import NOW, Field, Kind, Managed
from comptoir.schema.registry import ENTITIES
from comptoir.wire.values import EXTDATA_NAME, INT32, INT64

Schema = dict[str, Any]

API = "/api/v1"
AUTH = "/auth/v1"
MAX_OFFSET = 2**62  # as the query parser checks it
#: status -> reason, from the error table
REASONS: dict[int, str] = {status: reason for status, reason in reversed(STATUS.values())}
#: the client errors of the error table, each `text/plain` "<Reason>: <detail>"
ERROR_STATUSES = tuple(sorted(status for status in REASONS if status < 500))
_ERROR_EXAMPLES = {
    400: "lastname: must be a string",
    401: "Invalid bearer token",
    403: "Lacking access permission (accounts)",
    404: "account 42 not found",
    405: "links does not allow get",
    409: "ID Present: account 42 already exists",
    412: "Non-matching ETag",
    413: "body: larger than 1048576 bytes",
}
#: the kinds of field the list operation expands
LIST_EXPANDABLE = frozenset({Kind.BINFILE, Kind.JSON, Kind.TEXT_ARRAY, Kind.INT_ARRAY})


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _response(status: int) -> Schema:
    return {"$ref": f"#/components/responses/{status}"}


def _nullable(schema: Schema) -> Schema:
    """`schema`, or null."""
    if "anyOf" in schema:
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    if "type" not in schema:
        return schema  # any JSON value already
    nullable = {**schema, "type": [schema["type"], "null"]}
    if "enum" in schema:
        nullable["enum"] = [*schema["enum"], None]
    return nullable


# --- fields --------------------------------------------------------------------------------


def _integer(f: Field) -> Schema:
    wide = f.wide or f.kind is Kind.BIGINT
    low, high = INT64 if wide else INT32
    if f.managed is Managed.ID:
        low = 1
    if f.minimum is not None:
        low = max(low, int(f.minimum))
    if f.maximum is not None:
        high = min(high, int(f.maximum))
    return {"type": "integer", "format": "int64" if wide else "int32",
            "minimum": low, "maximum": high}


def _value(f: Field, write: bool) -> Schema:
    """The JSON Schema of the values of field `f` (without null), as sent or as answered."""
    match f.kind:
        case Kind.INT | Kind.BIGINT | Kind.REF:
            return _integer(f)
        case Kind.NUMBER:
            bounds = {"minimum": f.minimum, "maximum": f.maximum}
            return {"type": "number", **{k: v for k, v in bounds.items() if v is not None}}
        case Kind.TEXT:
            text: Schema = {"type": "string"}
            if f.max_length is not None:
                text["maxLength"] = f.max_length
            if f.min_length is not None:
                text["minLength"] = f.min_length
            if f.choices:
                text["enum"] = list(f.choices)
            return text
        case Kind.ENUM:
            return {"type": "integer", "enum": list(f.choices),
                    "x-enum-varnames": list(f.choices.values())}
        case Kind.ENTITY:
            return {"type": "string", "enum": list(f.choices)}
        case Kind.JSON:
            return {}  # a JSON-encoded string, or (expanded, or written) any JSON value
        case Kind.TEXT_ARRAY:
            return {"type": "array", "items": {"type": "string"}}
        case Kind.INT_ARRAY:
            low, high = INT64
            return {"type": "array", "items": {"type": "integer", "format": "int64",
                                               "minimum": low, "maximum": high}}
        case Kind.HEXBYTES:
            return {"type": "string", "pattern": r"^\\x[0-9a-f]*$"}
        case Kind.BINFILE:
            if write:
                return {"anyOf": [_ref("binfile-upload"),
                                  {"type": "integer", "description": "the current binfile ID, "
                                   "sent back unchanged: ignored"}]}
            return {"anyOf": [{"type": "integer", "format": "int32",
                               "description": "ID of the binfiles record"},
                              _ref("binfile-content")]}
    raise AssertionError(f"no schema for {f.kind}")  # pragma: no cover


def _describe(f: Field) -> str:
    parts = [f.doc.rstrip(".")] if f.doc else []
    if f.kind is Kind.ENUM:
        parts.append(", ".join(f"`{k}`={v}" for k, v in f.choices.items()))
    if f.is_reference:
        parts.append(f"ID of a `{f.ref}` record")
    if f.kind is Kind.JSON:
        parts.append("a JSON document: answered as a JSON-encoded string, decoded with "
                     "`expand`; written as any JSON value or a JSON-encoded string")
    if f.kind is Kind.BINFILE:
        parts.append("answered as the binfile ID, or `{\"content\": base64}` with `expand`; "
                     "written as `{\"content\": base64}` or `{\"uri\": data URI}`")
    if f.managed is Managed.ID:
        parts.append("may be given on create (409 if taken), never changed")
    elif f.managed is not None:
        parts.append("set by the server: ignored when sent")
    if f.default == NOW:
        parts.append("defaults to the current time")
    return "; ".join(parts)


def field_schema(f: Field, *, write: bool) -> Schema:
    """One field as answered (`write=False`) or as sent on create and update."""
    schema = _value(f, write)
    if f.nullable:
        schema = _nullable(schema)
    schema = {**schema, "description": _describe(f)}
    if f.managed is not None and f.managed is not Managed.ID:
        schema["readOnly"] = True
    if write and f.default not in (None, NOW):
        schema["default"] = f.default
    return schema


# --- entity schemas ------------------------------------------------------------------------

EXTDATA = {"type": "object", "propertyNames": {"pattern": EXTDATA_NAME.pattern}}
TAG = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"}


def record_schema(entity: Entity) -> Schema:
    """A record as GET, PUT and PATCH answer it: every public field, always."""
    properties = {f.name: field_schema(f, write=False) for f in entity.public_fields}
    if entity.extdata:
        properties["extdata"] = {
            **EXTDATA, "additionalProperties": {"type": ["string", "number"]},
            "description": "Custom fields (GET with `extdata=1`; always after PUT and PATCH)"}
    if entity.tags:
        properties["tags"] = {"type": "array", "items": {"type": "string"},
                              "description": "Tags, sorted (GET with `tags=1`; always after "
                                             "PUT and PATCH)"}
    return {"type": "object", "description": entity.doc, "properties": properties,
            "required": [f.name for f in entity.public_fields], "additionalProperties": False}


def write_schema(entity: Entity) -> Schema:
    """The body of a create or an update: unknown and hidden fields answer 400."""
    properties = {f.name: field_schema(f, write=True) for f in entity.public_fields}
    if entity.extdata:
        properties["extdata"] = {
            **EXTDATA, "description": "Custom fields to set; `null` removes one",
            "additionalProperties": {"anyOf": [
                {"type": ["string", "boolean", "null"]},
                {"type": "number", "minimum": -1e300, "maximum": 1e300}]}}
    if entity.tags:
        for key, meaning in (("tags", "replace all tags"), ("+tags", "add tags"),
                             ("-tags", "remove tags")):
            properties[key] = {"type": "array", "items": TAG, "description": meaning}
    return {"type": "object", "description": f"A {entity.singular} to create or update",
            "properties": properties, "additionalProperties": False}


def required_on_create(entity: Entity) -> list[str]:
    return [f.name for f in entity.public_fields
            if not f.nullable and f.default is None and f.managed is None]


def _dotted(entity: Entity) -> str:
    """The regular expression of the dotted names of an entity: a field of a referenced
    record (`contact.city`, first degree only) or a custom field (`extdata.nickname`)."""
    refs = [f.name for f in entity.public_fields if f.is_reference and f.ref in ENTITIES]
    parts = [f"(?:{'|'.join(refs)})\\.[A-Za-z0-9_]+"] if refs else []
    if entity.extdata:
        parts.append(r"extdata\." + EXTDATA_NAME.pattern.removeprefix("^").removesuffix("$"))
    return "|".join(parts)


def filter_schema(entity: Entity) -> Schema:
    """Conditions on an entity's fields; a group (at a numeric key) holds filters of the
    same form.  Nested filters are spelled out without a `$ref` back to this schema (a
    recursive schema defeats fuzzers): their keys are named, their values left open."""
    names = [f.name for f in entity.public_fields]
    dotted = _dotted(entity)
    keys: list[Schema] = [{"enum": names}, {"pattern": "^[0-9]+$"}]
    nested_filter = {
        "type": "object", "description": f"A filter of {entity.name} (as this one)",
        "propertyNames": {"anyOf": keys + ([{"pattern": f"^(?:{dotted})$"}] if dotted else [])},
        "additionalProperties": {"anyOf": [_ref("filter-condition"), {"type": "array"}]},
    }
    groups = {"^[0-9]+$": {"type": "array", "minItems": 2, "items": nested_filter,
                           "prefixItems": [{"enum": list(GROUPS)}]}}
    if dotted:
        groups[f"^(?:{dotted})$"] = _ref("filter-condition")
    return {
        "type": "object",
        "description": "Conditions, all of which must hold. A key is a field, a joined field "
                       "(`contact.city`) or a custom field (`extdata.nickname`) and its value "
                       "a condition; a numeric key holds a group "
                       "`[\"AND\"|\"OR\"|\"NOT\", {filter}, ...]` (NOT: not all of its "
                       f"filters hold). At most {MAX_COMPARISONS} conditions, groups "
                       f"{MAX_DEPTH} deep.",
        "properties": {name: _ref("filter-condition") for name in names},
        "patternProperties": groups,
        "additionalProperties": False,
    }


def query_schema(entity: Entity) -> Schema:
    """The body of the list operation: selection, filter, search, sort, page, count."""
    names = [f.name for f in entity.public_fields]
    dotted = _dotted(entity)
    selectable: Schema = {"type": "string", "enum": names}
    if dotted:
        selectable = {"anyOf": [selectable, {"type": "string", "pattern": f"^(?:{dotted})$"}]}
    sortable = "|".join([*names, dotted] if dotted else names)
    properties: Schema = {
        "fields": {"description": "The fields to answer (default: all of the entity's); "
                                  "an object names them (its keys are the answer's keys; "
                                  "numeric keys keep the field's name)",
                   "anyOf": [{"type": "array", "maxItems": MAX_FIELDS, "items": selectable},
                             {"type": "object", "maxProperties": MAX_FIELDS,
                              "additionalProperties": selectable}]},
        "filter": _ref(f"{entity.name}-filter"),
        "filters": _ref(f"{entity.name}-filter"),
        "sort": {"type": "array", "maxItems": MAX_SORT,
                 "description": "Fields to sort by; `-` descending, `+` or nothing ascending",
                 "items": {"type": "string", "pattern": f"^[+-]?(?:{sortable})$"}},
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                  "default": DEFAULT_LIMIT,
                  "description": "At most this many records (an export: all by default)"},
        "offset": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
        "count": _flag_schema("Answer `{\"count\": N}` only"),
        "distinct": _flag_schema("Answer distinct rows only (sort on selected fields only)"),
        "export": _flag_schema("Answer CSV (`text/csv`, `;` delimiter; administrators only)"),
    }
    searched = [f.name for f in entity.searchable]
    if searched:
        properties["query"] = {
            "type": "string", "maxLength": 200,
            "description": f"Search words (at most {MAX_WORDS}), each matched in "
                           + ", ".join(f"`{n}`" for n in searched)}
    expandable = [f.name for f in entity.public_fields if f.kind in LIST_EXPANDABLE]
    if expandable:
        properties["expand"] = {"type": "array", "uniqueItems": True,
                                "items": {"enum": expandable},
                                "description": "Fields answered decoded: JSON documents as "
                                               "values, binfiles as `{\"content\": base64}`"}
    return {"type": "object", "description": "A query (JSON or form-encoded; in forms, lists "
                                             "and names may also be comma-separated strings)",
            "properties": properties, "additionalProperties": False}


def _flag_schema(description: str) -> Schema:
    return {"description": description, "anyOf": [{"type": "boolean"}, {"enum": [0, 1]}]}


def _operand(family: Family) -> Schema:
    if family is Family.MEMBER:
        return _ref("filter-list")
    if family in (Family.REGEX, Family.LIKE):
        return {"type": "string"}
    return _ref("filter-value")


def filter_components() -> dict[str, Schema]:
    """The conditions of a filter, shared by every entity: one property per operator."""
    table = "\n".join(f"- `{op.symbol}`: {op.description}"
                      + (" (text fields)" if op.text_only else "") for op in OPERATORS)
    return {
        "filter-value": {"type": ["string", "number", "boolean", "null"]},
        "filter-list": {"type": "array", "maxItems": MAX_LIST,
                        "items": {"type": ["string", "number", "boolean"]}},
        "filter-operators": {
            "type": "object", "minProperties": 1, "additionalProperties": False,
            "description": "Operators and their operands, all of which must hold "
                           "(`null` only with `=`, `!=` and `<>`):\n" + table,
            "properties": {op.symbol: {**_operand(op.family), "description": op.description}
                           for op in OPERATORS},
        },
        "filter-condition": {
            "description": "A value (equals; `null`: is null), a list of values (is one of "
                           "them) or an object of operators",
            "anyOf": [_ref("filter-value"), _ref("filter-list"), _ref("filter-operators")],
        },
    }


# --- operations ----------------------------------------------------------------------------


def _requires(access: Access, write: bool) -> str:
    need = access.describe(write)
    if need == "admin":
        return "Administrators only."
    if need == "none":
        return "Any authenticated user."
    return f"Permission: {need}."


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _errors(*statuses: int) -> Schema:
    """The error answers of an operation: 404 (unknown instance) always."""
    return {str(s): _response(s) for s in sorted({404, *statuses})}


def _json(schema: Schema, description: str, *, etag: bool = False) -> Schema:
    answer: Schema = {"description": description,
                      "content": {"application/json": {"schema": schema}}}
    if etag:
        answer["headers"] = ETAG
    return answer


def _body(schema: Schema, *, required: bool, nested: tuple[str, ...] = ()) -> Schema:
    """A JSON or form-encoded body; in forms, the `nested` properties (objects) are written
    with brackets, PHP-style: `filter[lastname][~~]=A%`, `fields[]=ID`, `extdata[nick]=Max`."""
    form: Schema = {"schema": schema}
    if nested:
        form["encoding"] = {name: {"style": "deepObject", "explode": True} for name in nested}
    return {"required": required,
            "content": {"application/json": {"schema": schema},
                        "application/x-www-form-urlencoded": form}}


def _nested_in_writes(entity: Entity) -> tuple[str, ...]:
    objects = [f.name for f in entity.public_fields if f.kind in (Kind.BINFILE, Kind.JSON)]
    return (*objects, "extdata") if entity.extdata else tuple(objects)


#: the HTTP method of each record operation (on `/{entity}` for LIST and CREATE, else on
#: `/{entity}/{ID}`)
METHODS = {Op.LIST: "post", Op.CREATE: "put", Op.GET: "get", Op.HEAD: "head",
           Op.UPDATE: "patch", Op.DELETE: "delete"}
ETAG = {"ETag": {"$ref": "#/components/headers/ETag"}}
NOT_MODIFIED = {"description": "Not Modified: the ETag matches `If-None-Match`",
                "headers": ETAG}


def _flag_parameter(name: str, description: str) -> Schema:
    return {"name": name, "in": "query", "description": description,
            "schema": {"type": "integer", "enum": [0, 1], "default": 0}}


def _header(name: str) -> Schema:
    return {"$ref": f"#/components/parameters/{name}"}


def entity_operations(entity: Entity) -> dict[str, Schema]:
    """The paths of one entity: the collection and its records, with the operations it
    offers (the others answer 405)."""
    name, one = entity.name, entity.singular
    read, write = _requires(entity.read, False), _requires(entity.write, True)
    record = _ref(name)
    ops: dict[Op, Schema] = {
        Op.LIST: {
            "summary": f"List or query {name}", "description": read,
            "requestBody": _body(_ref(f"{name}-query"), required=False,
                                 nested=("fields", "filter", "filters")),
            "responses": {"200": {
                "description": "The selected fields of the matching records, their count "
                               "(`count`), or CSV (`export`)",
                "content": {"application/json": {"schema": {"anyOf": [
                    {"type": "array", "items": {"type": "object"}}, _ref("count")]}},
                    "text/csv": {"schema": {"type": "string"}}}},
                **_errors(400, 401, 403, 413)}},
        Op.CREATE: {
            "summary": f"Create {_a(one)}", "description": write,
            "requestBody": _body(_create_body(entity), required=True,
                                 nested=_nested_in_writes(entity)),
            "responses": {"201": _json(record, "Created", etag=True),
                          **_errors(400, 401, 403, 409, 413)}},
        Op.GET: {
            "summary": f"Get {_a(one)}", "description": read,
            "parameters": [*_get_parameters(entity), _header("If-None-Match")],
            "responses": {"200": _json(record, "OK", etag=True), "304": NOT_MODIFIED,
                          **_errors(400, 401, 403)}},
        Op.HEAD: {
            "summary": f"Check that {_a(one)} exists", "description": read,
            "parameters": [_header("If-None-Match")],
            "responses": {"204": {"description": "Exists", "headers": ETAG},
                          "304": NOT_MODIFIED, **_errors(401, 403)}},
        Op.UPDATE: {
            "summary": f"Update {_a(one)}", "description": write,
            "parameters": [_header("If-Match")],
            "requestBody": _body(_ref(f"{name}-write"), required=True,
                                 nested=_nested_in_writes(entity)),
            "responses": {"200": _json(record, "Updated", etag=True),
                          **_errors(400, 401, 403, 409, 412, 413)}},
        Op.DELETE: {
            "summary": f"Delete {_a(one)}", "description": write,
            "parameters": [_header("If-Match")],
            "responses": {"204": {"description": "Deleted"}, **_errors(401, 403, 409, 412)}},
    }
    collection: Schema = {}
    item: Schema = {}
    for op in Op:
        if op in entity.ops:
            target = collection if op in (Op.LIST, Op.CREATE) else item
            target[METHODS[op]] = {"tags": [name], "operationId": f"{name}.{op.value}",
                                   **ops[op]}
    paths = {}
    if collection:
        paths[f"{API}/{name}"] = collection
    if item:
        paths[f"{API}/{name}/{{ID}}"] = {
            "parameters": [{"name": "ID", "in": "path", "required": True, "example": 1,
                            "schema": _integer(entity.id_field)}], **item}
    return paths


def _create_body(entity: Entity) -> Schema:
    required = required_on_create(entity)
    if not required:
        return _ref(f"{entity.name}-write")
    return {"allOf": [_ref(f"{entity.name}-write")], "required": required}


def _get_parameters(entity: Entity) -> list[Schema]:
    params = []
    if "extdata" in entity.get_params:
        params.append(_flag_parameter("extdata", "Answer the custom fields in `extdata`"))
    if "tags" in entity.get_params:
        params.append(_flag_parameter("tags", "Answer the tags in `tags`"))
    if entity.expandable:
        params.append({"name": "expand", "in": "query", "description": "Fields to expand",
                       "schema": {"type": "array", "uniqueItems": True, "items": {
                           "enum": [f.name for f in entity.expandable]}}})
    return params


# --- instance and authentication -----------------------------------------------------------

LOGIN = {
    "type": "object", "required": ["name", "password", "identifier"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "description": "User name or e-mail"},
        "password": {"type": "string"},
        "identifier": {"type": "string", "pattern": "^[a-zA-Z0-9_.:-]+$", "maxLength": 200,
                       "description": "The client device or app"},
        "appsecret": {"type": "string", "description": "An application's API secret"},
        "expdate": {"type": ["integer", "null"], "minimum": 0, "maximum": INT64[1],
                    "description": "Expiry (Unix time, in the future; default 100 days)"},
    },
}
LOGGED_IN = {
    "type": "object", "required": ["user", "application", "token", "identifier", "expdate"],
    "properties": {
        "user": {"type": "integer"}, "application": {"type": ["integer", "null"]},
        "token": {"type": "string", "pattern": "^[0-9a-f]{40}$"},
        "identifier": {"type": "string"}, "expdate": {"type": "integer"},
    },
}
CALLER = {
    "type": "object", "required": ["auth", "user", "contact", "name", "email"],
    "properties": {
        "auth": {"type": "object", "required": ["user", "application", "lang"],
                 "properties": {"user": {"type": "integer"},
                                "application": {"type": ["integer", "null"]},
                                "lang": {"type": "string"}}},
        "user": {"type": "integer"}, "contact": {"type": ["integer", "null"]},
        "name": {"type": "string"}, "email": {"type": "string"},
        "admin": {"type": "boolean"}, "nopublic": {"type": "boolean"},
        "apionly": {"type": "boolean"},
        "groups": {"type": "object", "additionalProperties": {"type": "boolean"},
                   "description": "group ID -> writable"},
        "permissions": {"type": "object", "additionalProperties": {"type": "boolean"},
                        "description": "permission -> writable"},
    },
}
CONFIG = {"type": "object", "required": ["instance", "version"],
          "description": "The instance, the server version and the stored settings "
                         "(`currency`, `language`, `timezone`, ...)",
          "properties": {"instance": {"type": "string"}, "version": {"type": "string"}}}


def instance_paths() -> dict[str, Schema]:
    """The instance's own resources and the authentication API."""
    public: list[Schema] = []  # no authentication
    return {
        f"{API}/config": {"get": {
            "tags": ["instance"], "operationId": "config", "summary": "Instance configuration",
            "responses": {"200": _json(CONFIG, "OK"), **_errors(401)}}},
        f"{API}/settings": {"get": {
            "tags": ["instance"], "operationId": "settings",
            "summary": "Settings of the token's application",
            "description": "403 for tokens issued without an `appsecret`.",
            "responses": {"200": _json({"type": "object"}, "OK"), **_errors(401, 403)}}},
        f"{API}/openapi.json": {"get": {
            "tags": ["instance"], "operationId": "openapi", "security": public,
            "summary": "This document",
            "responses": {"200": _json({"type": "object"}, "OK"), **_errors()}}},
        f"{AUTH}/login": {"post": {
            "tags": ["auth"], "operationId": "login", "security": public,
            "summary": "Log in: issue a bearer token",
            "requestBody": _body(LOGIN, required=True),
            "responses": {"200": _json(LOGGED_IN, "Logged in"),
                          **_errors(400, 401, 413, 429)}}},
        f"{AUTH}/logout": {"get": {
            "tags": ["auth"], "operationId": "logout", "summary": "End the token",
            "responses": {"204": {"description": "Logged out"}, **_errors(401)}}},
        f"{AUTH}/": {
            "get": {"tags": ["auth"], "operationId": "whoami", "summary": "The caller",
                    "parameters": [_flag_parameter(
                        "access", "Answer admin, nopublic, apionly, groups and permissions")],
                    "responses": {"200": _json(CALLER, "OK"), **_errors(400, 401)}},
            "head": {"tags": ["auth"], "operationId": "verify",
                     "summary": "Check the token",
                     "responses": {"204": {"description": "Valid"}, **_errors(401)}}},
    }


# --- the actions of the sales cycle (api/rest/actions.py, docs/sales.md) --------------------

_DATE: Schema = {"description": "A date `YYYY-MM-DD` or a Unix time stamp, not in the future",
                 "oneOf": [{"type": "string", "format": "date"}, {"type": "integer"}]}
_AMOUNT: Schema = {"oneOf": [{"type": "number"}, {"type": "string"}],
                   "description": "A decimal amount (a string keeps it exact)"}
_DATED: Schema = {"type": "object", "additionalProperties": False,
                  "properties": {"date": _DATE}}
_CONVERT: Schema = {
    "type": "object", "additionalProperties": False, "required": ["type"],
    "properties": {
        "type": {"description": "The document to make: a type label or its number",
                 "oneOf": [{"type": "string"}, {"type": "integer"}]},
        "lines": {"type": "array", "minItems": 1, "description": "The lines to convert "
                  "(default: what is left of every line)", "items": {
                      "type": "object", "required": ["line"], "properties": {
                          "line": {"type": "integer", "description": "A line item ID"},
                          "quantity": _AMOUNT}}}}}
_ADVANCE: Schema = {"type": "object", "additionalProperties": False,
                    "description": "Exactly one of percent and amount",
                    "properties": {"percent": _AMOUNT, "amount": _AMOUNT}}
_PROGRESS: Schema = {
    "type": "object", "additionalProperties": False,
    "description": "The cumulative percent of completion: of the whole order, or per line",
    "properties": {"percent": _AMOUNT, "lines": {
        "type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["line", "percent"], "properties": {
                "line": {"type": "integer", "description": "A line item ID of the order"},
                "percent": _AMOUNT}}}}}
_CONSUMPTION: Schema = {
    "type": "object", "additionalProperties": False, "required": ["item"], "properties": {
        "item": {"type": "integer", "description": "The service item whose price the hours "
                 "take"},
        "price": _AMOUNT, "project": {"type": "integer"}, "ticket": {"type": "integer"},
        "from": {"type": "string", "format": "date"}, "to": {"type": "string",
                                                             "format": "date"}}}
_ALLOCATION: Schema = {"type": "object", "required": ["transaction"], "properties": {
    "transaction": {"type": "integer", "description": "The invoice settled"},
    "amount": _AMOUNT}}
_ALLOCATE: Schema = {"description": "One allocation, or a list of them (an amount left out "
                                    "takes as much as both sides allow)",
                     "oneOf": [_ALLOCATION, {
                         "type": "object", "required": ["allocations"],
                         "additionalProperties": False, "properties": {"allocations": {
                             "type": "array", "minItems": 1, "items": _ALLOCATION}}}]}
_PAYMENT: Schema = {"type": "object", "additionalProperties": False, "properties": {
    "amount": {**_AMOUNT, "description": "Default: the invoice's balance"},
    "date": {"type": "integer", "description": "Unix time (default: now)"},
    "means": {"type": "integer", "enum": [0, 1, 2, 3, 4, 5],
              "description": "0 TRANSFER, 1 CARD, 2 CHEQUE, 3 CASH, 4 DIRECTDEBIT, 5 OTHER"},
    "subject": {"type": "string"}}}
_FORMAT: Schema = {"type": "object", "required": ["kind"], "additionalProperties": False,
                   "properties": {
                       "kind": {"type": "string", "enum": [label.lower() for label in
                                                            NUMBERING_KINDS.values()]},
                       "company": {"type": "integer"},
                       "pattern": {"type": "string", "example": "FA-{YYYY}-{SEQ:5}"},
                       "reset": {"type": "string", "enum": ["never", "yearly", "monthly"]},
                       "nextvalue": {"type": "integer", "minimum": 1}}}
_OBJECT: Schema = {"type": "object"}
_DUNNING: Schema = {"type": "object", "additionalProperties": False, "properties": {
    "date": _DATE, "account": {"type": "integer", "minimum": 0},
    "company": {"type": "integer", "minimum": 0},
    "transactions": {"type": "array", "minItems": 1, "description": "The invoices to dun "
                     "(default: every overdue one)", "items": {"type": "integer"}}}}


def _action(operation: str, summary: str, answer: Schema, status: int = 200, *,
            body: Schema | None = None, method: str = "post",
            parameters: tuple[Schema, ...] = ()) -> Schema:
    described: Schema = {"tags": ["sales"], "operationId": operation, "summary": summary,
                         "responses": {str(status): answer, **_errors(400, 401, 403, 409)}}
    if body is not None:
        described["requestBody"] = _body(body, required=False)
        described["responses"].update(_errors(400, 401, 403, 409, 413))
    if parameters:
        described["parameters"] = list(parameters)
    return {method: described}


def _id(name: str = "ID") -> Schema:
    return {"name": name, "in": "path", "required": True, "example": 1,
            "schema": {"type": "integer", "minimum": 0}}


def action_paths() -> dict[str, Schema]:
    """The paths of the business actions, each under the entity it acts on."""
    document = _json(_ref("transactions"), "The document", etag=True)
    one = {"parameters": [_id()]}
    return {
        f"{API}/transactions/{{ID}}/issue": {**one, **_action(
            "transactions.issue", "Issue a draft: checked, totalled, numbered", document,
            body=_DATED)},
        f"{API}/transactions/{{ID}}/convert": {**one, **_action(
            "transactions.convert", "Make a draft document from an issued one",
            _json(_ref("transactions"), "The new draft", etag=True), 201, body=_CONVERT)},
        f"{API}/transactions/{{ID}}/cancel": {**one, **_action(
            "transactions.cancel", "Cancel a document (an issued invoice by a credit note)",
            document, body=_DATED)},
        f"{API}/transactions/{{ID}}/advance": {**one, **_action(
            "transactions.advance", "Make a draft advance (deposit) invoice of an order",
            _json(_ref("transactions"), "The new draft", etag=True), 201, body=_ADVANCE)},
        f"{API}/transactions/{{ID}}/progress": {**one, **_action(
            "transactions.progress", "Make a draft progress invoice of an order",
            _json(_ref("transactions"), "The new draft", etag=True), 201, body=_PROGRESS)},
        f"{API}/accounts/{{ID}}/consumption": {**one, **_action(
            "accounts.consumption", "Make a draft invoice of the work logged for an account",
            _json(_ref("transactions"), "The new draft", etag=True), 201,
            body=_CONSUMPTION)},
        f"{API}/transactions/{{ID}}/balance": {**one, **_action(
            "transactions.balance", "What an invoice totals, was paid and has left",
            _json(_OBJECT, "The balance"), method="get")},
        f"{API}/transactions/{{ID}}/allocations": {**one, **_action(
            "transactions.allocate", "Allocate a credit note over invoices",
            _json(_OBJECT, "The credit note and the allocations made"), 201,
            body=_ALLOCATE)},
        f"{API}/transactions/{{ID}}/payments": {**one, **_action(
            "transactions.pay", "Record a payment of an issued invoice, allocated to it",
            _json(_OBJECT, "The payment and its allocation"), 201, body=_PAYMENT)},
        f"{API}/payments/{{ID}}/allocations": {**one, **_action(
            "payments.allocate", "Allocate a payment over invoices",
            _json(_OBJECT, "The payment and the allocations made"), 201, body=_ALLOCATE)},
        f"{API}/payments/{{ID}}/allocations/{{allocation}}": {
            "parameters": [_id(), _id("allocation")], **_action(
                "payments.deallocate", "Undo an allocation of the payment",
                {"description": "Undone"}, 204, method="delete")},
        f"{API}/accounts/{{ID}}/balance": {**one, **_action(
            "accounts.balance", "What an account was invoiced, paid and owes",
            _json(_OBJECT, "The account's position"), method="get")},
        f"{API}/items/{{ID}}/price": {**one, **_action(
            "items.price", "The price a line of the item takes (the price lists)",
            _json(_OBJECT, "The price and the price list giving it"), method="get",
            parameters=tuple({"name": name, "in": "query", "schema": {"type": "string"}}
                             for name in ("account", "quantity", "date", "currency",
                                          "type")))},
        f"{API}/numberings/formats": {
            **_action("numberings.formats", "A company's numbering formats",
                      _json({"type": "array", "items": _OBJECT}, "The formats"), method="get",
                      parameters=({"name": "company", "in": "query",
                                   "schema": {"type": "integer", "minimum": 0}},)),
            **_action("numberings.set", "Change a numbering format",
                      _json(_OBJECT, "The format"), body=_FORMAT)},
        f"{API}/transactions/overdue": _action(
            "transactions.overdue", "The overdue invoices per account, by age",
            _json(_OBJECT, "The overdue invoices"), method="get", parameters=(
                {"name": "date", "in": "query", "schema": {"type": "string", "format": "date"}},
                *({"name": name, "in": "query", "schema": {"type": "integer", "minimum": 0}}
                  for name in ("account", "company")))),
        f"{API}/dunning/run": _action(
            "dunning.run", "Send the dunning letters due (docs/dunning.md)",
            _json(_OBJECT, "The letters sent"), body=_DUNNING),
    }


_RECEIVED: Schema = {"type": "object", "additionalProperties": False,
                     "required": ["content"], "properties": {
    "filename": {"type": "string", "maxLength": 200},
    "content": {"type": "string", "contentEncoding": "base64",
                "description": "The Factur-X / ZUGFeRD PDF or the CII XML, base64-encoded"},
    "company": {"type": "integer", "minimum": 0}}}


def einvoice_paths() -> dict[str, Schema]:
    """The e-invoice doors (docs/einvoicing.md): an invoice's XML, a received e-invoice."""
    xml = {"description": "The Factur-X CII (or UBL 2.1) XML, as an attachment",
           "content": {"application/xml": {"schema": {"type": "string"}}}}
    raw = {"schema": {"type": "string", "format": "binary"}}
    return {
        f"{API}/transactions/{{ID}}/facturx": {"parameters": [_id()], "get": {
            "tags": ["sales"], "operationId": "transactions.facturx",
            "summary": "The e-invoice XML of an issued invoice or credit note",
            "parameters": [{"name": "syntax", "in": "query", "schema": {
                "type": "string", "enum": ["cii", "ubl"], "default": "cii"}}],
            "responses": {"200": xml, **_errors(400, 401, 403, 409)}}},
        f"{API}/transactions/receive": {"post": {
            "tags": ["sales"], "operationId": "transactions.receive",
            "summary": "A supplier's Factur-X (or CII XML) made a draft supplier invoice",
            "parameters": [{"name": "filename", "in": "query", "schema": {"type": "string"}},
                           {"name": "company", "in": "query",
                            "schema": {"type": "integer", "minimum": 0}}],
            "requestBody": {"required": True, "content": {
                "application/pdf": raw, "application/xml": raw,
                "application/json": {"schema": _RECEIVED}}},
            "responses": {"201": _json(_OBJECT, "The draft, its supplier and the file"),
                          **_errors(400, 401, 403, 409, 413)}}},
    }


_ADDRESSES: Schema = {"description": "An address (`Name <a@b.fr>`, or several separated by "
                                     "commas) or a list of them",
                      "oneOf": [{"type": "string", "example": "Jean Dupont <jean@client.fr>"},
                                {"type": "array", "items": {"type": "string"}}]}
_SEND: Schema = {"type": "object", "additionalProperties": False, "properties": {
    "to": {**_ADDRESSES, "description": "Recipients (default: the customer's e-mail)"},
    "cc": _ADDRESSES, "bcc": _ADDRESSES,
    "subject": {"type": "string", "description": "Default: the e-mail template's"},
    "text": {"type": "string", "description": "Default: the e-mail template's"},
    "language": {"type": "string", "enum": ["fr", "en"]},
    "template": {"type": "integer", "minimum": 1, "description": "An EMAIL template"}}}


def mail_paths() -> dict[str, Schema]:
    """Sending documents by e-mail and the SMTP password of a mail server (docs/email.md)."""
    queued = _json(_ref("messages"), "The message, queued (mailbox DRAFTS until sent)")
    paths: dict[str, Schema] = {
        f"{API}/{entity}/{{ID}}/send": {"parameters": [_id()], "post": {
            "tags": ["sales"], "operationId": f"{entity}.send",
            "summary": f"Send {what} by e-mail, its PDF attached (queued; 409: no mail server)",
            "requestBody": _body(_SEND, required=False),
            "responses": {"202": queued, **_errors(400, 401, 403, 409, 413)}}}
        for entity, what in (("transactions", "a document"), ("dunning", "a dunning letter"))}
    paths[f"{API}/mailservers/{{ID}}/password"] = {"parameters": [_id()], "put": {
        "tags": ["mailservers"], "operationId": "mailservers.password",
        "summary": "Set the SMTP password (sealed, never shown; empty clears it)",
        "requestBody": _body({"type": "object", "additionalProperties": False,
                              "required": ["password"], "properties": {
                                  "password": {"type": "string", "maxLength": 1000}}},
                             required=True),
        "responses": {"204": {"description": "Set"}, **_errors(400, 401, 403, 413)}}}
    return paths


_PREVIEW: Schema = {"type": "object", "additionalProperties": False, "required": ["record"],
                    "properties": {
    "entity": {"type": "string", "enum": ["transactions", "dunning"],
               "default": "transactions"},
    "record": {"type": "integer", "minimum": 1, "description": "The record rendered"}}}


def document_paths() -> dict[str, Schema]:
    """The PDF of a document or a dunning letter, a template's preview (docs/documents.md)."""
    pdf = {"description": "The PDF (the legal copy once issued), as an attachment",
           "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
    paths: dict[str, Schema] = {
        f"{API}/{entity}/{{ID}}/pdf": {"parameters": [_id()], "get": {
            "tags": ["sales"], "operationId": f"{entity}.pdf", "summary": summary,
            "responses": {"200": pdf, **_errors(400, 401, 403, 409)}}}
        for entity, summary in (
            ("transactions", "The PDF of a document (a draft's is marked as one)"),
            ("dunning", "The PDF of a dunning letter"))}
    paths[f"{API}/templates/{{ID}}/preview"] = {"parameters": [_id()], "post": {
        "tags": ["templates"], "operationId": "templates.preview",
        "summary": "A template rendered against a record (nothing stored)",
        "parameters": [{"name": "format", "in": "query", "schema": {
            "type": "string", "enum": ["pdf", "html"], "default": "pdf"}}],
        "requestBody": _body(_PREVIEW, required=True),
        "responses": {"200": {"description": "The PDF, the HTML or the e-mail text", "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "text/html": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}}}}, **_errors(400, 401, 403, 413)}}}
    return paths


# --- the document --------------------------------------------------------------------------


def _error_responses() -> dict[str, Schema]:
    responses = {}
    for status in ERROR_STATUSES:
        reason = REASONS[status]
        answer: Schema = {"description": reason, "content": {"text/plain": {
            "schema": {"type": "string", "pattern": f"^{reason}: "},
            "example": f"{reason}: {_ERROR_EXAMPLES.get(status, '...')}"}}}
        if status == 401:
            answer["headers"] = {"WWW-Authenticate": {
                "required": True, "description": "`Bearer realm=\"<instance>\"`",
                "schema": {"type": "string"}}}
        responses[str(status)] = answer
    return responses


def _components() -> Schema:
    schemas: dict[str, Schema] = {
        "count": {"type": "object", "required": ["count"], "additionalProperties": False,
                  "properties": {"count": {"type": "integer", "minimum": 0}}},
        "binfile-content": {"type": "object", "required": ["content"],
                            "properties": {"content": {"type": "string",
                                                       "contentEncoding": "base64"}}},
        "binfile-upload": {"oneOf": [
            {"type": "object", "required": ["content"], "additionalProperties": False,
             "properties": {"content": {
                 "type": "string", "contentEncoding": "base64", "minLength": 4,
                 "pattern": "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"}}},
            {"type": "object", "required": ["uri"], "additionalProperties": False,
             "properties": {"uri": {"type": "string", "pattern": "^data:[^,]*,",
                                    "description": "A data URI (RFC 2397)"}}}]},
        **filter_components(),
    }
    for name, entity in sorted(ENTITIES.items()):
        schemas[name] = record_schema(entity)
        if Op.LIST in entity.ops:
            schemas[f"{name}-query"] = query_schema(entity)
            schemas[f"{name}-filter"] = filter_schema(entity)
        if entity.ops & {Op.CREATE, Op.UPDATE}:
            schemas[f"{name}-write"] = write_schema(entity)
    etag = {"description": "Entity tag of the record (RFC 9110)", "required": True,
            "schema": {"type": "string", "pattern": '^(W/)?"[^"]*"$'}}
    return {
        "schemas": schemas,
        "responses": _error_responses(),
        "headers": {"ETag": etag},
        "parameters": {
            "If-Match": {"name": "If-Match", "in": "header", "schema": {"type": "string"},
                         "description": "412 unless an ETag (or `*`) matches"},
            "If-None-Match": {"name": "If-None-Match", "in": "header",
                              "schema": {"type": "string"},
                              "description": "304 if an ETag (or `*`) matches"},
        },
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "A token from `POST /auth/v1/login`"},
            "session": {"type": "apiKey", "in": "cookie", "name": "ZEYOSID",
                        "description": "A token in the `ZEYOSID` cookie"},
        },
    }


@functools.cache
def build_document(instance: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of instance `instance` (cached: do not modify it)."""
    paths: dict[str, Schema] = {}
    for _, entity in sorted(ENTITIES.items()):
        paths.update(entity_operations(entity))
    paths.update(instance_paths())
    paths.update(action_paths())
    paths.update(einvoice_paths())
    paths.update(mail_paths())
    paths.update(document_paths())
    tags = [{"name": name, "description": entity.doc} for name, entity in sorted(ENTITIES.items())]
    tags += [{"name": "instance", "description": "Configuration and this document"},
             {"name": "auth", "description": "Tokens: log in, log out, who am I"},
             {"name": "sales", "description": "The sales cycle: issue, convert, cancel, "
                                              "allocate (docs/sales.md)"}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Comptoir: ZeyOS Standard REST API", "version": __version__,
                 "description": "The ZeyOS Standard REST API as Comptoir serves it "
                                "(docs/rest.md); generated from the entity registry.",
                 "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"}},
        "servers": [{"url": f"/{instance}"}],
        "security": [{"bearer": []}, {"session": []}],
        "tags": tags,
        "paths": paths,
        "components": _components(),
    }


@functools.cache
def _document_json(instance: str) -> bytes:
    return orjson.dumps(build_document(instance))


async def openapi_json(request: Request) -> Response:
    """`GET /{instance}/api/v1/openapi.json`, without authentication."""
    check_instance(request)
    instance = request.path_params["instance"]
    return Response(_document_json(instance), media_type="application/json")
