"""Files of webservice records: `FileUpload` and `files_retrieve` (Kafinea's document flow).

A module declares which canonical binfile field holds its records' file, by FileUpload
`attachmentType` (`Module.files`: Documents `Attachment` -> `binfile`, Products `Image` ->
`picbinfile`).  An upload is an update of that record through the record services (same
permissions, one transaction: the bytes are stored with the record or not at all); a file's
webservice id is the parent module's prefix and the binfile ID (`15x45`), as vtiger's
attachment ids are.

    await upload_file(db, caller, "15x3", "Attachment", "a.pdf", base64_text, max_bytes)
        -> {"id": "15x45", "fileid": "45", "filename": "a.pdf", ...}
    await retrieve_file(db, caller, "15x45") -> [{"fileid": "45", ..., "filecontents": ...}]
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from typing import Any

from comptoir.errors import (
    BadRequestError,
    InvalidIdError,
    NotFoundError,
    PermissionDeniedError,
    TooLargeError,
)
from comptoir.query import from_vtql
from comptoir.query.ast import Compare, FieldRef, Filter, Group, Query, Selected
from comptoir.query.operators import BY_SYMBOL
from comptoir.schema.module import Module
from comptoir.schema.registry import ENTITIES
from comptoir.services import modules, queries, records
from comptoir.services.access import Caller
from comptoir.storage.database import Database
from comptoir.wire import module_values as mv
from comptoir.wire.values import in_range

ATTACHMENT_TYPES = ("Attachment", "Image")
#: the type of a file whose record keeps none (a product image): by its first bytes
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
          (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"), (b"%PDF-", "application/pdf"))
OCTET_STREAM = "application/octet-stream"


def decode_contents(text: str, max_bytes: int, field: str = "fileContents") -> bytes:
    """The bytes of a file sent in `field` (base64; line breaks are ignored and spaces read as the
    `+` a form encoding lost); at most `max_bytes` of them."""
    cleaned = text.replace("\r", "").replace("\n", "").replace(" ", "+")
    if (len(cleaned) // 4) * 3 > max_bytes + 2:  # refused before decoding anything big
        raise TooLargeError(f"{field}: the file is larger than the limit of {max_bytes} "
                            "bytes (setting max_file_bytes)")
    try:
        content = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequestError(f"{field}: is not valid base64") from None
    if not content:
        raise BadRequestError(f"{field}: is required (the base64 content of the file)")
    if len(content) > max_bytes:
        raise TooLargeError(f"{field}: the file is larger than the limit of {max_bytes} "
                            "bytes (setting max_file_bytes)")
    return content


def _file_field(module: Module, attachment_type: str) -> str:
    if attachment_type not in ATTACHMENT_TYPES:
        raise BadRequestError(f"attachmentType: must be one of {', '.join(ATTACHMENT_TYPES)}, "
                              f"not {attachment_type[:40]!r}")
    field = module.files.get(attachment_type)
    if field is None:
        takes = " or ".join(module.files) or "no files"
        raise InvalidIdError(f"Id specified is incorrect: {module.name} records take {takes}, "
                             f"not {attachment_type}")
    return field


def _guess_type(filename: str, content: bytes) -> str:
    guessed = mimetypes.guess_type(filename, strict=False)[0] if filename else None
    if guessed:
        return guessed
    return next((kind for magic, kind in _MAGIC if content.startswith(magic)), OCTET_STREAM)


async def upload_file(db: Database, caller: Caller, parent_id: str, attachment_type: str,
                      filename: str, contents: str, max_bytes: int) -> dict[str, Any]:
    """Store a file (base64 `contents`) as the file of record `parent_id`, replacing the
    one it had; the record's filename, MIME type and size follow where it keeps them."""
    module, record_id = mv.module_of(parent_id)
    field = _file_field(module, attachment_type)
    content = decode_contents(contents, max_bytes)
    filename = filename.strip()
    if not filename or "/" in filename or "\\" in filename or "\x00" in filename:
        raise BadRequestError("fileName: must be a file name, without a path")
    await modules.load_record(db, caller, parent_id)  # visible and in the module's view
    entity = ENTITIES[module.entity]
    filetype = _guess_type(filename, content)
    body: dict[str, Any] = {field: {"content": base64.b64encode(content).decode()}}
    # where the record keeps them: the file's name and type, and that it is stored here
    for name, value in (("filename", filename), ("mimetype", filetype), ("locationtype", 0)):
        if entity.field(name) is not None:
            body[name] = value
    record = await records.update_record(db, caller, module.entity, record_id, body)
    binfile = record.data[field]
    return {"id": mv.ws_id(module.prefix, binfile), "fileid": str(binfile),
            "filename": filename, "filetype": filetype,
            "filesize": len(content)}


async def retrieve_file(db: Database, caller: Caller, file_id: str) -> list[dict[str, Any]]:
    """The file `<parent prefix>x<binfile ID>` of a live record the caller may read."""
    module, binfile = mv.module_of(file_id)
    if not module.files:
        raise InvalidIdError(f"Id specified is incorrect: {module.name} records have no files")
    if not modules.may(caller, module, write=False):
        raise PermissionDeniedError("Permission to perform the operation is denied")
    entity = ENTITIES[module.entity]
    if in_range(ENTITIES["binfiles"].id_field, binfile):
        for field in dict.fromkeys(module.files.values()):
            names = ("ID", field, *(n for n in ("filename", "mimetype") if entity.field(n)))
            filters: list[Filter] = [Compare(FieldRef(field), BY_SYMBOL["="], binfile)]
            view = from_vtql.module_filter(module)
            if view is not None:
                filters.append(view)
            found = await queries.run_query(db, caller, Query(
                module.entity, fields=tuple(Selected(n, FieldRef(n)) for n in names),
                where=Group("AND", tuple(filters)), limit=1, expand=(field,)))
            assert isinstance(found, list)
            if found:
                return [_file_details(binfile, found[0], field)]
    raise NotFoundError(f"Record you are trying to access is not found: no {module.name} "
                        f"record you may read has the file {file_id}")


def _file_details(binfile: int, row: dict[str, Any], field: str) -> dict[str, Any]:
    encoded: str = row[field]["content"]
    size = len(encoded) // 4 * 3 - encoded[-2:].count("=")
    filetype = row.get("mimetype") or _guess_type("", base64.b64decode(encoded[:16]))
    filename = row.get("filename") or f"file{binfile}{mimetypes.guess_extension(filetype) or ''}"
    return {"fileid": str(binfile), "filename": filename, "filetype": filetype,
            "filesize": size, "filecontents": encoded}

