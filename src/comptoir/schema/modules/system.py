"""System modules: Users and Groups (read through the webservice, managed by the CLI)."""

from __future__ import annotations

from comptoir.schema.module import CreatedTime, ModifiedTime, Module, Picklist, Ws, WsType

USERS = Module(
    "Users", 19, "users", label="Users", singular="User",
    fields=(
        Ws("user_name", WsType.STRING, "name", "User Name", mandatory=True),
        Ws("last_name", WsType.STRING, "name", "Last Name", mandatory=True),
        Ws("email1", WsType.EMAIL, "email", "Email", mandatory=True),
        Picklist("status", "activity", "Status", {0: "Active", 1: "Inactive"}),
        Ws("is_admin", WsType.BOOLEAN, "admin", "Admin", editable=False),
        CreatedTime(),
        ModifiedTime(),
    ),
    label_fields=("user_name",),
    group_field=None,
)

GROUPS = Module(
    "Groups", 20, "groups", label="Groups", singular="Groups",
    fields=(
        Ws("groupname", WsType.STRING, "name", "Group Name", mandatory=True),
        CreatedTime(),
        ModifiedTime(),
    ),
    label_fields=("groupname",),
    is_entity=False,
    group_field=None,
)

MODULES = (USERS, GROUPS)
