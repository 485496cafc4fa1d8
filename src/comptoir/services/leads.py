"""`convertlead`: a lead becomes an account, a contact and possibly an opportunity.

    await convert_lead(db, caller, {"leadId": "10x3", "assignedTo": "19x1", "entities": {
        "Accounts": {"create": True, "name": "Accounts", "accountname": "ACME"},
        "Contacts": {"create": True, "name": "Contacts"},
        "Potentials": {"create": False, "name": "Potentials"}}})
    -> {"Accounts": "11x9", "Contacts": "12x10"}

The new records take the lead's values where the client gives none (company -> account
name, names, e-mail and phones -> contact); the contact belongs to the new account and the
opportunity to both.  The lead is then marked converted, with links to what it became, and
leaves the Leads module.  It is one transaction: if any write fails, nothing was made (and
no event was emitted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from comptoir.errors import (
    AlreadyConvertedError,
    BadRequestError,
    ComptoirError,
    InvalidIdError,
    MissingFieldError,
)
from comptoir.schema.modules import MODULES
from comptoir.services import modules, records
from comptoir.services.access import Caller
from comptoir.storage.database import Database
from comptoir.wire import module_values as mv

#: the modules a lead converts into, in the order they are made
TARGETS = ("Accounts", "Contacts", "Potentials")
#: target field <- lead field, for the values the client does not give
FROM_LEAD = {
    "Accounts": {"accountname": "company", "phone": "phone", "email1": "email",
                 "website": "website", "description": "description"},
    "Contacts": {"salutationtype": "salutationtype", "firstname": "firstname",
                 "lastname": "lastname", "email": "email", "secondaryemail": "secondaryemail",
                 "phone": "phone", "mobile": "mobile", "fax": "fax", "title": "designation",
                 "mailingstreet": "lane", "mailingcity": "city", "mailingzip": "code",
                 "mailingstate": "state", "mailingcountry": "country"},
    "Potentials": {"potentialname": "company", "description": "description"},
}


def _entities(element: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    raw = element.get("entities")
    if not isinstance(raw, dict):
        raise BadRequestError("element: entities must be an object of Accounts, Contacts "
                              "and Potentials")
    wanted: dict[str, dict[str, Any]] = {}
    for name, values in raw.items():
        if name not in TARGETS:
            raise BadRequestError(f"element: entities: {str(name)[:40]} is not one of "
                                  f"{', '.join(TARGETS)}")
        if not isinstance(values, dict):
            raise BadRequestError(f"element: entities: {name} must be an object")
        if values.get("create") in (True, 1, "1", "true"):
            wanted[name] = {k: v for k, v in values.items() if k not in ("create", "name")}
    if "Accounts" not in wanted and "Contacts" not in wanted:
        raise MissingFieldError("entities", "must create Accounts or Contacts")
    return wanted


def _prepare(lead: Mapping[str, Any], wanted: dict[str, dict[str, Any]],
             owner: str) -> dict[str, dict[str, Any]]:
    """The create element of each target: the client's values, then the lead's."""
    prepared = {}
    for name, values in wanted.items():
        element = dict(values)
        for target, source in FROM_LEAD[name].items():
            if element.get(target) in (None, "") and lead.get(source):
                element[target] = lead[source]
        element.setdefault("assigned_user_id", owner)
        if name == "Potentials":
            closing = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
            element.setdefault("closingdate", closing.isoformat())
            element.setdefault("sales_stage", mv.picklist_values(
                MODULES[name], MODULES[name].by_name["sales_stage"])[0])
            element.setdefault("potentialname", lead.get("label") or "Opportunity")
        modules.check_element(MODULES[name], element)
        prepared[name] = element
    return prepared


async def convert_lead(db: Database, caller: Caller, element: Mapping[str, Any]) -> dict[str, str]:
    lead_id = element.get("leadId")
    module, record_id = mv.module_of(lead_id)
    if module.name != "Leads":
        raise InvalidIdError(f"Id specified is incorrect: {lead_id} is not a Leads id")
    async with db.write():  # one transaction: the services called below join it
        stored = await records.get_record(db, caller, "leads", record_id)
        if stored.data["converted"]:
            raise AlreadyConvertedError(f"Lead {lead_id} is already converted")
        lead = mv.render(module, stored.data)
        owner = element.get("assignedTo") or lead["assigned_user_id"] or f"19x{caller.user}"
        prepared = _prepare(lead, _entities(element), owner)
        made: dict[str, str] = {}
        for name in TARGETS:
            if name not in prepared:
                continue
            values = prepared[name]
            if name == "Contacts" and "Accounts" in made:
                values.setdefault("account_id", made["Accounts"])
            if name == "Potentials":
                values.setdefault("related_to", made.get("Accounts", ""))
                values.setdefault("contact_id", made.get("Contacts", ""))
            try:
                made[name] = (await modules.create(db, caller, name, values))["id"]
            except ComptoirError as exc:
                exc.message = f"Failed to create {name}: {exc.message}"
                exc.args = (exc.message,)
                raise
        links = {"converted": 1, "account": _id(made.get("Accounts")),
                 "contact": _id(made.get("Contacts")),
                 "opportunity": _id(made.get("Potentials"))}
        await records.update_record(db, caller, "leads", record_id, links,
                                    if_match=stored.etag)
    return made


def _id(text_id: str | None) -> int | None:
    return None if text_id is None else mv.parse_ws_id(text_id)[1]
