"""Finance and messaging modules: PriceBooks (price lists), Emails (e-mail messages) and
Currency (the currencies, an actor module).

vtiger's PriceBooks `active` is a boolean where Comptoir's price lists have an activity
(ACTIVE, DEACTIVATED, DELETED): it is a picklist here, `1` for ACTIVE, `0` for DEACTIVATED.
A price list's currency is an ISO 4217 code, not a Currency record: vtiger's `currency_id`
reference is the string field `currency_code`."""

from __future__ import annotations

from comptoir.schema.module import (
    CreatedTime,
    Description,
    ModifiedTime,
    Module,
    Owner,
    Picklist,
    Ws,
    WsType,
)

PRICEBOOKS = Module(
    "PriceBooks", 8, "pricelists", label="Price Books", singular="Price Book",
    fields=(
        Ws("bookname", WsType.STRING, "name", "Price Book Name", mandatory=True),
        # pricelists.activity: ACTIVE, DEACTIVATED, DELETED
        Picklist("active", "activity", "Active", {0: "1", 1: "0"}),
        Ws("currency_code", WsType.STRING, "currency", "Currency"),
        CreatedTime(),
        ModifiedTime(),
        Description(),
    ),
    label_fields=("bookname",),
    create_defaults={"currency": "default"},
)

EMAILS = Module(
    "Emails", 16, "messages", label="Email", singular="Email",
    fields=(
        Ws("subject", WsType.STRING, "subject", "Subject", mandatory=True),
        Ws("from_email", WsType.EMAIL, "sender_email", "From"),
        Ws("saved_toid", WsType.TEXT, "to", "To"),
        Ws("ccmail", WsType.TEXT, "cc", "CC"),
        Ws("bccmail", WsType.TEXT, "bcc", "BCC"),
        Ws("date_start", WsType.DATETIME, "date", "Date & Time Sent"),
        Owner("owneruser"),
        CreatedTime(),
        ModifiedTime(),
        Description("text"),
    ),
    label_fields=("subject",),
    # messages.mailbox: ARCHIVE (a filed e-mail, as vtiger's saved ones), INBOX, DRAFTS,
    # SENT, MAILINGS; not TEMPLATES (vtiger's EmailTemplates), TRASH or JUNK
    where={"mailbox": (5, 0, 1, 2, 4)},
)

CURRENCY = Module(
    "Currency", 21, "currencies", label="Currency", singular="Currency",
    fields=(
        Ws("currency_name", WsType.STRING, "name", "Currency Name", mandatory=True),
        Ws("currency_code", WsType.STRING, "code", "Currency Code", mandatory=True),
        Ws("currency_symbol", WsType.STRING, "symbol", "Symbol"),
        Ws("conversion_rate", WsType.DOUBLE, "conversionrate", "Conversion Rate"),
        Picklist("currency_status", "active", "Status", {0: "Inactive", 1: "Active"}),
    ),
    label_fields=("currency_name",),
    is_entity=False,
    group_field=None,
)

MODULES = (PRICEBOOKS, EMAILS, CURRENCY)
