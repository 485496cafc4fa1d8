"""Printing on SQLite and PostgreSQL: every shipped template renders every document kind in
French and English, and `pdftotext` finds the number, the customer and the totals in the
PDF; a draft is marked; an issued invoice's legal copy is stored at issue (a Factur-X
PDF/A-3), returned as stored and unchanged after the company is renamed; a dunning letter's
PDF is stored when it is booked; templates reach no file."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from facturx import get_xml_from_pdf

from comptoir.domain import documents as rules
from comptoir.domain import money, placeholders
from comptoir.services import dunning, printing, records, sales, templates
from comptoir.services.access import Caller
from comptoir.storage.database import open_database
from tests.conftest import database_with_admin

ADMIN = Caller(user=1, name="admin", admin=True)
TODAY = dt.datetime.now(dt.UTC).date()
KINDS = ("quote", "order", "delivery", "invoice", "credit", "supplierorder", "receipt",
         "supplierinvoice", "suppliercredit", "dunning")
TYPES = {"quote": 0, "order": 1, "delivery": 2, "invoice": 3, "credit": 4, "supplierorder": 5,
         "receipt": 7, "supplierinvoice": 8, "suppliercredit": 9, "dunning": 3}
#: a 1x1 PNG
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwAD"
                       "hgGAWjR9awAAAABJRU5ErkJggg==")


def spaced(text: str) -> str:
    """Non-breaking and narrow spaces as plain ones."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True)
    return spaced(done.stdout.decode())


def _party(name: str, **values: Any) -> rules.Party:
    return rules.Party(name, rules.Address("", "12 rue de la République", "69002", "Lyon", "",
                                           "FR"), **values)


def sample(kind: str, *, draft: bool = False, language: str = "fr",
           lines: int = 3) -> rules.Document:
    sale = [money.SaleLine(Decimal(n + 1), Decimal("100.00"), Decimal("20") if n else
                           Decimal("5.5")) for n in range(lines)]
    totals = money.document_totals(sale)
    seller = _party("Atelier Dupont", siren="732829320", vatid="FR44732829320",
                    legalform="SARL", capital=Decimal(10000), rcs="RCS Lyon 732 829 320",
                    iban="FR7630006000011234567890189", bic="AGRIFRPP")
    buyer = _party("Client Martin", vatid="FR32552100554")
    if TYPES[kind] > 4:
        seller, buyer = buyer, seller
    return rules.Document(
        id=1, kind=kind, type=TYPES[kind], number=f"N-{kind.upper()}-0001", draft=draft,
        date=dt.date(2026, 12, 7), duedate=dt.date(2027, 1, 6),
        deliverydate=dt.date(2026, 12, 5), currency="EUR", subject="", buyer_reference="",
        seller=seller, buyer=buyer, billing=buyer.address, shipping=buyer.address,
        lines=tuple(rules.Line(n + 1, f"Prestation {n + 1}", "", "", s.quantity, "h",
                               s.unit_price, Decimal(0), net, s.vat_rate)
                    for n, (s, net) in enumerate(zip(sale, totals.line_nets, strict=True))),
        totals=totals, paid=Decimal(0), due=totals.total, terms_days=30,
        penalty_rate=Decimal("12.15"), vat_mention="", language=language)


DUNNING = {"level": 2, "notice": False, "fee": Decimal(40), "total": Decimal("1040.00"),
           "invoices": [{"number": "FA-2026-00007", "date": dt.date(2026, 9, 1),
                         "duedate": dt.date(2026, 10, 1), "total": Decimal(1000),
                         "paid": Decimal(0), "due": Decimal(1000), "days_late": 67}]}


@pytest.mark.parametrize("language", placeholders.LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_shipped_template_renders_every_kind(kind: str, language: str) -> None:
    # given
    document = sample(kind, language=language)
    template = templates.shipped(kind, templates.DOCUMENT, language)
    # when
    html = printing.render_html(document, template,
                                dunning=DUNNING if kind == "dunning" else None)
    text = pdf_text(printing.render_pdf(html))
    # then
    assert document.number in text
    assert placeholders.title_of(document, language) in text
    assert "Client Martin" in text and "Atelier Dupont" in text
    total = "1 040,00 €" if language == "fr" else "€1,040.00"
    if kind != "dunning":
        total = placeholders.format_money(document.totals.total, "EUR", language)
        assert spaced(placeholders.format_money(document.totals.tax, "EUR", language)) in text
    assert spaced(total) in text
    page = "Page 1 sur 1" if language == "fr" else "Page 1 of 1"
    assert page in text
    assert "BROUILLON" not in text and "DRAFT" not in text
    if kind == "invoice":  # the mandatory mentions
        for mention in ("SIREN 732829320", "FR44732829320", "FR32552100554", "12,15 %"
                        if language == "fr" else "12.15 %", "40 €", "D441-5", "L441-10",
                        "FR7630006000011234567890189", "06/01/2027" if language == "fr"
                        else "6 Jan 2027", "05/12/2026" if language == "fr" else "5 Dec 2026"):
            assert mention in text, mention


@pytest.mark.parametrize(("language", "mark"), [("fr", "BROUILLON"), ("en", "DRAFT")])
def test_a_draft_is_marked(language: str, mark: str) -> None:
    document = sample("invoice", draft=True, language=language)
    html = printing.render_html(document, templates.shipped("invoice", 0, language))
    assert mark in pdf_text(printing.render_pdf(html))


def test_a_hundred_lines_run_over_pages_numbered() -> None:
    document = sample("invoice", lines=100)
    text = pdf_text(printing.render_pdf(printing.render_html(
        document, templates.shipped("invoice", 0, "fr"))))
    assert "Prestation 100" in text and "Page 1 sur " in text and "Page 2 sur " in text


def test_a_template_reaches_no_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text("body::before { content: 'LEAKED-SECRET' }")
    template = templates.Template(
        body=f'<link rel="stylesheet" href="file://{secret}"><img src="file:///etc/passwd">'
             f'<p>{{{{ document.number }}}}</p>', css=f"@import url('file://{secret}');")
    text = pdf_text(printing.render_pdf(printing.render_html(sample("invoice"), template)))
    assert "N-INVOICE-0001" in text and "LEAKED-SECRET" not in text


async def _create(db: Any, name: str, values: dict[str, Any]) -> int:
    return int((await records.create_record(db, ADMIN, name, values)).data["ID"])


async def _scenario(db: Any) -> dict[str, Any]:
    # given a company with a logo, a customer, and an invoice with two lines
    company = await _create(db, "companies", {
        "name": "Imprimerie Lumière", "siren": "732829320", "vatid": "FR44732829320",
        "legalform": "SAS", "capital": 5000, "iban": "FR7630006000011234567890189",
        "bic": "AGRIFRPP", "paymentterms": 30, "address": "3 quai Voltaire",
        "postalcode": "75007", "city": "Paris", "country": "FR"})
    account = await _create(db, "accounts", {"lastname": "Librairie Colette", "type": 1,
                                             "currency": "EUR", "taxid": "FR32552100554"})
    entry = await _create(db, "records", {"entity": "accounts", "index": account,
                                          "text": "logo"})
    logo = await _create(db, "files", {"record": entry, "filename": "logo.png",
                                       "mimetype": "image/png",
                                       "binfile": {"content": base64.b64encode(PNG).decode()}})
    await records.update_record(db, ADMIN, "companies", company, {"logo": logo})
    # an old invoice, unpaid
    old = await _create(db, "transactions", {"type": 3, "account": account,
                                             "company": company, "currency": "EUR"})
    await _create(db, "lineitems", {"transaction": old, "quantity": 1, "listprice": 500,
                                    "tax1": 20})
    await sales.issue_document(db, ADMIN, old, {
        "date": (TODAY - dt.timedelta(days=90)).isoformat()})
    invoice = await _create(db, "transactions", {"type": 3, "account": account,
                                                 "company": company, "currency": "EUR"})
    for price, rate in ((250, 20), (80, 5.5)):
        await _create(db, "lineitems", {"transaction": invoice, "quantity": 2,
                                        "listprice": price, "tax1": rate})
    draft_name, draft_pdf = await printing.document_pdf(db, ADMIN, "transactions", invoice)
    # when it is issued, then the company renamed
    issued = await sales.issue_document(db, ADMIN, invoice, {})
    name, stored = await printing.document_pdf(db, ADMIN, "transactions", invoice)
    await records.update_record(db, ADMIN, "companies", company, {"name": "Lumière Nouvelle"})
    _, again = await printing.document_pdf(db, ADMIN, "transactions", invoice)
    subject, body = await printing.email_text(db, ADMIN, "transactions", invoice)
    en_subject, _ = await printing.email_text(db, ADMIN, "transactions", invoice, "en")
    async with db.read() as conn:
        logo_uri = await printing.logo_of(conn, company)
    # and it is dunned
    run = await dunning.run_dunning(db, ADMIN, {"transactions": [old]})
    letter = run["letters"][0]["letter"]
    letter_name, letter_pdf = await printing.document_pdf(db, ADMIN, "dunning", letter["ID"])
    return {"draft": (draft_name, draft_pdf), "issued": issued.data, "stored": stored,
            "name": name, "again": again, "subject": subject, "body": body,
            "en_subject": en_subject, "logo": logo_uri, "letter": letter,
            "letter_pdf": (letter_name, letter_pdf)}


def test_the_legal_copy_is_stored_at_issue_and_never_changes(tmp_path: Path) -> None:
    async def run(url: str) -> dict[str, Any]:
        db = open_database(url)
        await db.open()
        try:
            return await _scenario(db)
        finally:
            await db.close()

    with database_with_admin(tmp_path, "printing") as url:
        found = asyncio.run(run(url))
    number = found["issued"]["transactionnum"]
    # the draft: its provisional reference, marked
    draft_name, draft_pdf = found["draft"]
    assert draft_name.startswith("PROV-") and "BROUILLON" in pdf_text(draft_pdf)
    # the issued invoice: stored at issue, a Factur-X PDF/A-3 of its number
    assert found["issued"]["pdf"] and found["name"] == f"{number}.pdf"
    text = pdf_text(found["stored"])
    assert number in text and "Librairie Colette" in text and "Imprimerie Lumière" in text
    assert "768,80 €" in text and "BROUILLON" not in text  # 500 x 1.2 + 160 x 1.055
    xml_name, xml = get_xml_from_pdf(found["stored"], check_xsd=False)
    assert xml_name == "factur-x.xml" and number.encode() in xml
    # the company renamed: the same bytes
    assert found["again"] == found["stored"]
    # the e-mail: the number, the total, the new name (an e-mail is written when sent)
    assert found["subject"] == f"Facture {number} – Lumière Nouvelle"
    assert "768,80" in found["body"] and found["en_subject"].startswith(f"Invoice {number}")
    assert found["logo"].startswith("data:image/png;base64,")
    # the dunning letter: stored when booked, listing the overdue invoice
    assert found["letter"]["pdf"]
    letter_name, letter_pdf = found["letter_pdf"]
    letter_text = pdf_text(letter_pdf)
    assert letter_name == f"{found['letter']['dunningnum']}.pdf"
    assert found["letter"]["dunningnum"] in letter_text and "600,00 €" in letter_text
