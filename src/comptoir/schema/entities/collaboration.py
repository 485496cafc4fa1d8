"""Collaboration: feed records, comments, files, likes, follows, events, associations, notes,
custom objects, links, categories, documents and their folders, and the stored binary
contents.

First generated from the ZeyOS spec by tools/gen_registry.py; this file, not the spec,
is now the source of truth.
"""

from __future__ import annotations

from comptoir.schema.entities import (
    CANONICAL_ENTITIES,
    FOLLOWABLE_ENTITIES,
    NO_YES,
    VISIBILITY,
)
from comptoir.schema.entity import ALL_OPS, READ_OPS, Access, Entity, Op, Ownership
from comptoir.schema.fields import (
    NOW,
    Binfile,
    Created,
    Creator,
    EntityName,
    Enum,
    Field,
    FileSize,
    Id,
    Int,
    Json,
    Kind,
    Managed,
    Modified,
    OnDelete,
    Ref,
    Text,
    TextArray,
    Timestamp,
)
from comptoir.schema.rules import (
    DistinctFrom,
    MutuallyExclusive,
    NotAfter,
    OneOfRequired,
    RequiredIffSet,
)

RECORDS = Entity(
    name="records",
    singular="record",
    area="collaboration",
    doc="Feed records, possibly attached to a record of a canonical entity.",
    fields=(
        Id("Record ID", wide=True),
        Ref(
            "assigneduser",
            "users",
            "Assigned user (recipient) ID; must be distinct from creator",
            on_delete=OnDelete.CASCADE,
        ),
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
        EntityName("entity", CANONICAL_ENTITIES, "Canonical entity"),
        # seed: enum 0, 1, 2, 4 but labels 0..3 with 3=MONITOR; dbref: 4=FEED, and 3=MONITOR is
        # a system-generated monitor entry, so it is not a client choice
        Enum(
            "flag",
            {0: "REGULAR", 1: "ASSOCONLY", 2: "MINDLOGONLY", 4: "FEED"},
            "Flag; must be REGULAR or FEED if entity is null",
            nullable=False,
            default=0,
        ),
        # the ID of a record of the entity named by entity
        Int("index", "Entity ID; is required if entity is not null, otherwise must be null"),
        Modified(),
        Json("meta", "JSON-encoded metadata (object)"),
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
        Text("sender", "Sender", searchable=True),
        Text("text", "Record text (Markdown for rich text representation)", searchable=True),
    ),
    read=Access(),
    write=Access(creator_only=True),
    ops=ALL_OPS,
    tags=True,
    ownership=Ownership.USER_OR_GROUP,
    rules=(
        DistinctFrom("assigneduser", "creator"),
        RequiredIffSet("index", "entity"),
        # dbref CHECK (owneruser IS NULL OR ownergroup IS NULL)
        MutuallyExclusive(("owneruser", "ownergroup")),
    ),
    get_params=("tags",),
)

COMMENTS = Entity(
    name="comments",
    singular="comment",
    area="collaboration",
    doc="Comments on feed records.",
    fields=(
        Id("Comment ID", wide=True),
        Created(),
        Creator(),
        Ref(
            "record",
            "records",
            "Record ID (dependency)",
            on_delete=OnDelete.CASCADE,
            nullable=False,
            dependency=True,
            wide=True,
        ),
        Text("sender", "Sender"),
        Text("text", "Comment text (Markdown for rich text representation)", searchable=True),
    ),
    read=Access(),
    write=Access(creator_only=True),
    ops=ALL_OPS,
    parents=("record",),
)

FILES = Entity(
    name="files",
    singular="file",
    area="collaboration",
    doc="Files attached to a feed record or a comment.",
    fields=(
        Id("File ID", wide=True),
        Binfile(
            "binfile",
            (
                "Bin file ID; on create or update give a binfile-content object instead "
                "(content: Base64-encoded, or uri: data URI)"
            ),
        ),
        Ref(
            "comment",
            "comments",
            "Comment ID (dependency); is mutually exclusive to record (either one is required)",
            on_delete=OnDelete.CASCADE,
            dependency=True,
            wide=True,
        ),
        Created(),
        Creator(),
        Text("filename", "Filename", searchable=True),
        Text("mimetype", "MIME type (RFC 2045)", default="application/octet-stream"),
        Ref(
            "record",
            "records",
            "Record ID (dependency); is mutually exclusive to comment (either one is required)",
            on_delete=OnDelete.CASCADE,
            dependency=True,
            wide=True,
        ),
        FileSize("binfile"),
    ),
    read=Access(),
    write=Access(),
    ops=ALL_OPS,
    parents=("record", "comment"),
    any_parent=True,
    rules=(
        MutuallyExclusive(("comment", "record")),
        OneOfRequired(("comment", "record")),
    ),
)

LIKES = Entity(
    name="likes",
    singular="like",
    area="collaboration",
    doc="Likes of feed records.",
    fields=(
        Id("Like ID", wide=True),
        Created(),
        Creator(on_delete=OnDelete.CASCADE),
        Ref(
            "record",
            "records",
            "Record ID (dependency)",
            on_delete=OnDelete.CASCADE,
            nullable=False,
            dependency=True,
            wide=True,
        ),
    ),
    read=Access(),
    write=Access(creator_only=True),
    ops=ALL_OPS,
    parents=("record",),
)

FOLLOWS = Entity(
    name="follows",
    singular="follow",
    area="collaboration",
    doc="Records followed by users.",
    fields=(
        Id("Follow ID", wide=True),
        Created(),
        Creator(on_delete=OnDelete.CASCADE),
        EntityName("entity", FOLLOWABLE_ENTITIES, "Canonical entity", nullable=False),
        # the ID of a record of the entity named by entity
        Int("index", "Entity ID", nullable=False, wide=True),
    ),
    read=Access(),
    write=Access(creator_only=True),
    ops=ALL_OPS,
)

EVENTS = Entity(
    name="events",
    singular="event",
    area="collaboration",
    doc="Events: scheduled dates, possibly attached to a record of a canonical entity.",
    fields=(
        Id("Event ID"),
        Text("color", "Color code (CSS-style hexadecimal without #)", max_length=6),
        Created(),
        Creator(),
        Timestamp(
            "datefrom",
            "Start date and time as a Unix time stamp; must be less than or equal to dateto",
            nullable=False,
        ),
        Timestamp(
            "dateto",
            "End date and time as a Unix time stamp; must be greater than or equal to datefrom",
            nullable=False,
        ),
        EntityName("entity", CANONICAL_ENTITIES, "Canonical entity", nullable=False),
        # the ID of a record of the entity named by entity
        Int(
            "index",
            "Entity ID; is required if entity is not null, otherwise must be null",
            nullable=False,
        ),
        Modified(),
        Json("meta", "JSON-encoded metadata (object)"),
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
    ),
    read=Access(),
    write=Access(),
    ops=ALL_OPS,
    ownership=Ownership.USER_OR_GROUP,
    rules=(
        NotAfter("datefrom", "dateto"),
        RequiredIffSet("index", "entity"),
        # dbref CHECK (owneruser IS NULL OR ownergroup IS NULL)
        MutuallyExclusive(("owneruser", "ownergroup")),
    ),
)

ASSOCIATIONS = Entity(
    name="associations",
    singular="association",
    area="collaboration",
    doc="Associations between two records of canonical entities.",
    fields=(
        Id("Association ID", wide=True),
        Created(),
        Creator(),
        EntityName("entity1", CANONICAL_ENTITIES, "First canonical entity", nullable=False),
        EntityName("entity2", CANONICAL_ENTITIES, "Second canonical entity", nullable=False),
        # the ID of a record of the entity named by entity1
        Int("index1", "First entity ID", nullable=False),
        # the ID of a record of the entity named by entity2
        Int("index2", "Second entity ID", nullable=False),
        Json("meta", "JSON-encoded metadata (object)"),
    ),
    read=Access(),
    write=Access(),
    ops=ALL_OPS,
)

NOTES = Entity(
    name="notes",
    singular="note",
    area="collaboration",
    doc="Notes and documents.",
    fields=(
        Id("Note ID"),
        Ref("assigneduser", "users", "Assigned user ID"),
        TextArray("attachments", "Attachments (filenames)"),
        Binfile(
            "binfile",
            (
                "Bin file ID; on create or update give a binfile-content object instead "
                "(content: Base64-encoded, or uri: data URI)"
            ),
        ),
        Text("contenttype", "Content MIME type (RFC 2045)"),
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
        FileSize("binfile"),
        Text("text", "Plain text version of content"),
        Enum(
            "visibility",
            VISIBILITY,
            "Visibility (0=REGULAR, 1=ARCHIVED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
    ),
    read=Access(("notes",)),
    write=Access(("notes",)),
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

OBJECTS = Entity(
    name="objects",
    singular="custom object",
    area="collaboration",
    doc="Custom objects of user-defined entities.",
    fields=(
        Id("Object ID"),
        Ref("assigneduser", "users", "Assigned user ID"),
        Binfile(
            "binfile",
            (
                "Bin file ID; on create or update give a binfile-content object instead "
                "(content: Base64-encoded, or uri: data URI)"
            ),
        ),
        Created(),
        Creator(),
        Json("data", "JSON-encoded object data (array or object)"),
        Text("description", "Detailed general description"),
        Text("entity", "Custom entity", min_length=1, default=None),
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
        Enum(
            "visibility",
            VISIBILITY,
            "Visibility (0=REGULAR, 1=ARCHIVED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
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
    ),
    get_params=("extdata", "tags"),
)

LINKS = Entity(
    name="links",
    singular="link",
    area="collaboration",
    doc="Stored web links with credentials (list only).",
    fields=(
        Id("Link ID"),
        Ref("assigneduser", "users", "Assigned user ID"),
        Created(),
        Creator(),
        Text("description", "Detailed general description"),
        Modified(),
        Text("name", "Name", default=None, searchable=True),
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
        Text("password", "Password (empty if encrypted)"),
        Text("url", "URL", searchable=True),
        Text("username", "Username"),
        Enum(
            "visibility",
            VISIBILITY,
            "Visibility (0=REGULAR, 1=ARCHIVED, 2=DELETED)",
            nullable=False,
            default=0,
        ),
        Int("visits", "Number of visits", nullable=False, default=0),
    ),
    read=Access(("links",)),
    write=Access(admin_only=True),
    ops=frozenset({Op.LIST}),
    ownership=Ownership.USER_OR_GROUP,
    rules=(
        # dbref CHECK (owneruser IS NULL OR ownergroup IS NULL)
        MutuallyExclusive(("owneruser", "ownergroup")),
    ),
)

CATEGORIES = Entity(
    name="categories",
    singular="category",
    area="collaboration",
    doc="Categories of the records of an entity.",
    fields=(
        Id("Category ID"),
        Created(),
        Creator(),
        Text("entity", "Canonical entity", min_length=1, default=None),
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
    ),
    read=Access(),
    write=Access(),
    ops=ALL_OPS,
    ownership=Ownership.USER_OR_GROUP,
    rules=(
        # dbref CHECK (owneruser IS NULL OR ownergroup IS NULL)
        MutuallyExclusive(("owneruser", "ownergroup")),
    ),
)

DOCUMENTFOLDERS = Entity(
    name="documentfolders",
    singular="document folder",
    area="collaboration",
    doc="Folders of documents (webservice DocumentFolders); a new instance has one, Default.",
    fields=(
        Id("Document folder ID"),
        Created(),
        Creator(),
        Text("description", "Detailed general description"),
        Modified(),
        Text("name", "Name", min_length=1, default=None, searchable=True),
    ),
    read=Access(("documents",)),
    write=Access(("documents",)),
    ops=ALL_OPS,
)

DOCUMENTS = Entity(
    name="documents",
    singular="document",
    area="collaboration",
    doc="Documents: a file stored here (INTERNAL) or a link to one (EXTERNAL), in a folder "
        "(webservice Documents, FileUpload, files_retrieve).",
    fields=(
        Id("Document ID"),
        Enum("active", NO_YES, "Active (0=NO, 1=YES)", nullable=False, default=1),
        Ref("assigneduser", "users", "Assigned user ID (webservice: assigned_user_id)"),
        Binfile(
            "binfile",
            (
                "Bin file ID; on create or update give a binfile-content object instead "
                "(content: Base64-encoded, or uri: data URI)"
            ),
        ),
        Created(),
        Creator(),
        Text("filename", "Filename", searchable=True),
        Ref("folder", "documentfolders", "Document folder ID"),
        Modified(),
        Enum(
            "locationtype",
            {0: "INTERNAL", 1: "EXTERNAL"},
            "Where the file is: 0=INTERNAL (binfile), 1=EXTERNAL (url)",
            nullable=False,
            default=0,
        ),
        Text("mimetype", "MIME type (RFC 2045)"),
        Text("note", "Note (plain text or HTML)"),
        Ref("ownergroup", "groups", "Owner group ID (null=PUBLIC)", on_delete=OnDelete.CASCADE),
        FileSize("binfile"),
        Text("title", "Title", min_length=1, default=None, searchable=True),
        Text("url", "URL of an EXTERNAL document"),
    ),
    read=Access(("documents",)),
    write=Access(("documents",)),
    ops=ALL_OPS,
    ownership=Ownership.GROUP,
)

BINFILES = Entity(
    name="binfiles",
    singular="bin file",
    area="collaboration",
    doc="Stored binary contents (read-only; written through binfile fields).",
    fields=(
        Id("Bin file ID"),
        Field(
            "hash",
            Kind.HEXBYTES,
            "MD5 hash of the content in hexadecimal notation prefixed with '\\x'",
            nullable=False,
            managed=Managed.SYSTEM,
        ),
        Int("size", "Size in bytes", managed=Managed.SYSTEM, nullable=False, minimum=1),
        # the bytes themselves, stored in a binary column; clients see them Base64-encoded
        # through the expand of binfile fields
        Field("content", Kind.HEXBYTES, "The content", nullable=False, hidden=True),
    ),
    read=Access(),
    write=Access(admin_only=True),
    ops=READ_OPS,
)

ENTITIES: tuple[Entity, ...] = (
    RECORDS,
    COMMENTS,
    FILES,
    LIKES,
    FOLLOWS,
    EVENTS,
    ASSOCIATIONS,
    NOTES,
    OBJECTS,
    LINKS,
    CATEGORIES,
    DOCUMENTFOLDERS,
    DOCUMENTS,
    BINFILES,
)
