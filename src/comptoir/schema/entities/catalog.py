"""Catalog and inventory: items, their components, prices and suppliers, price lists, storages,
stock transactions and devices.

First generated from the ZeyOS spec by tools/gen_registry.py; this file, not the spec,
is now the source of truth.
"""

from __future__ import annotations

from comptoir.schema.entities import ACTIVITY, NO_YES, VISIBILITY
from comptoir.schema.entity import ALL_OPS, Access, Entity, Ownership
from comptoir.schema.fields import (
    NOW,
    Binfile,
    Created,
    Creator,
    Enum,
    Id,
    Int,
    IntArray,
    Json,
    Modified,
    Number,
    OnDelete,
    Ref,
    Text,
    TextArray,
    Timestamp,
)
from comptoir.schema.rules import (
    DistinctFrom,
    MutuallyExclusive,
    NonZero,
    NotAfter,
    NullForValue,
    RequiredIfEmpty,
)

ITEMS = Entity(
    name="items",
    singular="item",
    area="catalog",
    doc="Products and services of the inventory.",
    fields=(
        Id("Item ID"),
        Ref("assigneduser", "users", "Assigned user ID (webservice: assigned_user_id)"),
        Enum(
            "applicability",
            {0: "ALWAYS", 1: "NEVER", 2: "BILLINGONLY", 3: "PROCUREMENTONLY"},
            "Applicability (0=ALWAYS, 1=NEVER, 2=BILLINGONLY, 3=PROCUREMENTONLY)",
            nullable=False,
            default=0,
        ),
        Text("barcode", "Barcode (e.g. UPC or EAN/GTIN)", searchable=True),
        Created(),
        Creator(),
        Text("description", "Detailed general description"),
        Enum(
            "forcestock",
            {0: "STORAGE", 1: "LOCATION"},
            "Force stock check on depletion (0=STORAGE, 1=LOCATION)",
        ),
        Json(
            "foreigntaxrates",
            "Country-specific tax rates in percent; use country code as object key",
        ),
        Text("itemnum", "Item number (SKU)", searchable=True),
        Modified(),
        Text("manufacturer", "Manufacturer (brand or company name)", searchable=True),
        Ref("model", "items", "Model item ID (only for non-MODEL)"),
        Text("name", "Product name", min_length=1, default=None, searchable=True),
        Ref("ownergroup", "groups", "Owner group ID (null=PUBLIC)", on_delete=OnDelete.CASCADE),
        Binfile(
            "picbinfile",
            (
                "Bin file ID; on create or update give a binfile-content object instead "
                "(content: Base64-encoded, or uri: data URI)"
            ),
        ),
        Number(
            "purchaseprice", "Default purchase price per unit", nullable=False, default=0, minimum=0
        ),
        Number(
            "sellingprice", "Default selling price per unit", nullable=False, default=0, minimum=0
        ),
        Json("subitems", "JSON-encoded items (array)"),
        Number("taxrate", "Tax rate in percent", default=0, minimum=0, maximum=100),
        Enum(
            "type",
            {
                0: "SIMPLE",
                1: "SERIALS",
                2: "CHARGES",
                3: "SERIALSANDCHARGES",
                4: "SET",
                5: "CONTAINER",
                6: "NOSTOCK",
                7: "MODEL",
            },
            "Item type",
            nullable=False,
            default=0,
        ),
        Text("unit", "Unit code (UN/CEFACT Recommendation 20)", max_length=3),
        Enum(
            "visibility",
            VISIBILITY,
            "Visibility (0=REGULAR, 1=ARCHIVED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
        Number(
            "weight", "Shipping weight per unit in kilogram", nullable=False, default=0, minimum=0
        ),
    ),
    read=Access(("inventory",)),
    write=Access(("inventory",)),
    ops=ALL_OPS,
    extdata=True,
    tags=True,
    ownership=Ownership.GROUP,
    get_params=("extdata", "tags"),
)

COMPONENTS = Entity(
    name="components",
    singular="component",
    area="catalog",
    doc="Components of an item (bill of materials).",
    fields=(
        Id("Component ID", wide=True),
        # the seed documents default 1; dbref says DEFAULT 0
        Number("amount", "Amount (quantity)", nullable=False, default=1),
        Ref(
            "component",
            "items",
            "Component item ID; must be distinct from item",
            on_delete=OnDelete.CASCADE,
            nullable=False,
        ),
        Created(),
        Creator(),
        Enum("fixed", NO_YES, "Fixed quantity", nullable=False, default=0),
        Ref(
            "item",
            "items",
            "Item ID (dependency)",
            on_delete=OnDelete.CASCADE,
            nullable=False,
            dependency=True,
        ),
        Modified(),
        Number("price", "Imputed price per unit"),
    ),
    read=Access(("inventory",)),
    write=Access(("inventory",)),
    ops=ALL_OPS,
    parents=("item",),
    rules=(DistinctFrom("component", "item"),),
)

PRICES = Entity(
    name="prices",
    singular="price",
    area="catalog",
    doc="Prices of an item in a price list.",
    fields=(
        Id("Price ID", wide=True),
        Created(),
        Creator(),
        Number(
            "discount",
            "Relative discount in percent (applied after rebate; null=pricelist.discount)",
            minimum=-100,
            maximum=100,
        ),
        Ref(
            "item",
            "items",
            "Item ID (dependency)",
            on_delete=OnDelete.CASCADE,
            nullable=False,
            dependency=True,
        ),
        Modified(),
        Number("minamount", "Minimum amount (quantity)", nullable=False, default=0, minimum=0),
        Number(
            "price",
            (
                "Price per unit (null=item.sellingprice for billing or "
                "null=item.purchaseprice for procurement)"
            ),
            minimum=0,
        ),
        Ref(
            "pricelist",
            "pricelists",
            "Price list ID (dependency)",
            on_delete=OnDelete.CASCADE,
            nullable=False,
            dependency=True,
        ),
        Number(
            "rebate",
            "Absolute rebate per unit (applied before discount)",
            nullable=False,
            default=0,
            minimum=0,
        ),
    ),
    read=Access(("inventory", "pricelists")),
    write=Access(("inventory", "pricelists")),
    ops=ALL_OPS,
    parents=("item", "pricelist"),
)

PRICELISTS = Entity(
    name="pricelists",
    singular="price list",
    area="catalog",
    doc="Price lists for billing or procurement.",
    fields=(
        Id("Price list ID"),
        Enum(
            "activity",
            ACTIVITY,
            "Activity (0=ACTIVE, 1=DEACTIVATED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
        Enum(
            "applytoall",
            NO_YES,
            "Apply to all accounts regardless of association via pricelists2accounts",
            nullable=False,
            default=0,
        ),
        Created(),
        Creator(),
        Text("currency", "Currency code (ISO 4217)", max_length=3, default=None),
        Timestamp(
            "datefrom", "Start date as a Unix time stamp; must be less than or equal to dateto"
        ),
        Timestamp(
            "dateto", "End date as a Unix time stamp; must be greater than or equal to datefrom"
        ),
        Text("description", "Detailed general description"),
        Number(
            "discount",
            "Default relative discount in percent",
            nullable=False,
            default=0,
            minimum=-100,
            maximum=100,
        ),
        Modified(),
        Text("name", "Name", min_length=1, default=None, searchable=True),
        Ref("ownergroup", "groups", "Owner group ID (null=PUBLIC)", on_delete=OnDelete.CASCADE),
        Enum(
            "type",
            {0: "BILLING_MIN", 1: "BILLING_MAX", 2: "PROCUREMENT_MIN", 3: "PROCUREMENT_MAX"},
            "Price list type (0=BILLING_MIN, 1=BILLING_MAX, 2=PROCUREMENT_MIN, 3=PROCUREMENT_MAX)",
            nullable=False,
            default=0,
        ),
    ),
    read=Access(("pricelists",)),
    write=Access(("pricelists",)),
    ops=ALL_OPS,
    extdata=True,
    tags=True,
    ownership=Ownership.GROUP,
    rules=(NotAfter("datefrom", "dateto"),),
    get_params=("extdata", "tags"),
)

PRICELISTS2ACCOUNTS = Entity(
    name="pricelists2accounts",
    singular="price",
    area="catalog",
    doc="Accounts a price list applies to.",
    fields=(
        Id("Pricelist-to-account ID", wide=True),
        Ref(
            "account",
            "accounts",
            "Account ID (dependency)",
            on_delete=OnDelete.CASCADE,
            nullable=False,
            dependency=True,
        ),
        Created(),
        Creator(),
        Ref(
            "pricelist",
            "pricelists",
            "Price list ID (dependency)",
            on_delete=OnDelete.CASCADE,
            nullable=False,
            dependency=True,
        ),
    ),
    read=Access(("pricelists", "accounts")),
    write=Access(("pricelists", "accounts")),
    ops=ALL_OPS,
    parents=("pricelist", "account"),
)

SUPPLIERS = Entity(
    name="suppliers",
    singular="supplier",
    area="catalog",
    doc="Suppliers of an item.",
    fields=(
        Id("Supplier ID", wide=True),
        Ref(
            "account",
            "accounts",
            "Account ID (dependency)",
            on_delete=OnDelete.CASCADE,
            nullable=False,
            dependency=True,
        ),
        Created(),
        Creator(),
        Int("deliverytime", "Expected delivery time in days", minimum=0, maximum=32767),
        Ref(
            "item",
            "items",
            "Item ID (dependency)",
            on_delete=OnDelete.CASCADE,
            nullable=False,
            dependency=True,
        ),
        Text("itemnum", "Supplier item number (SKU)", searchable=True),
        Modified(),
        Number(
            "minamount", "Minimum order amount (quantity)", nullable=False, default=0, minimum=0
        ),
        Number("price", "Supplier price per unit", minimum=0),
        Number("stock", "Expected stock/inventory amount (quantity)"),
    ),
    read=Access(("inventory", "accounts")),
    write=Access(("inventory", "accounts")),
    ops=ALL_OPS,
    parents=("item", "account"),
)

STORAGES = Entity(
    name="storages",
    singular="storage",
    area="catalog",
    doc="Storages (warehouses) that hold stock.",
    fields=(
        Id("Storage ID"),
        Created(),
        Creator(),
        Text("description", "Detailed general description"),
        Modified(),
        Text("name", "Name", min_length=1, default=None, searchable=True),
        Ref("ownergroup", "groups", "Owner group ID (null=PUBLIC)", on_delete=OnDelete.CASCADE),
        Enum(
            "visibility",
            VISIBILITY,
            "Visibility (0=REGULAR, 1=ARCHIVED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
    ),
    read=Access(("inventory",)),
    write=Access(("inventory",)),
    ops=ALL_OPS,
    extdata=True,
    tags=True,
    ownership=Ownership.GROUP,
    get_params=("extdata", "tags"),
)

STOCKTRANSACTIONS = Entity(
    name="stocktransactions",
    singular="stock transaction",
    area="catalog",
    doc="Stock movements of an item.",
    fields=(
        Id("Stock transaction ID", wide=True),
        # required: the seed's default 0 would break the nonzero rule (dbref: no default)
        Number(
            "amount",
            "Amount (quantity); must not be zero (greater than zero if transfer is not null)",
            nullable=False,
        ),
        Text("chargenum", "Charge (lot) number", searchable=True),
        Created(),
        Creator(),
        Timestamp(
            "date",
            (
                "Designated date and time as a Unix time stamp (defaults to current date "
                "and time on creation)"
            ),
            nullable=False,
            default=NOW,
        ),
        Enum(
            "flag",
            {0: "BOOKED", 1: "RESERVED", 2: "CANCELLED"},
            "Flag (0=BOOKED, 1=RESERVED, 2=CANCELLED)",
            nullable=False,
            default=0,
        ),
        Ref(
            "item",
            "items",
            "Item ID (dependency)",
            on_delete=OnDelete.CASCADE,
            nullable=False,
            dependency=True,
        ),
        Modified(),
        Text("location", "Physical location (e.g. shelf identification)"),
        Number("purchaseprice", "Purchase price per unit", nullable=False, default=0),
        Text("reference", "Reference identification", searchable=True),
        Number("sellingprice", "Selling price per unit", nullable=False, default=0),
        # dbref indexes array_to_string(serials) for search; not searchable here
        TextArray("serials", "Serial numbers"),
        Ref("storage", "storages", "Storage ID"),
        IntArray("subtransactions", "Sub-transaction IDs", wide=True),
        Ref("transaction", "transactions", "Transaction ID"),
        Ref(
            "transfer",
            "stocktransactions",
            "Transfer stock transaction ID; must be distinct from ID and null for RESERVED",
            wide=True,
        ),
    ),
    read=Access(("inventory",)),
    write=Access(("inventory",)),
    ops=ALL_OPS,
    extdata=True,
    parents=("item",),
    rules=(
        NonZero("amount"),
        # transfer must be distinct from ID: not a rule here, the ID of a new record is not
        # known in advance
        # transfer: null for RESERVED (description, dbref CHECK)
        NullForValue("transfer", "flag", (1,), "RESERVED"),
    ),
    get_params=("extdata",),
)

DEVICES = Entity(
    name="devices",
    singular="device",
    area="catalog",
    doc="Single devices of an item, by serial or charge (lot) number.",
    fields=(
        Id("Device ID"),
        Ref("account", "accounts", "Account (customer) the device is with (webservice: Assets)"),
        Ref("assigneduser", "users", "Assigned user ID (webservice: Assets)"),
        Text(
            "chargenum",
            "Charge (lot) number; is required if serialnum is empty, otherwise must be empty",
            searchable=True,
        ),
        Ref("contract", "contracts", "Contract ID"),
        Created(),
        Creator(),
        Timestamp("dateinservice", "In-service date as a Unix time stamp (webservice: Assets)"),
        Timestamp("datesold", "Date sold as a Unix time stamp (webservice: Assets)"),
        Text("description", "Detailed general description"),
        Timestamp("expdate", "Expiry date as a Unix time stamp"),
        Ref("item", "items", "Item ID", on_delete=OnDelete.CASCADE, nullable=False),
        Modified(),
        Text("name", "Name (webservice: Assets)", searchable=True),
        Ref("ownergroup", "groups", "Owner group ID (null=PUBLIC)", on_delete=OnDelete.CASCADE),
        Text(
            "serialnum",
            "Serial number; is required if chargenum is empty, otherwise must be empty",
            searchable=True,
        ),
        Enum("status", {0: "INSERVICE", 1: "OUTOFSERVICE"},
             "Status (webservice: Assets)", nullable=False, default=0),
        Enum(
            "visibility",
            VISIBILITY,
            "Visibility (0=REGULAR, 1=ARCHIVED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
    ),
    read=Access(("inventory",)),
    write=Access(("inventory",)),
    ops=ALL_OPS,
    extdata=True,
    tags=True,
    ownership=Ownership.GROUP,
    rules=(
        RequiredIfEmpty("chargenum", "serialnum"),
        MutuallyExclusive(("chargenum", "serialnum")),
    ),
    get_params=("extdata", "tags"),
)

ENTITIES: tuple[Entity, ...] = (
    ITEMS,
    COMPONENTS,
    PRICES,
    PRICELISTS,
    PRICELISTS2ACCOUNTS,
    SUPPLIERS,
    STORAGES,
    STOCKTRANSACTIONS,
    DEVICES,
)
