"""Kafinea's document flow (reference §9, the seeds): find a folder, create a Document,
`FileUpload` its content, `files_retrieve` it; product images; size limits and errors."""

from __future__ import annotations

import base64
from typing import Any

import httpx
from conftest import Server

from api.webservice.conftest import WsClient, ws_login

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _me(ws: WsClient, name: str = "admin") -> str:
    return str(ws.ok("query", query=f"SELECT id FROM Users WHERE user_name = '{name}';")[0]["id"])


def _document(ws: WsClient, title: str = "Contract") -> dict[str, Any]:
    folder = ws.ok("query", query="SELECT id FROM DocumentFolders WHERE foldername LIKE "
                                  "'Default' LIMIT 1 ;")[0]["id"]
    return dict(ws.okpost("create", elementType="Documents", element={
        "notes_title": title, "folderid": folder, "filename": "contract.pdf",
        "filetype": "application/pdf", "filesize": "12345", "filestatus": "1",
        "filelocationtype": "I", "assigned_user_id": _me(ws)}))


def _count(admin: httpx.Client, entity: str) -> int:
    return int(admin.post(f"/{entity}", json={"count": 1}).json()["count"])


def test_kafinea_document_flow(ws_admin: WsClient, admin: httpx.Client) -> None:
    # given the folder every install has, found as the seeds find it
    found = ws_admin.ok("query", query="SELECT id FROM DocumentFolders WHERE foldername "
                                       "LIKE 'default' LIMIT 1 ;")
    assert len(found) == 1 and found[0]["id"].startswith("22x")
    # and a Document created with the seed's fields (the client's filesize is ignored)
    document = _document(ws_admin)
    assert document["id"].startswith("15x")
    assert document["folderid"] == found[0]["id"]
    assert (document["filelocationtype"], document["filestatus"]) == ("I", "1")
    assert document["filesize"] == "0" and document["label"] == "Contract"
    # when its content is uploaded
    uploaded = ws_admin.okpost("FileUpload", parentId=document["id"],
                               attachmentType="Attachment", fileName="contract.pdf",
                               fileContents=_b64(PDF))
    # then the answer names the file
    fileid = uploaded["fileid"]
    assert uploaded == {"id": f"15x{fileid}", "fileid": fileid, "filename": "contract.pdf",
                        "filetype": "application/pdf", "filesize": len(PDF)}
    # and the document shows it
    record = ws_admin.ok("retrieve", id=document["id"])
    assert record["filesize"] == str(len(PDF)) and record["filename"] == "contract.pdf"
    assert record["imageattachmentids"] == uploaded["id"]
    # and files_retrieve gives the same bytes
    files = ws_admin.ok("files_retrieve", id=uploaded["id"])
    assert files == [{"fileid": fileid, "filename": "contract.pdf",
                      "filetype": "application/pdf", "filesize": len(PDF),
                      "filecontents": _b64(PDF)}]
    # and so does the REST API
    record_id = document["id"].split("x")[1]
    rest = admin.get(f"/documents/{record_id}", params={"expand": "binfile"}).json()
    assert rest["binfile"] == {"content": _b64(PDF)}
    assert (rest["size"], rest["mimetype"], rest["title"]) == (len(PDF), "application/pdf",
                                                               "Contract")
    # and the documents of a size are found by VTQL (the seeds' example)
    rows = ws_admin.ok("query", query="SELECT notes_title FROM Documents WHERE filesize > 10000;")
    assert {"notes_title": "Contract", "id": document["id"]} in rows


def test_product_image(ws_admin: WsClient, admin: httpx.Client) -> None:
    # given a product
    product = ws_admin.okpost("create", elementType="Products", element={
        "productname": "Lamp", "assigned_user_id": _me(ws_admin)})
    # when its image is uploaded
    uploaded = ws_admin.okpost("FileUpload", parentId=product["id"], attachmentType="Image",
                               fileName="lamp.png", fileContents=_b64(PNG))
    # then it is the item's picture
    assert uploaded["id"] == f"14x{uploaded['fileid']}" and uploaded["filetype"] == "image/png"
    item = admin.get(f"/items/{product['id'].split('x')[1]}",
                     params={"expand": "picbinfile"}).json()
    assert item["picbinfile"] == {"content": _b64(PNG)}
    assert ws_admin.ok("retrieve", id=product["id"])["imageattachmentids"] == uploaded["id"]
    [image] = ws_admin.ok("files_retrieve", id=uploaded["id"])
    assert image["filecontents"] == _b64(PNG) and image["filetype"] == "image/png"
    assert image["filesize"] == len(PNG)
    # and a product takes images only
    error = ws_admin.error("FileUpload", post=True, parentId=product["id"],
                           attachmentType="Attachment", fileName="a.pdf", fileContents=_b64(PDF))
    assert error["code"] == "INVALID_ID_ATTRIBUTE"


def test_oversized_upload_changes_nothing(ws_admin: WsClient, admin: httpx.Client,
                                          server: Server) -> None:
    # given a document, and a file one byte over max_file_bytes
    document = _document(ws_admin, "Too big")
    limit = server.settings.max_file_bytes
    binfiles = _count(admin, "binfiles")
    # when it is uploaded
    error = ws_admin.error("FileUpload", post=True, parentId=document["id"],
                           attachmentType="Attachment", fileName="big.bin",
                           fileContents=_b64(b"x" * (limit + 1)))
    # then the error names the limit, and nothing is stored
    assert error["code"] == "INVALID_PARAMETER"
    assert str(limit) in error["message"] and "fileContents" in error["message"]
    assert _count(admin, "binfiles") == binfiles
    assert ws_admin.ok("retrieve", id=document["id"])["filesize"] == "0"
    # but a file of max_file_bytes exactly is taken
    uploaded = ws_admin.okpost("FileUpload", parentId=document["id"],
                               attachmentType="Attachment", fileName="big.bin",
                               fileContents=_b64(b"y" * limit))
    assert uploaded["filesize"] == limit
    # and other operations keep max_body_bytes
    error = ws_admin.error("create", post=True, elementType="Documents", element={
        "notes_title": "x" * server.settings.max_body_bytes, "assigned_user_id": _me(ws_admin)})
    assert error["code"] == "INVALID_PARAMETER" and "max_body_bytes" in error["message"]


def test_bad_uploads_and_ids(ws_admin: WsClient, admin: httpx.Client) -> None:
    document = _document(ws_admin, "Errors")
    binfiles = _count(admin, "binfiles")

    def upload(**params: str) -> dict[str, str]:
        return ws_admin.error("FileUpload", post=True, **{
            "parentId": document["id"], "attachmentType": "Attachment", "fileName": "a.txt",
            "fileContents": _b64(b"hello"), **params})

    error = upload(fileContents="not base64!")
    assert error == {"code": "INVALID_PARAMETER", "message": "fileContents: is not valid base64"}
    assert upload(fileContents="")["code"] == "INVALID_PARAMETER"
    assert upload(attachmentType="Video")["code"] == "INVALID_PARAMETER"
    assert upload(fileName="../etc/passwd")["code"] == "INVALID_PARAMETER"
    assert upload(parentId="15x999999")["code"] == "ACCESS_DENIED"
    assert upload(parentId="nonsense")["code"] == "INVALID_ID_ATTRIBUTE"
    assert upload(parentId="12x1")["code"] == "INVALID_ID_ATTRIBUTE"  # Contacts take no files
    assert _count(admin, "binfiles") == binfiles
    # files_retrieve: a file of no record, of too large an id, of a module without files
    assert ws_admin.error("files_retrieve", id="15x999999")["code"] == "RECORD_NOT_FOUND"
    assert ws_admin.error("files_retrieve", id="15x99999999999")["code"] == "RECORD_NOT_FOUND"
    assert ws_admin.error("files_retrieve", id="12x1")["code"] == "INVALID_ID_ATTRIBUTE"
    assert ws_admin.error("files_retrieve", id="15")["code"] == "INVALID_ID_ATTRIBUTE"
    # and a file under another module's prefix is not found there
    uploaded = ws_admin.okpost("FileUpload", parentId=document["id"], attachmentType="Attachment",
                               fileName="a.txt", fileContents=_b64(b"hello"))
    assert uploaded["filetype"] == "text/plain"
    wrong = f"14x{uploaded['fileid']}"
    assert ws_admin.error("files_retrieve", id=wrong)["code"] == "RECORD_NOT_FOUND"
    # and a deleted document's file is gone with it
    ws_admin.okpost("delete", id=document["id"])
    assert ws_admin.error("files_retrieve", id=uploaded["id"])["code"] == "RECORD_NOT_FOUND"


def test_documents_need_the_documents_permission(ws_admin: WsClient, server: Server,
                                                 database_url: str, make_user: Any) -> None:
    # given a document with a file, and users with and without the documents permission
    document = _document(ws_admin, "Private")
    uploaded = ws_admin.okpost("FileUpload", parentId=document["id"],
                               attachmentType="Attachment", fileName="a.pdf",
                               fileContents=_b64(PDF))
    reader = ws_login(server, database_url, make_user("documents").user_name)
    nobody = ws_login(server, database_url, make_user("contacts").user_name)
    # then a reader gets the file but may not replace it
    assert reader.ok("files_retrieve", id=uploaded["id"])[0]["filecontents"] == _b64(PDF)
    error = reader.error("FileUpload", post=True, parentId=document["id"],
                         attachmentType="Attachment", fileName="b.pdf", fileContents=_b64(b"b"))
    assert error["code"] == "ACCESS_DENIED"
    # and the other is denied everything
    assert nobody.error("files_retrieve", id=uploaded["id"])["code"] == "ACCESS_DENIED"
    error = nobody.error("FileUpload", post=True, parentId=document["id"],
                         attachmentType="Attachment", fileName="b.pdf", fileContents=_b64(b"b"))
    assert error["code"] == "ACCESS_DENIED"
    assert nobody.error("query", query="SELECT id FROM DocumentFolders;")["code"] == "ACCESS_DENIED"
    assert ws_admin.ok("files_retrieve", id=uploaded["id"])[0]["filecontents"] == _b64(PDF)
