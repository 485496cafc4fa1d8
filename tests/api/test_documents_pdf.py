"""The PDF doors: `GET /transactions/{ID}/pdf` and `/dunning/{ID}/pdf` (the legal copy of
an issued document, a draft's marked), a template's preview (PDF, HTML, e-mail text),
templates refused through the REST API when a placeholder is unknown, and the CLI
(`comptoir document pdf`, `comptoir template list|show|set|preview`).  Real server, real
database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import run_cli

from tests.api.samples import check
from tests.api.test_sales import account, document, issue


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True)
    return done.stdout.decode().replace("\u202f", " ").replace("\u00a0", " ")


@pytest.fixture(scope="module")
def invoice(admin: httpx.Client) -> dict[str, Any]:
    customer = account(admin, "Boulangerie Pdf")
    return issue(admin, document(admin, customer, [("2", "100", "20"), ("1", "30", "5.5")],
                                 type_=3))


def test_the_pdf_of_an_issued_invoice_is_its_legal_copy(admin: httpx.Client,
                                                        invoice: dict[str, Any]) -> None:
    r = check(admin.get(f"/transactions/{invoice['ID']}/pdf"), 200)
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == (
        f'attachment; filename="{invoice["transactionnum"]}.pdf"')
    text = pdf_text(r.content)
    assert invoice["transactionnum"] in text and "Boulangerie Pdf" in text
    assert "271,65 €" in text  # 200 x 1.2 + 30 x 1.055
    again = check(admin.get(f"/transactions/{invoice['ID']}/pdf"), 200)
    assert again.content == r.content
    stored = check(admin.get(f"/transactions/{invoice['ID']}"), 200).json()
    assert stored["pdf"]


def test_a_draft_is_rendered_marked(admin: httpx.Client) -> None:
    draft = document(admin, account(admin, "Client Brouillon"), [("1", "10", "20")], type_=0)
    r = check(admin.get(f"/transactions/{draft}/pdf"), 200)
    text = pdf_text(r.content)
    assert "BROUILLON" in text and "Devis" in text and f"PROV-{draft}" in text


def test_pdf_errors(admin: httpx.Client, nobody: httpx.Client) -> None:
    assert check(admin.get("/transactions/999999999/pdf"), 404).text.startswith("Not Found: ")
    assert check(admin.get("/transactions/abc/pdf"), 404).text == "Not Found: Invalid ID: abc"
    assert check(admin.get("/dunning/999999999/pdf"), 404).text.startswith("Not Found: ")


def test_templates_are_checked_and_previewed(admin: httpx.Client,
                                             invoice: dict[str, Any]) -> None:
    bad = check(admin.put("/templates", json={"name": "Mauvais", "body": "{{ company.nmae }}"}),
                400)
    assert bad.text == "Bad Request: body: unknown placeholder company.nmae"
    evil = check(admin.put("/templates", json={"name": "X", "body": "{{ ''.__class__ }}"}),
                 400)
    assert evil.text.startswith("Bad Request: body: unknown placeholder __class__")
    made = check(admin.put("/templates", json={
        "name": "Sobre", "kind": 3, "language": "en",
        "body": "<h1>{{ document.title }} {{ document.number }}</h1>"
                "<p>{{ customer.name }}: {{ totals.total|money }}</p>",
        "css": "h1 { color: navy }"}), 201).json()
    tid = made["ID"]
    assert made["version"] == 1
    changed = check(admin.patch(f"/templates/{tid}", json={
        "body": "<h1>{{ document.title }} {{ document.number }}</h1>"
                "<p>{{ customer.name }} owes {{ totals.due|money }}</p>"}), 200).json()
    assert changed["version"] == 2
    versions = check(admin.post("/templateversions", json={
        "fields": ["version", "body"], "filter": {"template": tid}}), 200).json()
    assert [v["version"] for v in versions] == [1]
    pdf = check(admin.post(f"/templates/{tid}/preview", json={"record": invoice["ID"]}), 200)
    assert pdf.headers["content-type"] == "application/pdf"
    assert "Boulangerie Pdf owes €271.65" in pdf_text(pdf.content)
    html = check(admin.post(f"/templates/{tid}/preview?format=html",
                            json={"entity": "transactions", "record": invoice["ID"]}), 200)
    assert html.headers["content-type"].startswith("text/html")
    assert f"Invoice {invoice['transactionnum']}" in html.text and "color: navy" in html.text
    email = check(admin.put("/templates", json={
        "name": "Courriel", "format": 1, "kind": 3, "subject": "{{ document.number }}",
        "body": "Dear {{ customer.name }}"}), 201).json()
    text = check(admin.post(f"/templates/{email['ID']}/preview",
                            json={"record": invoice["ID"]}), 200)
    assert text.text == f"{invoice['transactionnum']}\n\nDear Boulangerie Pdf\n"
    for body, error in (({}, "record: is required"), ({"record": "x"}, "record: is required"),
                        ({"record": 1, "entity": "accounts"}, "entity: must be one of"),
                        ({"record": 1, "zzz": 1}, "zzz: is not a field")):
        r = check(admin.post(f"/templates/{tid}/preview", json=body), 400)
        assert r.text.startswith(f"Bad Request: {error}"), r.text
    r = check(admin.post(f"/templates/{tid}/preview?format=doc", json={"record": 1}), 400)
    assert r.text.startswith("Bad Request: format: must be one of pdf, html")
    r = check(admin.post("/templates/999999/preview", json={"record": invoice["ID"]}), 400)
    assert r.text == "Bad Request: template: template 999999 does not exist"


def test_the_cli(admin: httpx.Client, database_url: str, invoice: dict[str, Any],
                 tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "facture.pdf"
    run_cli(database_url, "document", "pdf", str(invoice["ID"]), "-o", str(out))
    assert capsys.readouterr().out.startswith(f"wrote {invoice['transactionnum']}.pdf (")
    assert out.read_bytes() == check(admin.get(f"/transactions/{invoice['ID']}/pdf"),
                                     200).content
    body = tmp_path / "body.html"
    body.write_text("<p>{{ document.number }} {{ company.name }}</p>")
    run_cli(database_url, "template", "set", "--kind", "quote", "--name", "CLI",
            "--body", str(body))
    made = capsys.readouterr().out
    assert made.startswith("created template ")
    tid = made.split()[2]
    body.write_text("<p>{{ document.number }} — {{ customer.name }}</p>")
    run_cli(database_url, "template", "set", tid, "--body", str(body))
    assert capsys.readouterr().out == f"changed template {tid} (version 2)\n"
    run_cli(database_url, "template", "list")
    assert f"{tid}\tquote\tdocument\tfr\tcompany *\tv2\t-\tCLI" in capsys.readouterr().out
    run_cli(database_url, "template", "show", tid, "--versions")
    shown = capsys.readouterr().out
    assert "customer.name" in shown and "version 1:" in shown
    preview = tmp_path / "preview.html"
    run_cli(database_url, "template", "preview", tid, str(invoice["ID"]), "--html", "-o",
            str(preview))
    assert "Boulangerie Pdf" in preview.read_text()
    body.write_text("{{ customer.nom }}")
    from comptoir import cli
    assert cli.main(["template", "set", tid, "--body", str(body), "--database",
                     database_url]) != 0
    assert "body: unknown placeholder customer.nom" in capsys.readouterr().err
