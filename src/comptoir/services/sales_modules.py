"""The sales actions as the webservice calls them (Comptoir extensions of vtiger's
operations, `docs/webservice.md`): webservice ids in, documents as `retrieve` shows them
out, the same services as the REST actions underneath (`services/sales.py`,
`services/settlement.py`).

    await act(db, caller, "7x12", "issue", {})
    await act(db, caller, "4x3", "convert", {"type": "SalesOrder"})
    await allocate(db, caller, "5", {"allocations": [{"transaction": "7x12"}]})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from comptoir.errors import InvalidFieldError, InvalidIdError
from comptoir.schema.module import Module
from comptoir.schema.modules import MODULES
from comptoir.services import inventory, invoicing, modules, sales, settlement
from comptoir.services.access import Caller
from comptoir.storage.database import Database
from comptoir.wire import module_values as mv

#: the inventory modules, and the document type each shows
DOCUMENT_MODULES = {name: MODULES[name] for name in ("Quotes", "SalesOrder", "Invoice",
                                                     "PurchaseOrder")}
TYPE_OF_MODULE = {name: module.where["type"][0] for name, module in DOCUMENT_MODULES.items()}
ACTIONS = {"issue": sales.issue_document, "convert": sales.convert_document,
           "cancel": sales.cancel_document, "advance": invoicing.advance_invoice,
           "progress": invoicing.progress_invoice}
#: the references of a consumption invoice, and the entity their webservice ids name
CONSUMPTION_REFERENCES = {"item": "items", "project": "projects", "ticket": "tickets"}


async def _document(db: Database, caller: Caller, text_id: Any) -> tuple[Module, int]:
    module, data = await modules.load_record(db, caller, text_id)
    if module.name not in DOCUMENT_MODULES:
        raise InvalidIdError(f"Id specified is incorrect: {text_id} is not a Quotes, "
                             "SalesOrder, Invoice or PurchaseOrder id")
    return module, int(data["ID"])


async def show(db: Database, data: Mapping[str, Any]) -> dict[str, Any]:
    """A document as `retrieve` answers it; one no module shows (a credit note) in its
    canonical form under `record`."""
    for module in DOCUMENT_MODULES.values():
        if module.shows(data):
            return await inventory.render_document(db, module, data)
    return {"record": dict(data)}


def _convert_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """`type` may name a module (`SalesOrder`); `lines` may name LineItem ids (`33x5`)."""
    body = dict(options)
    if isinstance(body.get("type"), str) and body["type"] in TYPE_OF_MODULE:
        body["type"] = TYPE_OF_MODULE[body["type"]]
    if isinstance(body.get("lines"), list):
        body["lines"] = [{**line, "line": _line_id(line.get("line"))} if isinstance(line, dict)
                         else line for line in body["lines"]]
    return body


def _line_id(value: Any) -> Any:
    if isinstance(value, str) and "x" in value:
        prefix, record_id = mv.parse_ws_id(value)
        if prefix != MODULES["LineItem"].prefix:
            raise InvalidFieldError("lines", f"{value} is not a LineItem id")
        return record_id
    return value


async def act(db: Database, caller: Caller, text_id: Any, action: str,
              options: Mapping[str, Any]) -> dict[str, Any]:
    _, record_id = await _document(db, caller, text_id)
    body = _convert_options(options) if action in ("convert", "progress") else dict(options)
    record = await ACTIONS[action](db, caller, record_id, body)
    return await show(db, record.data)


async def consume(db: Database, caller: Caller, text_id: Any,
                  options: Mapping[str, Any]) -> dict[str, Any]:
    """A consumption invoice of an Accounts record; `item`, `project` and `ticket` may be
    given as webservice ids (`14x3`, `31x2`, `17x9`)."""
    module, data = await modules.load_record(db, caller, text_id)
    if module.entity != "accounts":
        raise InvalidIdError(f"Id specified is incorrect: {text_id} is not an Accounts id")
    body = dict(options)
    for name, entity in CONSUMPTION_REFERENCES.items():
        if isinstance(body.get(name), str) and "x" in body[name]:
            named, record_id = mv.module_of(body[name])
            if named.entity != entity:
                raise InvalidFieldError(name, f"{body[name]} is not a {entity} id")
            body[name] = record_id
    record = await invoicing.consumption_invoice(db, caller, int(data["ID"]), body)
    return await show(db, record.data)


def _payment_id(text: Any) -> int:
    raw = str(text).strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise InvalidIdError(f"Id specified is incorrect: {raw[:40]!r} is not a payment ID")
    return int(raw)


async def allocate(db: Database, caller: Caller, payment: Any,
                   element: Mapping[str, Any]) -> dict[str, Any]:
    """Allocate a payment (its ID: payments have no vtiger module) over invoices named by
    their Invoice ids."""
    body = dict(element)
    entries = body.get("allocations", [body]) if isinstance(body, dict) else body
    if isinstance(entries, list):
        converted = []
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("transaction"), str):
                _, invoice = await _document(db, caller, entry["transaction"])
                entry = {**entry, "transaction": invoice}
            converted.append(entry)
        body = {"allocations": converted}
    return await settlement.allocate_payment(db, caller, _payment_id(payment), body)


async def balance(db: Database, caller: Caller, text_id: Any) -> dict[str, Any]:
    _, record_id = await _document(db, caller, text_id)
    return await settlement.document_balance(db, caller, record_id)


#: the parameters of `item_price` besides `id`
PRICE_PARAMS = ("account", "quantity", "date", "currency", "type")


def _record_of(text: Any, modules: tuple[Module, ...]) -> tuple[Module, int]:
    """The module and record ID of the webservice id `text`, of one of `modules`."""
    module, record_id = mv.module_of(text)
    if module not in modules:
        raise InvalidIdError(f"Id specified is incorrect: {str(text)[:40]} is not an id of "
                             f"{' or '.join(m.name for m in modules)}")
    return module, record_id


async def item_price(db: Database, caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    """What a line of the Products or Services record `id` takes (`sales.item_price`):
    `account` an Accounts or Vendors id, `type` a module name (`PurchaseOrder`) or a ZeyOS
    type; the item and the price list (a PriceBooks id, "" for none) as webservice ids, the
    prices with 8 places."""
    module, item = _record_of(params.get("id"), inventory.PRODUCT_MODULES)
    options: dict[str, Any] = {name: params[name] for name in PRICE_PARAMS if params.get(name)}
    if "x" in options.get("account", ""):
        parties = (MODULES["Accounts"], MODULES["Vendors"])
        options["account"] = str(_record_of(options["account"], parties)[1])
    if "type" in options:
        options["type"] = TYPE_OF_MODULE.get(options["type"], options["type"])
    found = await sales.item_price(db, caller, item, options)
    pricelist = found["pricelist"]
    return {**found, "item": mv.ws_id(module.prefix, item),
            "price": mv.decimal_text(found["price"], 8), "base": mv.decimal_text(found["base"], 8),
            "pricelist": "" if pricelist is None else mv.ws_id(MODULES["PriceBooks"].prefix,
                                                                pricelist)}
