"""Generate the entity declarations of the registry from the ZeyOS spec.

Run once, by hand, from the repository root:

    python tools/gen_registry.py

It reads `../shared/spec/zeyos_api.json` (the parsed seed) and the upstream database
reference `../shared/spec/upstream/zeyos-client_openapi_dbref.json`, and writes
`src/comptoir/schema/entities/{__init__,crm,sales,...}.py`, then formats them with
`ruff format`.  The generated modules are ordinary, readable source: once committed they,
not the spec, are the source of truth, and nothing in `src/` reads `shared/` at run time.
Re-running the script overwrites hand edits.

Judgement calls (spec irregularities, rules the spec states only in words, ...) are made
in the tables at the top of this file and show up as comments in the generated code.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SPEC = SHARED / "spec" / "zeyos_api.json"
DBREF = SHARED / "spec" / "upstream" / "zeyos-client_openapi_dbref.json"
OUT = ROOT / "src" / "comptoir" / "schema" / "entities"
RUFF = ROOT / ".venv" / "bin" / "ruff"

# --- hand-made tables ----------------------------------------------------------------------

AREAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "crm": (
        "CRM: accounts, contacts and their relations, opportunities, action steps and the "
        "calendar.",
        (
            "accounts",
            "addresses",
            "contacts",
            "contacts2contacts",
            "opportunities",
            "actionsteps",
            "appointments",
            "invitations",
        ),
    ),
    "sales": (
        "Sales: transactions (quotes, orders, deliveries, invoices, credits, production), "
        "contracts and coupons.",
        ("transactions", "contracts", "coupons", "couponcodes"),
    ),
    "catalog": (
        "Catalog and inventory: items, their components, prices and suppliers, price lists, "
        "storages, stock transactions and devices.",
        (
            "items",
            "components",
            "prices",
            "pricelists",
            "pricelists2accounts",
            "suppliers",
            "storages",
            "stocktransactions",
            "devices",
        ),
    ),
    "finance": (
        "Finance: payments, ledgers and dunning notices.",
        ("payments", "ledgers", "dunning", "dunning2transactions"),
    ),
    "projects": (
        "Projects, tasks and tickets.",
        ("projects", "tasks", "tickets"),
    ),
    "marketing": (
        "Marketing: campaigns, mailing lists and their participants.",
        ("campaigns", "mailinglists", "participants"),
    ),
    "messaging": (
        "Messaging: e-mail messages and read marks, mail, DAV and feed servers, channels.",
        (
            "messages",
            "messagereads",
            "mailservers",
            "davservers",
            "feedservers",
            "channels",
            "entities2channels",
        ),
    ),
    "collaboration": (
        "Collaboration: feed records, comments, files, likes, follows, events, associations, "
        "notes, custom objects, links, categories and the stored binary contents.",
        (
            "records",
            "comments",
            "files",
            "likes",
            "follows",
            "events",
            "associations",
            "notes",
            "objects",
            "links",
            "categories",
            "binfiles",
        ),
    ),
    "system": (
        "System: users, groups, memberships and permissions, and the developer entities "
        "(applications, resources, services, weblets).",
        (
            "users",
            "groups",
            "groups2users",
            "permissions",
            "applications",
            "resources",
            "services",
            "weblets",
        ),
    ),
}

#: one-line summaries (the seed's tags carry no description)
ENTITY_DOCS = {
    "accounts": "Business partners: prospects, customers, suppliers, competitors, employees.",
    "actionsteps": "Action steps: work logged on an account, a task or a ticket.",
    "addresses": "Typed addresses of an account, given by a contact.",
    "applications": "Installed applications (read-only; only accessed by admin users).",
    "appointments": "Calendar appointments, possibly recurring.",
    "associations": "Associations between two records of canonical entities.",
    "binfiles": "Stored binary contents (read-only; written through binfile fields).",
    "campaigns": "Marketing campaigns.",
    "categories": "Categories of the records of an entity.",
    "channels": "Channels that feed records are posted to.",
    "comments": "Comments on feed records.",
    "components": "Components of an item (bill of materials).",
    "contacts": "Companies and persons with their contact details.",
    "contacts2contacts": "Relations between two contacts.",
    "contracts": "Contracts with periodic billing and procurement.",
    "coupons": "Coupons: promotions and individual vouchers.",
    "couponcodes": "Codes issued for a coupon.",
    "davservers": "CardDAV/CalDAV servers synchronised with contacts, tasks or appointments.",
    "devices": "Single devices of an item, by serial or charge (lot) number.",
    "dunning": "Dunning notices: listings, reminders and notices to an account.",
    "dunning2transactions": "Transactions covered by a dunning notice.",
    "entities2channels": "Records of canonical entities attached to a channel.",
    "events": "Events: scheduled dates, possibly attached to a record of a canonical entity.",
    "feedservers": "External feeds imported into a channel.",
    "files": "Files attached to a feed record or a comment.",
    "follows": "Records followed by users.",
    "groups": "User groups; owners of group-owned data.",
    "groups2users": "Group memberships of users.",
    "invitations": "Invitations to an appointment.",
    "items": "Products and services of the inventory.",
    "ledgers": "Ledgers that payments are booked to.",
    "likes": "Likes of feed records.",
    "links": "Stored web links with credentials (list only).",
    "mailinglists": "Mailing lists.",
    "mailservers": "Mail server accounts (inbound and outbound).",
    "messages": "E-mail messages.",
    "messagereads": "Read marks of messages, one per user.",
    "notes": "Notes and documents.",
    "objects": "Custom objects of user-defined entities.",
    "opportunities": "Sales opportunities.",
    "participants": "Participants of a mailing list or a campaign.",
    "payments": "Payments, booked to a transaction or an account.",
    "permissions": "Permissions granted to groups.",
    "pricelists": "Price lists for billing or procurement.",
    "pricelists2accounts": "Accounts a price list applies to.",
    "prices": "Prices of an item in a price list.",
    "projects": "Projects.",
    "records": "Feed records, possibly attached to a record of a canonical entity.",
    "resources": "Application resources (developer, read-only).",
    "services": "Application services: timed, remote-call and trigger scripts "
    "(developer, read-only).",
    "stocktransactions": "Stock movements of an item.",
    "storages": "Storages (warehouses) that hold stock.",
    "suppliers": "Suppliers of an item.",
    "tasks": "Tasks.",
    "tickets": "Support tickets.",
    "transactions": "Billing, procurement and production documents.",
    "users": "Users (read-only through the REST API).",
    "weblets": "Application weblets (developer, read-only).",
}

#: shared value labels, declared once in `entities/__init__.py`
SHARED_CHOICES = {
    "NO_YES": {0: "NO", 1: "YES"},
    "VISIBILITY": {0: "REGULAR", 1: "ARCHIVED", 2: "DELETED"},
    "ACTIVITY": {0: "ACTIVE", 1: "DEACTIVATED", 2: "DELETED"},
    "PRIORITY": {0: "LOWEST", 1: "LOW", 2: "MEDIUM", 3: "HIGH", 4: "HIGHEST"},
    "CALCULATION": {0: "NET", 1: "GROSS", 2: "LEGACY"},
}

#: enum labels the seed gets wrong: (entity, field) -> (choices, doc, comment)
ENUM_FIXES = {
    ("records", "flag"): (
        {0: "REGULAR", 1: "ASSOCONLY", 2: "MINDLOGONLY", 4: "FEED"},
        "Flag (0=REGULAR, 1=ASSOCONLY, 2=MINDLOGONLY, 4=FEED); must be REGULAR or FEED "
        "if entity is null",
        "seed: enum 0, 1, 2, 4 but labels 0..3 with 3=MONITOR; dbref: 4=FEED, and 3=MONITOR "
        "is a system-generated monitor entry, so it is not a client choice",
    ),
    ("davservers", "type"): (
        {0: "CONTACTS", 1: "TASKS", 2: "APPOINTMENTS"},
        "Collection type (0=CONTACTS, 1=TASKS, 2=APPOINTMENTS)",
        "seed lists the labels out of order (0=CONTACTS, 2=APPOINTMENTS, 1=TASKS)",
    ),
}

#: defaults chosen against the database reference: (entity, field) -> (default, comment)
DEFAULT_FIXES = {
    ("components", "amount"): (1, "the seed documents default 1; dbref says DEFAULT 0"),
    ("stocktransactions", "amount"): (
        None,
        "required: the seed's default 0 would break the nonzero rule (dbref: no default)",
    ),
}

#: typos of the seed
DOC_FIXES = {("participants", "ID"): "Participant ID"}

#: fields whose value the server computes (besides ID, creationdate, lastmodified, creator)
SYSTEM_FIELDS = {
    ("files", "size"),
    ("messages", "size"),
    ("notes", "size"),
    ("users", "lastlogin"),
    ("binfiles", "hash"),
    ("binfiles", "size"),
}

#: searchable fields of entities that have no trigram index in dbref
SEARCH_FALLBACK = {
    "categories": ("name",),
    "comments": ("text",),
    "events": ("name",),
    "invitations": ("name",),
    "permissions": ("identifier",),
}

#: parents the spec's operation descriptions omit although the field says "( dependency)"
EXTRA_PARENTS = {"entities2channels": ("channel",)}

#: descriptions of the seed's untyped fields, from the upstream (v3) OpenAPI schemas
BINFILE_DOC = (
    "Bin file ID; on create or update give a binfile-content object instead "
    "(content: Base64-encoded, or uri: data URI)"
)
ITEMS_DOC = "JSON-encoded items (array)"
META_DOC = "JSON-encoded metadata (object)"
UNTYPED_DOCS = {
    ("contracts", "autobilling"): "JSON-encoded auto-billing data (object); only if "
    "billingcycle is not null",
    ("mailservers", "folders"): "JSON-encoded IMAP folders (object)",
    ("mailservers", "ticketing"): "JSON-encoded ticketing data (object)",
    ("objects", "data"): "JSON-encoded object data (array or object)",
}
UNTYPED_REFS = {"binfile-field": BINFILE_DOC, "items-field": ITEMS_DOC, "meta-field": META_DOC}

PRODUCTION_TYPES = (10, 11)  # transactions.type PRODUCTION_FABRICATION, PRODUCTION_DISASSEMBLY


# --- rendering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """Python source inserted as is (a name, an enum member, ...)."""

    code: str


STRING_MAX = 84  # longer strings are split into implicitly concatenated pieces...
STRING_PIECE = 72  # ...of at most this length, so that lines stay under 100 characters


def lit(value: Any) -> str:
    if isinstance(value, Raw):
        return value.code
    if isinstance(value, str) and len(value) > STRING_MAX:
        pieces = textwrap.wrap(value, STRING_PIECE, drop_whitespace=False, break_on_hyphens=False)
        assert "".join(pieces) == value, value
        return "(" + " ".join(repr(piece) for piece in pieces) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{lit(k)}: {lit(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        inner = ", ".join(lit(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


@dataclass
class Call:
    """A constructor call of the generated code, with an optional comment line above it."""

    func: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    comment: str = ""

    def render(self) -> str:
        parts = [lit(a) for a in self.args] + [f"{k}={lit(v)}" for k, v in self.kwargs.items()]
        return f"{self.func}({', '.join(parts)})"


class Imports:
    def __init__(self) -> None:
        self.names: dict[str, set[str]] = {}

    def use(self, module: str, name: str) -> Raw:
        self.names.setdefault(module, set()).add(name)
        return Raw(name)

    def render(self) -> str:
        lines = []
        for module in sorted(self.names):
            # isort's order: CONSTANTS, Classes, functions
            order = lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n)  # noqa: E731
            names = ", ".join(sorted(self.names[module], key=order))
            lines.append(f"from {module} import {names}")
        return "\n".join(lines)


# --- reading the spec ----------------------------------------------------------------------


def clean(text: str | None) -> str:
    """Spec and dbref descriptions without link debris and Markdown."""
    if not text:
        return ""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [label](url) -> label
    text = text.replace("`", "").replace("( ", "(")
    return re.sub(r"\s+", " ", text).strip()


def load() -> tuple[dict, dict]:
    spec = json.loads(SPEC.read_text())
    dbref = {t["name"]: t for t in json.loads(DBREF.read_text())}
    return spec, dbref


def entity_enums(spec: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The canonical entities (records.entity) and the followable ones (follows.entity)."""
    entities = spec["entities"]

    def enum(entity: str, name: str) -> tuple[str, ...]:
        return tuple(next(f for f in entities[entity]["fields"] if f["name"] == name)["enum"])

    canonical = enum("records", "entity")
    for entity, name in (
        ("events", "entity"),
        ("associations", "entity1"),
        ("associations", "entity2"),
        ("entities2channels", "entity"),
    ):
        assert enum(entity, name) == canonical, (entity, name)
    followable = enum("follows", "entity")
    assert set(followable) == set(canonical) | {"records"}
    return canonical, followable


def parse_access(sentence: str) -> dict[str, Any]:
    """'Requires writable billing, procurement or production permission.' -> Access kwargs."""
    s = sentence.removeprefix("Requires ").removesuffix(".")
    if s == "no specific permission":
        return {}
    if s == "admin permission":
        return {"admin_only": True}
    if s == "the authenticated user to be the creator":
        return {"creator_only": True}
    creator = " and the authenticated user to be the creator" in s
    s = s.replace(" and the authenticated user to be the creator", "")
    s = s.removeprefix("writable ").removesuffix(" permission")
    perms = tuple(p.strip() for p in re.split(r",| or ", s) if p.strip())
    assert all(re.fullmatch(r"[a-z]+", p) for p in perms), sentence
    return {"permissions": perms, **({"creator_only": True} if creator else {})}


def access_call(kw: dict[str, Any], imp: Imports) -> Call:
    imp.use("comptoir.schema.entity", "Access")
    call = Call("Access")
    if "permissions" in kw:
        call.args.append(kw["permissions"])
    for flag in ("admin_only", "creator_only"):
        if kw.get(flag):
            call.kwargs[flag] = True
    return call


def searchable_columns(name: str, table: dict) -> set[str]:
    """Text columns with a trigram GIN index `s_<table>_<column>`."""
    found = set()
    for index in table["indexes"]:
        if (
            index["name"].startswith(f"s_{name}_")
            and "gin_trgm_ops" in index["def"]
            and len(index["keys"]) == 1
            and re.fullmatch(r"\w+", index["keys"][0])
        ):
            found.add(index["keys"][0])
    return found


def either_null_checks(table: dict) -> list[tuple[str, str]]:
    """Pairs from dbref CHECKs `(a IS NULL OR b IS NULL)`: the two are mutually exclusive."""
    pairs = []
    for c in table["constraints"]:
        for a, b in re.findall(r"\(?(\w+) IS NULL OR (\w+) IS NULL\)", c["def"]):
            pairs.append((a, b))
    return pairs


# --- one field -----------------------------------------------------------------------------


def is_wide(f: dict, db: dict) -> bool:
    return f.get("format") == "int64" or (db.get("type") or "").startswith("bigint")


def db_default(db: dict) -> Any:
    raw = db.get("default")
    if raw is None or raw.startswith("date_part"):
        return None
    if raw.startswith("'"):
        return raw.strip("'")
    return float(raw) if "." in raw else int(raw)


def enum_doc(doc: str, choices: dict) -> str:
    """Drop a long '(0=A, 1=B, ...)' that only repeats the choices."""
    listing = ", ".join(f"{k}={v}" for k, v in choices.items())
    if len(doc) > 90 and f"({listing})" in doc:
        return doc.replace(f" ({listing})", "")
    return doc


class FieldMaker:
    def __init__(
        self,
        ename: str,
        spec_entity: dict,
        table: dict,
        canonical: Raw,
        followable: Raw,
        imp: Imports,
    ) -> None:
        self.ename = ename
        self.e = spec_entity
        self.cols = {c["name"]: c for c in table["fields"]}
        self.search = searchable_columns(ename, table) or set(SEARCH_FALLBACK.get(ename, ()))
        self.canonical, self.followable = canonical, followable
        self.imp = imp

    def use(self, name: str) -> Raw:
        return self.imp.use("comptoir.schema.fields", name)

    def doc(self, f: dict) -> str:
        if (self.ename, f["name"]) in DOC_FIXES:
            return DOC_FIXES[(self.ename, f["name"])]
        if f.get("description"):
            return clean(f["description"])
        if (self.ename, f["name"]) in UNTYPED_DOCS:
            return UNTYPED_DOCS[(self.ename, f["name"])]
        if f.get("ref") in UNTYPED_REFS:
            return UNTYPED_REFS[f["ref"]]
        return clean(self.cols.get(f["name"], {}).get("description"))

    def make(self, f: dict) -> Call:
        name = f["name"]
        db = f.get("db_column") or {}
        dbtype = db.get("type") or ""
        doc = self.doc(f)
        fk = f.get("foreign_key") or {}
        on_delete = (fk.get("dbref") or {}).get("on_delete")
        nullable = not db["notnull"] if db.get("type") else None
        default = f["default"] if "default" in f else db_default(db)
        comment = ""
        if (self.ename, name) in DEFAULT_FIXES:
            default, comment = DEFAULT_FIXES[(self.ename, name)]
        kw: dict[str, Any] = {}
        system = (self.ename, name) in SYSTEM_FIELDS

        def bounds() -> None:
            for src, dst in (("minimum", "minimum"), ("maximum", "maximum")):
                if src in f:
                    kw[dst] = f[src]

        def null_default(value_default: Any) -> None:
            if nullable is False or (nullable is None and value_default is not None):
                kw["nullable"] = False
            if value_default is not None:
                kw["default"] = value_default

        # standard server-managed columns
        if name == "ID":
            self.use("Id")
            return Call("Id", [doc], {"wide": True} if is_wide(f, db) else {})
        if name == "creationdate":
            self.use("Created")
            return Call("Created", [] if "(defaults to current" in doc else [doc])
        if name == "lastmodified":
            self.use("Modified")
            return Call("Modified", [] if "(auto-reset on modification)" in doc else [doc])
        if name == "creator":
            self.use("Creator")
            call = Call("Creator")
            if on_delete == "CASCADE":
                call.kwargs["on_delete"] = Raw("OnDelete.CASCADE")
                self.use("OnDelete")
            return call

        if system:
            self.use("Managed")
            kw["managed"] = Raw("Managed.SYSTEM")

        # references
        if f.get("ref") == "binfile-field" or fk.get("references") == "binfiles":
            self.use("Binfile")
            return Call("Binfile", [name, doc], kw)
        if fk.get("references") and f.get("type") != "array":
            self.use("Ref")
            kw = {}
            action = {"CASCADE": "CASCADE", "SET NULL": "SET_NULL"}.get(on_delete, "RESTRICT")
            if action != "SET_NULL":
                self.use("OnDelete")
                kw["on_delete"] = Raw(f"OnDelete.{action}")
            if nullable is False:
                kw["nullable"] = False
            if fk.get("dependency"):
                kw["dependency"] = True
            if is_wide(f, db):
                kw["wide"] = True
            return Call("Ref", [name, fk["references"], doc], kw, comment)

        # names of canonical entities
        if dbtype == "t_entity":
            self.use("EntityName")
            choices = self.followable if self.ename == "follows" else self.canonical
            if nullable is False:
                kw["nullable"] = False
            return Call("EntityName", [name, choices, doc], kw)

        # JSON documents and arrays
        if dbtype == "json" or f.get("type") == "object" or f.get("ref") in UNTYPED_REFS:
            self.use("Json")
            return Call("Json", [name, doc], kw)
        if dbtype == "text[]":
            self.use("TextArray")
            if name == "serials":
                comment = "dbref indexes array_to_string(serials) for search; not searchable here"
            return Call("TextArray", [name, doc], kw, comment)
        if dbtype == "bigint[]":
            self.use("IntArray")
            kw["wide"] = True
            return Call("IntArray", [name, doc], kw, comment)
        if dbtype == "bytea":  # binfiles.hash
            for n in ("Field", "Kind", "Managed"):
                self.use(n)
            kw = {"nullable": False, "managed": Raw("Managed.SYSTEM")}
            return Call("Field", [name, Raw("Kind.HEXBYTES"), doc], kw)

        # enums (links.visibility is only known from examples: the usual VISIBILITY)
        if ("enum" in f and f.get("type") == "integer") or name == "visibility":
            self.use("Enum")
            if (self.ename, name) in ENUM_FIXES:
                choices, doc, comment = ENUM_FIXES[(self.ename, name)]
            elif name == "visibility" and "enum" not in f:
                choices = SHARED_CHOICES["VISIBILITY"]
            elif f.get("enum_labels"):
                choices = {
                    int(k): v
                    for k, v in sorted(f["enum_labels"].items(), key=lambda kv: int(kv[0]))
                }
                assert sorted(choices) == sorted(f["enum"]), (self.ename, name)
            else:
                assert f["enum"] == [0, 1], (self.ename, name, f["enum"])
                choices = SHARED_CHOICES["NO_YES"]
            shared = next((k for k, v in SHARED_CHOICES.items() if v == choices), None)
            value = self.imp.use("comptoir.schema.entities", shared) if shared else choices
            null_default(default)
            return Call("Enum", [name, value, enum_doc(doc, choices)], kw, comment)

        # numbers
        if f.get("type") == "number" and f.get("format") != "int32":
            self.use("Number")
            null_default(default)
            bounds()
            return Call("Number", [name, doc], kw, comment)
        if f.get("type") in ("integer", "number"):
            wide = is_wide(f, db)
            if wide and not fk.get("polymorphic") and "Unix time" in doc:
                self.use("Timestamp")
                if default is None and (db.get("default") or "").startswith("date_part"):
                    default = self.use("NOW")
                null_default(default)
                return Call("Timestamp", [name, doc], kw, comment)
            self.use("Int")
            if fk.get("polymorphic"):
                comment = f"the ID of a record of the entity named by {fk['type_field']}"
            null_default(default)
            bounds()
            if wide:
                kw["wide"] = True
            return Call("Int", [name, doc], kw, comment)

        # text
        if f.get("type") == "string":
            self.use("Text")
            m = re.fullmatch(r"character varying\((\d+)\)", dbtype)
            if m:
                kw["max_length"] = int(m.group(1))
            elif "maxLength" in f:
                kw["max_length"] = f["maxLength"]
            if "minLength" in f:
                kw["min_length"] = f["minLength"]
            if nullable:
                kw["nullable"] = True
            if default != "":
                kw["default"] = default
            if "enum" in f:  # services/weblets.mimetype: a closed list of strings
                kw["choices"] = {v: v for v in f["enum"]}
            rules = {r["rule"] for r in f.get("rules", [])}
            if "unique" in rules:
                kw["unique"] = True
            if "unique_ci" in rules:
                kw["unique_ci"] = True
            if name in self.search:
                kw["searchable"] = True
            return Call("Text", [name, doc], kw, comment)

        raise ValueError(f"unmapped field {self.ename}.{name}: {f}")


# --- one entity ----------------------------------------------------------------------------


def field_names_of(rule_arg: str) -> list[str]:
    return [n.strip() for n in re.split(r",| and ", rule_arg) if n.strip()]


def make_rules(ename: str, e: dict, table: dict, imp: Imports) -> list[Call]:
    use = lambda n: imp.use("comptoir.schema.rules", n)  # noqa: E731
    names = {f["name"] for f in e["fields"]}
    rules: list[Call] = []
    seen: set[Any] = set()

    def add(key: Any, call: Call) -> None:
        if key not in seen:
            seen.add(key)
            rules.append(call)

    noted: list[bool] = []

    def production_note() -> str:
        if noted:
            return ""
        noted.append(True)
        return "PRODUCTION: type PRODUCTION_FABRICATION (10) or PRODUCTION_DISASSEMBLY (11)"

    exclusive: dict[str, set[str]] = {}
    for f in e["fields"]:
        for r in f.get("rules", []):
            if r["rule"] == "mutually_exclusive":
                exclusive[f["name"]] = {f["name"], *field_names_of(r["args"][0])}

    for f in e["fields"]:
        name = f["name"]
        for r in f.get("rules", []):
            kind, args = r["rule"], r.get("args") or []
            if kind == "required_if_empty":
                other = args[0]
                use("RequiredIfEmpty")
                add(("rie", frozenset({name, other})), Call("RequiredIfEmpty", [name, other]))
                if "otherwise must be empty" in (f.get("description") or ""):
                    use("MutuallyExclusive")
                    group = tuple(sorted({name, other}))
                    add(("mx", frozenset(group)), Call("MutuallyExclusive", [group]))
            elif kind == "mutually_exclusive":
                group = tuple(n for n in (f["name"] for f in e["fields"]) if n in exclusive[name])
                use("MutuallyExclusive")
                add(("mx", frozenset(group)), Call("MutuallyExclusive", [group]))
            elif kind == "one_of_required":
                group = tuple(n for n in (f["name"] for f in e["fields"]) if n in exclusive[name])
                use("OneOfRequired")
                add(("one", frozenset(group)), Call("OneOfRequired", [group]))
            elif kind in ("lte_field", "gte_field"):
                first, second = (name, args[0]) if kind == "lte_field" else (args[0], name)
                use("NotAfter")
                add(("lte", first, second), Call("NotAfter", [first, second]))
            elif kind == "distinct_from":
                other = args[0]
                if other == "ID":
                    add(
                        ("skip", name),
                        Call(
                            "",
                            comment=(
                                f"{name} must be distinct from ID: not a rule here, the ID "
                                "of a new record is not known in advance"
                            ),
                        ),
                    )
                else:
                    use("DistinctFrom")
                    add(("df", name, other), Call("DistinctFrom", [name, other]))
            elif kind == "nonzero":
                use("NonZero")
                add(("nz", name), Call("NonZero", [name]))
            elif kind == "required_iff_not_null":
                use("RequiredIffSet")
                add(("iff", name), Call("RequiredIffSet", [name, args[0]]))
            elif kind == "required_for_type":
                assert ename == "transactions" and args == ["PRODUCTION"]
                use("RequiredForValue")
                add(
                    ("rfv", name),
                    Call(
                        "RequiredForValue",
                        [name, "type", PRODUCTION_TYPES, "PRODUCTION"],
                        {"null_otherwise": True},
                        production_note(),
                    ),
                )
            elif kind == "null_for_type":
                assert ename == "transactions" and args == ["PRODUCTION"]
                use("NullForValue")
                add(
                    ("nfv", name),
                    Call(
                        "NullForValue",
                        [name, "type", PRODUCTION_TYPES, "PRODUCTION"],
                        comment=production_note(),
                    ),
                )

    # stated in words only: "transfer ... must be ... null for RESERVED" (dbref CHECK agrees)
    if ename == "stocktransactions":
        use("NullForValue")
        add(
            ("nfv", "transfer"),
            Call(
                "NullForValue",
                ["transfer", "flag", (1,), "RESERVED"],
                comment="transfer: null for RESERVED (description, dbref CHECK)",
            ),
        )
    # owner / recipient pairs: the seed says nothing, the database CHECKs them
    for a, b in either_null_checks(table):
        if a in names and b in names and ("mx", frozenset({a, b})) not in seen:
            use("MutuallyExclusive")
            add(
                ("mx", frozenset({a, b})),
                Call(
                    "MutuallyExclusive",
                    [(a, b)],
                    comment=f"dbref CHECK ({a} IS NULL OR {b} IS NULL)",
                ),
            )
    return rules


def users_extra_fields(imp: Imports) -> list[Call]:
    for n in ("Text", "Enum", "Managed"):
        imp.use("comptoir.schema.fields", n)
    no_yes = imp.use("comptoir.schema.entities", "NO_YES")
    return [
        Call(
            "Text",
            ["password", "Password hash (argon2id); never shown"],
            {"hidden": True},
            "not in the REST API: kept for authentication",
        ),
        Call(
            "Text",
            ["accesskey", "Webservice access key; never shown"],
            {"nullable": True, "default": None, "hidden": True},
        ),
        Call(
            "Enum",
            ["admin", no_yes, "Administrator"],
            {"nullable": False, "default": 0, "managed": Raw("Managed.SYSTEM")},
            "shown but not client-writable",
        ),
    ]


def binfiles_extra_fields(imp: Imports) -> list[Call]:
    imp.use("comptoir.schema.fields", "Field"), imp.use("comptoir.schema.fields", "Kind")
    return [
        Call(
            "Field",
            ["content", Raw("Kind.HEXBYTES"), "The content"],
            {"nullable": False, "hidden": True},
            "the bytes themselves, stored in a binary column; clients see them Base64-encoded "
            "through the expand of binfile fields",
        )
    ]


def make_entity(
    ename: str, area: str, spec: dict, dbref: dict, imp: Imports, canonical: Raw, followable: Raw
) -> tuple[list[str], str]:
    e = spec["entities"][ename]
    table = dbref[ename]
    maker = FieldMaker(ename, e, table, canonical, followable, imp)
    fields = [maker.make(f) for f in e["fields"]]
    id_first = [c for c in fields if c.func == "Id"] + [c for c in fields if c.func != "Id"]
    if ename == "users":
        id_first += users_extra_fields(imp)
    if ename == "binfiles":
        id_first += binfiles_extra_fields(imp)

    ops = {op for op, route in e["operations"].items() if route}
    perms = e["permissions"]
    read_kw = parse_access(perms["list"])
    assert all(parse_access(perms[op]) == read_kw for op in ("get", "head") if op in perms)
    if e["read_only"]:
        write_kw = {"admin_only": True}
    else:
        write_kw = parse_access(perms["create"])
        assert all(parse_access(perms[op]) == write_kw for op in ("update", "delete"))

    if ops == {"list", "create", "get", "head", "update", "delete"}:
        ops_code = imp.use("comptoir.schema.entity", "ALL_OPS")
    elif ops == {"list", "get", "head"}:
        ops_code = imp.use("comptoir.schema.entity", "READ_OPS")
    else:
        assert ops == {"list"}, ops
        imp.use("comptoir.schema.entity", "Op")
        ops_code = Raw("frozenset({Op.LIST})")

    names = [f["name"] for f in e["fields"]]
    kw: dict[str, Any] = {
        "name": ename,
        "singular": e["singular"] or ename.removesuffix("s"),
        "area": area,
        "doc": ENTITY_DOCS[ename],
        "fields": None,  # rendered below
        "read": Raw(access_call(read_kw, imp).render()),
        "write": Raw(access_call(write_kw, imp).render()),
        "ops": ops_code,
    }
    if e["supports_extdata"]:
        kw["extdata"] = True
    if e["supports_tags"]:
        kw["tags"] = True
    if "ownergroup" in names:
        imp.use("comptoir.schema.entity", "Ownership")
        kw["ownership"] = Raw(
            "Ownership.USER_OR_GROUP" if "owneruser" in names else "Ownership.GROUP"
        )
    deps = e.get("dependencies")
    parents: tuple[str, ...] = ()
    if deps:
        parents = tuple(p if p in names else p.removesuffix("s") for p in deps["fields"])
        assert all(p in names for p in parents), (ename, parents)
        kw["parents"] = parents
        if deps["mode"] == "any_of":
            kw["any_parent"] = True
    parent_comment = ""
    if ename in EXTRA_PARENTS:
        kw["parents"] = EXTRA_PARENTS[ename]
        parent_comment = (
            "channel is marked '(dependency)' although the operations do "
            "not say 'Has dependency on channel'"
        )
    rules = make_rules(ename, e, table, imp)
    params = tuple(p for p in (e.get("get_query_params") or []) if p != "expand")
    if params:
        kw["get_params"] = params

    const = ename.upper()
    lines = [f"{const} = Entity("]
    for key, value in kw.items():
        if key == "fields":
            lines.append("    fields=(")
            for c in id_first:
                lines += comment_lines(c.comment, 8)
                lines.append(f"        {c.render()},")
            lines.append("    ),")
        else:
            if key == "parents" and parent_comment:
                lines += comment_lines(parent_comment, 4)
            lines.append(f"    {key}={lit(value)},")
    if rules:
        # rules go before get_params for reading order: insert after ownership/parents
        rule_lines = ["    rules=("]
        for c in rules:
            rule_lines += comment_lines(c.comment, 8)
            if c.func:
                rule_lines.append(f"        {c.render()},")
        rule_lines.append("    ),")
        at = next((i for i, ln in enumerate(lines) if ln.startswith("    get_params=")), len(lines))
        lines[at:at] = rule_lines
    lines.append(")")
    imp.use("comptoir.schema.entity", "Entity")
    return lines, const


def comment_lines(text: str, indent: int) -> list[str]:
    pad = " " * indent + "# "
    return [pad + line for line in textwrap.wrap(text, 96 - len(pad))] if text else []


# --- modules -------------------------------------------------------------------------------

HEADER_NOTE = (
    "First generated from the ZeyOS spec by tools/gen_registry.py; this file, not the spec,\n"
    "is now the source of truth."
)


def write_module(area: str, spec: dict, dbref: dict) -> Path:
    doc, names = AREAS[area]
    imp = Imports()
    canonical = imp.use("comptoir.schema.entities", "CANONICAL_ENTITIES")
    followable = Raw("FOLLOWABLE_ENTITIES")
    blocks, consts = [], []
    for ename in names:
        if ename == "follows":
            imp.use("comptoir.schema.entities", "FOLLOWABLE_ENTITIES")
        lines, const = make_entity(ename, area, spec, dbref, imp, canonical, followable)
        blocks.append("\n".join(lines))
        consts.append(const)
    # CANONICAL_ENTITIES was registered eagerly; drop it when no field used it
    body = "\n\n".join(blocks)
    if "CANONICAL_ENTITIES" not in body:
        imp.names["comptoir.schema.entities"].discard("CANONICAL_ENTITIES")
        if not imp.names["comptoir.schema.entities"]:
            del imp.names["comptoir.schema.entities"]
    doc = "\n".join(textwrap.wrap(doc, 92))
    text = (
        f'"""{doc}\n\n{HEADER_NOTE}\n"""\n\n'
        "from __future__ import annotations\n\n"
        f"{imp.render()}\n\n"
        f"{body}\n\n"
        f"ENTITIES: tuple[Entity, ...] = ({', '.join(consts)},)\n"
    )
    path = OUT / f"{area}.py"
    path.write_text(text)
    return path


def write_package_init(canonical: tuple[str, ...], followable: tuple[str, ...]) -> Path:
    def choices(name: str) -> str:
        return f"{name} = {lit(SHARED_CHOICES[name])}"

    extra = tuple(sorted(set(followable) - set(canonical)))
    text = f'''"""The entity registry: the single source of truth for Comptoir's data model.

One module per area (`crm`, `sales`, ...) declares its entities in a module-level
`ENTITIES` tuple; `comptoir.schema.registry` collects them.  This package module holds
what several areas share: the names of the canonical entities and common value labels.

{HEADER_NOTE}
"""

from __future__ import annotations

#: entities whose records may be named by (entity, index) pairs: records.entity,
#: events.entity, associations.entity1/2, entities2channels.entity
CANONICAL_ENTITIES: tuple[str, ...] = {lit(canonical)}

#: follows.entity: the canonical entities plus feed records
FOLLOWABLE_ENTITIES: tuple[str, ...] = tuple(sorted(CANONICAL_ENTITIES + {lit(extra)}))

# value labels shared by many enum fields
{choices("NO_YES")}
{choices("VISIBILITY")}
{choices("ACTIVITY")}
{choices("PRIORITY")}
{choices("CALCULATION")}
'''
    assert tuple(sorted(canonical + extra)) == followable
    path = OUT / "__init__.py"
    path.write_text(text)
    return path


def main() -> int:
    spec, dbref = load()
    all_names = [n for _, names in AREAS.values() for n in names]
    assert len(all_names) == len(set(all_names)) == 58
    assert set(all_names) == set(spec["entities"]), set(spec["entities"]) ^ set(all_names)
    canonical, followable = entity_enums(spec)
    written = [write_package_init(canonical, followable)]
    written += [write_module(area, spec, dbref) for area in AREAS]
    files = [str(p) for p in written]
    subprocess.run([str(RUFF), "check", "--fix", "--select", "I", *files], check=True)
    subprocess.run([str(RUFF), "format", *files], check=True)
    subprocess.run([str(RUFF), "check", *files], check=True)
    for p in written:
        print(p.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
