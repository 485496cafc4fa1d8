"""The price of a document line from the price lists (the rule: `domain/pricing.py`, told in
`docs/pricing.md`), and the price an item would get, for the read actions.

    price, pricelist = await price_line(conn, document, item_id, quantity)
    await quote_price(db, caller, 3, {"account": "5", "quantity": "10"})
    await quote_item_price(db, caller, {"id": "14x3", "account": "11x5"})   # webservice

A line added without a price takes it here, through every door: REST `PUT /lineitems`
(`price_new_record`, called by `records.create_record`), the ZeyOS `items` JSON made into
line items at issue (`issuing.py`) and the webservice `LineItems` (`inventory.py`).  The
lists of a document are those of its side (billing or procurement, by its type), active,
dated around its date, in its currency or none, for every account or linked to its own.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from comptoir.domain.pricing import PriceRule, best_price, list_applies
from comptoir.errors import InvalidFieldError, InvalidIdError, NotFoundError
from comptoir.schema.entity import Entity
from comptoir.schema.modules import MODULES
from comptoir.schema.registry import ENTITIES
from comptoir.services import numbering
from comptoir.services.access import Caller, check_operation
from comptoir.storage import rows
from comptoir.storage.database import Connection, Database, Row
from comptoir.wire import module_values as mv
from comptoir.wire.values import in_range, stored_decimal, stored_decimal_or_none

TRANSACTIONS, LINEITEMS, ITEMS = (ENTITIES[n] for n in ("transactions", "lineitems", "items"))
ACCOUNTS, PRICES = ENTITIES["accounts"], ENTITIES["prices"]
PRICELISTS, PRICELISTS2ACCOUNTS = ENTITIES["pricelists"], ENTITIES["pricelists2accounts"]
#: transactions.type label -> value (BILLING_INVOICE -> 3)
DOCUMENT_TYPES = {label: int(value) for value, label in TRANSACTIONS.by_name["type"].choices.items()}
DRAFT = next(value for value, label in TRANSACTIONS.by_name["status"].choices.items()
             if label == "DRAFT")
#: pricelists.type -> (the side of the documents it prices, whether the lowest price wins)
LIST_TYPES = {value: (label.split("_")[0], label.endswith("_MIN"))
              for value, label in PRICELISTS.by_name["type"].choices.items()}
SIDES = frozenset(side for side, _ in LIST_TYPES.values())
DEFAULT_TYPE = "BILLING_INVOICE"
DAY_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CURRENCY_FORMAT = re.compile(r"^[A-Z]{3}$")
PRICE_PLACES = 8


def _side(document: Mapping[str, Any]) -> str:
    """BILLING, PROCUREMENT or PRODUCTION: the first word of the document's type."""
    return TRANSACTIONS.by_name["type"].choices.get(document.get("type"), "").split("_")[0]


def base_price(item: Mapping[str, Any], side: str) -> Decimal:
    """The item's price without a list: its purchase price on a procurement document (its
    selling price when it has none), else its selling price."""
    purchase = stored_decimal(item["purchaseprice"])
    if side == "PROCUREMENT" and purchase > 0:
        return purchase
    return stored_decimal(item["sellingprice"])


async def _rules(conn: Connection, document: Mapping[str, Any], item: int,
                 side: str) -> dict[bool, list[PriceRule]]:
    """The rows of `item` in the lists that apply to `document`, by whether their list
    wants the lowest price (the _MIN types) or the highest."""
    prices = await rows.select_rows_where(conn, PRICES, {"item": item})
    found: dict[bool, list[PriceRule]] = {True: [], False: []}
    if not prices or side not in SIDES:
        return found
    lists = {row["ID"]: row for row in await rows.select_rows_in(
        conn, PRICELISTS, "ID", {row["pricelist"] for row in prices})}
    account = document.get("account")
    linked = {row["pricelist"] for row in await rows.select_rows_where(
        conn, PRICELISTS2ACCOUNTS, {"account": account})} if account is not None else set()
    when = document.get("date") or int(time.time())
    for row in prices:
        pricelist = lists[row["pricelist"]]
        list_side, lowest = LIST_TYPES[pricelist["type"]]
        if list_side == side and list_applies(
                active=pricelist["activity"] == 0, date_from=pricelist["datefrom"],
                date_to=pricelist["dateto"], when=when, currency=pricelist["currency"],
                document_currency=document.get("currency"),
                for_everyone=bool(pricelist["applytoall"]), linked=pricelist["ID"] in linked):
            found[lowest].append(PriceRule(
                pricelist["ID"], stored_decimal_or_none(row["price"]),
                stored_decimal(row["rebate"]), stored_decimal_or_none(row["discount"]),
                stored_decimal(pricelist["discount"]), stored_decimal(row["minamount"])))
    return found


async def line_price(conn: Connection, document: Mapping[str, Any], item: Row,
                     quantity: Decimal) -> tuple[Decimal, int | None]:
    """`price_line` of the item record `item`."""
    side = _side(document)
    base = base_price(item, side)
    rules = await _rules(conn, document, item["ID"], side)
    price, pricelist = best_price(rules[True], base, quantity)
    if pricelist is None:  # the _MIN lists win; the _MAX lists price what they do not
        price, pricelist = best_price(rules[False], base, quantity, lowest=False)
    return price, pricelist


async def price_line(conn: Connection, document: Mapping[str, Any], item_id: int,
                     quantity: Decimal) -> tuple[Decimal, int | None]:
    """The unit price of `quantity` of item `item_id` on `document` (its `type`, `account`,
    `date` and `currency`) and the price list that gives it (None: the item's base price)."""
    item = (await rows.select_row(conn, ITEMS, item_id)
            if in_range(ITEMS.id_field, item_id) else None)
    if item is None:
        raise InvalidFieldError("item", f"item {item_id} does not exist")
    return await line_price(conn, document, item, quantity)


async def price_new_record(conn: Connection, entity: Entity, record: Mapping[str, Any],
                           given: Mapping[str, Any]) -> dict[str, Any]:
    """The `listprice` and `pricelist` of a new line item of a draft given with an item and
    without a price; {} for any other record (a line with its price keeps it)."""
    if entity is not LINEITEMS or "listprice" in given or record.get("item") is None:
        return {}
    document = await rows.select_row(conn, TRANSACTIONS, record["transaction"])
    if document is None or document["status"] != DRAFT:
        return {}
    price, pricelist = await price_line(conn, document, record["item"],
                                        stored_decimal(record["quantity"]))
    return {"listprice": float(price), "pricelist": pricelist}


# --- the read actions ----------------------------------------------------------------------


def _text(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str | int):
        raise InvalidFieldError(name, "must be a string")
    return str(value).strip()


def _account(params: Mapping[str, Any]) -> int | None:
    raw = _text(params, "account")
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or not in_range(ACCOUNTS.id_field, int(raw)):
        raise InvalidFieldError("account", f"must be an account ID, not {raw[:40]!r}")
    return int(raw)


def _quantity(params: Mapping[str, Any]) -> Decimal:
    raw = _text(params, "quantity")
    quantity = Decimal(1) if raw is None else mv.parse_decimal("quantity", raw)
    if abs(quantity) >= Decimal(10) ** 13:
        raise InvalidFieldError("quantity", "must be below 10^13")
    return quantity


def _date(params: Mapping[str, Any]) -> int:
    """The document's date: noon (UTC) of the day given, as an issued document's, or now."""
    raw = _text(params, "date")
    if raw is None:
        return int(time.time())
    try:
        day = dt.date.fromisoformat(raw) if DAY_FORMAT.match(raw) else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidFieldError("date", f"must be a date YYYY-MM-DD, not {raw[:40]!r}")
    return int(dt.datetime.combine(day, dt.time(12), dt.UTC).timestamp())


def _currency(params: Mapping[str, Any]) -> str | None:
    raw = _text(params, "currency")
    if raw is not None and not CURRENCY_FORMAT.match(raw.upper()):
        raise InvalidFieldError("currency", f"must be a currency code (EUR), not {raw[:40]!r}")
    return None if raw is None else raw.upper()


def _type(params: Mapping[str, Any]) -> int:
    raw = _text(params, "type") or DEFAULT_TYPE
    if raw.upper() in DOCUMENT_TYPES:
        return DOCUMENT_TYPES[raw.upper()]
    if raw.isascii() and raw.isdigit() and int(raw) in DOCUMENT_TYPES.values():
        return int(raw)
    raise InvalidFieldError("type", f"must be a transaction type ({DEFAULT_TYPE}, ...), "
                            f"not {raw[:40]!r}")


async def quote_price(db: Database, caller: Caller, item_id: int,
                      params: Mapping[str, Any]) -> dict[str, Any]:
    """The price a line of item `item_id` would get: `params` are the optional `account`,
    `quantity` (1), `date` (today), `currency` (the account's, else the default company's)
    and `type` (BILLING_INVOICE) of the document.  {item, price, pricelist, base}."""
    check_operation(LINEITEMS, caller, write=False)
    document: dict[str, Any] = {"account": _account(params), "date": _date(params),
                                "currency": _currency(params), "type": _type(params)}
    quantity = _quantity(params)
    async with db.read() as conn:
        item = (await rows.select_row(conn, ITEMS, item_id)
                if in_range(ITEMS.id_field, item_id) else None)
        if item is None:
            raise NotFoundError(f"item {item_id} not found")
        account = (await rows.select_row(conn, ACCOUNTS, document["account"])
                   if document["account"] is not None else None)
        if document["account"] is not None and account is None:
            raise InvalidFieldError("account", f"account {document['account']} does not exist")
        if document["currency"] is None:
            document["currency"] = (account or {}).get("currency") or (
                await numbering.default_company(conn))["currency"]
        price, pricelist = await line_price(conn, document, item, quantity)
    return {"item": item_id, "price": float(price), "pricelist": pricelist,
            "base": float(base_price(item, _side(document)))}


def _ws_record(params: Mapping[str, Any], name: str,
               modules: tuple[str, ...]) -> tuple[str, int] | None:
    """The module name and record ID of the webservice id `params[name]` (`14x3`), which
    must be of one of `modules`."""
    raw = _text(params, name)
    if raw is None:
        return None
    module, record_id = mv.module_of(raw)
    if module.name not in modules:
        raise InvalidIdError(f"Id specified is incorrect: {raw[:40]} is not a "
                             f"{' or '.join(modules)} id")
    return module.name, record_id


async def quote_item_price(db: Database, caller: Caller,
                           params: Mapping[str, Any]) -> dict[str, Any]:
    """`quote_price` as the webservice asks it: `id` a Products or Services id, `account` an
    Accounts or Vendors id, `type` a module name (`PurchaseOrder`) or a ZeyOS type; the prices in
    vtiger's form, the price list a PriceBooks id (or "")."""
    item = _ws_record(params, "id", ("Products", "Services"))
    if item is None:
        raise InvalidIdError("Id specified is incorrect: id is required (a Products or "
                             "Services id)")
    account = _ws_record(params, "account", ("Accounts", "Vendors"))
    options = {**params, "account": None if account is None else str(account[1])}
    module = MODULES.get(str(params.get("type")))
    if module is not None and module.entity == "transactions" and "type" in module.where:
        options["type"] = str(module.where["type"][0])
    answer = await quote_price(db, caller, item[1], options)
    return {"item": mv.ws_id(MODULES[item[0]].prefix, item[1]),
            "price": mv.decimal_text(answer["price"], PRICE_PLACES),
            "pricelist": "" if answer["pricelist"] is None else
            mv.ws_id(MODULES["PriceBooks"].prefix, answer["pricelist"]),
            "base": mv.decimal_text(answer["base"], PRICE_PLACES)}
