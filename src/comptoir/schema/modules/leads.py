"""Leads: prospective customers, until `convertlead` turns them into an account, a contact
and possibly an opportunity.  A converted lead leaves the module (as in vtiger)."""

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

#: leads.status: NEW, CONTACTED, QUALIFIED, UNQUALIFIED, LOST
LEAD_STATUSES = {0: "Not Contacted", 1: "Contacted", 2: "Qualified", 3: "Junk Lead",
                 4: "Lost Lead"}

LEADS = Module(
    "Leads", 10, "leads", label="Leads", singular="Lead",
    fields=(
        Ws("salutationtype", WsType.STRING, "title", "Salutation"),
        Ws("firstname", WsType.STRING, "firstname", "First Name"),
        Ws("lead_no", WsType.STRING, "leadnum", "Lead No"),
        Ws("lastname", WsType.STRING, "lastname", "Last Name", mandatory=True),
        Ws("company", WsType.STRING, "company", "Company"),
        Ws("designation", WsType.STRING, "position", "Designation"),
        Ws("phone", WsType.PHONE, "phone", "Phone"),
        Ws("mobile", WsType.PHONE, "cell", "Mobile"),
        Ws("fax", WsType.PHONE, "fax", "Fax"),
        Ws("email", WsType.EMAIL, "email", "Email"),
        Ws("secondaryemail", WsType.EMAIL, "email2", "Secondary Email"),
        Ws("website", WsType.URL, "website", "Website"),
        Ws("leadsource", WsType.STRING, "source", "Lead Source"),
        Picklist("leadstatus", "status", "Lead Status", LEAD_STATUSES),
        Ws("lane", WsType.TEXT, "address", "Street"),
        Ws("code", WsType.STRING, "postalcode", "Postal Code"),
        Ws("city", WsType.STRING, "city", "City"),
        Ws("state", WsType.STRING, "region", "State"),
        Ws("country", WsType.STRING, "country", "Country"),
        Owner(),
        CreatedTime(),
        ModifiedTime(),
        Description(),
    ),
    label_fields=("firstname", "lastname"),
    where={"converted": (0,)},
)

MODULES = (LEADS,)
