"""System: users, groups, memberships and permissions, and the developer entities
(applications, resources, services, weblets).

First generated from the ZeyOS spec by tools/gen_registry.py; this file, not the spec,
is now the source of truth.
"""

from __future__ import annotations

from comptoir.schema.entities import ACTIVITY, NO_YES
from comptoir.schema.entity import READ_OPS, Access, Entity
from comptoir.schema.fields import (
    Created,
    Creator,
    Enum,
    Id,
    Int,
    Json,
    Managed,
    Modified,
    OnDelete,
    Ref,
    Text,
    Timestamp,
)

USERS = Entity(
    name="users",
    singular="user",
    area="system",
    doc="Users (read-only through the REST API).",
    fields=(
        Id("User ID"),
        Enum(
            "activity",
            ACTIVITY,
            "Activity (0=ACTIVE, 1=DEACTIVATED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
        Enum(
            "apionly",
            NO_YES,
            "Restricted to API access, no regular login",
            nullable=False,
            default=0,
        ),
        Ref("contact", "contacts", "Contact ID"),
        Created(),
        Creator(),
        Text(
            "email",
            "System e-mail address (case-insensitively unique)",
            default=None,
            unique_ci=True,
            searchable=True,
        ),
        Timestamp("expdate", "Expiry date and time as a Unix time stamp"),
        Timestamp(
            "lastlogin", "Last login date and time as a Unix time stamp", managed=Managed.SYSTEM
        ),
        Modified(),
        Text(
            "name",
            "Username (case-insensitively unique)",
            min_length=1,
            default=None,
            unique_ci=True,
            searchable=True,
        ),
        Enum("nopublic", NO_YES, "Deny access to public data", nullable=False, default=0),
        # not in the REST API: kept for authentication
        Text("password", "Password hash (argon2id); never shown", hidden=True),
        Text(
            "accesskey",
            "Webservice access key; never shown",
            nullable=True,
            default=None,
            hidden=True,
        ),
        # shown but not client-writable
        Enum("admin", NO_YES, "Administrator", nullable=False, default=0, managed=Managed.SYSTEM),
    ),
    read=Access(),
    write=Access(admin_only=True),
    ops=READ_OPS,
    extdata=True,
    tags=True,
    get_params=("extdata", "tags"),
)

GROUPS = Entity(
    name="groups",
    singular="group",
    area="system",
    doc="User groups; owners of group-owned data.",
    fields=(
        Id("Group ID"),
        Enum(
            "activity",
            ACTIVITY,
            "Activity (0=ACTIVE, 1=DEACTIVATED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
        Created(),
        Creator(),
        Modified(),
        Ref("leader", "users", "Leader user ID"),
        Text(
            "name",
            "Name (case-insensitively unique)",
            min_length=1,
            default=None,
            unique_ci=True,
            searchable=True,
        ),
    ),
    read=Access(),
    write=Access(admin_only=True),
    ops=READ_OPS,
    extdata=True,
    tags=True,
    get_params=("extdata", "tags"),
)

GROUPS2USERS = Entity(
    name="groups2users",
    singular="group-to-user",
    area="system",
    doc="Group memberships of users.",
    fields=(
        Id("Group-to-user ID", wide=True),
        Created(),
        Creator(),
        Ref("group", "groups", "Group ID", on_delete=OnDelete.CASCADE, nullable=False),
        Modified(),
        Ref("user", "users", "User ID", on_delete=OnDelete.CASCADE, nullable=False),
        Enum(
            "writable",
            NO_YES,
            "Allow writing of group-owned data by user",
            nullable=False,
            default=0,
        ),
    ),
    read=Access(admin_only=True),
    write=Access(admin_only=True),
    ops=READ_OPS,
)

PERMISSIONS = Entity(
    name="permissions",
    singular="permission",
    area="system",
    doc="Permissions granted to groups.",
    fields=(
        Id("Permission ID", wide=True),
        Created(),
        Creator(),
        Ref("group", "groups", "Group ID", on_delete=OnDelete.CASCADE, nullable=False),
        Text(
            "identifier",
            "Permission identifier",
            max_length=200,
            nullable=True,
            default=None,
            searchable=True,
        ),
        Modified(),
        Enum(
            "writable",
            NO_YES,
            "Allow writing of permission-specific data by group members",
            nullable=False,
            default=0,
        ),
    ),
    read=Access(admin_only=True),
    write=Access(admin_only=True),
    ops=READ_OPS,
)

APPLICATIONS = Entity(
    name="applications",
    singular="application",
    area="system",
    doc="Installed applications (read-only; only accessed by admin users).",
    fields=(
        Id("Application ID"),
        Enum(
            "activity",
            ACTIVITY,
            "Activity (0=ACTIVE, 1=DEACTIVATED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
        Created(),
        Creator(),
        Text(
            "identifier",
            "Unique application identifier",
            max_length=200,
            default=None,
            unique=True,
            searchable=True,
        ),
        Modified(),
        Text("name", "Name", min_length=1, default=None, searchable=True),
        Text("vendor", "Vendor (developer or company name)"),
        Int(
            "version",
            "Version number (formatted as 1.00-00)",
            nullable=False,
            default=10000,
            minimum=10000,
        ),
        # not in the REST API: the login secret (SHA-256 digest) and the settings
        # returned by GET /settings to tokens issued for this application
        Text("appsecret", "API secret key digest; never shown", nullable=True, default=None,
             hidden=True),
        Json("settings", "Application settings (GET /settings)", hidden=True),
    ),
    read=Access(("dev",)),
    write=Access(admin_only=True),
    ops=READ_OPS,
    extdata=True,
    tags=True,
    get_params=("extdata", "tags"),
)

RESOURCES = Entity(
    name="resources",
    singular="resource",
    area="system",
    doc="Application resources (developer, read-only).",
    fields=(
        Id("Resource ID"),
        Enum(
            "activity",
            ACTIVITY,
            "Activity (0=ACTIVE, 1=DEACTIVATED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
        Ref(
            "application",
            "applications",
            "Application ID (null=STANDALONE)",
            on_delete=OnDelete.CASCADE,
        ),
        Created(),
        Creator(),
        Text(
            "identifier",
            "Unique resource identifier",
            max_length=200,
            default=None,
            unique=True,
            searchable=True,
        ),
        Modified(),
        Text("mimetype", "MIME type (RFC 2045)", default="text/x-zymba"),
        Text("name", "Name", min_length=1, default=None, searchable=True),
        Enum("public", NO_YES, "Publicly accessible", nullable=False, default=0),
    ),
    read=Access(("dev",)),
    write=Access(admin_only=True),
    ops=READ_OPS,
    extdata=True,
    tags=True,
    get_params=("extdata", "tags"),
)

SERVICES = Entity(
    name="services",
    singular="service",
    area="system",
    doc="Application services: timed, remote-call and trigger scripts (developer, read-only).",
    fields=(
        Id("Service ID"),
        Enum(
            "activity",
            ACTIVITY,
            "Activity (0=ACTIVE, 1=DEACTIVATED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
        Ref(
            "application",
            "applications",
            "Application ID (null=STANDALONE)",
            on_delete=OnDelete.CASCADE,
        ),
        Created(),
        Creator(),
        Text(
            "entity",
            (
                "Canonical entity (only for AFTERCREATION, BEFOREMODIFICATION, "
                "AFTERMODIFICATION, AFTERCREATIONORMODIFICATION, BEFOREDELETION or "
                "AFTERDELETION)"
            ),
        ),
        Text(
            "identifier",
            "Unique service identifier",
            max_length=200,
            default=None,
            unique=True,
            searchable=True,
        ),
        Int(
            "interval",
            "Interval in minutes (only for TIMING)",
            nullable=False,
            default=1,
            minimum=1,
            maximum=1440,
        ),
        Modified(),
        Text(
            "mimetype",
            "MIME type (RFC 2045)",
            default="text/x-zymba",
            choices={
                "application/ixml+xml": "application/ixml+xml",
                "text/x-zymba": "text/x-zymba",
            },
        ),
        Text("name", "Name", min_length=1, default=None, searchable=True),
        Int(
            "schedule",
            "Schedule as a minute of each day (only for TIMING)",
            nullable=False,
            default=0,
            minimum=0,
        ),
        Enum(
            "type",
            {
                0: "TIMING",
                1: "REMOTECALL",
                2: "AFTERCREATION",
                3: "BEFOREMODIFICATION",
                4: "AFTERMODIFICATION",
                5: "AFTERCREATIONORMODIFICATION",
                6: "BEFOREDELETION",
                7: "AFTERDELETION",
            },
            "Service type",
        ),
    ),
    read=Access(("dev",)),
    write=Access(admin_only=True),
    ops=READ_OPS,
    extdata=True,
    tags=True,
    get_params=("extdata", "tags"),
)

WEBLETS = Entity(
    name="weblets",
    singular="weblet",
    area="system",
    doc="Application weblets (developer, read-only).",
    fields=(
        Id("Weblet ID"),
        Enum(
            "activity",
            ACTIVITY,
            "Activity (0=ACTIVE, 1=DEACTIVATED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
        Ref(
            "application",
            "applications",
            "Application ID (null=STANDALONE)",
            on_delete=OnDelete.CASCADE,
        ),
        Text("color", "Color code (CSS-style hexadecimal without #)", max_length=6),
        Created(),
        Creator(),
        Int(
            "height",
            "Height in pixels (0=100%)",
            nullable=False,
            default=0,
            minimum=0,
            maximum=32767,
        ),
        Text(
            "identifier",
            "Unique weblet identifier",
            max_length=200,
            default=None,
            unique=True,
            searchable=True,
        ),
        Json("langaliases", "Language-specific aliases; use language code as object key"),
        Modified(),
        Text(
            "mimetype",
            "MIME type (RFC 2045)",
            default="text/x-zymba",
            choices={
                "application/ixml+xml": "application/ixml+xml",
                "text/x-zymba": "text/x-zymba",
            },
        ),
        Text("name", "Name", min_length=1, default=None, searchable=True),
        Text("svgpath", "SVG path for icon (square)"),
        Enum(
            "type",
            {
                0: "INTEGRATED",
                1: "STANDALONE",
                2: "DETACHED",
                3: "POPUP_FRAMED",
                4: "POPUP_PLAIN",
                5: "EMBEDDED_FRAMED",
                6: "EMBEDDED_COLLAPSED",
                7: "EMBEDDED_PLAIN",
            },
            "Weblet type",
            nullable=False,
            default=0,
        ),
        Text("view", "Canonical view"),
        Int(
            "width", "Width in pixels (0=100%)", nullable=False, default=0, minimum=0, maximum=32767
        ),
    ),
    read=Access(("dev",)),
    write=Access(admin_only=True),
    ops=READ_OPS,
    extdata=True,
    tags=True,
    get_params=("extdata", "tags"),
)

ENTITIES: tuple[Entity, ...] = (
    USERS,
    GROUPS,
    GROUPS2USERS,
    PERMISSIONS,
    APPLICATIONS,
    RESOURCES,
    SERVICES,
    WEBLETS,
)
