"""Bank statement import: CAMT.053, OFX and CSV files of French banks read as statements,
the fingerprints that make a second import create nothing twice, the sniffing of the
format, and every bad file refused with a BadRequestError saying what and where."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.errors import BadRequestError, InvalidFieldError, MissingFieldError
from comptoir.wire.statements import (
    CsvMapping,
    Statement,
    balance_gap,
    line_fingerprint,
    parse_camt053,
    parse_csv,
    parse_ofx,
    parse_statement,
    read_amount,
    statement_format,
)

D = Decimal
SAMPLES = Path(__file__).parent / "statements"
IBAN = "FR7630004003120001234567821"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def rows(statement: Statement) -> list[tuple[object, ...]]:
    return [(str(line.booked), str(line.value) if line.value else None, str(line.amount),
             line.label, line.reference, line.counterparty, line.counterparty_iban,
             line.bank_id) for line in statement.lines]


def reason_of(error: pytest.ExceptionInfo[BadRequestError]) -> str:
    return str(error.value.details.get("reason"))


# --- CAMT.053 ---------------------------------------------------------------------------

def test_camt053_v02_reads_the_account_the_balances_and_the_booked_entries() -> None:
    # when
    [statement] = parse_camt053(sample("camt053_v02_bnp.xml"))
    # then
    assert (statement.iban, statement.account_id, statement.currency, statement.number) == (
        IBAN, IBAN, "EUR", "20261207-00012345678-049")
    assert (statement.start, statement.end) == (day("2026-12-01"), day("2026-12-07"))
    assert (statement.opening, statement.closing) == (D("12450.30"), D("15797.82"))
    assert balance_gap(statement) == 0
    assert rows(statement) == [
        ("2026-12-01", "2026-12-01", "1800.00", "Facture F2026-0042 règlement",
         "E2E-LGM-20261201-01", "Librairie Générale du Marché SAS",
         "FR7610278060000002012340159", "2026120100001VIR"),
        ("2026-12-02", "2026-12-02", "-342.18", "Prélèvement électricité novembre 2026",
         "", "EDF Entreprises", "FR7630003015400005001112258", "2026120200002PRL"),
        ("2026-12-03", "2026-12-01", "-23.90", "CB CARREFOUR LYON 01/12", "", "", "", ""),
        ("2026-12-03", "2026-12-01", "-23.90", "CB CARREFOUR LYON 01/12", "", "", "", ""),
        ("2026-12-05", "2026-12-05", "-12.50", "COMMISSION TENUE DE COMPTE DÉCEMBRE", "", "",
         "", "2026120500005COM"),
        ("2026-12-06", "2026-12-05", "-450.00", "CHEQUE 1234567", "1234567", "", "",
         "2026120600006CHQ"),
        ("2026-12-07", "2026-12-07", "2400.00", "FACTURES F2026-0051 ET F2026-0052",
         "CAFEARTS-FACT-51-52", "Café des Arts", "FR7617515900000812345678938",
         "2026120700008VIR"),
    ]  # the pending (PDNG) entry of 2026-12-08 is skipped


def test_camt053_v08_reads_several_statements_batches_and_reversals() -> None:
    # when
    first, second = parse_camt053(sample("camt053_v08_two_days.xml"))
    # then
    assert (first.number, first.opening, first.closing) == (
        "STMT-20261207", D("15797.82"), D("16597.82"))  # PRCD as the opening
    assert (second.number, second.opening, second.closing) == (
        "STMT-20261208", D("16597.82"), D("13382.82"))
    assert balance_gap(first) == balance_gap(second) == 0
    assert rows(first) == [
        # a batch: the entry's own label, no single reference or party
        ("2026-12-07", "2026-12-08", "1250.00", "REMISE PRLV SEPA B2B 2 OPERATIONS", "", "", "",
         "STMT-20261207/1"),
        # a reversed direct debit: the party is the debtor of the reversed collection
        ("2026-12-07", "2026-12-07", "-450.00", "REJET PRLV SEPA AM04 PROVISION INSUFFISANTE",
         "ABO-2026-11-0007", "Garage Martin", "", "STMT-20261207/2"),
    ]
    assert rows(second) == [
        ("2026-12-08", "2026-12-08", "-3215.00", "Cotisations novembre 2026 SIRET 12345678900017",
         "VIR-URSSAF-2026-11", "URSSAF Rhône-Alpes", "FR1420041010050500013M02606",
         "STMT-20261208/1"),
    ]


def camt(entries: str, *, version: str = "02", account: str = "<Ccy>EUR</Ccy>",
         head: str = "") -> bytes:
    """A one-statement CAMT.053 file of `entries` (Ntry elements)."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{head}'
            f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">'
            "<BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId></GrpHdr><Stmt><Id>S1</Id>"
            f"<Acct><Id><IBAN>FR76 3000 4003 1200 0123 4567 821</IBAN></Id>{account}</Acct>"
            f"{entries}</Stmt></BkToCstmrStmt></Document>").encode()


def entry(amount: str = '<Amt Ccy="EUR">10.00</Amt>', sign: str = "CRDT",
          status: str = "<Sts>BOOK</Sts>", booked: str = "<Dt>2026-12-01</Dt>",
          more: str = "") -> str:
    return (f"<Ntry>{amount}<CdtDbtInd>{sign}</CdtDbtInd>{status}"
            f"<BookgDt>{booked}</BookgDt>{more}</Ntry>")


@pytest.mark.parametrize("version", [f"{number:02d}" for number in range(2, 14)])
def test_camt053_every_version_is_read_by_its_namespace(version: str) -> None:
    status = "<Sts><Cd>BOOK</Cd></Sts>" if version >= "07" else "<Sts>BOOK</Sts>"
    [statement] = parse_camt053(camt(entry(status=status), version=version))
    assert [(line.amount, line.booked) for line in statement.lines] == [
        (D("10.00"), day("2026-12-01"))]


@pytest.mark.parametrize(("ntry", "amount", "label", "reference"), [
    (entry(sign="DBIT"), "-10.00", "", ""),
    (entry(more="<AddtlNtryInf>FRAIS\n  SUR   VIREMENT</AddtlNtryInf>"), "10.00",
     "FRAIS SUR VIREMENT", ""),
    (entry(more="<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
                "<AddtlTxInf>VIR INSTANTANE</AddtlTxInf></TxDtls></NtryDtls>"),
     "10.00", "VIR INSTANTANE", ""),
    (entry(more="<NtryDtls><TxDtls><RmtInf><Strd><CdtrRefInf><Ref>RF18539007547034</Ref>"
                "</CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls>"),
     "10.00", "RF18539007547034", ""),
    (entry(booked="<DtTm>2026-12-01T23:30:00-05:00</DtTm>"), "10.00", "", ""),
])
def test_camt053_entry_table(ntry: str, amount: str, label: str, reference: str) -> None:
    [statement] = parse_camt053(camt(ntry))
    [line] = statement.lines
    assert (str(line.amount), line.label, line.reference, line.booked) == (
        amount, label, reference, day("2026-12-01"))


@pytest.mark.parametrize(("status", "kept"), [
    ("<Sts>BOOK</Sts>", 1), ("<Sts>PDNG</Sts>", 0), ("<Sts>INFO</Sts>", 0),
    ("<Sts><Cd>PDNG</Cd></Sts>", 0)])
def test_camt053_keeps_only_booked_entries(status: str, kept: int) -> None:
    [statement] = parse_camt053(camt(entry(status=status), version="08"))
    assert len(statement.lines) == kept


@pytest.mark.parametrize(("data", "reason", "element"), [
    (camt(entry(amount="")), "missing", "Stmt[1]/Ntry[1]/Amt"),
    (camt(entry(amount="<Amt Ccy='EUR'>dix</Amt>")), "amount", "Stmt[1]/Ntry[1]/Amt"),
    (camt(entry(amount="<Amt Ccy='EUR'>-10.00</Amt>")), "amount", "Stmt[1]/Ntry[1]/Amt"),
    (camt(entry(amount="<Amt Ccy='USD'>10.00</Amt>")), "currency", "Stmt[1]/Ntry[1]/Amt"),
    (camt(entry(sign="CREDIT")), "amount", "Stmt[1]/Ntry[1]/CdtDbtInd"),
    (camt(entry(booked="<Dt>01/12/2026</Dt>")), "date", "Stmt[1]/Ntry[1]/BookgDt/Dt"),
    (camt(entry(booked="<Dt>2026-02-30</Dt>")), "date", "Stmt[1]/Ntry[1]/BookgDt/Dt"),
    (camt(entry(booked="")), "missing", "Stmt[1]/Ntry[1]/BookgDt"),
    (camt(entry(status="")), "missing", "Stmt[1]/Ntry[1]/Sts"),
    (camt(entry(), account="<Ccy>euro</Ccy>"), "currency", "Stmt[1]/Acct/Ccy"),
    (camt("").replace(b"<Stmt><Id>S1</Id>", b"<Stmt2>").replace(b"</Stmt>", b"</Stmt2>"),
     "missing", "Document/BkToCstmrStmt/Stmt"),
])
def test_camt053_errors_name_the_element(data: bytes, reason: str, element: str) -> None:
    with pytest.raises(BadRequestError) as error:
        parse_camt053(data)
    assert (reason_of(error), error.value.details.get("element")) == (reason, element)
    assert element in error.value.message


@pytest.mark.parametrize(("data", "reason"), [
    (b"<Document><unclosed></Document>", "not_xml"),
    (camt(entry()).replace(b"camt.053.001.02", b"camt.052.001.02"), "not_camt"),
    (camt(entry()).replace(b"camt.053.001.02", b"camt.054.001.08"), "not_camt"),
    (b'<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd'
     b':Invoice-2"/>', "not_camt"),
])
def test_camt053_refuses_other_xml(data: bytes, reason: str) -> None:
    with pytest.raises(BadRequestError) as error:
        parse_camt053(data)
    assert reason_of(error) == reason


def test_camt053_xml_entities_are_never_resolved() -> None:
    # given an external entity (XXE) and an internal one in the label
    head = ('<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
            '<!ENTITY boom "BOOM">]>')
    data = camt(entry(more="<AddtlNtryInf>A&xxe;&boom;B</AddtlNtryInf>"), head=head)
    # when
    [statement] = parse_camt053(data)
    # then neither the file nor the entity's text is read in
    [line] = statement.lines
    assert "root" not in line.label and "BOOM" not in line.label


# --- OFX --------------------------------------------------------------------------------

def test_ofx_v1_sgml_bank_statement_in_cp1252() -> None:
    # when
    [statement] = parse_ofx(sample("ofx_v1_bnp.ofx"))
    # then
    assert (statement.iban, statement.account_id, statement.bank_code, statement.branch_code,
            statement.currency, statement.number) == ("", "00012345678", "30004", "00312",
                                                      "EUR", "")
    assert (statement.start, statement.end) == (day("2026-12-01"), day("2026-12-07"))
    assert (statement.opening, statement.closing) == (None, D("13397.82"))
    assert rows(statement) == [
        # a NAME over OFX's 32 characters, kept whole
        ("2026-12-01", "2026-12-01", "1800.00",
         "VIR SEPA LIBRAIRIE GENERALE DU MARCHE Facture F2026-0042 règlement",
         "2026120100001VIR", "", "", "2026120100001VIR"),
        # midnight CET stays 2 December; a decimal comma
        ("2026-12-02", "2026-12-02", "-342.18",
         "PRLV SEPA EDF ENTREPRISES Prélèvement électricité novembre 2026",
         "2026120200002PRL", "", "", "2026120200002PRL"),
        ("2026-12-03", None, "-23.90", "CB CARREFOUR LYON 01/12", "2026120300003CB", "", "",
         "2026120300003CB"),
        ("2026-12-03", None, "-23.90", "CB CARREFOUR LYON 01/12", "2026120300004CB", "", "",
         "2026120300004CB"),
        # a MEMO that begins with the NAME alone
        ("2026-12-05", None, "-12.50", "COMMISSION TENUE DE COMPTE DÉCEMBRE",
         "2026120500005COM", "", "", "2026120500005COM"),
        ("2026-12-06", None, "-450.00", "CHEQUE 1234567", "1234567", "", "",
         "2026120600006CHQ"),
    ]


def test_ofx_v2_xml_credit_card_statement() -> None:
    [statement] = parse_ofx(sample("ofx_v2_card.ofx"))
    assert (statement.account_id, statement.currency, statement.closing) == (
        "4974XXXXXXXX1234", "EUR", D("-186.40"))
    assert rows(statement) == [
        ("2026-11-04", None, "-86.40", "SNCF VOYAGEURS PARIS Billet Lyon-Paris 03/11",
         "CB20261104A1", "", "", "CB20261104A1"),
        ("2026-11-12", None, "-129.00", "Fnac Bellecour Clavier et souris", "CB20261112A2",
         "Fnac Bellecour", "", "CB20261112A2"),
        ("2026-11-20", None, "29.00", "REMBOURSEMENT FNAC BELLECOUR", "CB20261120A3", "", "",
         "CB20261120A3"),
    ]


def ofx(transaction: str, curdef: str = "EUR") -> bytes:
    return ("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\n"
            "CHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
            "<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STMTRS>"
            f"<CURDEF>{curdef}<BANKACCTFROM><BANKID>30004<BRANCHID>00312<ACCTID>00012345678"
            "<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST>"
            f"<STMTTRN>{transaction}</STMTTRN>"
            "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>").encode()


@pytest.mark.parametrize(("transaction", "curdef", "reason", "element"), [
    ("<TRNTYPE>DEBIT<DTPOSTED>20261201<FITID>1", "EUR", "missing", "TRNAMT"),
    ("<TRNTYPE>DEBIT<DTPOSTED>20261201<TRNAMT>-1O,00<FITID>1", "EUR", "amount", "TRNAMT"),
    ("<TRNTYPE>DEBIT<DTPOSTED>01/12/2026<TRNAMT>-10<FITID>1", "EUR", "date", "DTPOSTED"),
    ("<TRNTYPE>DEBIT<DTPOSTED>20261301<TRNAMT>-10<FITID>1", "EUR", "date", "DTPOSTED"),
    ("<TRNTYPE>DEBIT<TRNAMT>-10<FITID>1", "EUR", "missing", "DTPOSTED"),
    ("<TRNTYPE>DEBIT<DTPOSTED>20261201<TRNAMT>-10<FITID>1<CURRENCY><CURRATE>1.1"
     "<CURSYM>USD</CURRENCY>", "EUR", "currency", "CURRENCY"),
    ("<TRNTYPE>DEBIT<DTPOSTED>20261201<TRNAMT>-10<FITID>1", "", "currency", "CURDEF"),
])
def test_ofx_errors_name_the_element(transaction: str, curdef: str, reason: str,
                                     element: str) -> None:
    with pytest.raises(BadRequestError) as error:
        parse_ofx(ofx(transaction, curdef))
    assert reason_of(error) == reason
    assert str(error.value.details["element"]).endswith(element)


def test_ofx_orig_currency_is_only_information() -> None:
    [statement] = parse_ofx(ofx("<TRNTYPE>POS<DTPOSTED>20261201<TRNAMT>-9.12<FITID>1"
                                "<NAME>CB AMAZON US<ORIGCURRENCY><CURRATE>0.912"
                                "<CURSYM>USD</ORIGCURRENCY>"))
    assert [line.amount for line in statement.lines] == [D("-9.12")]


@pytest.mark.parametrize(("data", "reason"), [
    (b"OFXHEADER:100\nDATA:OFXSGML\n<OFX>", "not_ofx"),
    (ofx("<TRNTYPE>DEBIT").replace(b"<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STMTRS>", b"")
     .replace(b"</STMTRS></STMTTRNRS></BANKMSGSRSV1>", b""), "missing"),
    (ofx("<TRNTYPE>DEBIT").replace(b"<ACCTID>00012345678", b""), "missing"),
    (ofx("<TRNTYPE>DEBIT").replace(b"</STMTTRN>", b"</STMTTRN></BANKTRANLIST>"), "not_ofx"),
])
def test_ofx_refuses_what_is_not_a_statement(data: bytes, reason: str) -> None:
    with pytest.raises(BadRequestError) as error:
        parse_ofx(data)
    assert reason_of(error) == reason


# --- CSV --------------------------------------------------------------------------------

CREDIT_AGRICOLE = CsvMapping(date="Date", debit="Débit euros", credit="Crédit euros",
                             label="Libellé", encoding="cp1252", skip_lines=6)
SOCIETE_GENERALE = CsvMapping(date="Date de l'opération", amount="Montant de l'opération",
                              label="Libellé+Détail de l'écriture")
QONTO = CsvMapping(date="Date", value_date="Date de valeur", amount="Montant",
                   counterparty="Contrepartie", reference="Référence", label="Libellé",
                   date_format="%Y-%m-%d", decimal_comma=False, delimiter=",")


def test_csv_debit_and_credit_columns_after_a_preamble_in_cp1252() -> None:
    # when
    [statement] = parse_csv(sample("csv_credit_agricole.csv"), CREDIT_AGRICOLE,
                            iban="FR76 3000 4003 1200 0123 4567 821",
                            opening=D("12450.30"), closing=D("15797.82"))
    # then
    assert (statement.iban, statement.account_id, statement.currency) == (IBAN, IBAN, "EUR")
    assert (statement.start, statement.end) == (day("2026-12-01"), day("2026-12-07"))
    assert balance_gap(statement) == 0
    assert [(str(line.booked), str(line.amount), line.label) for line in statement.lines] == [
        ("2026-12-01", "1800.00", "VIREMENT EN VOTRE FAVEUR LIBRAIRIE GENERALE DU MARCHE "
                                  "Facture F2026-0042 règlement"),
        ("2026-12-02", "-342.18", "PRELEVEMENT EDF ENTREPRISES"),
        ("2026-12-03", "-23.90", "PAIEMENT PAR CARTE CARREFOUR LYON 01/12"),
        ("2026-12-03", "-23.90", "PAIEMENT PAR CARTE CARREFOUR LYON 01/12"),
        ("2026-12-05", "-12.50", "COTISATION OFFRE PRO COMMISSION TENUE DE COMPTE DÉCEMBRE"),
        ("2026-12-06", "-450.00", "CHEQUE EMIS 1234567"),
        ("2026-12-07", "2400.00", "VIREMENT EN VOTRE FAVEUR CAFÉ DES ARTS FACTURES "
                                  "F2026-0051 ET F2026-0052"),
    ]


def test_csv_signed_amount_and_a_label_of_two_columns_with_a_bom() -> None:
    [statement] = parse_csv(sample("csv_societe_generale.csv"), SOCIETE_GENERALE)
    assert [(str(line.amount), line.label) for line in statement.lines] == [
        ("1800.00", "VIR RECU LIBRAIRIE GENE DE: LIBRAIRIE GENERALE DU MARCHE MOTIF: "
                    "FACTURE F2026-0042"),
        ("-342.18", "PRELEVEMENT EUROPEEN EDF DE: EDF ENTREPRISES ID: FR12ZZZ000001 MANDAT "
                    "EDF-ENT-000987654"),
        ("-23.90", "CARTE X1234 CARTE X1234 01/12 CARREFOUR LYON"),
        ("-23.90", "CARTE X1234 CARTE X1234 01/12 CARREFOUR LYON"),
        ("-12.50", "COMMISSIONS ET FRAIS COTISATION JAZZ PRO DÉCEMBRE"),
        ("-450.00", "CHEQUE 1234567 CHEQUE 1234567"),
    ]


def test_csv_decimal_point_iso_dates_value_date_reference_and_counterparty() -> None:
    [statement] = parse_csv(sample("csv_qonto.csv"), QONTO, account_id="qonto-main")
    assert (statement.iban, statement.account_id) == ("", "qonto-main")
    assert rows(statement) == [
        ("2026-12-01", "2026-12-01", "1800.00", "Facture F2026-0042 règlement",
         "E2E-LGM-20261201-01", "Librairie Générale du Marché SAS", "", ""),
        ("2026-12-02", "2026-12-02", "-342.18", "Prélèvement électricité novembre 2026", "",
         "EDF Entreprises", "", ""),
        ("2026-12-03", "2026-12-01", "-23.90", "Paiement carte", "", "Carrefour Lyon", "", ""),
        ("2026-12-05", "2026-12-05", "-12.50", "Abonnement Smart, décembre", "", "Qonto", "",
         ""),
        ("2026-12-07", "2026-12-07", "2400.00", "Factures F2026-0051 et F2026-0052",
         "CAFEARTS-FACT-51-52", "Café des Arts", "", ""),
    ]


def test_csv_columns_by_position_for_a_file_without_header() -> None:
    data = b"01/12/2026;-12,50;FRAIS\n02/12/2026;+100,00;VIREMENT\n"
    mapping = CsvMapping(date="#1", amount="#2", label="#3")
    [statement] = parse_csv(data, mapping)
    assert [(line.amount, line.label) for line in statement.lines] == [
        (D("-12.50"), "FRAIS"), (D("100.00"), "VIREMENT")]


@pytest.mark.parametrize(("text", "decimal_comma", "expected"), [
    ("1 234,56", True, "1234.56"),
    ("1\u00a0234,56", True, "1234.56"),
    ("1\u202f234,56", True, "1234.56"),
    ("1.234,56", True, "1234.56"),
    ("-12,00", True, "-12.00"),
    ("12,00-", True, "-12.00"),
    ("(12,00)", True, "-12.00"),
    ("\u221212,00", True, "-12.00"),
    ("+5 €", True, "5"),
    ("5,10 EUR", True, "5.10"),
    ("0,005", True, "0.005"),
    ("-0,00", True, "0.00"),
    ("1,234.56", False, "1234.56"),
    ("-1234.5", False, "-1234.5"),
    ("12,5", False, None),
    ("1.23,4", True, None),
    ("12.5", True, None),
    ("1 2 3", True, "123"),
    ("abc", True, None),
    ("", True, None),
    ("-", True, None),
    ("1e5", True, None),
    ("NaN", True, None),
    ("12345678901234567", True, None),
])
def test_read_amount_table(text: str, decimal_comma: bool, expected: str | None) -> None:
    value = read_amount(text, decimal_comma=decimal_comma)
    assert (str(value) if value is not None else None) == expected


@pytest.mark.parametrize(("data", "mapping", "reason", "line"), [
    (b"Date;Montant\n01/12/2026;1,00\n32/12/2026;2,00\n", CsvMapping("Date", "Montant"),
     "date", 3),
    (b"Date;Montant\n01/12/2026;1,00\n02/12/2026;deux\n", CsvMapping("Date", "Montant"),
     "amount", 3),
    (b"Date;Montant\n01/12/2026;\n", CsvMapping("Date", "Montant"), "missing", 2),
    (b"Date;Montant\n;1,00\n", CsvMapping("Date", "Montant"), "missing", 2),
    # the line of the file, a label over two lines counted
    (b'Date;Montant;Libelle\n01/12/2026;1,00;"A\nB"\n01/13/2026;2,00;C\n',
     CsvMapping("Date", "Montant", label="Libelle"), "date", 4),
    (b"Date;D;C\n01/12/2026;1,00;2,00\n", CsvMapping("Date", debit="D", credit="C"),
     "amount", 2),
    (b"Date;Montant\n01/12/2026;1,00\n\xff\xfe;2\n", CsvMapping("Date", "Montant"),
     "encoding", 3),
])
def test_csv_errors_name_the_line(data: bytes, mapping: CsvMapping, reason: str,
                                  line: int) -> None:
    with pytest.raises(BadRequestError) as error:
        parse_csv(data, mapping)
    assert (reason_of(error), error.value.details.get("line")) == (reason, line)
    assert f"line {line}" in error.value.message


@pytest.mark.parametrize(("data", "mapping", "field"), [
    (b"Date;Montant\n", CsvMapping("Date", "Amount"), "amount"),
    (b"Date;Montant\n", CsvMapping("Jour", "Montant"), "date"),
    (b"Date;Montant\n", CsvMapping("Date", "Montant", label="Libellé+Détail"), "label"),
])
def test_csv_a_column_missing_from_the_header_names_the_key(data: bytes, mapping: CsvMapping,
                                                            field: str) -> None:
    with pytest.raises(InvalidFieldError) as error:
        parse_csv(data, mapping)
    assert error.value.field == field


def test_csv_header_matching_ignores_case_and_spaces_and_skips_empty_rows() -> None:
    data = b" DATE ; montant \n01/12/2026;1,00\n;\n\n02/12/2026;-2,00\n"
    [statement] = parse_csv(data, CsvMapping("Date", "Montant"))
    assert [line.amount for line in statement.lines] == [D("1.00"), D("-2.00")]


def test_csv_mapping_round_trips_through_json() -> None:
    assert CsvMapping.from_json(QONTO.to_json()) == QONTO
    assert CsvMapping.from_json({"date": "Date", "amount": "Montant"}) == CsvMapping(
        "Date", "Montant")


@pytest.mark.parametrize(("data", "field"), [
    ({"amount": "Montant"}, "date"),
    ({"date": "Date"}, "amount"),
    ({"date": "Date", "amount": "M", "debit": "D"}, "amount"),
    ({"date": "Date", "amount": "M", "colour": "red"}, "colour"),
    ({"date": 3, "amount": "M"}, "date"),
    ({"date": "Date", "amount": 3}, "amount"),
    ({"date": "Date", "amount": "M", "decimal_comma": "yes"}, "decimal_comma"),
    ({"date": "Date", "amount": "M", "skip_lines": True}, "skip_lines"),
    ({"date": "Date", "amount": "M", "skip_lines": -1}, "skip_lines"),
    ({"date": "Date", "amount": "M", "delimiter": ";;"}, "delimiter"),
    ({"date": "Date", "amount": "M", "delimiter": '"'}, "delimiter"),
    ({"date": "Date", "amount": "M", "encoding": "klingon"}, "encoding"),
    ({"date": "Date", "amount": "M", "encoding": "rot13"}, "encoding"),
    ({"date": "Date", "amount": "M", "date_format": "dd/mm/yyyy"}, "date_format"),
])
def test_csv_mapping_errors_name_the_key(data: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidFieldError) as error:
        CsvMapping.from_json(data)
    assert error.value.field == field


def test_csv_mapping_without_a_date_is_a_missing_field() -> None:
    with pytest.raises(MissingFieldError):
        CsvMapping.from_json({"amount": "Montant"})


def test_csv_currency_must_be_iso_4217() -> None:
    with pytest.raises(InvalidFieldError) as error:
        parse_csv(b"Date;Montant\n", CsvMapping("Date", "Montant"), currency="euro")
    assert error.value.field == "currency"


# --- fingerprints -----------------------------------------------------------------------

@pytest.mark.parametrize(("name", "mapping"), [
    ("camt053_v02_bnp.xml", None), ("camt053_v08_two_days.xml", None),
    ("ofx_v1_bnp.ofx", None), ("ofx_v2_card.ofx", None),
    ("csv_credit_agricole.csv", CREDIT_AGRICOLE), ("csv_societe_generale.csv", SOCIETE_GENERALE),
    ("csv_qonto.csv", QONTO)])
def test_the_same_file_twice_gives_the_same_fingerprints_each_line_its_own(
        name: str, mapping: CsvMapping | None) -> None:
    # when
    first = parse_statement(sample(name), mapping=mapping, iban=IBAN)
    again = parse_statement(sample(name), mapping=mapping, iban=IBAN)
    # then
    prints = [line.fingerprint for statement in first for line in statement.lines]
    assert prints == [line.fingerprint for statement in again for line in statement.lines]
    assert len(set(prints)) == len(prints)  # the two identical card payments are both kept
    assert all(len(fingerprint) == 64 for fingerprint in prints)


def test_a_later_export_overlapping_the_first_repeats_its_fingerprints() -> None:
    # given a CSV of 1-3 December, then one of 3-5 December
    header = b"Date;Montant;Libelle\n"
    card = b"03/12/2026;-23,90;CB CARREFOUR\n"
    first = header + b"01/12/2026;1,00;A\n" + card + card
    second = header + card + card + b"05/12/2026;-2,00;B\n"
    mapping = CsvMapping("Date", "Montant", label="Libelle")
    # when
    [one] = parse_csv(first, mapping, iban=IBAN)
    [two] = parse_csv(second, mapping, iban=IBAN)
    # then the two card payments of the 3rd are the same lines, the new one is new
    assert {line.fingerprint for line in one.lines} & {line.fingerprint for line in two.lines} == {
        one.lines[1].fingerprint, one.lines[2].fingerprint}


BOOKED = day("2026-12-03")


@pytest.mark.parametrize(("left", "right", "same"), [
    # with a bank id only the account and the id count
    (dict(bank_id="X1", label="CB CARREFOUR"), dict(bank_id="X1", label="CB CARREFOUR LYON"),
     True),
    (dict(bank_id="X1"), dict(bank_id="X2"), False),
    (dict(bank_id="X1", account=IBAN), dict(bank_id="X1", account="FR76 3000 4003 1200 0123 "
                                                                   "4567 821"), True),
    (dict(bank_id="X1", account=IBAN), dict(bank_id="X1", account="00012345678"), False),
    # else the content and the occurrence
    (dict(amount=D("-23.90")), dict(amount=D("-23.9")), True),
    (dict(amount=D("-23.90")), dict(amount=D("23.90")), False),
    (dict(label="CB  CARREFOUR\n"), dict(label="CB CARREFOUR"), True),
    (dict(label="CB CARREFOUR"), dict(label="CB Carrefour"), False),
    (dict(reference="R1"), dict(reference="R2"), False),
    (dict(occurrence=0), dict(occurrence=1), False),
    (dict(booked=BOOKED), dict(booked=day("2026-12-04")), False),
    (dict(), dict(bank_id="X1"), False),
])
def test_line_fingerprint_table(left: dict[str, Any], right: dict[str, Any],
                                same: bool) -> None:
    def fingerprint(values: dict[str, Any]) -> str:
        given: dict[str, Any] = dict(account=IBAN, booked=BOOKED, amount=D("-23.90"),
                                     label="CB CARREFOUR", reference="", bank_id="",
                                     occurrence=0) | values
        return line_fingerprint(given.pop("account"), **given)
    assert (fingerprint(left) == fingerprint(right)) is same


# --- sniffing ---------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "kind"), [
    (sample("camt053_v02_bnp.xml"), "camt053"),
    (b"\xef\xbb\xbf\r\n" + sample("camt053_v08_two_days.xml"), "camt053"),
    (sample("ofx_v1_bnp.ofx"), "ofx"),
    (sample("ofx_v2_card.ofx"), "ofx"),
    (b"<OFX><BANKMSGSRSV1>", "ofx"),
    (b"<ofx>", "ofx"),
    (sample("csv_qonto.csv"), "csv"),
    (b"<html><body>Session expired</body></html>", "camt053"),
])
def test_statement_format_table(data: bytes, kind: str) -> None:
    assert statement_format(data) == kind


@pytest.mark.parametrize(("data", "mapping", "reason"), [
    (b"", None, "empty"),
    (b" \r\n\t", QONTO, "empty"),
    (sample("csv_qonto.csv"), None, "mapping_needed"),
    (b"%PDF-1.7 releve de compte", None, "mapping_needed"),
    (b"<html><body>Session expired</body></html>", None, "not_camt"),
])
def test_parse_statement_refuses_saying_why(data: bytes, mapping: CsvMapping | None,
                                            reason: str) -> None:
    with pytest.raises(BadRequestError) as error:
        parse_statement(data, mapping=mapping)
    assert reason_of(error) == reason


@pytest.mark.parametrize(("name", "count"), [
    ("camt053_v02_bnp.xml", 7), ("camt053_v08_two_days.xml", 3), ("ofx_v1_bnp.ofx", 6),
    ("ofx_v2_card.ofx", 3)])
def test_parse_statement_reads_each_format(name: str, count: int) -> None:
    assert sum(len(statement.lines) for statement in parse_statement(sample(name))) == count


def test_parse_statement_reads_a_csv_with_its_mapping() -> None:
    [statement] = parse_statement(sample("csv_credit_agricole.csv"), mapping=CREDIT_AGRICOLE,
                                  iban=IBAN)
    assert (statement.iban, len(statement.lines)) == (IBAN, 7)


# --- garbage ----------------------------------------------------------------------------

FRAGMENTS = [
    "OFXHEADER:100\n", "DATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\n"
    "CHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n",
    "<OFX>", "</OFX>", "<STMTRS>", "<CURDEF>EUR", "<BANKTRANLIST>", "<STMTTRN>", "</STMTTRN>",
    "<TRNAMT>-1,5", "<DTPOSTED>2026", "<FITID>1", "<BANKMSGSRSV1><STMTTRNRS>",
    "<BANKACCTFROM><ACCTID>1</BANKACCTFROM>",
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">', "</Document>",
    "<BkToCstmrStmt>", "<Stmt>", "</Stmt>", "<Ntry>", "</Ntry>", '<Amt Ccy="EUR">', "</Amt>",
    "<Sts>BOOK</Sts>", "<BookgDt><Dt>", "</Dt></BookgDt>", "<CdtDbtInd>DBIT</CdtDbtInd>",
    "Date;Montant\n", "01/12/2026;", "1 234,56", "\n", ";", '"', "é", "\x00", "&", "<!DOCTYPE",
]
ANY_CSV = CsvMapping("Date", "Montant")


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400), with_mapping=st.booleans())
def test_random_bytes_give_a_result_or_a_bad_request(data: bytes, with_mapping: bool) -> None:
    with contextlib.suppress(BadRequestError):
        parse_statement(data, mapping=ANY_CSV if with_mapping else None)


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=40),
       encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]), with_mapping=st.booleans())
def test_random_fragments_give_a_result_or_a_bad_request(parts: list[str], encoding: str,
                                                         with_mapping: bool) -> None:
    data = "".join(parts).encode(encoding, "replace")
    try:
        statements = parse_statement(data, mapping=ANY_CSV if with_mapping else None)
    except BadRequestError:
        return
    for statement in statements:
        assert all(isinstance(line.amount, Decimal) for line in statement.lines)
