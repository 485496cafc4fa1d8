"""Inventory documents (Quotes, SalesOrder, Invoice, PurchaseOrder) through the webservice:
their `LineItems`, the top-level `productid` and the totals (reference §6).

`services/modules.py` parses the header as for any module and hands it over here; the
lines are checked (products exist and are Products or Services, quantities are numbers)
before anything is written, the totals are computed by `domain/inventory.py` in `Decimal`
and stored rounded to 8 places, and the header and its lines are written in one
transaction.  An update with `LineItems` replaces every line; without, the lines stay and
the totals are computed again from them (vtiger 8).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import orjson

from comptoir.domain import inventory as rules
from comptoir.domain import money
from comptoir.errors import (
    InvalidFieldError,
    InvalidIdError,
    InvalidReferenceError,
    MissingFieldError,
    PermissionDeniedError,
)
from comptoir.schema.module import Module
from comptoir.schema.modules import MODULES
from comptoir.schema.registry import ENTITIES
from comptoir.services import checks, derived, pricing, records
from comptoir.services.access import Caller
from comptoir.storage import rows
from comptoir.storage.database import Connection, Database
from comptoir.wire import module_values as mv
from comptoir.wire.values import in_range, stored_decimal, stored_decimal_or_none

LINEITEMS, TAXES, ITEMS = ENTITIES["lineitems"], ENTITIES["taxes"], ENTITIES["items"]
TRANSACTIONS = ENTITIES["transactions"]
LINE_PREFIX = MODULES["LineItem"].prefix
#: the modules a line's `productid` may name
PRODUCT_MODULES = (MODULES["Products"], MODULES["Services"])
#: keys of a line a client sends back as it read them, which are not written
LINE_META_KEYS = frozenset({"id", "parent_id", "sequence_no", "product_name", "entity_type",
                            "incrementondel", "deleted", "image", "purchase_cost", "margin",
                            "lineitem_id"})
LINE_TAXES = ("tax1", "tax2", "tax3")
LINE_KEYS = frozenset({"productid", "quantity", "listprice", "discount_percent",
                       "discount_amount", "comment", "description", *LINE_TAXES})
#: the S&H charge (vtiger's charge 1) and its taxes
CHARGE = "shipping_&_handling"
_CHARGE_TAX = re.compile(r"^shipping_&_handling_shtax([1-3])$")
_EIGHT = Decimal("1e-8")


def is_inventory_key(name: str) -> bool:
    """An element key this service handles (not a field of the module)."""
    return name in ("LineItems", CHARGE) or _CHARGE_TAX.match(name) is not None


@dataclass(frozen=True, slots=True)
class LineInput:
    """One line as written: the item, and the amounts as given (listprice None: the
    item's selling price)."""

    item: int
    quantity: Decimal
    listprice: Decimal | None = None
    discount_percent: Decimal | None = None
    discount_amount: Decimal | None = None
    comment: str = ""
    description: str = ""
    taxes: Mapping[str, Decimal] = field(default_factory=dict)
    #: the price list that gave the price (a line sent without one)
    pricelist: int | None = None


def _number(name: str, value: Any, where: str) -> Decimal | None:
    """A number of a line or charge (`mv.parse_decimal`), its place in the message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return money.check_amount(name, mv.parse_decimal(name, value))
    except InvalidFieldError as exc:
        raise InvalidFieldError(name, f"{where}: {exc.details['problem']}") from None


def _text(name: str, value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise InvalidFieldError(name, f"{where}: must be a string")
    return str(value)


def parse_line(raw: Any, n: int) -> tuple[LineInput, Module]:
    """A line of `LineItems` (the n-th, from 1) and the module of its product."""
    where = f"LineItems line {n}"
    if not isinstance(raw, dict):
        raise InvalidFieldError("LineItems", f"line {n} must be a JSON object")
    for key in raw:
        if key not in LINE_KEYS and key not in LINE_META_KEYS:
            raise PermissionDeniedError(f"Permission to access {str(key)[:60]} attribute "
                                        f"denied: LineItem has no field {str(key)[:60]}")
    product = raw.get("productid")
    if product is None or (isinstance(product, str) and not product.strip()):
        raise MissingFieldError("productid")
    try:
        module, item = mv.module_of(product)
    except InvalidIdError:
        module, item = None, 0
    if module not in PRODUCT_MODULES or module is None:
        raise InvalidReferenceError("productid", f"Invalid reference specified for productid: "
                                                 f"{where}: {str(product)[:40]!r} is not a "
                                                 "Products or Services id")
    quantity = _number("quantity", raw.get("quantity"), where)
    if quantity is None:
        raise MissingFieldError("quantity")
    taxes = {name: percent for name in LINE_TAXES
             if (percent := _number(name, raw.get(name), where)) is not None}
    line = LineInput(item, quantity, _number("listprice", raw.get("listprice"), where),
                     _number("discount_percent", raw.get("discount_percent"), where),
                     _number("discount_amount", raw.get("discount_amount"), where),
                     _text("comment", raw.get("comment"), where),
                     _text("description", raw.get("description"), where), taxes)
    return line, module


def parse_lines(raw: Any) -> list[tuple[LineInput, Module]]:
    if isinstance(raw, dict):  # PHP clients send arrays as objects keyed 0, 1, ...
        raw = list(raw.values())
    if not isinstance(raw, list) or not raw:
        raise MissingFieldError("LineItems", "Mandatory Fields Missing..")
    return [parse_line(line, n) for n, line in enumerate(raw, 1)]


async def _resolve(conn: Connection, parsed: list[tuple[LineInput, Module]],
                   header: Mapping[str, Any]) -> list[LineInput]:
    """The lines with their items checked (they exist, in the module named) and the list
    prices not given filled in from the price lists of the document `header`
    (`services/pricing.py`)."""
    lines = []
    for n, (line, module) in enumerate(parsed, 1):
        row = await rows.select_row(conn, ITEMS, line.item)
        if row is None or not module.shows(row):
            raise InvalidReferenceError(
                "productid", f"Invalid reference specified for productid: LineItems line {n}: "
                             f"{module.name} {mv.ws_id(module.prefix, line.item)} does not exist")
        if line.listprice is None:
            price, pricelist = await pricing.line_price(conn, header, row, line.quantity)
            line = replace(line, listprice=price, pricelist=pricelist)
        lines.append(line)
    return lines


async def _tax_definitions(conn: Connection) -> list[rules.Tax]:
    methods = list(rules.TaxMethod)
    found = []
    for row in await rows.select_rows_where(conn, TAXES, {}):
        compoundon = orjson.loads(row["compoundon"]) if row["compoundon"] else []
        found.append(rules.Tax(row["name"], methods[row["method"]],
                               tuple(str(name) for name in compoundon)))
    return found


def _stored(value: Decimal) -> float:
    """A computed amount as stored: rounded to 8 places."""
    return float(value.quantize(_EIGHT))


def _charges(element: Mapping[str, Any], values: dict[str, Any],
             current: Mapping[str, Any]) -> None:
    """`shipping_&_handling` (the S&H amount, when `hdnS_H_Amount` is not given) and its
    taxes `shipping_&_handling_shtaxN` (percent) into the canonical values."""
    if CHARGE in element and "shippingamount" not in values:
        amount = _number(CHARGE, element[CHARGE], "S&H")
        values["shippingamount"] = None if amount is None else float(amount)
    taxes = {name: float(percent) for name, percent in
             checks.shipping_percents(current.get("shippingtaxes")).items()}
    given = False
    for key, value in element.items():
        found = _CHARGE_TAX.match(key)
        if found:
            given = True
            percent = _number(key, value, "S&H tax")
            taxes.pop(f"tax{found[1]}", None)
            if percent is not None:
                taxes[f"tax{found[1]}"] = float(percent)
    if given:
        values["shippingtaxes"] = orjson.dumps(dict(sorted(taxes.items()))).decode()


#: the header amounts of a document, canonical field -> webservice field
HEADER_AMOUNTS = {"discountpercent": "hdnDiscountPercent", "discountamount": "hdnDiscountAmount",
                  "shippingamount": "hdnS_H_Amount", "adjustment": "txtAdjustment"}


def check_header_amounts(header: Mapping[str, Any]) -> None:
    """InvalidFieldError naming the webservice field of a header amount beyond what a
    document holds (`money.check_amount`: below 10^13, 8 decimal places)."""
    for name, wire in HEADER_AMOUNTS.items():
        value = header.get(name)
        if value is not None:
            try:
                money.check_amount(wire, stored_decimal(value))
            except InvalidFieldError as exc:
                raise InvalidFieldError(wire, str(exc.details["problem"])) from None


def _totals(lines: list[LineInput], header: Mapping[str, Any],
            definitions: list[rules.Tax]) -> dict[str, Any]:
    """The canonical total fields of a document with these lines and header values."""
    check_header_amounts(header)
    shipping_taxes = checks.shipping_percents(header.get("shippingtaxes"))
    totals = rules.compute_totals(
        [rules.Line(line.listprice or Decimal(0), line.quantity, line.discount_percent,
                    line.discount_amount, dict(line.taxes)) for line in lines],
        rules.Header(rules.TaxType.INDIVIDUAL if header.get("taxtype") == 1
                     else rules.TaxType.GROUP,
                     stored_decimal_or_none(header.get("discountpercent")),
                     stored_decimal_or_none(header.get("discountamount")),
                     stored_decimal(header.get("shippingamount")),
                     shipping_taxes,
                     stored_decimal(header.get("adjustment"))),
        definitions)
    return {"subtotal": _stored(totals.subtotal), "pretaxtotal": _stored(totals.pre_tax_total),
            "grandtotal": _stored(totals.grand_total), "tax": _stored(totals.tax),
            "netamount": _stored(totals.pre_tax_total), "discount": _stored(totals.discount)}


def _line_values(line: LineInput, sequence: int, transaction: int) -> dict[str, Any]:
    def number(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    return {"transaction": transaction, "item": line.item, "sequence": sequence,
            "quantity": float(line.quantity), "listprice": float(line.listprice or 0),
            "discountpercent": number(line.discount_percent),
            "discountamount": number(line.discount_amount), "comment": line.comment,
            "description": line.description, "pricelist": line.pricelist,
            **{name: number(line.taxes.get(name)) for name in LINE_TAXES}}


async def _write_lines(conn: Connection, transaction: int, lines: list[LineInput],
                       actor: int) -> None:
    """Replace the lines of a document; each line removed and added is an event (and
    each removed one is in the deletion log)."""
    now = int(time.time())
    for old in await rows.select_rows_where(conn, LINEITEMS, {"transaction": transaction}):
        await derived.log_deleted(conn, LINEITEMS, old, actor=actor, when=now)
    await rows.delete_rows_where(conn, LINEITEMS, {"transaction": transaction})
    for sequence, line in enumerate(lines, 1):
        await derived.insert(conn, LINEITEMS, _line_values(line, sequence, transaction),
                             actor=actor)


def _stored_line(row: Mapping[str, Any]) -> LineInput:
    return LineInput(row["item"] or 0, stored_decimal(row["quantity"]), stored_decimal(row["listprice"]),
                     stored_decimal_or_none(row["discountpercent"]), stored_decimal_or_none(row["discountamount"]),
                     row["comment"], row["description"],
                     {name: stored_decimal(row[name]) for name in LINE_TAXES if row[name] is not None})


# --- operations ----------------------------------------------------------------------------


async def create_document(db: Database, caller: Caller, module: Module, values: dict[str, Any],
                          element: Mapping[str, Any]) -> dict[str, Any]:
    """Create a document with its lines: `values` are the header's canonical values."""
    parsed = parse_lines(element.get("LineItems"))
    _charges(element, values, {})
    async with db.read() as conn:
        lines = await _resolve(conn, parsed, values)
        definitions = await _tax_definitions(conn)
    values.update(_totals(lines, values, definitions))

    async def write_lines(conn: Connection, record_id: int) -> None:
        await _write_lines(conn, record_id, lines, caller.user)

    record = await records.create_record(db, caller, module.entity, values, after=write_lines)
    return await render_document(db, module, record.data)


async def update_document(db: Database, caller: Caller, module: Module,
                          current: Mapping[str, Any], values: dict[str, Any],
                          element: Mapping[str, Any]) -> dict[str, Any]:
    """Update a document: with `LineItems` every line is replaced, without they stay; the
    totals are computed again either way."""
    record_id = current["ID"]
    parsed = parse_lines(element["LineItems"]) if "LineItems" in element else None
    _charges(element, values, current)
    async with db.read() as conn:
        if parsed is not None:
            lines = await _resolve(conn, parsed, {**current, **values})
        else:
            stored = await rows.select_rows_where(conn, LINEITEMS, {"transaction": record_id},
                                                  ("sequence", "ID"))
            lines = [_stored_line(row) for row in stored]
        definitions = await _tax_definitions(conn)
    values.update(_totals(lines, {**current, **values}, definitions))

    async def write_lines(conn: Connection, transaction: int) -> None:
        if parsed is not None:
            await _write_lines(conn, transaction, lines, caller.user)
        await _settle_totals(conn, module, transaction, caller.user)

    record = await records.update_record(db, caller, module.entity, record_id, values,
                                         after=write_lines)
    return await render_document(db, module, record.data)


async def _settle_totals(conn: Connection, module: Module, transaction: int,
                         actor: int) -> None:
    """The totals of the header and lines as they are in this transaction, written when
    they differ from those computed before it: a concurrent update that committed since
    (other lines, another discount) is counted, so stored totals always agree with the
    stored lines.  Without such an update, nothing is written."""
    entity = ENTITIES[module.entity]
    row = await rows.select_row(conn, entity, transaction, for_update=True)
    assert row is not None  # updated in this very transaction
    stored = await rows.select_rows_where(conn, LINEITEMS, {"transaction": transaction},
                                          ("sequence", "ID"))
    totals = _totals([_stored_line(line) for line in stored], row,
                     await _tax_definitions(conn))
    await derived.update(conn, entity, row, totals, actor=actor)


# --- reading -------------------------------------------------------------------------------


def _places(value: Any, places: int) -> str | None:
    return None if value is None else mv.decimal_text(value, places)


def _product_module(item: Mapping[str, Any]) -> Module:
    for module in PRODUCT_MODULES:
        if module.shows(item):
            return module
    return PRODUCT_MODULES[0]


async def render_document(db: Database, module: Module, data: Mapping[str, Any]) -> dict[str, Any]:
    """A document as `retrieve` answers it: its fields, `productid` (the first line's
    product), `LineItems` and the S&H charge with its taxes."""
    result = mv.render(module, data)
    async with db.read() as conn:
        found = await rows.select_rows_where(conn, LINEITEMS, {"transaction": data["ID"]},
                                             ("sequence", "ID"))
        items = {}
        for row in found:
            if row["item"] is not None and row["item"] not in items:
                items[row["item"]] = await rows.select_row(conn, ITEMS, row["item"])
    parent = mv.ws_id(module.prefix, data["ID"])
    lines = []
    for row in found:
        item = items.get(row["item"]) if row["item"] is not None else None
        product = _product_module(item) if item is not None else None
        lines.append({
            "parent_id": parent,
            "productid": mv.ws_id(product.prefix, row["item"]) if product else "",
            "sequence_no": str(row["sequence"]),
            "quantity": _places(row["quantity"], 3),
            "listprice": _places(row["listprice"], 8),
            "discount_percent": _places(row["discountpercent"], 3),
            "discount_amount": _places(row["discountamount"], 8),
            "comment": row["comment"],
            "description": row["description"],
            **{name: _places(row[name], 3) for name in LINE_TAXES},
            "id": mv.ws_id(LINE_PREFIX, row["ID"]),
            "product_name": item["name"] if item else "",
            "entity_type": product.name if product else "",
        })
    if not found:  # a document written through the REST API: its lines are `items` JSON
        lines = await _json_lines(db, parent, data)
        _total_fallbacks(module, result, data)
    result["productid"] = lines[0]["productid"] if lines else ""
    result["LineItems"] = lines
    result[CHARGE] = _places(data.get("shippingamount") or 0, 8)
    for name, percent in sorted(checks.shipping_percents(data.get("shippingtaxes")).items()):
        result[f"{CHARGE}_sh{name}"] = _places(percent, 3)
    return result


def _json_items(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    try:
        items = orjson.loads(data["items"]) if data.get("items") else []
    except orjson.JSONDecodeError:
        return []
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict)]


async def _json_lines(db: Database, parent: str, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The lines of a document whose lines are the ZeyOS `items` JSON (written through the
    REST API), read only: `amount` is the quantity, `sellingprice` the list price, `discount`
    the discount percent and `taxrate` the first tax; they have no LineItem id."""
    lines = []
    async with db.read() as conn:
        for n, entry in enumerate(_json_items(data), 1):
            item_id = entry.get("item")
            if isinstance(item_id, bool) or not isinstance(item_id, int):
                item_id = 0
            item = (await rows.select_row(conn, ITEMS, item_id)
                    if in_range(ITEMS.id_field, item_id) and item_id > 0 else None)
            product = _product_module(item) if item is not None else None

            lines.append({
                "parent_id": parent,
                "productid": mv.ws_id(product.prefix, item_id) if product else "",
                "sequence_no": str(n), "quantity": _json_number(entry, "amount", 3),
                "listprice": _json_number(entry, "sellingprice", 8),
                "discount_percent": _json_number(entry, "discount", 3),
                "discount_amount": None,
                "comment": str(entry.get("description") or ""), "description": "",
                "tax1": _json_number(entry, "taxrate", 3), "tax2": None, "tax3": None, "id": "",
                "product_name": str(entry.get("name") or (item["name"] if item else "")),
                "entity_type": product.name if product else "",
            })
    return lines


def _json_number(entry: Mapping[str, Any], key: str, places: int) -> str | None:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return _places(value, places)


def _total_fallbacks(module: Module, result: dict[str, Any], data: Mapping[str, Any]) -> None:
    """Totals of a document the webservice never computed: from its net amount and tax."""
    if data.get("grandtotal") is not None or data.get("netamount") is None:
        return
    net, tax = stored_decimal(data["netamount"]), stored_decimal(data.get("tax"))
    for name, value in (("subtotal", net), ("pretaxtotal", net), ("grandtotal", net + tax)):
        for f in module.fields:
            if f.source == name and not result.get(f.name):
                result[f.name] = _places(value, 8)
