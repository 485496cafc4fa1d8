"""Service modules: ServiceContracts (contracts), Assets (devices), ProjectMilestone
(milestones) and Faq (faqs).

ModComments is not served: ZeyOS comments hang on feed `records` (one generic table naming
an entity and a record), not on the records of a module, so its `related_to` maps to no
single canonical reference field."""

from __future__ import annotations

from comptoir.schema.module import (
    CreatedTime,
    Description,
    ModifiedTime,
    Module,
    Owner,
    Picklist,
    Reference,
    Ws,
    WsType,
)

#: contracts.status: DRAFT, AWAITINGAPPROVAL, APPROVED, DISMISSED, ACTIVE, INACTIVE,
#: EXPIRED, CANCELLED, CLOSED (the others show their canonical labels)
CONTRACT_STATUSES = {0: "In Planning", 4: "In Progress", 5: "On Hold", 8: "Complete"}
#: devices.status: INSERVICE, OUTOFSERVICE
ASSET_STATUSES = {0: "In Service", 1: "Out-of-service"}
#: milestones.type: ADMINISTRATIVE, OPERATIVE, OTHER
MILESTONE_TYPES = {0: "administrative", 1: "operative", 2: "other"}
#: faqs.status: DRAFT, REVIEWED, PUBLISHED, OBSOLETE
FAQ_STATUSES = {0: "Draft", 1: "Reviewed", 2: "Published", 3: "Obsolete"}

FAQ = Module(
    "Faq", 3, "faqs", label="FAQ", singular="FAQ",
    fields=(
        Reference("product_id", "item", "Product Name", "Products"),
        Ws("faq_no", WsType.STRING, "faqnum", "Faq No"),
        Ws("faqcategories", WsType.STRING, "category", "Category"),
        Picklist("faqstatus", "status", "Status", FAQ_STATUSES, mandatory=True),
        Ws("question", WsType.TEXT, "question", "Question", mandatory=True),
        Ws("faq_answer", WsType.TEXT, "answer", "Answer", mandatory=True),
        CreatedTime(),
        ModifiedTime(),
    ),
    label_fields=("question",),
)

SERVICE_CONTRACTS = Module(
    "ServiceContracts", 25, "contracts", label="Service Contracts",
    singular="Service Contract",
    fields=(
        Ws("subject", WsType.STRING, "name", "Subject", mandatory=True),
        Ws("contract_no", WsType.STRING, "contractnum", "Contract No"),
        Reference("sc_related_to", "account", "Related to", "Accounts", "Vendors"),
        Picklist("contract_status", "status", "Status", CONTRACT_STATUSES),
        Ws("start_date", WsType.DATE, "datefrom", "Start Date"),
        Ws("due_date", WsType.DATE, "dateto", "Due date"),
        Owner(),
        CreatedTime(),
        ModifiedTime(),
        Description(),
    ),
    label_fields=("subject",),
    create_defaults={"currency": "default"},
)

ASSETS = Module(
    "Assets", 27, "devices", label="Assets", singular="Asset",
    fields=(
        Ws("assetname", WsType.STRING, "name", "Asset Name", mandatory=True),
        Reference("product", "item", "Product Name", "Products", mandatory=True),
        Ws("serialnumber", WsType.STRING, "serialnum", "Serial Number", mandatory=True),
        Ws("datesold", WsType.DATE, "datesold", "Date Sold"),
        Ws("dateinservice", WsType.DATE, "dateinservice", "Date in Service"),
        Picklist("assetstatus", "status", "Status", ASSET_STATUSES),
        Reference("account", "account", "Customer Name", "Accounts", "Vendors"),
        Owner(),
        CreatedTime(),
        ModifiedTime(),
        Description(),
    ),
    label_fields=("assetname",),
)

PROJECT_MILESTONE = Module(
    "ProjectMilestone", 29, "milestones", label="Project Milestones",
    singular="Project Milestone",
    fields=(
        Ws("projectmilestonename", WsType.STRING, "name", "Project Milestone Name",
           mandatory=True),
        Ws("projectmilestone_no", WsType.STRING, "milestonenum", "Project Milestone No"),
        Ws("projectmilestonedate", WsType.DATE, "date", "Milestone Date"),
        Reference("projectid", "project", "Related to", "Project", mandatory=True),
        Picklist("projectmilestonetype", "type", "Type", MILESTONE_TYPES),
        Owner(),
        CreatedTime(),
        ModifiedTime(),
        Description(),
    ),
    label_fields=("projectmilestonename",),
)

MODULES = (FAQ, SERVICE_CONTRACTS, ASSETS, PROJECT_MILESTONE)
