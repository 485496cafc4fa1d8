"""Marketing: campaigns, mailing lists and their participants.

First generated from the ZeyOS spec by tools/gen_registry.py; this file, not the spec,
is now the source of truth.
"""

from __future__ import annotations

from comptoir.schema.entities import VISIBILITY
from comptoir.schema.entity import ALL_OPS, Access, Entity, Ownership
from comptoir.schema.fields import (
    Created,
    Creator,
    Enum,
    Id,
    Modified,
    OnDelete,
    Ref,
    Text,
    Timestamp,
)
from comptoir.schema.rules import MutuallyExclusive, NotAfter, OneOfRequired

CAMPAIGNS = Entity(
    name="campaigns",
    singular="campaign",
    area="marketing",
    doc="Marketing campaigns.",
    fields=(
        Id("Campaign ID"),
        Ref("assigneduser", "users", "Assigned user ID"),
        Created(),
        Creator(),
        Timestamp(
            "datefrom",
            "Start date as a Unix time stamp; must be less than or equal to dateto",
            nullable=False,
        ),
        Timestamp(
            "dateto", "End date as a Unix time stamp; must be greater than or equal to datefrom"
        ),
        Text("description", "Detailed general description"),
        Modified(),
        Text("name", "Name", min_length=1, default=None, searchable=True),
        Ref("ownergroup", "groups", "Owner group ID (null=PUBLIC)", on_delete=OnDelete.CASCADE),
        Enum(
            "status",
            {
                0: "DRAFT",
                1: "NOTSTARTED",
                2: "AWAITINGAPPROVAL",
                3: "APPROVED",
                4: "DISMISSED",
                5: "ACTIVE",
                6: "INACTIVE",
                7: "INEVALUATION",
                8: "CANCELLED",
                9: "CLOSED",
            },
            "Status",
            nullable=False,
            default=0,
        ),
        Enum(
            "visibility",
            VISIBILITY,
            "Visibility (0=REGULAR, 1=ARCHIVED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
    ),
    read=Access(("campaigns",)),
    write=Access(("campaigns",)),
    ops=ALL_OPS,
    extdata=True,
    tags=True,
    ownership=Ownership.GROUP,
    rules=(NotAfter("datefrom", "dateto"),),
    get_params=("extdata", "tags"),
)

MAILINGLISTS = Entity(
    name="mailinglists",
    singular="mailing list",
    area="marketing",
    doc="Mailing lists.",
    fields=(
        Id("Mailing list ID"),
        Ref("assigneduser", "users", "Assigned user ID"),
        Ref("campaign", "campaigns", "Campaign ID"),
        Created(),
        Creator(),
        Text("description", "Detailed general description"),
        Modified(),
        Text("name", "Name", min_length=1, default=None, searchable=True),
        Ref(
            "ownergroup",
            "groups",
            "Owner group ID (PUBLIC if owneruser=null and ownergroup=null)",
            on_delete=OnDelete.CASCADE,
        ),
        Ref(
            "owneruser",
            "users",
            "Owner user ID (PUBLIC if owneruser=null and ownergroup=null)",
            on_delete=OnDelete.CASCADE,
        ),
        Text("sender", "Sender name and e-mail address", searchable=True),
        Enum(
            "visibility",
            VISIBILITY,
            "Visibility (0=REGULAR, 1=ARCHIVED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
    ),
    read=Access(("mailinglists",)),
    write=Access(("mailinglists",)),
    ops=ALL_OPS,
    extdata=True,
    tags=True,
    ownership=Ownership.USER_OR_GROUP,
    rules=(
        # dbref CHECK (owneruser IS NULL OR ownergroup IS NULL)
        MutuallyExclusive(("owneruser", "ownergroup")),
    ),
    get_params=("extdata", "tags"),
)

PARTICIPANTS = Entity(
    name="participants",
    singular="participant",
    area="marketing",
    doc="Participants of a mailing list or a campaign.",
    fields=(
        Id("Participant ID", wide=True),
        Ref(
            "campaign",
            "campaigns",
            (
                "Campaign ID (dependency); is mutually exclusive to mailinglist (either "
                "one is required)"
            ),
            on_delete=OnDelete.CASCADE,
            dependency=True,
        ),
        Ref("contact", "contacts", "Contact ID"),
        Created(),
        Creator(),
        Text("email", "E-mail address", searchable=True),
        Modified(),
        Ref(
            "mailinglist",
            "mailinglists",
            (
                "Mailing list ID (dependency); is mutually exclusive to campaign (either "
                "one is required)"
            ),
            on_delete=OnDelete.CASCADE,
            dependency=True,
        ),
        Text("name", "Name", min_length=1, default=None, searchable=True),
        Text("phone", "Phone number"),
    ),
    read=Access(("mailinglists", "campaigns")),
    write=Access(("mailinglists", "campaigns")),
    ops=ALL_OPS,
    extdata=True,
    parents=("mailinglist", "campaign"),
    any_parent=True,
    rules=(
        MutuallyExclusive(("campaign", "mailinglist")),
        OneOfRequired(("campaign", "mailinglist")),
    ),
    get_params=("extdata",),
)

ENTITIES: tuple[Entity, ...] = (
    CAMPAIGNS,
    MAILINGLISTS,
    PARTICIPANTS,
)
