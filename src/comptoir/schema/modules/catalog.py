"""Catalog modules: Products and Services (both are items; services are NOSTOCK items)."""

from __future__ import annotations

from comptoir.schema.module import (
    CreatedTime,
    Description,
    ModifiedTime,
    Module,
    Owner,
    Ws,
    WsField,
    WsType,
)


def _item_fields(name: str, number: str, label: str) -> tuple[WsField, ...]:
    return (
        Ws(name, WsType.STRING, "name", f"{label} Name", mandatory=True),
        Ws(number, WsType.STRING, "itemnum", f"{label} No"),
        Ws("productcode", WsType.STRING, "barcode", "Part Number"),
        Ws("manufacturer", WsType.STRING, "manufacturer", "Manufacturer"),
        Ws("unit_price", WsType.CURRENCY, "sellingprice", "Unit Price"),
        Ws("purchase_cost", WsType.CURRENCY, "purchaseprice", "Purchase Cost"),
        Ws("usageunit", WsType.STRING, "unit", "Usage Unit"),
        Ws("taxclass", WsType.DOUBLE, "taxrate", "Tax Rate"),
        Owner(),
        CreatedTime(),
        ModifiedTime(),
        Description(),
    )


PRODUCTS = Module(
    "Products", 14, "items", label="Products", singular="Product",
    fields=_item_fields("productname", "product_no", "Product"),
    label_fields=("productname",),
    # items.type: SIMPLE, SERIALS, CHARGES, SERIALSANDCHARGES, SET, CONTAINER, NOSTOCK, MODEL
    where={"type": (0, 1, 2, 3, 4, 5, 7)},
    files={"Image": "picbinfile"},
)

SERVICES = Module(
    "Services", 26, "items", label="Services", singular="Service",
    fields=_item_fields("servicename", "service_no", "Service"),
    label_fields=("servicename",),
    where={"type": (6,)},
)

MODULES = (PRODUCTS, SERVICES)
