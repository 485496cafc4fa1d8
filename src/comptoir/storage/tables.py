"""SQLAlchemy Core tables, derived from the registry.

Per entity:
- `<entity>`: one column per field, plus `_rev`, the revision counter behind the ETag
  (bumped on every write, compared in the UPDATE itself so that If-Match is atomic);
- `<entity>_extdata` (entities with extdata): custom field values, one row per record and
  name, typed: `textvalue` always, `numvalue` when the value is a number, both indexed;
- `<entity>_tags` (entities with tags): one row per record and tag, indexed by tag.

Plus the platform tables that the ZeyOS entities do not declare: `tokens` (login tokens,
stored as SHA-256 digests), `apikeys` (API keys, digests too), `ws_challenges` and `ws_sessions` (webservice logins and
sessions, the latter as digests) `config` (the instance configuration, `GET /config`), `ui_settings` (what the web
interface keeps per user) and `login_failures` (for log-in throttling).
"""

from __future__ import annotations

import sqlalchemy as sa

from comptoir.schema.entity import Entity
from comptoir.schema.fields import Field, Kind
from comptoir.schema.registry import ENTITIES

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

REV = "_rev"

_WIDE_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _column_type(f: Field) -> sa.types.TypeEngine:  # type: ignore[type-arg]
    match f.kind:
        case Kind.INT | Kind.REF | Kind.BINFILE:
            return sa.BigInteger() if f.wide else sa.Integer()
        case Kind.BIGINT:
            return sa.BigInteger()
        case Kind.NUMBER:
            return sa.Double()
        case Kind.ENUM:
            return sa.SmallInteger()
        case Kind.TEXT:
            return sa.String(f.max_length) if f.max_length else sa.Text()
        case Kind.HEXBYTES:
            return sa.LargeBinary()
        case _:  # JSON, arrays, entity names: text (JSON-encoded for documents and arrays)
            return sa.Text()


def _server_default(f: Field) -> sa.TextClause | None:
    if f.default is None or f.nullable or f.kind in (Kind.JSON,):
        return None
    if isinstance(f.default, str):
        if f.default == "now":
            return None  # set by the service layer: the same clock on both databases
        return sa.text("'" + f.default.replace("'", "''") + "'")
    if isinstance(f.default, int | float):
        return sa.text(str(f.default))
    return None


def _column(entity: Entity, f: Field) -> sa.Column:  # type: ignore[type-arg]
    if f.name == "ID":
        return sa.Column("ID", _WIDE_ID if f.wide else sa.Integer(), primary_key=True,
                         autoincrement=True)
    args: list[sa.ForeignKey] = []
    if f.is_reference and f.ref is not None and f.ref in ENTITIES:
        ondelete = None if f.on_delete is None or f.on_delete == "RESTRICT" else str(f.on_delete)
        args.append(sa.ForeignKey(f"{f.ref}.ID", ondelete=ondelete))
    return sa.Column(f.name, _column_type(f), *args, nullable=f.nullable,
                     server_default=_server_default(f), index=f.is_reference or f.indexed,
                     unique=f.unique or None)


def _entity_table(entity: Entity) -> sa.Table:
    columns = [_column(entity, f) for f in entity.fields]
    columns.append(sa.Column(REV, sa.Integer(), nullable=False, server_default=sa.text("1")))
    # IDs are never reused, as with PostgreSQL sequences (SQLite: AUTOINCREMENT)
    uniques = [sa.UniqueConstraint(*names) for names in entity.unique_together]
    table = sa.Table(entity.name, metadata, *columns, *uniques, sqlite_autoincrement=True)
    for f in entity.fields:
        if f.unique_ci:  # empty values (users without e-mail) are not unique
            column = table.c[f.name]
            sa.Index(f"uq_{entity.name}_{f.name}_ci", sa.func.lower(column), unique=True,
                     sqlite_where=column != "", postgresql_where=column != "")
    return table


def _extdata_table(entity: Entity) -> sa.Table:
    name = f"{entity.name}_extdata"
    table = sa.Table(
        name, metadata,
        sa.Column("record", _column_type(entity.id_field),
                  sa.ForeignKey(f"{entity.name}.ID", ondelete="CASCADE"), primary_key=True),
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("textvalue", sa.Text(), nullable=True),
        sa.Column("numvalue", sa.Double(), nullable=True),
    )
    sa.Index(f"ix_{name}_name_text", table.c.name, table.c.textvalue)
    sa.Index(f"ix_{name}_name_num", table.c.name, table.c.numvalue)
    return table


def _tags_table(entity: Entity) -> sa.Table:
    name = f"{entity.name}_tags"
    table = sa.Table(
        name, metadata,
        sa.Column("record", _column_type(entity.id_field),
                  sa.ForeignKey(f"{entity.name}.ID", ondelete="CASCADE"), primary_key=True),
        sa.Column("tag", sa.Text(), primary_key=True),
    )
    sa.Index(f"ix_{name}_tag", table.c.tag, table.c.record)
    return table


TABLES: dict[str, sa.Table] = {}
EXTDATA: dict[str, sa.Table] = {}
TAGS: dict[str, sa.Table] = {}

for _entity in ENTITIES.values():
    TABLES[_entity.name] = _entity_table(_entity)
    if _entity.extdata:
        EXTDATA[_entity.name] = _extdata_table(_entity)
    if _entity.tags:
        TAGS[_entity.name] = _tags_table(_entity)

tokens = sa.Table(
    "tokens", metadata,
    sa.Column("ID", _WIDE_ID, primary_key=True, autoincrement=True),
    sa.Column("user", sa.Integer(), sa.ForeignKey("users.ID", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("application", sa.Integer(), sa.ForeignKey("applications.ID", ondelete="CASCADE"),
              nullable=True),
    sa.Column("digest", sa.String(64), nullable=False, unique=True),
    sa.Column("identifier", sa.Text(), nullable=False),
    sa.Column("expdate", sa.BigInteger(), nullable=True),
    sa.Column("creationdate", sa.BigInteger(), nullable=False),
    sqlite_autoincrement=True,
)

#: API keys (the `token:` header): each acts as one user, optionally scoped; stored as
#: SHA-256 digests, `prefix` (the first 8 characters) only names them in listings
apikeys = sa.Table(
    "apikeys", metadata,
    sa.Column("ID", _WIDE_ID, primary_key=True, autoincrement=True),
    sa.Column("user", sa.Integer(), sa.ForeignKey("users.ID", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("prefix", sa.String(8), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False, unique=True),
    sa.Column("scopes", sa.Text(), nullable=False),
    sa.Column("expires", sa.BigInteger(), nullable=True),
    sa.Column("revoked", sa.BigInteger(), nullable=True),
    sa.Column("created", sa.BigInteger(), nullable=False),
    sa.Column("lastused", sa.BigInteger(), nullable=True),
    sqlite_autoincrement=True,
)

#: webservice login challenges (`getchallenge`): several live ones per user
ws_challenges = sa.Table(
    "ws_challenges", metadata,
    sa.Column("ID", _WIDE_ID, primary_key=True, autoincrement=True),
    sa.Column("user", sa.Integer(), sa.ForeignKey("users.ID", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("token", sa.String(32), nullable=False, unique=True),
    sa.Column("expires", sa.BigInteger(), nullable=False),
    sqlite_autoincrement=True,
)

#: webservice sessions (`sessionName`), stored as SHA-256 digests of the session id
ws_sessions = sa.Table(
    "ws_sessions", metadata,
    sa.Column("ID", _WIDE_ID, primary_key=True, autoincrement=True),
    sa.Column("user", sa.Integer(), sa.ForeignKey("users.ID", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("digest", sa.String(64), nullable=False, unique=True),
    sa.Column("created", sa.BigInteger(), nullable=False),
    sa.Column("seen", sa.BigInteger(), nullable=False),
    sqlite_autoincrement=True,
)

config = sa.Table(
    "config", metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
)


#: the transactional outbox: one event per create, update and delete, written in the
#: transaction of the change (events/outbox.py); `ID` orders them for delivery
outbox = sa.Table(
    "outbox", metadata,
    sa.Column("ID", _WIDE_ID, primary_key=True, autoincrement=True),
    #: the event's unique id as webhooks carry it: "evt_" + 32 hex
    sa.Column("event", sa.String(40), nullable=False, unique=True),
    #: "<entity>.<created|updated|deleted>"
    sa.Column("type", sa.String(80), nullable=False),
    sa.Column("entity", sa.String(64), nullable=False),
    sa.Column("record", sa.BigInteger(), nullable=False),
    #: 1, 2, 3... per record: the order of the events of one record
    sa.Column("sequence", sa.Integer(), nullable=False),
    #: Unix time in milliseconds
    sa.Column("occurred", sa.BigInteger(), nullable=False),
    #: the user who made the change
    sa.Column("actor", sa.Integer(), nullable=True),
    #: JSON: {"record": ..., "changes": {field: {"before": ..., "after": ...}}}
    sa.Column("data", sa.Text(), nullable=False),
    #: turned into webhook deliveries already (services/webhooks.fan_out)
    sa.Column("fanned", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("entity", "record", "sequence"),
    sa.Index("ix_outbox_fanned", "fanned", "ID"),
    sqlite_autoincrement=True,
)

#: webhook endpoints (services/webhooks.py): `events` is a JSON list of patterns
#: ("contacts.created", "*.deleted", "*"); after a rotation `previous_secret` still signs
#: until `previous_until`; times in milliseconds
webhook_endpoints = sa.Table(
    "webhook_endpoints", metadata,
    sa.Column("ID", _WIDE_ID, primary_key=True, autoincrement=True),
    sa.Column("url", sa.Text(), nullable=False),
    sa.Column("events", sa.Text(), nullable=False),
    #: a ZeyOS JSON filter (JSON text) the records of created/updated events must match
    sa.Column("filter", sa.Text(), nullable=True),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("enabled", sa.Boolean(), nullable=False),
    #: the user whose read rights filter the events the endpoint receives
    sa.Column("owner", sa.Integer(), sa.ForeignKey("users.ID", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("secret", sa.Text(), nullable=False),
    sa.Column("previous_secret", sa.Text(), nullable=True),
    sa.Column("previous_until", sa.BigInteger(), nullable=True),
    sa.Column("created", sa.BigInteger(), nullable=False),
    sa.Column("disabled_reason", sa.Text(), nullable=True),
    #: when the current run of failed attempts began (None: the last attempt succeeded)
    sa.Column("failing_since", sa.BigInteger(), nullable=True),
    sqlite_autoincrement=True,
)

#: one outbox event to send to one endpoint: pending (never tried), failed (a retry is
#: due at `next_attempt`), succeeded or dead (ten failures); a worker holds it until
#: `lease_until` while sending
webhook_deliveries = sa.Table(
    "webhook_deliveries", metadata,
    sa.Column("ID", _WIDE_ID, primary_key=True, autoincrement=True),
    sa.Column("endpoint", _WIDE_ID, sa.ForeignKey("webhook_endpoints.ID", ondelete="CASCADE"),
              nullable=False),
    sa.Column("event", _WIDE_ID, sa.ForeignKey("outbox.ID", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt", sa.BigInteger(), nullable=True),
    sa.Column("lease_until", sa.BigInteger(), nullable=True),
    sa.Column("last_status", sa.Integer(), nullable=True),
    sa.Column("created", sa.BigInteger(), nullable=False),
    sa.UniqueConstraint("endpoint", "event"),
    sa.Index("ix_webhook_deliveries_due", "status", "next_attempt"),
    sqlite_autoincrement=True,
)

#: every attempt of a delivery: HTTP status (None: no answer), latency, error, the first
#: kilobyte of the answer
webhook_attempts = sa.Table(
    "webhook_attempts", metadata,
    sa.Column("ID", _WIDE_ID, primary_key=True, autoincrement=True),
    sa.Column("delivery", _WIDE_ID, sa.ForeignKey("webhook_deliveries.ID", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("at", sa.BigInteger(), nullable=False),
    sa.Column("status", sa.Integer(), nullable=True),
    sa.Column("latency", sa.Integer(), nullable=False),
    sa.Column("error", sa.Text(), nullable=True),
    sa.Column("response", sa.Text(), nullable=True),
    sqlite_autoincrement=True,
)


#: the mail outbox (services/mail.py, events/mailer.py): one e-mail message to send,
#: pending (never tried), failed (a retry is due at `next_attempt`), sent or dead (a 5xx
#: answer, or every attempt failed); a worker holds it until `lease_until` while sending;
#: times in milliseconds
mail_outbox = sa.Table(
    "mail_outbox", metadata,
    sa.Column("ID", _WIDE_ID, primary_key=True, autoincrement=True),
    sa.Column("message", sa.Integer(), sa.ForeignKey("messages.ID", ondelete="CASCADE"),
              nullable=False, unique=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt", sa.BigInteger(), nullable=True),
    sa.Column("lease_until", sa.BigInteger(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("created", sa.BigInteger(), nullable=False),
    sa.Index("ix_mail_outbox_due", "status", "next_attempt"),
    sqlite_autoincrement=True,
)


#: the log of deleted records: what they were and when they went (webservice `sync`)
deletions = sa.Table(
    "deletions", metadata,
    sa.Column("ID", _WIDE_ID, primary_key=True, autoincrement=True),
    sa.Column("entity", sa.String(64), nullable=False),
    sa.Column("record", sa.BigInteger(), nullable=False),
    sa.Column("deleted", sa.BigInteger(), nullable=False, index=True),
    sa.Column("deletedby", sa.Integer(), nullable=True),
    #: the record as it was, JSON (its owner columns decide who may learn of the deletion)
    sa.Column("data", sa.Text(), nullable=False),
    sqlite_autoincrement=True,
)


#: what the web interface keeps per user (user NULL: for everyone, set by an administrator):
#: saved list views, reports, dashboards, preferences and module layouts; `data` is JSON
ui_settings = sa.Table(
    "ui_settings", metadata,
    sa.Column("ID", _WIDE_ID, primary_key=True, autoincrement=True),
    sa.Column("user", sa.Integer(), sa.ForeignKey("users.ID", ondelete="CASCADE"),
              nullable=True),
    #: "view", "report", "dashboard", "preferences", "layout"
    sa.Column("kind", sa.String(16), nullable=False),
    #: the screen it is for ("accounts", "Invoice"; "" when it is for none)
    sa.Column("screen", sa.String(64), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("data", sa.Text(), nullable=False),
    sa.Column("lastmodified", sa.BigInteger(), nullable=False),
    sa.Index("ix_ui_settings_user_kind", "user", "kind", "screen"),
    sqlite_autoincrement=True,
)

#: failed log-ins, by lower-cased user name and client address, for throttling (every door)
login_failures = sa.Table(
    "login_failures", metadata,
    sa.Column("ID", _WIDE_ID, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("address", sa.String(64), nullable=False),
    sa.Column("at", sa.BigInteger(), nullable=False),
    sa.Index("ix_login_failures_name_at", "name", "at"),
    sa.Index("ix_login_failures_address_at", "address", "at"),
    sqlite_autoincrement=True,
)


def _break_cycles() -> None:
    """Foreign keys in cycles (users <-> contacts <-> groups, ...) are added after the
    tables on databases that can ALTER (PostgreSQL); SQLite declares them inline."""
    ordered = sa.sql.ddl.sort_tables_and_constraints(list(metadata.tables.values()))  # type: ignore[no-untyped-call]
    for table, constraints in ordered:
        if table is None:
            for constraint in constraints:
                constraint.use_alter = True


_break_cycles()
