"""CRM modules: Accounts, Vendors, Contacts, Potentials, Campaigns."""

from __future__ import annotations

from comptoir.schema.module import (
    CreatedTime,
    Description,
    ModifiedTime,
    Module,
    Owner,
    Picklist,
    Reference,
    Relation,
    Ws,
    WsType,
)

#: accounts.type: PROSPECT, CUSTOMER, SUPPLIER, CUSTOMERANDSUPPLIER, COMPETITOR, EMPLOYEE
ACCOUNT_TYPES = {0: "Prospect", 1: "Customer", 2: "Supplier", 3: "Customer and Supplier",
                 4: "Competitor", 5: "Employee"}

ACCOUNTS = Module(
    "Accounts", 11, "accounts", label="Organizations", singular="Organization",
    fields=(
        Ws("accountname", WsType.STRING, "lastname", "Organization Name", mandatory=True),
        Ws("account_no", WsType.STRING, "customernum", "Organization Number"),
        Picklist("accounttype", "type", "Type", ACCOUNT_TYPES),
        Ws("phone", WsType.PHONE, "phone", "Phone"),
        Ws("email1", WsType.EMAIL, "email", "Email"),
        Ws("website", WsType.URL, "website", "Website"),
        Ws("siccode", WsType.STRING, "taxid", "Tax ID"),
        Owner(),
        CreatedTime(),
        ModifiedTime(),
        Description(),
    ),
    label_fields=("accountname",),
    # suppliers only are Vendors; customer-and-supplier accounts are both
    where={"type": (0, 1, 3, 4, 5)},
    relations=(Relation("Contacts", "Contacts", "account"),
               Relation("Potentials", "Potentials", "account"),
               Relation("HelpDesk", "HelpDesk", "account"),
               Relation("Projects", "Project", "account")),
    create_defaults={"currency": "default"},
)

VENDORS = Module(
    "Vendors", 2, "accounts", label="Vendors", singular="Vendor",
    fields=(
        Ws("vendorname", WsType.STRING, "lastname", "Vendor Name", mandatory=True),
        Ws("vendor_no", WsType.STRING, "suppliernum", "Vendor Number"),
        Ws("phone", WsType.PHONE, "phone", "Phone"),
        Ws("email", WsType.EMAIL, "email", "Email"),
        Ws("website", WsType.URL, "website", "Website"),
        Owner(),
        CreatedTime(),
        ModifiedTime(),
        Description(),
    ),
    label_fields=("vendorname",),
    where={"type": (2, 3)},
    relations=(Relation("Contacts", "Contacts", "account"),),
    create_defaults={"currency": "default"},
)

CONTACTS = Module(
    "Contacts", 12, "contacts", label="Contacts", singular="Contact",
    fields=(
        Ws("salutationtype", WsType.STRING, "title", "Salutation"),
        Ws("firstname", WsType.STRING, "firstname", "First Name"),
        Ws("lastname", WsType.STRING, "lastname", "Last Name", mandatory=True),
        Reference("account_id", "account", "Organization Name", "Accounts", "Vendors"),
        Ws("email", WsType.EMAIL, "email", "Email"),
        Ws("secondaryemail", WsType.EMAIL, "email2", "Secondary Email"),
        Ws("phone", WsType.PHONE, "phone", "Office Phone"),
        Ws("otherphone", WsType.PHONE, "phone2", "Other Phone"),
        Ws("mobile", WsType.PHONE, "cell", "Mobile"),
        Ws("fax", WsType.PHONE, "fax", "Fax"),
        Ws("title", WsType.STRING, "position", "Title"),
        Ws("department", WsType.STRING, "department", "Department"),
        Ws("birthday", WsType.DATE, "birthdate", "Birthdate"),
        Ws("mailingstreet", WsType.TEXT, "address", "Mailing Street"),
        Ws("mailingcity", WsType.STRING, "city", "Mailing City"),
        Ws("mailingzip", WsType.STRING, "postalcode", "Mailing Zip"),
        Ws("mailingstate", WsType.STRING, "region", "Mailing State"),
        Ws("mailingcountry", WsType.STRING, "country", "Mailing Country"),
        Ws("website", WsType.URL, "website", "Website"),
        Owner(),
        CreatedTime(),
        ModifiedTime(),
        Description(),
    ),
    label_fields=("firstname", "lastname"),
    relations=(Relation("Potentials", "Potentials", "contact"),),
)

#: opportunities.status: UNEVALUATED, ELIGIBLE, FEEDBACKREQUIRED, INNEGOTIATION, OFFERED,
#: ACCEPTED, REJECTED
SALES_STAGES = {0: "Prospecting", 1: "Qualification", 2: "Needs Analysis",
                3: "Negotiation or Review", 4: "Proposal or Price Quote", 5: "Closed Won",
                6: "Closed Lost"}

POTENTIALS = Module(
    "Potentials", 13, "opportunities", label="Opportunities", singular="Opportunity",
    fields=(
        Ws("potentialname", WsType.STRING, "name", "Opportunity Name", mandatory=True),
        Ws("potential_no", WsType.STRING, "opportunitynum", "Opportunity Number"),
        Reference("related_to", "account", "Organization Name", "Accounts", "Vendors"),
        Reference("contact_id", "contact", "Contact Name", "Contacts"),
        Ws("amount", WsType.CURRENCY, "mostlikely", "Amount"),
        Ws("closingdate", WsType.DATE, "duedate", "Expected Close Date", mandatory=True),
        Picklist("sales_stage", "status", "Sales Stage", SALES_STAGES, mandatory=True),
        Ws("probability", WsType.INTEGER, "probability", "Probability"),
        Reference("campaignid", "campaign", "Campaign Source", "Campaigns"),
        Owner(),
        CreatedTime(),
        ModifiedTime(),
        Description(),
    ),
    label_fields=("potentialname",),
)

#: campaigns.status: DRAFT, NOTSTARTED, AWAITINGAPPROVAL, APPROVED, DISMISSED, ACTIVE,
#: INACTIVE, INEVALUATION, CANCELLED, CLOSED
CAMPAIGN_STATUSES = {0: "Planning", 5: "Active", 6: "Inactive", 9: "Completed",
                     8: "Cancelled"}

CAMPAIGNS = Module(
    "Campaigns", 1, "campaigns", label="Campaigns", singular="Campaign",
    fields=(
        Ws("campaignname", WsType.STRING, "name", "Campaign Name", mandatory=True),
        Picklist("campaignstatus", "status", "Campaign Status", CAMPAIGN_STATUSES),
        Ws("startdate", WsType.DATE, "datefrom", "Start Date"),
        Ws("closingdate", WsType.DATE, "dateto", "Expected Close Date", mandatory=True),
        Owner(),
        CreatedTime(),
        ModifiedTime(),
        Description(),
    ),
    label_fields=("campaignname",),
    create_defaults={"datefrom": "=dateto"},
    relations=(Relation("Potentials", "Potentials", "campaign"),),
)

MODULES = (CAMPAIGNS, VENDORS, POTENTIALS, ACCOUNTS, CONTACTS)
