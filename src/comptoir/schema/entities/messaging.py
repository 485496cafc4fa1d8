"""Messaging: e-mail messages and read marks, mail, DAV and feed servers, channels.

First generated from the ZeyOS spec by tools/gen_registry.py; this file, not the spec,
is now the source of truth.
"""

from __future__ import annotations

from comptoir.schema.entities import ACTIVITY, CANONICAL_ENTITIES, NO_YES
from comptoir.schema.entity import ALL_OPS, Access, Entity, Ownership
from comptoir.schema.fields import (
    NOW,
    Binfile,
    Created,
    Creator,
    EntityName,
    Enum,
    FileSize,
    Id,
    Int,
    Json,
    Modified,
    OnDelete,
    Ref,
    Text,
    TextArray,
    Timestamp,
)
from comptoir.schema.rules import MutuallyExclusive

MESSAGES = Entity(
    name="messages",
    singular="message",
    area="messaging",
    doc="E-mail messages.",
    fields=(
        Id("Message ID"),
        TextArray("attachments", "Attachments (filenames)"),
        Text("bcc", "All blind carbon copy recipient names and e-mail addresses"),
        Binfile(
            "binfile",
            (
                "Bin file ID; on create or update give a binfile-content object instead "
                "(content: Base64-encoded, or uri: data URI)"
            ),
        ),
        Text("cc", "All carbon copy recipient names and e-mail addresses"),
        Text("contenttype", "Content MIME type (RFC 2045)"),
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
        Modified(),
        Enum(
            "mailbox",
            {
                0: "INBOX",
                1: "DRAFTS",
                2: "SENT",
                3: "TEMPLATES",
                4: "MAILINGS",
                5: "ARCHIVE",
                6: "TRASH",
                7: "JUNK",
            },
            (
                "Type (0=INBOX, 1=DRAFTS, 2=SENT, 3=TEMPLATES, 4=MAILINGS, 5=ARCHIVE, "
                "6=TRASH, 7=JUNK)"
            ),
            nullable=False,
            default=0,
        ),
        Ref("dunning", "dunning", "The dunning letter this message sent"),
        Ref("mailinglist", "mailinglists", "Mailing list ID"),
        Ref("mailserver", "mailservers", "Mail server ID"),
        Ref("opportunity", "opportunities", "Opportunity ID; is mutually exclusive to ticket"),
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
        Ref("reference", "messages", "Reference message (reply-to) ID; must be distinct from ID"),
        Timestamp("senddate", "Scheduled send date and time as a Unix time stamp"),
        Text("sender", "Sender name and e-mail address", searchable=True),
        Text("sender_email", "Sender e-mail address"),
        Text("sender_name", "Sender name"),
        Text("senderror", "Last error message from failure to send"),
        FileSize("binfile"),
        Text("subject", "Subject", searchable=True),
        Text("text", "Plain text version of content"),
        Ref("ticket", "tickets", "Ticket ID; is mutually exclusive to opportunity"),
        Ref("transaction", "transactions", "The document this message sent"),
        Text("to", "All regular recipient names and e-mail addresses", searchable=True),
        Int("to_count", "Number of regular recipients", nullable=False, default=0, minimum=0),
        Text("to_email", "First regular recipient e-mail address"),
        Text("to_name", "First regular recipient name"),
        Enum("verified", NO_YES, "Verified sender e-mail address", nullable=False, default=0),
    ),
    read=Access(("messages",)),
    write=Access(("messages",)),
    ops=ALL_OPS,
    extdata=True,
    tags=True,
    ownership=Ownership.USER_OR_GROUP,
    rules=(
        MutuallyExclusive(("opportunity", "ticket")),
        # reference must be distinct from ID: not a rule here, the ID of a new record is not
        # known in advance
        # dbref CHECK (owneruser IS NULL OR ownergroup IS NULL)
        MutuallyExclusive(("owneruser", "ownergroup")),
    ),
    get_params=("extdata", "tags"),
)

MESSAGEREADS = Entity(
    name="messagereads",
    singular="message-read",
    area="messaging",
    doc="Read marks of messages, one per user.",
    fields=(
        Id("Message-read ID", wide=True),
        Created(),
        Creator(on_delete=OnDelete.CASCADE),
        Ref(
            "message",
            "messages",
            "Message ID (dependency)",
            on_delete=OnDelete.CASCADE,
            nullable=False,
            dependency=True,
        ),
    ),
    read=Access(("messages",)),
    write=Access(("messages",), creator_only=True),
    ops=ALL_OPS,
    parents=("message",),
)

MAILSERVERS = Entity(
    name="mailservers",
    singular="mail server",
    area="messaging",
    doc="Mail server accounts (inbound and outbound).",
    fields=(
        Id("Mail server ID"),
        Enum(
            "activity",
            ACTIVITY,
            "Activity (0=ACTIVE, 1=DEACTIVATED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
        Binfile(
            "autoreplybinfile",
            (
                "Bin file ID; on create or update give a binfile-content object instead "
                "(content: Base64-encoded, or uri: data URI)"
            ),
        ),
        Created(),
        Creator(),
        Ref("company", "companies", "The company whose documents it sends (null: every "
            "company without a server of its own)"),
        Text("description", "Detailed general description"),
        Json("folders", "JSON-encoded IMAP folders (object)"),
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
        Ref(
            "recipientgroup",
            "groups",
            "Recipient group ID (PUBLIC if recipientuser=null and recipientgroup=null)",
        ),
        Ref(
            "recipientuser",
            "users",
            "Recipient user ID (PUBLIC if recipientuser=null and recipientgroup=null)",
        ),
        Text("passwordout", "Password (Outbound), sealed with the server's key; never shown",
             hidden=True),
        Int("portout", "Port (Outbound): 587 for STARTTLS, 465 for TLS, 25 for none",
            nullable=False, default=587, minimum=1, maximum=65535),
        Enum("securityout", {0: "NONE", 1: "STARTTLS", 2: "TLS"},
             "Connection security (Outbound) (0=NONE, 1=STARTTLS, 2=TLS)", nullable=False,
             default=1),
        Text("sender", "Sender name and e-mail address", searchable=True),
        Text("serverin", "Server (Inbound)", searchable=True),
        Text("serverout", "Server (Outbound)", searchable=True),
        Binfile(
            "signaturebinfile",
            (
                "Bin file ID; on create or update give a binfile-content object instead "
                "(content: Base64-encoded, or uri: data URI)"
            ),
        ),
        Json("ticketing", "JSON-encoded ticketing data (object)"),
        Text("usernamein", "Username (Inbound)"),
        Text("usernameout", "Username (Outbound)"),
    ),
    read=Access(),
    write=Access(),
    ops=ALL_OPS,
    extdata=True,
    tags=True,
    ownership=Ownership.USER_OR_GROUP,
    rules=(
        # dbref CHECK (owneruser IS NULL OR ownergroup IS NULL)
        MutuallyExclusive(("owneruser", "ownergroup")),
        # dbref CHECK (recipientuser IS NULL OR recipientgroup IS NULL)
        MutuallyExclusive(("recipientuser", "recipientgroup")),
    ),
    get_params=("extdata", "tags"),
)

DAVSERVERS = Entity(
    name="davservers",
    singular="DAV server",
    area="messaging",
    doc="CardDAV/CalDAV servers synchronised with contacts, tasks or appointments.",
    fields=(
        Id("DAV server ID"),
        Enum(
            "activity",
            ACTIVITY,
            "Activity (0=ACTIVE, 1=DEACTIVATED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
        Created(),
        Creator(),
        Text("ctag", "Collection entity tag (CTag) (caldav-ctag-03)"),
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
        Ref(
            "recipientgroup",
            "groups",
            "Recipient group ID (PUBLIC if recipientuser=null and recipientgroup=null)",
        ),
        Ref(
            "recipientuser",
            "users",
            "Recipient user ID (PUBLIC if recipientuser=null and recipientgroup=null)",
        ),
        Text("synctoken", "Synchronization token (RFC 6578)"),
        # seed lists the labels out of order (0=CONTACTS, 2=APPOINTMENTS, 1=TASKS)
        Enum(
            "type",
            {0: "CONTACTS", 1: "TASKS", 2: "APPOINTMENTS"},
            "Collection type (0=CONTACTS, 1=TASKS, 2=APPOINTMENTS)",
            nullable=False,
            default=0,
        ),
        Text("url", "Endpoint URL", min_length=1, default=None, searchable=True),
        Text("username", "Username"),
    ),
    read=Access(),
    write=Access(),
    ops=ALL_OPS,
    extdata=True,
    tags=True,
    ownership=Ownership.USER_OR_GROUP,
    rules=(
        # dbref CHECK (owneruser IS NULL OR ownergroup IS NULL)
        MutuallyExclusive(("owneruser", "ownergroup")),
        # dbref CHECK (recipientuser IS NULL OR recipientgroup IS NULL)
        MutuallyExclusive(("recipientuser", "recipientgroup")),
    ),
    get_params=("extdata", "tags"),
)

FEEDSERVERS = Entity(
    name="feedservers",
    singular="feed server",
    area="messaging",
    doc="External feeds imported into a channel.",
    fields=(
        Id("Feed server ID"),
        Enum(
            "activity",
            ACTIVITY,
            "Activity (0=ACTIVE, 1=DEACTIVATED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
        Ref("channel", "channels", "Channel ID"),
        Created(),
        Creator(),
        Text("description", "Detailed general description"),
        Text("etag", "Entity tag (ETag) (RFC 7232)"),
        Modified(),
        Text("name", "Name", min_length=1, default=None, searchable=True),
        Enum("notify", NO_YES, "Notify about new records", nullable=False, default=0),
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
        Ref(
            "recipientgroup",
            "groups",
            "Recipient group ID (PUBLIC if recipientuser=null and recipientgroup=null)",
        ),
        Ref(
            "recipientuser",
            "users",
            "Recipient user ID (PUBLIC if recipientuser=null and recipientgroup=null)",
        ),
        Text("url", "Feed URL", min_length=1, default=None, searchable=True),
        Text("username", "Username"),
    ),
    read=Access(),
    write=Access(),
    ops=ALL_OPS,
    extdata=True,
    tags=True,
    ownership=Ownership.USER_OR_GROUP,
    rules=(
        # dbref CHECK (owneruser IS NULL OR ownergroup IS NULL)
        MutuallyExclusive(("owneruser", "ownergroup")),
        # dbref CHECK (recipientuser IS NULL OR recipientgroup IS NULL)
        MutuallyExclusive(("recipientuser", "recipientgroup")),
    ),
    get_params=("extdata", "tags"),
)

CHANNELS = Entity(
    name="channels",
    singular="channel",
    area="messaging",
    doc="Channels that feed records are posted to.",
    fields=(
        Id("Channel ID"),
        Created(),
        Creator(),
        Text("name", "Name (unique)", min_length=1, default=None, unique=True, searchable=True),
    ),
    read=Access(),
    write=Access(),
    ops=ALL_OPS,
)

ENTITIES2CHANNELS = Entity(
    name="entities2channels",
    singular="entity-to-channel",
    area="messaging",
    doc="Records of canonical entities attached to a channel.",
    fields=(
        Id("Entity-to-channel ID", wide=True),
        Ref(
            "channel",
            "channels",
            "Channel ID (dependency)",
            on_delete=OnDelete.CASCADE,
            nullable=False,
            dependency=True,
        ),
        Created(),
        Creator(),
        EntityName("entity", CANONICAL_ENTITIES, "Canonical entity", nullable=False),
        # the ID of a record of the entity named by entity
        Int("index", "Entity ID", nullable=False, wide=True),
    ),
    read=Access(),
    write=Access(),
    ops=ALL_OPS,
    # channel is marked '(dependency)' although the operations do not say 'Has dependency on
    # channel'
    parents=("channel",),
)

ENTITIES: tuple[Entity, ...] = (
    MESSAGES,
    MESSAGEREADS,
    MAILSERVERS,
    DAVSERVERS,
    FEEDSERVERS,
    CHANNELS,
    ENTITIES2CHANNELS,
)
