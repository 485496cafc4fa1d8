"""The books through the REST API: an issued invoice's entry read back, a manual entry and
its refusals in the door's error format, reversal, the trial balance, the VAT return and the
FEC file of a company of its own.  Real server, real database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

import datetime as dt

import httpx

from tests.api.samples import check
from tests.api.test_sales import account, document, issue
from tests.wire.fec_checker import check_fec

TODAY = dt.datetime.now(dt.UTC).date()


def test_an_issued_invoice_has_its_entry(admin: httpx.Client) -> None:
    # given an invoice issued through the API
    invoice = document(admin, account(admin, "Compta SA"), [("2", "50", "20")], type_=3)
    issued = issue(admin, invoice)
    # then its entry can be read, balanced, with its lines
    (entry,) = check(admin.post("/journalentries", json={
        "filter": {"transaction": invoice}}), 200).json()
    assert entry["pieceref"] == issued["transactionnum"]
    assert entry["debit"] == entry["credit"] == 120.0
    lines = check(admin.post("/entrylines", json={
        "fields": ["accountnum", "debit", "credit"], "filter": {"entry": entry["ID"]},
        "sort": ["sequence"]}), 200).json()
    assert [(line["accountnum"], line["debit"], line["credit"]) for line in lines] == [
        ("411", 120.0, 0.0), ("706", 0.0, 100.0), ("44571", 0.0, 20.0)]
    # and no door writes an entry: they are read-only
    assert admin.patch(f"/journalentries/{entry['ID']}", json={"name": "x"}).status_code == 405
    assert admin.delete(f"/journalentries/{entry['ID']}").status_code == 405


def test_a_manual_entry_its_errors_and_its_reversal(admin: httpx.Client) -> None:
    day = TODAY.isoformat()
    unbalanced = admin.post("/journalentries/manual", json={
        "journal": "OD", "date": day, "name": "Frais", "pieceref": "F-1", "lines": [
            {"account": "6226", "debit": "10"}, {"account": "401", "credit": "9"}]})
    assert unbalanced.status_code == 400
    assert unbalanced.headers["content-type"].startswith("text/plain")
    assert "lines" in unbalanced.text and "not balanced" in unbalanced.text
    wrong = admin.post("/journalentries/manual", json={
        "journal": "OD", "date": "2026-02-30", "name": "Frais", "pieceref": "F-1", "lines": []})
    assert wrong.status_code == 400 and "date" in wrong.text
    made = check(admin.post("/journalentries/manual", json={
        "journal": "OD", "date": day, "name": "Honoraires", "pieceref": "H-1", "lines": [
            {"account": "6226", "debit": "10"}, {"account": "401", "credit": "10"}]}), 201).json()
    assert made["status"] == 1 and len(made["lines"]) == 2
    reversal = check(admin.post(f"/journalentries/{made['ID']}/reverse", json={}), 201).json()
    assert reversal["reverses"] == made["ID"]
    again = admin.post(f"/journalentries/{made['ID']}/reverse", json={})
    assert again.status_code == 409
    assert admin.post("/journalentries/99999999/reverse", json={}).status_code == 404


def test_trial_balance_vat_return_and_fec_of_a_company(admin: httpx.Client) -> None:
    company = check(admin.put("/companies", json={
        "name": "Livres SARL", "siren": "552100554"}), 201).json()["ID"]
    customer = account(admin, "Client des Livres")
    invoice = document(admin, customer, [("1", "200", "20")], type_=3, company=company)
    issue(admin, invoice)
    check(admin.post(f"/transactions/{invoice}/payments", json={}), 201)
    balance = check(admin.get("/accounting/trialbalance", params={"company": company}),
                    200).json()
    assert balance["balanced"] and balance["debit"] == "480.00"
    assert {a["number"]: a["balance"] for a in balance["accounts"]} == {
        "411": "0.00", "44571": "-40.00", "512": "240.00", "706": "-200.00"}
    returned = check(admin.get("/accounting/vatreturn", params={
        "company": company, "from": TODAY.replace(day=1).isoformat(),
        "to": TODAY.isoformat()}), 200).json()
    assert returned["to_pay"] == "40"
    assert admin.get("/accounting/trialbalance", params={"to": "soon"}).status_code == 400
    assert admin.get("/accounting/trialbalance", params={"bogus": "1"}).status_code == 400
    (year,) = check(admin.post("/fiscalyears", json={"filter": {"company": company}}),
                    200).json()
    fec = admin.get(f"/fiscalyears/{year['ID']}/fec", params={"separator": "pipe"})
    assert fec.status_code == 200
    name = f"552100554FEC{TODAY.year}1231.txt"
    assert name in fec.headers["content-disposition"]
    assert check_fec(fec.content, name) == []
    assert fec.content.count(b"\r\n") == 1 + 5  # the header, the invoice 3, the payment 2
    assert admin.get(f"/fiscalyears/{year['ID']}/fec",
                     params={"separator": ";"}).status_code == 400
