"""Templates: the HTML documents and e-mails a business sends, as data.

A document template is Jinja2 HTML and CSS rendered in Jinja2's sandbox (it reaches
neither Python objects nor the filesystem) and printed to PDF by WeasyPrint; an e-mail
template is a subject and a text.  Both use the documented placeholders of
`docs/documents.md`; an unknown placeholder is refused when the template is saved.  Every
save keeps the previous text in `templateversions`.  The default of a kind and a
language is the record marked `isdefault` (of the document's company before one of every
company), else the template shipped with Comptoir.
"""

from __future__ import annotations

from comptoir.schema.entities import NO_YES
from comptoir.schema.entities.companies import NUMBERING_KINDS
from comptoir.schema.entity import ALL_OPS, READ_OPS, Access, Entity
from comptoir.schema.fields import (
    Created,
    Creator,
    Enum,
    Id,
    Int,
    Managed,
    Modified,
    OnDelete,
    Ref,
    Text,
)

#: templates.format: what the template makes
TEMPLATE_FORMATS = {0: "DOCUMENT", 1: "EMAIL"}

TEMPLATES = Entity(
    name="templates",
    singular="template",
    area="templates",
    doc="Document (HTML and CSS printed to PDF) and e-mail templates, per kind of document "
    "and language, with a version history; one default per kind, format and language.",
    fields=(
        Id("Template ID"),
        Text("body", "The template: Jinja2 HTML for a document, the message text for an "
             "e-mail (placeholders of docs/documents.md; checked when saved)",
             example="<h1>{{ document.title }} {{ document.number }}</h1>"),
        Ref("company", "companies", "The company whose documents use it (null: every "
            "company)", on_delete=OnDelete.CASCADE),
        Created(),
        Creator(),
        Text("css", "Style sheet of a document template (CSS)"),
        Enum("format", TEMPLATE_FORMATS, "What it makes (0=DOCUMENT, 1=EMAIL)",
             nullable=False, default=0),
        Enum("isdefault", NO_YES, "The default of its kind, format and language (and "
             "company)", nullable=False, default=0),
        Enum("kind", NUMBERING_KINDS, "Kind of document", nullable=False, default=3),
        Text("language", "Language: fr or en", max_length=2, default="fr", example="fr"),
        Modified(),
        Text("name", "Name", min_length=1, default=None, searchable=True),
        Text("subject", "Subject of an e-mail template (placeholders allowed)"),
        Int("version", "Version number: 1 when created, one more on every change of the "
            "body, css or subject", nullable=False, default=1, managed=Managed.SYSTEM),
    ),
    read=Access(),
    write=Access(admin_only=True),
    ops=ALL_OPS,
    extdata=True,
    get_params=("extdata",),
)

TEMPLATEVERSIONS = Entity(
    name="templateversions",
    singular="template version",
    area="templates",
    doc="The earlier versions of a template, kept by the server at every change.",
    fields=(
        Id("Template version ID"),
        Text("body", "The template as it was"),
        Created(),
        Creator(),
        Text("css", "The style sheet as it was"),
        Text("subject", "The subject as it was"),
        Ref("template", "templates", "Template ID (dependency)", on_delete=OnDelete.CASCADE,
            nullable=False, dependency=True),
        Int("version", "Its version number", nullable=False, default=1),
    ),
    read=Access(),
    write=Access(admin_only=True),
    ops=READ_OPS,
    parents=("template",),
)

ENTITIES: tuple[Entity, ...] = (TEMPLATES, TEMPLATEVERSIONS)
