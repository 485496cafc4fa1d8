"""What a record page shows around the record's own fields: its notes (entries of the
record's stream, `records` with `entity` and `index`, as ZeyOS keeps them), its attached
files (`files` of those entries), its tags, and its history (`services.history`).

A note or file takes the owner of the record it is about, so it is seen by those who see
the record and no one else.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from comptoir.api.forms import path_id
from comptoir.errors import InvalidFieldError, NotFoundError, TooLargeError
from comptoir.schema.registry import ENTITIES
from comptoir.services import history, queries, records
from comptoir.services.access import Caller
from comptoir.web import i18n
from comptoir.web.context import base_of, posted, screen_page
from comptoir.web.render import Prefs, show_date
from comptoir.web.screens import SCREENS, Screen

STREAM = ENTITIES["records"]
#: the entities whose records have a stream (notes and files)
WITH_STREAM = frozenset(STREAM.by_name["entity"].choices)
NOTES_SHOWN = 20
MAX_NOTE = 10000


def _owner(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in ("ownergroup", "owneruser") if data.get(k) is not None}


async def panel(request: Request, caller: Caller, prefs: Prefs, screen: Screen,
                data: Mapping[str, Any]) -> dict[str, Any]:
    """Notes, files and history of a record, as the page shows them."""
    db = request.app.state.db
    entity, rid = screen.entity.name, int(data["ID"])
    notes: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    if entity in WITH_STREAM and caller.may(STREAM.read, False):
        found = await queries.list_records(db, caller, "records", {
            "fields": {n: n for n in ("ID", "text", "date", "creator", "creator.name")},
            "filter": {"entity": entity, "index": rid}, "sort": ["-ID"],
            "limit": NOTES_SHOWN})
        notes = [{"text": n["text"], "by": n.get("creator.name") or "",
                  "when": show_date(n["date"], prefs, with_time=True), "ID": n["ID"]}
                 for n in found]
        if found:
            files = list(await queries.list_records(db, caller, "files", {
                "fields": {n: n for n in ("ID", "filename", "size", "mimetype", "record")},
                "filter": {"record": {"IN": [n["ID"] for n in found]}}, "sort": ["-ID"]}))
    changes = await history.record_history(db, caller, entity, rid, limit=20)
    return {"stream": entity in WITH_STREAM, "notes": notes, "files": files,
            "history": [{"when": show_date(c.occurred, prefs, with_time=True),
                         "action": c.action, "actor": c.actor,
                         "fields": [(screen.labels.get(name, name), before, after)
                                    for name, (before, after) in c.fields.items()
                                    if name in screen.by_name][:12]} for c in changes],
            "base": f"{base_of(request)}/ui/{screen.slug}/{rid}"}


def _record(request: Request, caller: Caller) -> tuple[Screen, int]:
    screen = SCREENS.get(request.path_params["screen"])
    if screen is None or not screen.visible_to(caller):
        raise NotFoundError("No such record")
    return screen, path_id(request)


def _back(request: Request, screen: Screen, rid: int, notice: str, anchor: str) -> Response:
    return RedirectResponse(f"{base_of(request)}/ui/{screen.slug}/{rid}?notice="
                            + quote(notice) + anchor, 303)


@screen_page
async def add_note(request: Request, caller: Caller, prefs: Prefs) -> Response:
    screen, rid = _record(request, caller)
    form = await posted(request)
    text = str(form.get("text", "")).strip()
    if not text:
        raise InvalidFieldError("text", "write the note first")
    if len(text) > MAX_NOTE:
        raise InvalidFieldError("text", f"at most {MAX_NOTE} characters")
    db = request.app.state.db
    parent = await records.get_record(db, caller, screen.entity.name, rid)
    await records.create_record(db, caller, "records", {
        "entity": screen.entity.name, "index": rid, "text": text, **_owner(parent.data)})
    return _back(request, screen, rid, i18n.gettext_("Note added."), "#notes")


@screen_page
async def add_file(request: Request, caller: Caller, prefs: Prefs) -> Response:
    screen, rid = _record(request, caller)
    form = await posted(request)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        await form.close()
        raise InvalidFieldError("file", "choose a file to attach")
    limit = request.app.state.settings.max_file_bytes
    try:
        content = await upload.read(limit + 1)
    finally:
        await form.close()
    if len(content) > limit:
        raise TooLargeError(f"file: larger than {limit} bytes (setting max_file_bytes)")
    name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:200]
    db = request.app.state.db
    async with db.write():
        parent = await records.get_record(db, caller, screen.entity.name, rid)
        entry = await records.create_record(db, caller, "records", {
            "entity": screen.entity.name, "index": rid, "text": name, **_owner(parent.data)})
        await records.create_record(db, caller, "files", {
            "record": entry.data["ID"], "filename": name,
            "mimetype": upload.content_type or mimetypes.guess_type(name)[0] or
            "application/octet-stream",
            "binfile": {"content": base64.b64encode(content).decode()}})
    return _back(request, screen, rid, i18n.gettext_("File attached."), "#notes")


@screen_page
async def download(request: Request, caller: Caller, prefs: Prefs) -> Response:
    found = await records.get_record(request.app.state.db, caller, "files", path_id(request),
                                     expand=("binfile",))
    content = base64.b64decode((found.data.get("binfile") or {}).get("content", ""))
    name = str(found.data.get("filename") or "file").replace('"', "")
    return Response(content, media_type="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff"})


@screen_page
async def change_tags(request: Request, caller: Caller, prefs: Prefs) -> Response:
    screen, rid = _record(request, caller)
    form = await posted(request)
    if not screen.entity.tags:
        raise InvalidFieldError("tag", "these records have no tags")
    tag = str(form.get("tag", "")).strip()
    if not tag:
        raise InvalidFieldError("tag", "give a tag")
    key = "-tags" if form.get("remove") else "+tags"
    await records.update_record(request.app.state.db, caller, screen.entity.name, rid,
                                {key: [tag]})
    return _back(request, screen, rid, i18n.gettext_("Tags saved."), "")
