"""Support and project modules: HelpDesk (tickets), Project, ProjectTask."""

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

#: the PRIORITY enum: LOWEST, LOW, MEDIUM, HIGH, HIGHEST
PRIORITIES = {0: "Lowest", 1: "Low", 2: "Normal", 3: "High", 4: "Urgent"}
#: the status of tickets and tasks: NOTSTARTED, AWAITINGACCEPTANCE, ACCEPTED, REJECTED,
#: ACTIVE, INACTIVE, FEEDBACKREQUIRED, TESTING, CANCELLED, COMPLETED, FAILED, BOOKED
TICKET_STATUSES = {0: "Open", 4: "In Progress", 6: "Wait For Response", 9: "Closed"}
TASK_STATUSES = {0: "Open", 4: "In Progress", 5: "Deferred", 8: "Canceled", 9: "Completed"}
#: projects.status: DRAFT, NOTSTARTED, AWAITINGAPPROVAL, APPROVED, DISMISSED, ACTIVE,
#: INACTIVE, TESTING, CANCELLED, COMPLETED, FAILED, BOOKED
PROJECT_STATUSES = {0: "prospecting", 1: "initiated", 5: "in progress", 6: "waiting for feedback",
                    9: "completed", 8: "archived"}

HELPDESK = Module(
    "HelpDesk", 17, "tickets", label="Tickets", singular="Ticket",
    fields=(
        Ws("ticket_title", WsType.STRING, "name", "Title", mandatory=True),
        Ws("ticket_no", WsType.STRING, "ticketnum", "Ticket No"),
        Reference("parent_id", "account", "Organization Name", "Accounts", "Vendors"),
        Picklist("ticketpriorities", "priority", "Priority", PRIORITIES, mandatory=True),
        Picklist("ticketstatus", "status", "Status", TICKET_STATUSES, mandatory=True),
        Ws("due_date", WsType.DATE, "duedate", "Due Date"),
        Owner(),
        CreatedTime(),
        ModifiedTime(),
        Description(),
    ),
    label_fields=("ticket_title",),
)

PROJECT = Module(
    "Project", 31, "projects", label="Projects", singular="Project",
    fields=(
        Ws("projectname", WsType.STRING, "name", "Project Name", mandatory=True),
        Ws("project_no", WsType.STRING, "projectnum", "Project No"),
        Reference("linktoaccountscontacts", "account", "Related to", "Accounts", "Vendors"),
        Picklist("projectstatus", "status", "Status", PROJECT_STATUSES),
        Owner(),
        CreatedTime(),
        ModifiedTime(),
        Description(),
    ),
    label_fields=("projectname",),
    relations=(Relation("Project Tasks", "ProjectTask", "project"),
               Relation("Project Milestones", "ProjectMilestone", "project"),
               Relation("HelpDesk", "HelpDesk", "project")),
)

PROJECT_TASK = Module(
    "ProjectTask", 30, "tasks", label="Project Tasks", singular="Project Task",
    fields=(
        Ws("projecttaskname", WsType.STRING, "name", "Project Task Name", mandatory=True),
        Ws("projecttask_no", WsType.STRING, "tasknum", "Project Task No"),
        Reference("projectid", "project", "Related to", "Project", mandatory=True),
        Picklist("projecttaskpriority", "priority", "Priority", PRIORITIES),
        Picklist("projecttaskstatus", "status", "Status", TASK_STATUSES),
        Ws("startdate", WsType.DATE, "datefrom", "Start Date"),
        Ws("enddate", WsType.DATE, "duedate", "End Date"),
        Ws("projecttaskhours", WsType.INTEGER, "projectedeffort", "Worked Hours"),
        Owner(),
        CreatedTime(),
        ModifiedTime(),
        Description(),
    ),
    label_fields=("projecttaskname",),
)

MODULES = (HELPDESK, PROJECT_TASK, PROJECT)
