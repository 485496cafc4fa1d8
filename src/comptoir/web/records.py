"""The screens of records, for every entity and module alike: the list (columns, sort,
filters, pages, bulk actions, CSV), the record (sections, related lists) and its form.

Everything goes through the services the APIs use: lists are ZeyOS JSON queries
(`services.queries`), records are read and written by `services.records`; so access,
validation and errors are the same as on every door.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from comptoir.api.forms import parse_id, path_id
from comptoir.errors import InvalidFieldError, NotFoundError, PermissionDeniedError
from comptoir.schema.entity import Ownership
from comptoir.schema.fields import Field, Kind
from comptoir.schema.registry import ENTITIES
from comptoir.services import modules, queries, records, ui_settings
from comptoir.services.access import Caller
from comptoir.web import actions, activity, i18n, lines
from comptoir.web.context import base_of, context, page_settings, posted, screen_page
from comptoir.web.fields import parse_value, shown_in_form, widget
from comptoir.web.render import Prefs, page, show_value
from comptoir.web.screens import SCREENS, Screen, Section, screen_for_record, title_of

#: the document types edited with lines (quotes to credit notes, purchase documents)
INVENTORY_TYPES = frozenset({0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
PAGE_SIZE = 50
RELATED_ROWS = 10
RELATED_INLINE = 4


def screen_of(request: Request, caller: Caller) -> Screen:
    screen = SCREENS.get(request.path_params["screen"])
    if screen is None or not screen.visible_to(caller):
        raise NotFoundError(f"No screen {str(request.path_params['screen'])[:60]}")
    return screen


def record_id(request: Request) -> int:
    """The `{id}` of the path: an ID that cannot be one answers as a missing record."""
    return path_id(request)


# --- layout: the administrator's on top of the registry's -----------------------------------


async def layout_of(request: Request, caller: Caller, screen: Screen) -> dict[str, Any]:
    return (await page_settings(request, caller, screen.slug)).layout


def sections_of(screen: Screen, layout: Mapping[str, Any]) -> list[Section]:
    hidden = set(layout.get("hidden", ()))
    if layout.get("sections"):
        placed = [Section(str(s.get("name", "")), tuple(
            n for n in s.get("fields", ()) if n in screen.by_name and n not in hidden))
            for s in layout["sections"]]
        rest = [f.name for f in screen.fields if f.name not in hidden
                and not any(f.name in s.fields for s in placed)]
        if rest:
            placed.append(Section("Other", tuple(rest)))
        return [s for s in placed if s.fields]
    return [Section(s.name, tuple(n for n in s.fields if n not in hidden))
            for s in screen.sections]


def _columns(screen: Screen, wanted: Any) -> list[str]:
    names = [n for n in (wanted or ()) if n in screen.by_name]
    return names or list(screen.columns)


# --- the query of a list --------------------------------------------------------------------


def reference_paths(caller: Caller, f: Field) -> list[str]:
    """The joined fields that name the record a reference points to (when visible)."""
    target = ENTITIES.get(f.ref or "")
    if target is None or not caller.may(target.read, False) or not caller.in_scope(
            target.name, False):
        return []
    return [f"{f.name}.{name}" for name in title_of(target) if name != "ID"]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_filter(screen: Screen, params: QueryParams, prefs: Prefs) -> dict[str, Any]:
    """The ZeyOS filter of a list: the screen's fixed filter and the person's filters
    (`f.<field>` = text, choice or reference; `f.<field>.from` / `.to` = a range)."""
    where: dict[str, Any] = {name: {"IN": list(values)} for name, values in screen.fixed.items()}
    tag = params.get("tag", "").strip()
    if tag and screen.entity.tags:
        where["tags"] = tag[:200]
    for key, text in params.multi_items():
        if not key.startswith("f.") or not text.strip():
            continue
        name, _, bound = key[2:].partition(".")
        f = screen.by_name.get(name)
        if f is None:
            raise InvalidFieldError(key, "unknown field")
        kind = widget(screen, f)
        if bound in ("from", "to"):
            value = parse_value(screen, f, text, prefs)
            if kind == "date" and bound == "to":
                value += 86400 - 1
            where.setdefault(name, {})
            if not isinstance(where[name], dict):
                where[name] = {"=": where[name]}
            where[name][">=" if bound == "from" else "<="] = value
        elif kind in ("text", "email", "textarea"):
            where[name] = {"~~*": _like(text.strip())}
        else:
            where[name] = {"=": parse_value(screen, f, text, prefs)}
    return where


def list_body(caller: Caller, screen: Screen, columns: list[str], params: QueryParams,
              prefs: Prefs) -> dict[str, Any]:
    fields: dict[str, str] = {"ID": "ID"}
    for name in columns:
        fields[name] = name
        f = screen.by_name[name]
        if f.kind is Kind.REF:
            for path in reference_paths(caller, f):
                fields[path] = path
    for name in screen.fixed:
        fields[name] = name
    sort = params.get("sort", "-ID")
    if sort.lstrip("-") not in screen.by_name:
        raise InvalidFieldError("sort", f"unknown field {sort[:60]}")
    body: dict[str, Any] = {"fields": fields, "filter": list_filter(screen, params, prefs),
                            "sort": [sort]}
    if params.get("q", "").strip():
        body["query"] = params["q"].strip()[:200]
    return body


def cells(caller: Caller, screen: Screen, columns: list[str], row: Mapping[str, Any],
          prefs: Prefs) -> list[Any]:
    shown = []
    for name in columns:
        f = screen.by_name[name]
        label = None
        if f.kind is Kind.REF and row.get(name) is not None:
            label = " ".join(str(row.get(p) or "") for p in reference_paths(caller, f)).strip()
        shown.append(show_value(screen, f, row.get(name), prefs, label or None))
    return shown


def title_text(screen: Screen, row: Mapping[str, Any]) -> str:
    text = " ".join(str(row.get(n) or "") for n in screen.title if n != "ID").strip()
    return text or f"#{row.get('ID')}"


async def _rows(request: Request, caller: Caller, screen: Screen,
                body: dict[str, Any], limit: int, offset: int = 0) -> list[dict[str, Any]]:
    result = await queries.list_records(request.app.state.db, caller, screen.entity.name,
                                        {**body, "limit": limit, "offset": offset})
    return list(result)


@screen_page
async def list_page(request: Request, caller: Caller, prefs: Prefs) -> Response:
    screen = screen_of(request, caller)
    params = request.query_params
    settings = await page_settings(request, caller, screen.slug)
    views, layout = settings.views, settings.layout
    chosen = next((v for v in views if str(v["ID"]) == params.get("view")), None)
    if chosen is not None and len(params) == 1:  # a saved view: its own parameters
        return RedirectResponse(f"{base_of(request)}/ui/{screen.slug}?" + urlencode(
            [*(tuple(pair) for pair in chosen["data"].get("params", [])),
             ("view", str(chosen["ID"]))]), 303)
    wanted = params.getlist("col") or layout.get("columns")
    columns = _columns(screen, wanted)
    body = list_body(caller, screen, columns, params, prefs)
    try:
        number = max(1, min(int(params.get("page", "1")), 100000))
    except ValueError:
        raise InvalidFieldError("page", "must be a whole number") from None
    found = await _rows(request, caller, screen, body, PAGE_SIZE + 1, (number - 1) * PAGE_SIZE)
    rows = [{"ID": r["ID"], "title": title_text(screen, r),
             "cells": cells(caller, screen, columns, r, prefs)} for r in found[:PAGE_SIZE]]
    kept = [(k, v) for k, v in params.multi_items() if k not in ("page", "view")]
    filters = [(f, widget(screen, f)) for f in screen.fields if f.name in columns
               or f.name in screen.title]
    return page("list.html", context(
        request, caller, prefs, title=i18n.gettext_(screen.label), screen=screen,
        columns=columns, rows=rows, page=number, more=len(found) > PAGE_SIZE,
        query=urlencode(kept), unsorted=urlencode([(k, v) for k, v in kept if k != "sort"]),
        sort=params.get("sort", "-ID"), params=params,
        filters=filters, views=views, chosen=params.get("view", ""),
        writable=screen.writable_by(caller), tags=screen.entity.tags,
        all_fields=[f for f in screen.fields if f.kind not in (Kind.JSON, Kind.BINFILE)]))


@screen_page
async def export_csv(request: Request, caller: Caller, prefs: Prefs) -> Response:
    screen = screen_of(request, caller)
    columns = _columns(screen, request.query_params.getlist("col"))
    body = list_body(caller, screen, columns, request.query_params, prefs)
    body["fields"] = {n: n for n in ["ID", *columns]}
    export = await queries.export_records(request.app.state.db, caller, screen.entity.name,
                                          body)
    return StreamingResponse(aiter(export), media_type=export.media_type, headers={
        "Content-Disposition": f'attachment; filename="{screen.slug}.csv"'})


@screen_page
async def save_view(request: Request, caller: Caller, prefs: Prefs) -> Response:
    screen = screen_of(request, caller)
    form = await posted(request)
    name = str(form.get("name", "")).strip()
    kept = [(k, v) for k, v in QueryParams(str(form.get("query", ""))).multi_items()
            if k not in ("page", "view")]
    list_body(caller, screen, _columns(screen, [v for k, v in kept if k == "col"]),
              QueryParams(kept), prefs)  # the view must be a valid list
    view = await ui_settings.save(request.app.state.db, caller, "view", screen.slug, name,
                                  {"params": kept})
    return RedirectResponse(f"{base_of(request)}/ui/{screen.slug}?view={view}", 303)


@screen_page
async def bulk(request: Request, caller: Caller, prefs: Prefs) -> Response:
    """Bulk actions on the ticked records: delete, tag, assign (each record through the
    service, all-or-nothing per record; the first refusal stops and is shown)."""
    screen = screen_of(request, caller)
    form = await posted(request)
    ids = [i for v in form.getlist("id") if (i := parse_id(str(v))) is not None][:PAGE_SIZE * 4]
    action = str(form.get("action", ""))
    db = request.app.state.db
    if action == "delete":
        for rid in ids:
            await records.delete_record(db, caller, screen.entity.name, rid)
        notice = i18n.gettext_("Records deleted: %(n)d") % {"n": len(ids)}
    elif action == "tag" and screen.entity.tags:
        tag = str(form.get("tag", "")).strip()
        if not tag:
            raise InvalidFieldError("tag", "give the tag to add")
        for rid in ids:
            await records.update_record(db, caller, screen.entity.name, rid, {"+tags": [tag]})
        notice = i18n.gettext_("Tagged.")
    elif action == "assign" and "assigneduser" in screen.by_name:
        user = parse_value(screen, screen.by_name["assigneduser"],
                           str(form.get("assigneduser", "")), prefs)
        for rid in ids:
            await records.update_record(db, caller, screen.entity.name, rid,
                                        {"assigneduser": user})
        notice = i18n.gettext_("Assigned.")
    else:
        raise InvalidFieldError("action", "must be delete, tag or assign")
    back = str(form.get("query", ""))
    return RedirectResponse(f"{base_of(request)}/ui/{screen.slug}?{back}&notice="
                            + quote(notice), 303)


# --- one record -----------------------------------------------------------------------------


async def _reference_labels(request: Request, caller: Caller, screen: Screen,
                            data: Mapping[str, Any]) -> dict[str, str]:
    """The titles of the records a record points to, in one query."""
    fields = {p: p for f in screen.fields if f.kind is Kind.REF and data.get(f.name) is not None
              for p in reference_paths(caller, f)}
    if not fields:
        return {}
    found = await queries.list_records(request.app.state.db, caller, screen.entity.name, {
        "fields": fields, "filter": {"ID": data["ID"]}, "limit": 1})
    row = found[0] if found else {}
    labels: dict[str, str] = {}
    for f in screen.fields:
        if f.kind is Kind.REF:
            text = " ".join(str(row.get(p) or "") for p in reference_paths(caller, f)).strip()
            if text:
                labels[f.name] = text
    return labels


async def _related(request: Request, caller: Caller, screen: Screen,
                   rid: int, prefs: Prefs) -> list[dict[str, Any]]:
    lists = []
    for n, relation in enumerate(screen.related):
        target = SCREENS[relation.screen]
        if not target.visible_to(caller):
            continue
        link = f"{base_of(request)}/ui/{target.slug}?f.{relation.field}={rid}"
        entry: dict[str, Any] = {"label": relation.label, "screen": target, "link": link,
                                 "rows": None}
        if n < RELATED_INLINE:
            columns = [c for c in target.columns if c != relation.field][:4]
            body = list_body(caller, target, columns, QueryParams({
                f"f.{relation.field}": str(rid)}), prefs)
            found = await _rows(request, caller, target, body, RELATED_ROWS + 1)
            entry.update(columns=columns, more=len(found) > RELATED_ROWS, rows=[
                {"ID": r["ID"], "title": title_text(target, r),
                 "cells": cells(caller, target, columns, r, prefs)}
                for r in found[:RELATED_ROWS]])
        lists.append(entry)
    return lists


@screen_page
async def record_page(request: Request, caller: Caller, prefs: Prefs) -> Response:
    screen = screen_of(request, caller)
    rid = record_id(request)
    record = await records.get_record(request.app.state.db, caller, screen.entity.name, rid,
                                      tags=screen.entity.tags)
    data = record.data
    if not screen.shows(data) or screen.module is None and screen.where is None and \
            screen_for_record(screen.entity, data) is not screen:
        return RedirectResponse(f"{base_of(request)}/ui/"
                                f"{screen_for_record(screen.entity, data).slug}/{rid}", 303)
    labels = await _reference_labels(request, caller, screen, data)
    layout = await layout_of(request, caller, screen)
    inventory = screen.entity.name == "transactions" and data.get("type") in INVENTORY_TYPES
    sections = [{"name": s.name, "fields": [
        {"name": n, "label": screen.labels[n], "value": show_value(
            screen, screen.by_name[n], data.get(n), prefs, labels.get(n)),
         "link": _link(request, screen.by_name[n], data.get(n))} for n in s.fields]}
        for s in sections_of(screen, layout)]
    return page("record.html", context(
        request, caller, prefs, title=title_text(screen, data), screen=screen, record=data,
        sections=sections, related=await _related(request, caller, screen, rid, prefs),
        writable=screen.writable_by(caller), tags=data.get("tags"),
        has_tags=screen.entity.tags,
        activity=await activity.panel(request, caller, prefs, screen, data),
        actions=[_offered(screen, a, data, prefs) for a in actions.offered(
            caller, screen.entity.name, data)],
        pdf=screen.entity.name in ("transactions", "dunning"),
        lines=await lines.editor(request, caller, prefs, screen, data) if inventory else None))


def _offered(screen: Screen, action: actions.Action, data: Mapping[str, Any],
             prefs: Prefs) -> dict[str, Any]:
    """An action as the page offers it, with the inputs it asks for (a payment's amount
    defaults to the invoice's balance, its date to today)."""
    payments = SCREENS["payments"]
    defaults = {"amount": data.get("balance"), "date": int(time.time())}
    fields = [{"name": n, "label": payments.labels[n], "widget": widget(payments, f),
               "value": shown_in_form(payments, f, defaults.get(n), prefs),
               "choices": [(k, show_value(payments, f, k, prefs)) for k in f.choices]}
              for n in action.asks if (f := payments.by_name[n])]
    return {"name": action.name, "label": action.label, "asks": action.asks,
            "fields": fields}


def _link(request: Request, f: Field, value: Any) -> str | None:
    if f.kind is not Kind.REF or value is None or f.ref not in SCREENS:
        return None
    return f"{base_of(request)}/ui/{f.ref}/{value}"


# --- forms ----------------------------------------------------------------------------------


def _form_fields(screen: Screen, layout: Mapping[str, Any]) -> list[Section]:
    return [Section(s.name, tuple(n for n in s.fields if screen.editable(screen.by_name[n])
                                  and widget(screen, screen.by_name[n]) != "readonly"))
            for s in sections_of(screen, layout)]


async def _form(request: Request, caller: Caller, prefs: Prefs, screen: Screen,
                data: Mapping[str, Any], typed: Mapping[str, str] | None, *,
                etag: str = "", errors: Mapping[str, str] | None = None,
                status: int = 200) -> Response:
    labels = (await _reference_labels(request, caller, screen, data)
              if data.get("ID") else {})
    layout = await layout_of(request, caller, screen)
    sections = []
    for s in _form_fields(screen, layout):
        entries = []
        for n in s.fields:
            f = screen.by_name[n]
            value = (typed[n] if typed is not None and n in typed
                     else shown_in_form(screen, f, data.get(n), prefs, labels.get(n)))
            entries.append({"field": f, "name": n, "label": screen.labels[n],
                            "widget": widget(screen, f), "value": value,
                            "required": not f.nullable and f.default is None,
                            "choices": [(k, show_value(screen, f, k, prefs))
                                        for k in f.choices], "ref": f.ref,
                            "error": (errors or {}).get(n)})
        if entries:
            sections.append({"name": s.name, "fields": entries})
    rid = data.get("ID")
    title = (i18n.gettext_("Edit") + " " + title_text(screen, data) if rid else
             i18n.gettext_("New") + " " + i18n.gettext_(screen.singular).lower())
    return page("form.html", context(
        request, caller, prefs, title=title, screen=screen, sections=sections, record=data,
        etag=etag, errors=errors or {}, action=(
            f"{base_of(request)}/ui/{screen.slug}/{rid}/edit" if rid
            else f"{base_of(request)}/ui/{screen.slug}/new")), status)


def _typed(screen: Screen, form: Any) -> dict[str, str]:
    return {n: str(form[n]) for n in screen.by_name if n in form}


def _values(screen: Screen, typed: Mapping[str, str], prefs: Prefs,
            before: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the form changes, as service values (InvalidFieldError naming the field)."""
    values: dict[str, Any] = {}
    for name, text in typed.items():
        f = screen.by_name[name]
        if not screen.editable(f) or widget(screen, f) == "readonly":
            continue
        value = parse_value(screen, f, text, prefs)
        if value == "" and (f.nullable or f.min_length):
            value = None  # an empty input: no value (a number may stay unset)
        if value is None and before is None:
            continue  # a create: the field takes its default
        if value is None and not f.nullable:
            continue  # an update may not clear a required field: it keeps its value
        if before is not None and _same(f, before.get(name), value):
            continue
        values[name] = value
    return values


def _same(f: Field, old: Any, new: Any) -> bool:
    if f.kind is Kind.NUMBER and old is not None and new is not None:
        from decimal import Decimal

        return Decimal(str(old)) == Decimal(str(new))
    return bool(old == new or (old in (None, "") and new in (None, "")))


def _owner_default(screen: Screen, caller: Caller, values: Mapping[str, Any]) -> dict[str, Any]:
    """A record made by a user who does not see public records is theirs (else they could
    not see what they just made): their own, or their first writable group's."""
    if not caller.nopublic or values.get("owneruser") or values.get("ownergroup"):
        return {}
    if screen.entity.ownership is Ownership.USER_OR_GROUP:
        return {"owneruser": caller.user}
    writable = [group for group, write in sorted(caller.groups.items()) if write]
    if screen.entity.ownership is Ownership.GROUP and writable:
        return {"ownergroup": writable[0]}
    return {}


@screen_page
async def new_form(request: Request, caller: Caller, prefs: Prefs) -> Response:
    screen = screen_of(request, caller)
    if not screen.writable_by(caller):
        raise PermissionDeniedError("You may not create these records")
    if request.method == "GET":
        defaults = {k: v for k, v in request.query_params.items() if k in screen.by_name}
        return await _form(request, caller, prefs, screen, {}, defaults or None)
    form = await posted(request)
    typed = _typed(screen, form)
    try:
        values = _values(screen, typed, prefs, None)
        for name, allowed in screen.fixed.items():
            values.setdefault(name, allowed[0])
        if screen.module is not None:
            for source, default in screen.module.create_defaults.items():
                if values.get(source) in (None, ""):
                    values[source] = modules.create_default(values, source, default)
        values.update(_owner_default(screen, caller, values))
        made = await records.create_record(request.app.state.db, caller, screen.entity.name,
                                           values)
    except InvalidFieldError as exc:
        return await _form(request, caller, prefs, screen, {}, typed,
                           errors={exc.field: exc.message}, status=400)
    return RedirectResponse(f"{base_of(request)}/ui/{screen.slug}/{made.data['ID']}?notice="
                            + quote(i18n.gettext_("Created.")), 303)


@screen_page
async def edit_form(request: Request, caller: Caller, prefs: Prefs) -> Response:
    screen = screen_of(request, caller)
    rid = record_id(request)
    db = request.app.state.db
    record = await records.get_record(db, caller, screen.entity.name, rid)
    if request.method == "GET":
        return await _form(request, caller, prefs, screen, record.data, None, etag=record.etag)
    form = await posted(request)
    typed = _typed(screen, form)
    try:
        values = _values(screen, typed, prefs, record.data)
        if values:
            await records.update_record(db, caller, screen.entity.name, rid, values,
                                        if_match=str(form.get("etag", "")) or None)
    except InvalidFieldError as exc:
        return await _form(request, caller, prefs, screen, record.data, typed,
                           etag=str(form.get("etag", "")), errors={exc.field: exc.message},
                           status=400)
    return RedirectResponse(f"{base_of(request)}/ui/{screen.slug}/{rid}?notice="
                            + quote(i18n.gettext_("Saved.")), 303)


@screen_page
async def delete(request: Request, caller: Caller, prefs: Prefs) -> Response:
    screen = screen_of(request, caller)
    rid = record_id(request)
    await posted(request)
    await records.delete_record(request.app.state.db, caller, screen.entity.name, rid)
    return RedirectResponse(f"{base_of(request)}/ui/{screen.slug}?notice="
                            + quote(i18n.gettext_("Deleted.")), 303)


@screen_page
async def lookup(request: Request, caller: Caller, prefs: Prefs) -> Response:
    """Search-as-you-type for a reference input: the records of `entity` whose title or
    searchable fields match what was typed, as the options of a datalist."""
    entity = ENTITIES.get(request.path_params["entity"])
    if entity is None or entity.name not in SCREENS:
        raise NotFoundError("No such entity")
    screen = SCREENS[entity.name]
    field = request.query_params.get("field", "")
    text = request.query_params.get(field, "")[:100].strip()
    text = text.split("#")[0].strip()
    body = list_body(caller, screen, list(screen.title), QueryParams({}), prefs)
    if text:
        if entity.searchable:
            body["query"] = text
        else:
            body["filter"][screen.title[0]] = {"~~*": _like(text)}
    found = await _rows(request, caller, screen, body, 15)
    options = [f"{title_text(screen, r)} #{r['ID']}" for r in found]
    return page("datalist.html", context(request, caller, prefs, options=options,
                                         list_id=f"dl-{field}"))
