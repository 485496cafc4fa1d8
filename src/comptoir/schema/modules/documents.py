"""Document modules: Documents (a file, uploaded with FileUpload) and DocumentFolders."""

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

DOCUMENTS = Module(
    "Documents", 15, "documents", label="Documents", singular="Document",
    fields=(
        Ws("notes_title", WsType.STRING, "title", "Title", mandatory=True),
        Reference("folderid", "folder", "Folder Name", "DocumentFolders"),
        Owner(),
        Ws("filename", WsType.STRING, "filename", "File Name"),
        Ws("filetype", WsType.STRING, "mimetype", "File Type"),
        # the size of the uploaded file: a client's value (the seeds send one) is ignored
        Ws("filesize", WsType.INTEGER, "size", "File Size", editable=False),
        Picklist("filelocationtype", "locationtype", "Download Type", {0: "I", 1: "E"}),
        Ws("filestatus", WsType.BOOLEAN, "active", "Active"),
        Ws("notecontent", WsType.TEXT, "note", "Note"),
        CreatedTime(),
        ModifiedTime(),
    ),
    label_fields=("notes_title",),
    files={"Attachment": "binfile"},
)

DOCUMENTFOLDERS = Module(
    "DocumentFolders", 22, "documentfolders", label="Document Folders",
    singular="Document Folder",
    fields=(
        Ws("foldername", WsType.STRING, "name", "Folder Name", mandatory=True),
        Description(),
    ),
    label_fields=("foldername",),
    is_entity=False,
    group_field=None,
)

MODULES = (DOCUMENTS, DOCUMENTFOLDERS)
