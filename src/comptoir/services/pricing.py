"""The price of a document line from the price lists (the rule: `domain/pricing.py`, told in
`docs/pricing.md`).

    price, pricelist = await price_line(conn, document, item_id, quantity)

A line added without a price takes it here, through every door: REST `PUT /lineitems`
(`price_new_record`, called by `records.create_record`), the ZeyOS `items` JSON made into
line items at issue (`issuing.py`), the webservice `LineItems` (`inventory.py`); and
`sales.item_price` tells what a line would take.  The lists of a document are those of
its side (billing or procurement, by its type), active, dated around its date, in its
currency (a document without one: its company's) or none, for every account or linked to
its own.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from comptoir.domain.pricing import PriceRule, best_price, list_applies
from comptoir.errors import ConflictError, InvalidFieldError
from comptoir.schema.entity import Entity
from comptoir.schema.registry import ENTITIES
from comptoir.services import numbering
from comptoir.storage import rows
from comptoir.storage.database import Connection, Row
from comptoir.wire.values import in_range, stored_decimal, stored_decimal_or_none

TRANSACTIONS, LINEITEMS, ITEMS = (ENTITIES[n] for n in ("transactions", "lineitems", "items"))
PRICES = ENTITIES["prices"]
PRICELISTS, PRICELISTS2ACCOUNTS = ENTITIES["pricelists"], ENTITIES["pricelists2accounts"]
DRAFT = next(value for value, label in TRANSACTIONS.by_name["status"].choices.items()
             if label == "DRAFT")
#: pricelists.type -> (the side of the documents it prices, whether the lowest price wins)
LIST_TYPES = {value: (label.split("_")[0], label.endswith("_MIN"))
              for value, label in PRICELISTS.by_name["type"].choices.items()}
SIDES = frozenset(side for side, _ in LIST_TYPES.values())


def _side(document_type: Any) -> str:
    """BILLING, PROCUREMENT or PRODUCTION: the first word of a document type's label."""
    return TRANSACTIONS.by_name["type"].choices.get(document_type, "").split("_")[0]


def base_price(item: Mapping[str, Any], document_type: Any) -> Decimal:
    """The item's price without a list on a document of `document_type`: its purchase price
    on a procurement document (its selling price when it has none), else its selling
    price."""
    purchase = stored_decimal(item["purchaseprice"])
    if _side(document_type) == "PROCUREMENT" and purchase > 0:
        return purchase
    return stored_decimal(item["sellingprice"])


async def _company_currency(conn: Connection, document: Mapping[str, Any]) -> str | None:
    """The currency of the document's company (None without a company)."""
    try:
        company = await numbering.company_of(conn, document.get("company"))
    except ConflictError:  # no company yet
        return None
    return str(company["currency"]) if company["currency"] else None


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
    currency = document.get("currency") or await _company_currency(conn, document)
    for row in prices:
        pricelist = lists[row["pricelist"]]
        list_side, lowest = LIST_TYPES[pricelist["type"]]
        if list_side == side and list_applies(
                active=pricelist["activity"] == 0, date_from=pricelist["datefrom"],
                date_to=pricelist["dateto"], when=when, currency=pricelist["currency"],
                document_currency=currency,
                for_everyone=bool(pricelist["applytoall"]), linked=pricelist["ID"] in linked):
            found[lowest].append(PriceRule(
                pricelist["ID"], stored_decimal_or_none(row["price"]),
                stored_decimal(row["rebate"]), stored_decimal_or_none(row["discount"]),
                stored_decimal(pricelist["discount"]), stored_decimal(row["minamount"])))
    return found


async def line_price(conn: Connection, document: Mapping[str, Any], item: Row,
                     quantity: Decimal) -> tuple[Decimal, int | None]:
    """`price_line` of the item record `item`."""
    base = base_price(item, document.get("type"))
    rules = await _rules(conn, document, item["ID"], _side(document.get("type")))
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
