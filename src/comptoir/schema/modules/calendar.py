"""Calendar modules: Calendar (to-dos: action steps) and Events (appointments).

vtiger splits a start into `date_start` and `time_start`; a Comptoir start is one moment.
Calendar's dates are days (`date`); Events' are moments (`datetime`, UTC), which a client
may give as a day alone (midnight)."""

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

#: actionsteps.status: DRAFT, COMPLETED, CANCELLED, BOOKED
TASK_STATUSES = {0: "Not Started", 1: "Completed", 2: "Deferred", 3: "Planned"}

CALENDAR = Module(
    "Calendar", 9, "actionsteps", label="Calendar", singular="Task",
    fields=(
        Ws("subject", WsType.STRING, "name", "Subject", mandatory=True),
        Ws("activity_no", WsType.STRING, "actionnum", "Activity No"),
        Ws("date_start", WsType.DATE, "date", "Start Date", mandatory=True),
        Ws("due_date", WsType.DATE, "duedate", "Due Date"),
        Picklist("taskstatus", "status", "Status", TASK_STATUSES, mandatory=True),
        Reference("parent_id", "account", "Related To", "Accounts", "Vendors"),
        Ws("duration_minutes", WsType.INTEGER, "effort", "Duration Minutes"),
        Owner(),
        CreatedTime(),
        ModifiedTime(),
        Description(),
    ),
    label_fields=("subject",),
    create_defaults={"date": "now"},
)

EVENTS = Module(
    "Events", 18, "appointments", label="Events", singular="Event",
    fields=(
        Ws("subject", WsType.STRING, "name", "Subject", mandatory=True),
        Ws("date_start", WsType.DATETIME, "datefrom", "Start Date & Time", mandatory=True),
        Ws("due_date", WsType.DATETIME, "dateto", "End Date & Time", mandatory=True),
        Ws("location", WsType.STRING, "location", "Location"),
        Owner(),
        CreatedTime(),
        ModifiedTime(),
        Description(),
    ),
    label_fields=("subject",),
)

MODULES = (CALENDAR, EVENTS)
