"""The screens of the web interface, derived from the registry with no code per entity.

Every canonical entity (`accounts`) and every webservice module (`Accounts`, a view of
`accounts` with vtiger's labels and fixed filter) is a `Screen`: its fields in order, their
labels, the fields that make a record's title, its default list columns, its sections and
its related lists.  A module screen shows the module's fields first, in vtiger's order and
with vtiger's labels, then the entity's other fields; its fixed filter (`Invoice`: type 3)
narrows its lists and is written on create.  A layout stored by an administrator (the
layout manager, `services/ui_settings.py`) reorders and hides fields on top of this.

`MENU` groups the screens by the families of Kafinea's menu; `screen_for_record` picks the
screen a record opens in (an invoice opens in `Invoice`, not in `transactions`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from comptoir.schema.entity import Entity, Op
from comptoir.schema.fields import Field, Kind, Managed
from comptoir.schema.module import Module, WsType
from comptoir.schema.modules import MODULES, OF_ENTITY
from comptoir.schema.registry import ENTITIES
from comptoir.services.access import Caller

#: the menu: families of Kafinea's menu (`../shared/seeds/001_*.txt`) and their screens
MENU: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("CRM", ("Accounts", "Contacts", "Leads", "Potentials", "Calendar", "Events",
             "Campaigns")),
    ("Sales", ("Quotes", "SalesOrder", "Invoice", "creditnotes", "payments", "dunning",
               "PriceBooks")),
    ("Purchasing", ("Vendors", "PurchaseOrder", "supplierinvoices")),
    ("Catalog", ("Products", "Services", "storages", "stocktransactions")),
    ("Finance", ("ledgers", "allocations", "Currency", "Tax")),
    ("Accounting", ("journalentries", "entrylines", "chartaccounts", "journals",
                    "fiscalyears", "accountingperiods", "accountingrules")),
    ("Projects", ("Project", "ProjectTask", "ProjectMilestone")),
    ("Support", ("HelpDesk", "Faq", "ServiceContracts", "Assets")),
    ("Documents", ("Documents", "notes", "Emails", "templates")),
    ("Settings", ("companies", "numberings", "Users", "Groups", "mailservers")),
)

#: views that are neither an entity nor a webservice module: (entity, fixed filter, label,
#: singular); vtiger has no module for credit notes and supplier invoices, Kafinea has
VIEWS: dict[str, tuple[str, Mapping[str, tuple[Any, ...]], str, str]] = {
    "creditnotes": ("transactions", {"type": (4,)}, "Credit notes", "Credit note"),
    "supplierinvoices": ("transactions", {"type": (8,)}, "Supplier invoices",
                         "Supplier invoice"),
}

#: the related lists a record shows first (the others keep the registry's order)
RELATED_FIRST = {"transactions": ("payments", "allocations", "messages", "dunning2transactions"),
                 "accounts": ("Contacts", "transactions", "payments", "Potentials")}
#: records a record page shows in its own panel rather than as a related list
SHOWN_ELSEWHERE = frozenset({"lineitems", "records"})

#: the names people read for modules whose vtiger label is a code or a singular
MODULE_LABELS = {"SalesOrder": "Sales orders", "PurchaseOrder": "Purchase orders",
                 "Invoice": "Invoices", "Emails": "Emails", "Faq": "FAQ",
                 "Currency": "Currencies", "Calendar": "Tasks", "Groups": "Groups"}

#: labels of the fields every entity shares, where no module names them
COMMON_LABELS = {
    "ID": "ID", "creationdate": "Created", "lastmodified": "Modified", "creator": "Created by",
    "ownergroup": "Group", "owneruser": "Owner", "assigneduser": "Assigned to",
    "name": "Name", "description": "Description", "date": "Date", "status": "Status",
    "type": "Type", "visibility": "Visibility", "account": "Account", "contact": "Contact",
    "email": "Email", "phone": "Phone", "website": "Website", "currency": "Currency",
    "lastname": "Last name", "firstname": "First name", "duedate": "Due date",
    "transaction": "Document", "project": "Project", "item": "Item", "company": "Company",
}
#: the fields whose values make a record's title when no module names them, by preference
TITLE_FIELDS = (("transactionnum", "subject"), ("firstname", "lastname"), ("name",),
                ("subject",), ("title",), ("lastname",), ("label",), ("identifier",),
                ("code",), ("paymentnum",))
#: the sections of a record, by field name; the first section takes the rest
ADDRESS = ("address", "postalcode", "city", "region", "country")
SYSTEM = ("ID", "creationdate", "lastmodified", "creator", "ownergroup", "owneruser",
          "assigneduser", "visibility")
#: references to these are not related lists (every record has a creator)
NOT_RELATED = frozenset({"creator", "assigneduser", "owneruser", "ownergroup"})
LIST_COLUMNS = 6
#: titles that the registry's names do not tell (a document is known by its number)
ENTITY_TITLES = {"transactions": ("transactionnum", "subject"), "payments": ("paymentnum",
                                                                            "subject")}
#: amounts a list shows before the others
AMOUNTS = ("grandtotal", "netamount", "amount", "balance", "mostlikely", "sellingprice")


def humanize(name: str) -> str:
    return name.replace("_", " ").replace("-", " ").capitalize()


def plural(singular: str) -> str:
    words = humanize(singular)
    if words.endswith("y") and words[-2:-1] not in ("a", "e", "o", "u"):
        return words[:-1] + "ies"
    return words if words.endswith("s") else words + "s"


def label_of(f: Field) -> str:
    """A field's label when no module names it: the start of its documentation when that is
    short, else its name."""
    if f.name in COMMON_LABELS:
        return COMMON_LABELS[f.name]
    start = re.split(r"[(:,;]| as a | in days", f.doc, maxsplit=1)[0].strip().rstrip(".")
    if 2 < len(start) <= 40 and "\\" not in start:
        return start[0].upper() + start[1:]
    return humanize(f.name)


@dataclass(frozen=True)
class Related:
    """A related list: the records of `screen` whose `field` points to the record."""

    label: str
    screen: str
    field: str


@dataclass(frozen=True)
class Section:
    name: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Screen:
    slug: str
    entity: Entity
    label: str
    singular: str
    module: Module | None = None
    where: Mapping[str, tuple[Any, ...]] | None = None

    @property
    def fixed(self) -> Mapping[str, tuple[Any, ...]]:
        if self.where is not None:
            return self.where
        return self.module.where if self.module else {}

    @cached_property
    def fields(self) -> tuple[Field, ...]:
        """The fields shown, the module's first."""
        order: list[str] = []
        if self.module is not None:
            order = [f.source for f in self.module.fields]
        order += [f.name for f in self.entity.public_fields]
        seen: dict[str, Field] = {}
        for name in order:
            f = self.entity.field(name)
            if f is not None and not f.hidden and name not in seen:
                seen[name] = f
        return tuple(seen.values())

    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @cached_property
    def labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        for module in ((self.module,) if self.module else ()) + OF_ENTITY.get(
                self.entity.name, ()):
            for wf in module.fields:
                if wf.source:
                    labels.setdefault(wf.source, wf.label)
        for f in self.fields:
            if f.name not in labels or f.name in COMMON_LABELS and self.module is None:
                labels[f.name] = label_of(f)
        return labels

    @cached_property
    def date_only(self) -> frozenset[str]:
        """Timestamps shown and edited as days (vtiger's `date` fields)."""
        names = {wf.source for m in OF_ENTITY.get(self.entity.name, ()) for wf in m.fields
                 if wf.type is WsType.DATE}
        return frozenset(n for n in names if n in self.by_name and self.by_name[n].is_timestamp)

    @cached_property
    def title(self) -> tuple[str, ...]:
        if self.entity.name in ENTITY_TITLES:
            return ENTITY_TITLES[self.entity.name]
        if self.module is not None:
            sources = tuple(f.source for name in self.module.label_fields
                            if (f := self.module.field(name)) is not None)
            if sources and all(s in self.by_name for s in sources):
                return sources
        return title_of(self.entity)

    @cached_property
    def columns(self) -> tuple[str, ...]:
        """The default list columns: the title, then the module's first fields."""
        names = list(self.title)
        if self.module is not None:
            candidates = [f for f in self.fields if f.name not in SYSTEM]
        else:
            def rank(f: Field) -> int:
                if f.searchable and f.kind is Kind.TEXT:
                    return 0
                if f.kind is Kind.REF or f.name in ("status", "type"):
                    return 1
                if f.name in ("date", "duedate"):
                    return 2
                return 3 if f.name in AMOUNTS else 4
            candidates = sorted((f for f in self.fields if f.name not in SYSTEM), key=rank)
        for f in candidates:
            if len(names) >= LIST_COLUMNS:
                break
            if (f.name not in names and f.name not in self.fixed and f.kind not in
                    (Kind.JSON, Kind.BINFILE, Kind.TEXT_ARRAY, Kind.INT_ARRAY)
                    and f.name != "description"):
                names.append(f.name)
        return tuple(names)

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        main: list[str] = []
        address: list[str] = []
        amounts: list[str] = []
        system: list[str] = []
        for f in self.fields:
            if f.kind in (Kind.JSON, Kind.BINFILE):
                continue
            if f.name in SYSTEM:
                system.append(f.name)
            elif any(f.name.endswith(a) for a in ADDRESS) or f.name.endswith("recipient"):
                address.append(f.name)
            elif f.kind is Kind.NUMBER and f.managed is None and self.entity.name in (
                    "transactions", "payments"):
                amounts.append(f.name)
            else:
                main.append(f.name)
        found = [Section("Details", tuple(main)), Section("Address", tuple(address)),
                 Section("Amounts", tuple(amounts)), Section("System", tuple(system))]
        return tuple(s for s in found if s.fields)

    @cached_property
    def related(self) -> tuple[Related, ...]:
        found: list[Related] = []
        if self.module is not None:
            for relation in self.module.relations:
                target = MODULES[relation.module]
                label = relation.label if relation.label != target.name else MODULE_LABELS.get(
                    target.name, target.label)
                found.append(Related(label, target.name, relation.field))
        for entity in ENTITIES.values():
            for f in entity.fields:
                if (f.kind is Kind.REF and f.ref == self.entity.name
                        and f.name not in NOT_RELATED and not f.hidden
                        and Op.LIST in entity.ops
                        and not any(r.field == f.name and SCREENS[r.screen].entity is entity
                                    for r in found)):
                    screen = SCREENS.get(entity.name)
                    if screen is not None:
                        label = screen.label if f.name == self.entity.singular else (
                            f"{screen.label} ({screen.labels.get(f.name, f.name)})")
                        found.append(Related(label, entity.name, f.name))
        first = RELATED_FIRST.get(self.entity.name, ())
        shown = [r for r in found if r.screen not in SHOWN_ELSEWHERE]
        return tuple(sorted(shown, key=lambda r: first.index(r.screen) if r.screen in first
                            else len(first)))

    def shows(self, record: Mapping[str, Any]) -> bool:
        return all(record.get(name) in values for name, values in self.fixed.items())

    def editable(self, f: Field) -> bool:
        return f.writable and f.name not in self.fixed and f.kind not in (Kind.BINFILE,)

    def visible_to(self, caller: Caller) -> bool:
        return caller.in_scope(self.entity.name, False) and caller.may(self.entity.read, False)

    def writable_by(self, caller: Caller) -> bool:
        return (Op.CREATE in self.entity.ops and caller.in_scope(self.entity.name, True)
                and caller.may(self.entity.write, True))


def title_of(entity: Entity) -> tuple[str, ...]:
    for names in TITLE_FIELDS:
        if all((f := entity.field(n)) is not None and not f.hidden for n in names):
            return names
    return ("ID",)


def _build() -> dict[str, Screen]:
    screens: dict[str, Screen] = {}
    for entity in ENTITIES.values():
        if Op.LIST in entity.ops:
            screens[entity.name] = Screen(entity.name, entity, plural(entity.singular),
                                          humanize(entity.singular))
    for module in MODULES.values():
        entity = ENTITIES[module.entity]
        if Op.LIST in entity.ops:
            screens[module.name] = Screen(module.name, entity, MODULE_LABELS.get(
                module.name, module.label), module.singular, module)
    for slug, (name, where, label, singular) in VIEWS.items():
        screens[slug] = Screen(slug, ENTITIES[name], label, singular, None, where)
    return screens


SCREENS: dict[str, Screen] = _build()


def screen_for_record(entity: Entity, record: Mapping[str, Any]) -> Screen:
    """The screen a record of `entity` opens in: the first module or view that shows it."""
    for module in OF_ENTITY.get(entity.name, ()):
        if module.shows(record) and module.name in SCREENS:
            return SCREENS[module.name]
    for slug, (name, _where, _label, _singular) in VIEWS.items():
        if name == entity.name and SCREENS[slug].shows(record):
            return SCREENS[slug]
    return SCREENS[entity.name]


def menu_for(caller: Caller) -> list[tuple[str, list[Screen]]]:
    """The families of the menu and the screens of each the caller may see."""
    families = []
    for family, slugs in MENU:
        shown = [SCREENS[s] for s in slugs if s in SCREENS and SCREENS[s].visible_to(caller)]
        if shown:
            families.append((family, shown))
    return families


def managed(f: Field) -> bool:
    return f.managed is not None and f.managed is not Managed.ID
