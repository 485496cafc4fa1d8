"""Request bodies as the ZeyOS clients send them: JSON, or form-encoded with PHP-style
arrays and objects (`fields[]=ID&fields[]=name`, `extdata[nick]=Max`), repeated keys as
arrays (`fields=ID&fields=name`) and JSON-encoded object values (`filter={"a":1}`)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request

from comptoir.errors import BadRequestError, InvalidFieldError, NotFoundError, TooLargeError


def parse_id(raw: str, digits: int = 18) -> int | None:
    """An ID as a request spells it: decimal digits, at most `digits` (18: always a 64-bit
    integer, so no driver ever sees an out-of-range value); None otherwise."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= digits else None


def path_id(request: Request, digits: int = 18) -> int:
    """The `{id}` of the request's path (`parse_id`); an ID that cannot be is a 404."""
    raw = request.path_params["id"]
    found = parse_id(raw, digits)
    if found is None:
        raise NotFoundError(f"Invalid ID: {raw}")
    return found


def body_id(value: Any, name: str, problem: str) -> int:
    """A record ID given in a body or query (an integer, or its digits as text); else
    InvalidFieldError(name, problem)."""
    found = value if isinstance(value, int) and not isinstance(value, bool) else (
        parse_id(value) if isinstance(value, str) else None)
    if found is None:
        raise InvalidFieldError(name, problem)
    return found


_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def _form_value(value: str) -> Any:
    stripped = value.strip()
    if stripped[:1] in ("{", "["):
        try:
            return orjson.loads(stripped)
        except orjson.JSONDecodeError:
            return value
    return value


def parse_form(raw: bytes) -> dict[str, Any]:
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise BadRequestError("body: malformed form data") from None
    result: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.match(key)
        if match is None:
            raise BadRequestError(f"body: malformed form key {key!r}")
        name, path = match.group(1), re.findall(r"\[([^\[\]]*)\]", match.group(2))
        item = _form_value(value)
        if not path:
            if name in result:  # a repeated key is an array
                current = result[name]
                result[name] = [*current, item] if isinstance(current, list) else [current, item]
            else:
                result[name] = item
            continue
        target: Any = result
        keys = [name, *path]
        for i, k in enumerate(keys[:-1]):
            nxt = keys[i + 1]
            default: Any = [] if nxt == "" else {}
            if not isinstance(target, dict):  # a list, or a plain value given before
                raise BadRequestError(f"body: malformed form key {key!r}")
            target = target.setdefault(k, default)
        last = keys[-1]
        if last == "":
            if not isinstance(target, list):
                raise BadRequestError(f"body: malformed form key {key!r}")
            target.append(item)
        elif isinstance(target, dict):
            target[last] = item
        else:
            raise BadRequestError(f"body: malformed form key {key!r}")
    return result


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """The body as a dict; an empty body is an empty dict."""
    if not raw.strip():
        return {}
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        return parse_form(raw)
    if media in ("", "application/json", "text/json") or media.endswith("+json"):
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise BadRequestError(f"body: malformed JSON ({exc.msg} at {exc.pos})") from None
        if not isinstance(body, dict):
            raise BadRequestError("body: must be a JSON object")
        return body
    raise BadRequestError(f"body: unsupported content type {media}")


async def read_bytes(request: Request, limit: int) -> bytes:
    """The raw body, refused (TooLargeError) as soon as it is known to pass `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise TooLargeError(f"body: larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLargeError(f"body: larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
