"""Document and e-mail templates as data: Jinja2 in its sandbox, checked when saved,
versioned, and chosen per kind, format, language and company.

    check_template({"body": "{{ company.nmae }}", "format": 0, ...})
    -> InvalidFieldError: body: unknown placeholder company.nmae
    text = render_text(template.body, context, html=True)
    template = await resolve(conn, "invoice", DOCUMENT, "fr", company=1)

The sandbox (`jinja2.sandbox.SandboxedEnvironment`) refuses attributes starting with `_`
and unsafe calls at render time; the check at save time refuses them earlier, with the
placeholders not in `domain.placeholders.SCHEMA` (attribute chains included:
`company.nmae`, and `line.nett` in `{% for line in lines %}`) and `{% include %}`,
`{% import %}` and `{% extends %}`: the environment has no loader, so a template reaches
no file.  Rendering is strict: a value missing at render time is an error, never an empty
string.  Document templates are autoescaped HTML; e-mail templates are text.

Saving (`records.py` calls these in the record's transaction, whichever door): a change of
`body`, `css` or `subject` keeps the previous text as a `templateversions` row and adds one
to `version` (`keep_version`); a template marked `isdefault` clears the flag of the other
template of its kind, format, language and company (`clear_other_defaults`): the last one
marked wins.  Resolution: the default record of the company, else the default record of
every company (company null), else the template shipped in `comptoir/documents/templates`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jinja2
import sqlalchemy as sa
from jinja2 import meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from comptoir.domain import placeholders
from comptoir.errors import InvalidFieldError
from comptoir.schema.entities.companies import NUMBERING_KINDS
from comptoir.schema.entity import Entity
from comptoir.schema.registry import ENTITIES
from comptoir.services import derived
from comptoir.services.access import Caller, check_operation
from comptoir.storage import rows
from comptoir.storage.database import Connection, Database, Row
from comptoir.storage.tables import TABLES

TEMPLATES, VERSIONS = ENTITIES["templates"], ENTITIES["templateversions"]
DOCUMENT, EMAIL = 0, 1
#: the fields whose change makes a new version
TEXTS = ("body", "css", "subject")
#: the document kind (domain.numbering) of each templates.kind value
KIND_NAMES = {value: name.lower() for value, name in NUMBERING_KINDS.items()}
KIND_VALUES = {name: value for value, name in KIND_NAMES.items()}
SHIPPED = "comptoir.documents"
SHIPPED_DIR = "templates"
#: the largest template accepted (the text of body, css or subject)
MAX_CHARS = 200_000


@dataclass(frozen=True, slots=True)
class Template:
    """A template to render: a record (`id`), or a shipped default (`id` None)."""

    body: str
    css: str = ""
    subject: str = ""
    id: int | None = None
    version: int = 1
    language: str = "fr"
    format: int = DOCUMENT


# --- the sandbox ---------------------------------------------------------------------------


def _language(context: Any) -> str:
    document = context.get("document")
    return str(getattr(document, "language", "fr"))


@jinja2.pass_context
def _money(context: Any, value: Any, currency: str | None = None) -> str:
    document = context.get("document")
    return placeholders.format_money(value, str(currency or getattr(document, "currency", "EUR")),
                                     _language(context))


@jinja2.pass_context
def _number(context: Any, value: Any, places: int | None = None) -> str:
    return placeholders.format_number(value, _language(context), places)


@jinja2.pass_context
def _percent(context: Any, value: Any) -> str:
    return placeholders.format_percent(value, _language(context))


@jinja2.pass_context
def _date(context: Any, value: Any) -> str:
    return placeholders.format_date(value, _language(context))


FILTERS = {"money": _money, "number": _number, "percent": _percent, "date": _date}


@functools.cache
def environment(html: bool) -> SandboxedEnvironment:
    """The sandbox: no loader (no file is reachable), strict undefined values, only the
    globals `range` and `namespace`, and the formatting filters."""
    env = SandboxedEnvironment(autoescape=html, undefined=jinja2.StrictUndefined,
                               loader=None, keep_trailing_newline=True,
                               trim_blocks=True, lstrip_blocks=True)
    env.globals = {"range": env.globals["range"], "namespace": env.globals["namespace"]}
    env.filters.update(FILTERS)
    return env


# --- the check at save time ----------------------------------------------------------------


def _chain(node: nodes.Node) -> list[str] | None:
    """`company.address.city` as ["company", "address", "city"]; None when the chain does
    not start at a name."""
    names: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            names.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) \
                and isinstance(node.arg.value, str):
            names.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            names.append(node.name)
            return names[::-1]
        else:
            return None


def _lookup(schema: Any, chain: list[str]) -> tuple[Any, str | None]:
    """The schema of `chain` in `schema`, and the first unknown part of it (None: known;
    past a value, any attribute is the value's own, e.g. `document.number.upper`)."""
    for n, name in enumerate(chain):
        if isinstance(schema, list):  # a list's items are reached by a loop, not a name
            return None, ".".join(chain[:n + 1])
        if not isinstance(schema, dict):
            return None, None
        if name not in schema:
            return None, ".".join(chain[:n + 1])
        schema = schema[name]
    return schema, None


def _unsafe(ast: nodes.Template) -> Iterator[str]:
    """The attributes starting with `_` a template reads (`x.__class__`, `x['_y']`, and
    `x|attr(...)` of anything but a plain name)."""
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        name: Any = None
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            name = node.arg.value
        if isinstance(name, str) and name.startswith("_"):
            yield name
    for node in ast.find_all(nodes.Filter):
        if node.name == "attr":
            arg = node.args[0] if node.args else None
            if not (isinstance(arg, nodes.Const) and isinstance(arg.value, str)
                    and not arg.value.startswith("_")):
                yield str(arg.value) if isinstance(arg, nodes.Const) else "attr(...)"


def _names(node: nodes.Node) -> list[str]:
    """The names a loop or an assignment binds (`x`, or `k, v`)."""
    if isinstance(node, nodes.Name):
        return [node.name]
    return [name.name for name in node.find_all(nodes.Name)]


def _loop_schemas(ast: nodes.Template, known: dict[str, Any]) -> dict[str, Any]:
    """The names bound by `{% for x in <list placeholder> %}` and `{% set %}`, with the
    schema of what they hold (Any: unchecked)."""
    bound: dict[str, Any] = {}
    for node in ast.find_all(nodes.For):
        chain = _chain(node.iter)
        schema = _lookup(known, chain)[0] if chain and chain[0] in known else None
        item = schema[0] if isinstance(schema, list) and schema else None
        names = _names(node.target)
        for name in names:
            bound.setdefault(name, item if len(names) == 1 else None)
        bound.update({"loop": None})
    for assign in ast.find_all((nodes.Assign, nodes.AssignBlock)):
        if isinstance(assign, nodes.Assign | nodes.AssignBlock):
            for name in _names(assign.target):
                bound[name] = None
    for macro in ast.find_all(nodes.Macro):
        bound[macro.name] = None
        bound.update({arg.name: None for arg in macro.args})
    return bound


def placeholder_problems(text: str, *, html: bool = True) -> list[str]:
    """What is wrong with a template's text: a syntax error, a statement reaching another
    template, an unsafe attribute, unknown placeholders (each named once, in order)."""
    env = environment(html)
    try:
        ast = env.parse(text)
    except jinja2.TemplateSyntaxError as exc:
        return [f"line {exc.lineno}: {exc.message}"]
    for node in ast.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        return [f"line {node.lineno}: {{% {type(node).__name__.lower()} %}} is not allowed: "
                "a template is one text and reaches no other file"]
    unsafe = next(_unsafe(ast), None)
    if unsafe is not None:
        return [f"unknown placeholder {unsafe} (names starting with _ are not placeholders)"]
    schema = placeholders.SCHEMA
    bound = _loop_schemas(ast, schema)
    problems = [f"unknown placeholder {name}"
                for name in sorted(meta.find_undeclared_variables(ast))
                if name not in schema and name not in bound]
    scope = {**schema, **bound}
    for found in ast.find_all((nodes.Getattr, nodes.Getitem)):
        chain = _chain(found)
        if not chain or chain[0] not in scope:
            continue
        root = scope[chain[0]]
        if chain[0] in bound and root is None:
            continue  # a loop or set variable holding something unchecked
        _, unknown = _lookup({chain[0]: root}, chain)
        if unknown is not None and f"unknown placeholder {unknown}" not in problems:
            problems.append(f"unknown placeholder {unknown}")
    return problems


def check_text(name: str, text: Any, *, html: bool) -> None:
    if text is None or text == "":
        return
    if not isinstance(text, str) or len(text) > MAX_CHARS:
        raise InvalidFieldError(name, f"must be a text of at most {MAX_CHARS} characters")
    problems = placeholder_problems(text, html=html)
    if problems:
        raise InvalidFieldError(name, "; ".join(problems[:5]))


def check_template(record: Mapping[str, Any]) -> None:
    """A template as it will be stored (`checks.CHECKS`): its body and subject use only
    documented placeholders; the language is fr or en."""
    language = record.get("language")
    if language not in placeholders.LANGUAGES:
        raise InvalidFieldError("language", f"must be one of {', '.join(placeholders.LANGUAGES)}")
    html = record.get("format", DOCUMENT) == DOCUMENT
    check_text("body", record.get("body"), html=html)
    check_text("subject", record.get("subject"), html=False)
    css = record.get("css")
    if css is not None and (not isinstance(css, str) or len(css) > MAX_CHARS):
        raise InvalidFieldError("css", f"must be a text of at most {MAX_CHARS} characters")


# --- rendering -----------------------------------------------------------------------------


def render_text(text: str, context: Mapping[str, Any], *, html: bool,
                field: str = "body") -> str:
    """`text` rendered in the sandbox; a template that fails (a value missing, an unsafe
    access) is an error naming the field and why."""
    env = environment(html)
    try:
        return env.from_string(text).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise InvalidFieldError(field, f"line {exc.lineno}: {exc.message}") from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError,
            AttributeError) as exc:
        raise InvalidFieldError(field, f"the template cannot be rendered: {exc}") from None


# --- the shipped defaults ------------------------------------------------------------------


@functools.cache
def shipped_text(name: str) -> str:
    """A file of comptoir/documents/templates, read as a string."""
    return resources.files(SHIPPED).joinpath(SHIPPED_DIR, name).read_text(encoding="utf-8")


def shipped(kind: str, format: int, language: str) -> Template:
    """The template shipped with Comptoir: one HTML and CSS for every document kind, one
    e-mail text per language (its wording by kind)."""
    if format == DOCUMENT:
        return Template(body=shipped_text("document.html"), css=shipped_text("document.css"),
                        language=language, format=DOCUMENT)
    return Template(body=shipped_text(f"email.{language}.txt"),
                    subject=shipped_text(f"email-subject.{language}.txt").strip(),
                    language=language, format=EMAIL)


def _template(row: Row) -> Template:
    return Template(body=row["body"] or "", css=row["css"] or "", subject=row["subject"] or "",
                    id=int(row["ID"]), version=int(row["version"]),
                    language=row["language"] or "fr", format=int(row["format"]))


async def resolve(conn: Connection, kind: str, format: int, language: str,
                  company: int | None) -> Template:
    """The template of a kind, format and language for a company's document: the default
    record of the company, else of every company, else the shipped one."""
    table = TABLES["templates"]
    stmt = (sa.select(table).where(table.c.kind == KIND_VALUES.get(kind, 3),
                                   table.c.format == format, table.c.language == language,
                                   table.c.isdefault == 1,
                                   sa.or_(table.c.company == company, table.c.company.is_(None)))
            .order_by(table.c.company.is_(None), table.c.ID.desc()).limit(1))
    found = await conn.all(stmt)
    return _template(found[0]) if found else shipped(kind, format, language)


async def template_record(conn: Connection, template_id: int) -> Template:
    row = await rows.select_row(conn, TEMPLATES, template_id)
    if row is None:
        raise InvalidFieldError("template", f"template {template_id} does not exist")
    return _template(row)


# --- the writes of a template (called by records.py) ---------------------------------------


async def keep_version(conn: Connection, entity: Entity, row: Row,
                       changes: dict[str, Any], actor: int | None) -> None:
    """Before a template's update is written: when its body, css or subject changes, the
    previous text becomes a `templateversions` row and `changes` gets the next version."""
    if entity is not TEMPLATES or all(changes.get(name, row[name]) == row[name]
                                      for name in TEXTS):
        return
    await derived.insert(conn, VERSIONS, {
        "template": row["ID"], "version": row["version"], "body": row["body"],
        "css": row["css"], "subject": row["subject"], "creator": actor}, actor=actor)
    changes["version"] = int(row["version"]) + 1


async def clear_other_defaults(conn: Connection, entity: Entity, record_id: int,
                               record: Mapping[str, Any], actor: int | None) -> None:
    """After a template is written as the default: the other default of its kind, format,
    language and company is one no more."""
    if entity is not TEMPLATES or not record.get("isdefault"):
        return
    table = TABLES["templates"]
    company = record.get("company")
    stmt = sa.select(table).where(
        table.c.ID != record_id, table.c.isdefault == 1, table.c.kind == record["kind"],
        table.c.format == record["format"], table.c.language == record["language"],
        table.c.company.is_(None) if company is None else table.c.company == company)
    for other in await conn.all(stmt):
        await derived.update(conn, TEMPLATES, other, {"isdefault": 0}, actor=actor)


# --- reading (the CLI) ---------------------------------------------------------------------


async def list_templates(db: Database, caller: Caller) -> list[Row]:
    """Every template record, by kind, format, language and ID (the text left out)."""
    check_operation(TEMPLATES, caller, write=False)
    table = TABLES["templates"]
    columns = [table.c[name] for name in ("ID", "name", "kind", "format", "language",
                                          "company", "isdefault", "version")]
    async with db.read() as conn:
        return await conn.all(sa.select(*columns).order_by(
            table.c.kind, table.c.format, table.c.language, table.c.ID))


async def template_versions(db: Database, caller: Caller, template_id: int) -> list[Row]:
    """The earlier versions of a template, the oldest first."""
    check_operation(VERSIONS, caller, write=False)
    async with db.read() as conn:
        return await rows.select_rows_where(conn, VERSIONS, {"template": template_id},
                                            ("version", "ID"))
