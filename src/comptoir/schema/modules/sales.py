"""Inventory modules: Quotes, PurchaseOrder, SalesOrder and Invoice (views of
`transactions` by type), their LineItem lines and the Tax definitions.

The line items, the top-level `productid` and the totals are kept by
`services/inventory.py` (reference §6): `productid` has no canonical field of its own
(empty `source`: it is the first line's product), the totals are computed, never written.
"""

from __future__ import annotations

from typing import Any

from comptoir.schema.module import (
    CreatedTime,
    Description,
    ModifiedTime,
    Module,
    Owner,
    Picklist,
    Reference,
    Ws,
    WsField,
    WsType,
)

#: transactions.status (DRAFT, BOOKED, HOLD, CANCELLED, CLOSED, ..., DELIVERED 12,
#: INVOICED 16, PARTLYPAID 17, PAID 20, ...) -> the vtiger status of each module; the
#: first is what a new document is (an Invoice in another status is issued: locked)
QUOTE_STAGES = {0: "Created", 1: "Reviewed", 12: "Delivered", 4: "Accepted", 3: "Rejected"}
SO_STATUSES = {0: "Created", 1: "Approved", 12: "Delivered", 3: "Cancelled"}
PO_STATUSES = {0: "Created", 1: "Approved", 12: "Delivered", 3: "Cancelled",
               4: "Received Shipment"}
INVOICE_STATUSES = {0: "Created", 1: "Approved", 16: "Sent", 17: "Partially Paid",
                    20: "Paid", 3: "Cancel"}
#: transactions.taxtype: GROUP, INDIVIDUAL (vtiger's values are lower-case)
TAX_TYPES = {0: "group", 1: "individual"}


def _address(prefix: str, canonical: str, label: str) -> tuple[WsField, ...]:
    return (
        Ws(f"{prefix}_street", WsType.TEXT, f"{canonical}address", f"{label} Address",
           mandatory=True),
        Ws(f"{prefix}_city", WsType.STRING, f"{canonical}city", f"{label} City"),
        Ws(f"{prefix}_state", WsType.STRING, f"{canonical}region", f"{label} State"),
        Ws(f"{prefix}_code", WsType.STRING, f"{canonical}postalcode", f"{label} Postal Code"),
        Ws(f"{prefix}_country", WsType.STRING, f"{canonical}country", f"{label} Country"),
    )


def _document(number: str, status: WsField, *specific: WsField) -> tuple[WsField, ...]:
    return (
        Ws("subject", WsType.STRING, "subject", "Subject", mandatory=True),
        Ws(number, WsType.STRING, "transactionnum", "Number"),
        *specific,
        status,
        Owner(),
        Picklist("hdnTaxType", "taxtype", "Tax Type", TAX_TYPES),
        # the first line's product: no canonical field (services/inventory.py)
        Reference("productid", "", "Item Name", "Products", "Services", mandatory=True),
        Ws("hdnDiscountPercent", WsType.DOUBLE, "discountpercent", "Discount Percent"),
        Ws("hdnDiscountAmount", WsType.CURRENCY, "discountamount", "Discount Amount"),
        Ws("hdnS_H_Amount", WsType.CURRENCY, "shippingamount", "S&H Amount"),
        Ws("txtAdjustment", WsType.CURRENCY, "adjustment", "Adjustment"),
        Ws("hdnSubTotal", WsType.CURRENCY, "subtotal", "Sub Total", editable=False),
        Ws("pre_tax_total", WsType.CURRENCY, "pretaxtotal", "Pre Tax Total", editable=False),
        Ws("hdnGrandTotal", WsType.CURRENCY, "grandtotal", "Total", editable=False),
        Ws("currency_code", WsType.STRING, "currency", "Currency"),
        *_address("bill", "billing", "Billing"),
        *_address("ship", "shipping", "Shipping"),
        CreatedTime(),
        ModifiedTime(),
    )


def _inventory(name: str, prefix: int, transaction_type: int, singular: str,
               fields: tuple[WsField, ...], **kw: Any) -> Module:
    return Module(name, prefix, "transactions", label=name, singular=singular, fields=fields,
                  label_fields=("subject",), where={"type": (transaction_type,)},
                  create_defaults={"currency": "default"}, inventory=True, **kw)


_ACCOUNT = Reference("account_id", "account", "Organization Name", "Accounts", mandatory=True)

QUOTES = _inventory(
    "Quotes", 4, 0, "Quote",
    _document("quote_no", Picklist("quotestage", "status", "Quote Stage", QUOTE_STAGES,
                                   mandatory=True),
              _ACCOUNT, Ws("validtill", WsType.DATE, "duedate", "Valid Till")),
)

PURCHASE_ORDER = _inventory(
    "PurchaseOrder", 5, 6, "Purchase Order",
    _document("purchaseorder_no", Picklist("postatus", "status", "Status", PO_STATUSES,
                                           mandatory=True),
              Reference("vendor_id", "account", "Vendor Name", "Vendors", mandatory=True),
              Reference("salesorder_id", "salesorder", "Sales Order", "SalesOrder"),
              Ws("duedate", WsType.DATE, "duedate", "Due Date")),
)

SALES_ORDER = _inventory(
    "SalesOrder", 6, 1, "Sales Order",
    _document("salesorder_no", Picklist("sostatus", "status", "Status", SO_STATUSES,
                                        mandatory=True),
              _ACCOUNT, Reference("quote_id", "quote", "Quote Name", "Quotes"),
              Ws("vtiger_purchaseorder", WsType.STRING, "purchaseorder", "Purchase Order"),
              Ws("duedate", WsType.DATE, "duedate", "Due Date")),
)

INVOICE = _inventory(
    "Invoice", 7, 3, "Invoice",
    _document("invoice_no", Picklist("invoicestatus", "status", "Status", INVOICE_STATUSES),
              _ACCOUNT, Reference("salesorder_id", "salesorder", "Sales Order", "SalesOrder"),
              Ws("vtiger_purchaseorder", WsType.STRING, "purchaseorder", "Purchase Order"),
              Ws("invoicedate", WsType.DATE, "date", "Invoice Date"),
              Ws("duedate", WsType.DATE, "duedate", "Due Date"),
              # vtiger 8's payment fields, kept by the allocations (docs/sales.md)
              Ws("received", WsType.CURRENCY, "paidamount", "Received", editable=False),
              Ws("balance", WsType.CURRENCY, "balance", "Balance", editable=False)),
    # issued (any status but Created), an invoice is locked (the `transactions` lock);
    # Kafinea's partial edit changes the status, the assigned user and the order references
    partial_edit=("invoicestatus", "assigned_user_id", "salesorder_id", "vtiger_purchaseorder"),
)

LINE_ITEM = Module(
    "LineItem", 33, "lineitems", label="Line Item", singular="LineItem",
    fields=(
        Reference("parent_id", "transaction", "Parent", "Quotes", "PurchaseOrder",
                  "SalesOrder", "Invoice", mandatory=True),
        Reference("productid", "item", "Product", "Products", "Services", mandatory=True),
        Ws("sequence_no", WsType.INTEGER, "sequence", "Sequence No"),
        Ws("quantity", WsType.DOUBLE, "quantity", "Quantity", mandatory=True),
        Ws("listprice", WsType.CURRENCY, "listprice", "List Price"),
        Ws("discount_percent", WsType.DOUBLE, "discountpercent", "Discount Percent"),
        Ws("discount_amount", WsType.CURRENCY, "discountamount", "Discount Amount"),
        Ws("comment", WsType.TEXT, "comment", "Comment"),
        Description(),
        Ws("tax1", WsType.DOUBLE, "tax1", "VAT"),
        Ws("tax2", WsType.DOUBLE, "tax2", "Sales"),
        Ws("tax3", WsType.DOUBLE, "tax3", "Service"),
    ),
    label_fields=("sequence_no",),
    is_entity=False,
    group_field=None,
    writable=False,  # written through their document's LineItems
)

TAX = Module(
    "Tax", 34, "taxes", label="Taxes", singular="Tax",
    fields=(
        Ws("taxname", WsType.STRING, "name", "Name", mandatory=True),
        Ws("taxlabel", WsType.STRING, "label", "Label"),
        Ws("percentage", WsType.DOUBLE, "percentage", "Percentage"),
        Picklist("method", "method", "Method", {0: "Simple", 1: "Compound", 2: "Deducted"}),
        Ws("compoundon", WsType.STRING, "compoundon", "Compound On"),
        Picklist("active", "active", "Active", {0: "0", 1: "1"}),
    ),
    label_fields=("taxlabel",),
    is_entity=False,
    group_field=None,
    writable=False,  # configured through the REST API (`/taxes`, admins)
)

MODULES = (QUOTES, PURCHASE_ORDER, SALES_ORDER, INVOICE, LINE_ITEM, TAX)
