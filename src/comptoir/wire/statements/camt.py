"""CAMT.053, the ISO 20022 bank-to-customer statement (BkToCstmrStmt) that French banks give
for SEPA accounts (EBICS order types "C53"/"FDL camt.053", CFONB guide "Relevé de compte
camt.053" replacing the CFONB 120 character statement), read as `Statement`s.

Any version from camt.053.001.02 to .13 is read, by its namespace; one file may hold
several statements (Stmt), all returned.  Per entry (Ntry), one `StatementLine`:

- only booked entries (Sts BOOK, or Sts/Cd BOOK from version .07 on) are kept: pending
  (PDNG) and information-only (INFO) entries are skipped, the bank will book them later;
- the sign is CdtDbtInd's (CRDT money in, DBIT money out), a reversal (RvslInd) included:
  its indicator is already that of the reversing entry;
- booked = BookgDt, value = ValDt, each as Dt or DtTm (the date as the bank states it);
- label = the unstructured remittance information (RmtInf/Ustrd of the transaction details,
  joined, each once), else the structured creditor reference, else AddtlTxInf, else
  AddtlNtryInf; AddtlNtryInf first for a batch (an entry of several transactions);
- reference = the EndToEndId ("NOTPROVIDED" is none), else the cheque number (ChqNb);
- counterparty and its IBAN from RltdPties: the debtor (Dbtr, DbtrAcct) of a credit, the
  creditor (Cdtr, CdtrAcct) of a debit, the other way round for a reversal (the parties
  keep their roles of the reversed transaction), the ultimate party when the direct one has
  no name;
  reference and counterparty only when the entry has one transaction (a batch booked as
  one entry, a "remise", has several);
- bank_id = the entry's AcctSvcrRef, else the statement Id and the NtryRef ("Id/NtryRef":
  banks number NtryRef per statement, so it alone would collide across statements).

Balances: OPBD (else PRCD) is the opening, CLBD the closing, signed by their CdtDbtInd.
The account's currency is Acct/Ccy, else that of the first balance or entry; an amount in
another currency is refused.  The XML is parsed without DTDs, entities or network access.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from lxml import etree

from comptoir.wire.statements.model import (
    Statement,
    StatementLine,
    compact_iban,
    is_currency,
    not_statement,
    one_line,
    read_decimal,
    read_iso_date,
    with_fingerprints,
)

#: the namespaces of camt.053 are this and the version ("02" to "13")
NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                         remove_comments=True, remove_pis=True, huge_tree=False)
_NOT_PROVIDED = "NOTPROVIDED"


def parse_xml(data: bytes) -> Any:
    """The root element of `data`, parsed safely, or the error that it is not XML."""
    try:
        root = etree.fromstring(data, PARSER)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise not_statement("not_xml", f"not well-formed XML ({one_line(str(error))[:120]})") from None
    if root is None or not isinstance(root.tag, str):
        raise not_statement("not_xml", "no XML root element")
    return root


def is_camt053(root: Any) -> bool:
    return str(etree.QName(root).namespace or "").startswith(NAMESPACE_PREFIX)


def parse_camt053(data: bytes) -> list[Statement]:
    """The statements of a CAMT.053 file (the rules in the module docstring)."""
    root = parse_xml(data)
    namespace = str(etree.QName(root).namespace or "")
    if not is_camt053(root) or etree.QName(root).localname != "Document":
        raise not_statement("not_camt", f"the XML is not a CAMT.053 statement (root "
                            f"{etree.QName(root).localname!r} in {namespace[:80]!r})")
    reader = _Reader(namespace)
    report = reader.find(root, "BkToCstmrStmt")
    found = reader.findall(report, "Stmt") if report is not None else []
    if not found:
        raise not_statement("missing", "Document/BkToCstmrStmt/Stmt: the CAMT.053 file holds no "
                            "statement",
                            element="Document/BkToCstmrStmt/Stmt")
    return with_fingerprints([reader.statement(node, f"Stmt[{index}]")
                              for index, node in enumerate(found, 1)])


class _Reader:
    """Reads the elements of one namespace (one camt.053 version)."""

    def __init__(self, namespace: str) -> None:
        self.ns = {"c": namespace}

    def _path(self, path: str) -> str:
        return "/".join(f"c:{step}" for step in path.split("/"))

    def find(self, node: Any, path: str) -> Any:
        return node.find(self._path(path), self.ns)

    def findall(self, node: Any, path: str) -> list[Any]:
        return list(node.findall(self._path(path), self.ns))

    def text(self, node: Any, *paths: str) -> str:
        """The text of the first of `paths` under `node` that has one, else ""."""
        for path in paths:
            found = self.find(node, path)
            if found is not None and (found.text or "").strip():
                return str(found.text).strip()
        return ""

    def date(self, node: Any, path: str, where: str) -> dt.date | None:
        """The date of `path` (a DateAndDateTimeChoice: Dt or DtTm), or None if absent."""
        for choice in ("Dt", "DtTm"):
            text = self.text(node, f"{path}/{choice}")
            if text:
                value = read_iso_date(text)
                if value is None:
                    raise not_statement("date", f"{where}/{path}/{choice}: {text[:40]!r} is not "
                                        "a date", element=f"{where}/{path}/{choice}")
                return value
        return None

    def amount(self, node: Any, where: str, currency: str) -> tuple[Decimal, str]:
        """The signed amount of `node` (Amt and CdtDbtInd) and its currency."""
        amount = self.find(node, "Amt")
        text = (amount.text or "").strip() if amount is not None else ""
        if not text:
            raise not_statement("missing", f"{where}/Amt: no amount", element=f"{where}/Amt")
        value = read_decimal(text)
        if value is None or value < 0:
            raise not_statement("amount", f"{where}/Amt: {text[:40]!r} is not an amount",
                                element=f"{where}/Amt")
        code = str(amount.get("Ccy", "")).strip()
        if currency and code and code != currency:
            raise not_statement("currency", f"{where}/Amt is in {code[:8]!r}, the account in "
                                f"{currency}", element=f"{where}/Amt")
        sign = self.text(node, "CdtDbtInd")
        if sign not in ("CRDT", "DBIT"):
            raise not_statement("amount", f"{where}/CdtDbtInd: {sign[:40]!r} is neither CRDT "
                                "nor DBIT", element=f"{where}/CdtDbtInd")
        return (value if sign == "CRDT" else -value), code

    def statement(self, node: Any, where: str) -> Statement:
        currency = self.text(node, "Acct/Ccy")
        if not currency:
            first = node.find(".//c:Amt[@Ccy]", self.ns)
            currency = str(first.get("Ccy", "")).strip() if first is not None else ""
        if not is_currency(currency):
            raise not_statement("currency", f"{where}/Acct/Ccy: no ISO 4217 currency for the "
                                f"account ({currency[:8]!r})", element=f"{where}/Acct/Ccy")
        iban = compact_iban(self.text(node, "Acct/Id/IBAN"))
        number = self.text(node, "Id")
        opening = closing = prior = None
        for index, balance in enumerate(self.findall(node, "Bal"), 1):
            code = self.text(balance, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry")
            if code in ("OPBD", "PRCD", "CLBD"):
                value, _ = self.amount(balance, f"{where}/Bal[{index}]", currency)
                if code == "OPBD":
                    opening = value
                elif code == "PRCD":
                    prior = value
                else:
                    closing = value
        lines = []
        for index, entry in enumerate(self.findall(node, "Ntry"), 1):
            line = self.entry(entry, f"{where}/Ntry[{index}]", currency, number)
            if line is not None:
                lines.append(line)
        return Statement(
            iban=iban, account_id=iban or self.text(node, "Acct/Id/Othr/Id"), currency=currency,
            number=number, start=self._period(node, "FrDtTm", where),
            end=self._period(node, "ToDtTm", where),
            opening=opening if opening is not None else prior, closing=closing,
            lines=tuple(lines))

    def _period(self, node: Any, name: str, where: str) -> dt.date | None:
        text = self.text(node, f"FrToDt/{name}")
        if not text:
            return None
        value = read_iso_date(text)
        if value is None:
            raise not_statement("date", f"{where}/FrToDt/{name}: {text[:40]!r} is not a date",
                                element=f"{where}/FrToDt/{name}")
        return value

    def entry(self, node: Any, where: str, currency: str, number: str) -> StatementLine | None:
        status = self.text(node, "Sts/Cd", "Sts")
        if not status:
            raise not_statement("missing", f"{where}/Sts: the entry has no status", element=f"{where}/Sts")
        if status != "BOOK":
            return None
        amount, _ = self.amount(node, where, currency)
        booked = self.date(node, "BookgDt", where)
        value = self.date(node, "ValDt", where)
        if booked is None:
            raise not_statement("missing", f"{where}/BookgDt: the entry has no booking date",
                                element=f"{where}/BookgDt")
        details = self.findall(node, "NtryDtls/TxDtls")
        remittance = list(dict.fromkeys(
            one_line(part.text) for detail in details
            for part in self.findall(detail, "RmtInf/Ustrd") if one_line(part.text)))
        single = details[0] if len(details) == 1 else None
        batch = self.text(node, "AddtlNtryInf") if len(details) > 1 else ""
        label = batch or " ".join(remittance) or next(
            (self.text(detail, "RmtInf/Strd/CdtrRefInf/Ref") for detail in details
             if self.text(detail, "RmtInf/Strd/CdtrRefInf/Ref")), "")
        if not label and single is not None:
            label = self.text(single, "AddtlTxInf")
        label = one_line(label or self.text(node, "AddtlNtryInf"))
        reference = counterparty = counterparty_iban = ""
        if single is not None:
            reference = self.text(single, "Refs/EndToEndId")
            if reference.upper() == _NOT_PROVIDED:
                reference = ""
            reference = reference or self.text(single, "Refs/ChqNb")
            reversal = self.text(node, "RvslInd").lower() in ("true", "1")
            party = "Dbtr" if (amount >= 0) != reversal else "Cdtr"
            counterparty = one_line(self.text(
                single, f"RltdPties/{party}/Nm", f"RltdPties/{party}/Pty/Nm",
                f"RltdPties/Ultmt{party}/Nm", f"RltdPties/Ultmt{party}/Pty/Nm"))
            counterparty_iban = compact_iban(self.text(single, f"RltdPties/{party}Acct/Id/IBAN"))
        entry_ref = self.text(node, "NtryRef")
        bank_id = self.text(node, "AcctSvcrRef") or (f"{number}/{entry_ref}" if entry_ref else "")
        return StatementLine(
            booked=booked, value=value, amount=amount, label=label, reference=reference,
            counterparty=counterparty, counterparty_iban=counterparty_iban, bank_id=bank_id,
            fingerprint="")
