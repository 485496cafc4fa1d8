"""The French VAT return of the régime réel normal, form n° 3310-CA3-SD ("CA3"), computed
from the VAT movements of a period, and the movements whose VAT does not match their base.
Pure: `Decimal` in, the filed lines out.

    ca3_return(movements, credit_carried=previous.to_carry)   # Ca3Return
    vat_disagreements(movements)                              # [] when every VAT adds up

The return is monthly, quarterly when the annual VAT is below 4 000 € (CGI art. 287, 1 and
2; BOI-TVA-DECLA-20-20-10).  The line codes are those of the form as reworked in 2015 (part
A on lines A1 to F9, replacing the former 01 to 07 and 2A to 3C) and unchanged in the
2024 to 2026 editions (cerfa n° 10963, notice 3310-NOT-CA3-SD n° 50449); `FORM_LINES`
also gives each line's four-digit box code (0979, 0207, ...), used by the EDI-TVA file.

Where each kind of movement goes (`KIND_LABELS`):

- `sale`: its base in A1, its base and VAT on the line of its rate (below);
- `sale_intra_eu_goods` (exempt, CGI art. 262 ter I): base in F2;
- `sale_intra_eu_services` (B2B services taxed where the customer is, CGI art. 259, 1°,
  the customer self-assessing the VAT, directive 2006/112/CE art. 196): base in E2
  "autres opérations non imposables", services whose place of supply is not in France;
  they also go on the DES (CGI art. 289 B);
- `sale_export` (exempt, CGI art. 262, I): base in E1;  `sale_exempt`: base in E2;
- `purchase` and `purchase_assets`: deductible VAT (CGI art. 271) on line 20 and 19;
- `acquisition_intra_eu` of goods (CGI art. 256 bis, VAT due by the buyer): base in B2,
  base and VAT due on the line of its rate, that VAT again on line 17 ("dont"), and
  deductible on line 20 (CGI art. 271): due and deductible cancel, exactly in cents, and
  on the form to within the rounding of the lines they are filed on;
- `services_from_eu`, services bought from a taxable person not established in France
  (CGI art. 283-2; the line covers a supplier outside the EU too): base in A3, base and VAT
  on the line of its rate, deductible on line 20;
- `import`, the VAT on imports self-assessed on the return (CGI art. 1695, II, compulsory
  since 1 January 2022): base in A4, base and VAT on lines I1 to I6 by rate, deductible on
  line 20 and again on line 24 ("dont").

The line of a rate (metropolitan and continental France): 20 % line 08 (CGI art. 278),
5.5 % line 09 (art. 278-0 bis), 10 % line 9B (art. 278 bis and 279), 2.1 % line T6
(art. 281 quater to 281 nonies; T4 in Corsica and 11 in the DOM are not handled);
the DOM rates of CGI art. 296 have their lines, 8.5 % line 10, 1.75 % T1, 1.05 % T2; the
rates in force until 31 December 2013, 19.6 % and 7 % (loi n° 2012-1510, art. 68), go on
line 13 "anciens taux" (credit notes on old sales).  Any other rate is an
InvalidFieldError "rate".  Imports: 20 % I1, 10 % I2, 8.5 % I3, 5.5 % I4, 2.1 % I5,
1.05 % I6.

Signs: the movements of one kind and rate are summed, credit notes negative, and the
reductions of price of the period thus come off the base of the period (CGI art. 272, 1;
BOI-TVA-DECLA-20-20-20-10).  The form takes no negative amount, so a group whose total is
negative (more credit notes than invoices) is a regularisation: a negative base goes to
B5 (taxable kinds) or F8 (exempt kinds) as a positive amount; a negative VAT due to line 21
"autre TVA à déduire" (VAT paid on operations since reduced or cancelled); a negative
deductible VAT to line 15 "TVA antérieurement déduite à reverser".  A base and its VAT are
placed independently, so no figure is ever negative.

Rounding: every filed figure is rounded to the nearest euro, 0.50 counting as 1 (CGI art.
1649 undecies for bases, art. 1724 for taxes; notice, "arrondis"), once per line from the
exact cents of its movements; the VAT of a rate line is the VAT of its movements (as
invoiced, BR-CO-17), not its rounded base times the rate.  The totals are computed from
the rounded lines, as the form does:

- 16 total VAT due = the VAT of the rate lines, of I1 to I6 and of line 15;
- 23 total deductible = 19 + 20 + 21 + 22 (22: the credit carried from line 27 of the
  previous return);
- 25 credit = 23 - 16 when positive, else TD "TVA due" = 16 - 23;
- 26 refund requested (form n° 3519, CGI ann. II art. 242-0 A to 242-0 K: the thresholds,
  760 € for a monthly return, are the caller's to check), at most line 25;
- 27 credit to carry = 25 - 26; 28 net VAT due = TD (no X5, energy excise credit);
- 32 total to pay = 28 (no 29 "taxes assimilées" of annex 3310-A, no Z5, no AB).

Not handled: lines A2, A5, B1, B3, B4 (art. 283-1 purchases), E3 to E6, F1, F3 to F7, F9,
Corsica and DOM specifics, petroleum products, 5B and 2C (acomptes), 22A (coefficient),
AA and AB (groups), annex 3310-A.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from comptoir.domain.money import CENT, HUNDRED, check_amount, round_money
from comptoir.errors import InvalidFieldError

ZERO = Decimal(0)

#: the kinds of operation a VAT movement is (entry lines carry one): sales side
SALE = "sale"
SALE_INTRA_EU_GOODS = "sale_intra_eu_goods"
SALE_INTRA_EU_SERVICES = "sale_intra_eu_services"
SALE_EXPORT = "sale_export"
SALE_EXEMPT = "sale_exempt"
# purchases side
PURCHASE_GOODS_SERVICES = "purchase"
PURCHASE_ASSETS = "purchase_assets"
ACQUISITION_INTRA_EU = "acquisition_intra_eu"
SERVICES_FROM_EU = "services_from_eu"
IMPORT = "import"

#: each kind, what it is and the law it follows
KIND_LABELS = {
    SALE: "taxable domestic sale of goods or services at its rate",
    SALE_INTRA_EU_GOODS: "exempt intra-community supply of goods (CGI art. 262 ter I)",
    SALE_INTRA_EU_SERVICES: "services to a taxable person of another member state, reverse "
                            "charged by the customer (CGI art. 259, 1° and 283-2)",
    SALE_EXPORT: "export outside the EU (CGI art. 262, I)",
    SALE_EXEMPT: "other exempt or non-taxable operation",
    PURCHASE_GOODS_SERVICES: "deductible VAT on goods and services (CGI art. 271)",
    PURCHASE_ASSETS: "deductible VAT on fixed assets (CGI art. 271)",
    ACQUISITION_INTRA_EU: "intra-community acquisition of goods, VAT self-assessed: due and "
                          "deductible (CGI art. 256 bis)",
    SERVICES_FROM_EU: "services bought from a supplier not established in France, VAT "
                      "self-assessed: due and deductible (CGI art. 283-2)",
    IMPORT: "import, VAT self-assessed on the return: due and deductible (CGI art. 1695, II)",
}

#: the standard rates of metropolitan France, percent
RATES = (Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1"))


@dataclass(frozen=True, slots=True)
class FormLine:
    code: str
    #: the box code of the form and of the EDI-TVA file, "" for a total the form computes
    box: str
    #: as printed on the form
    label: str


#: the lines this module fills, in the form's order
FORM_LINES = (
    FormLine("A1", "0979", "Ventes, prestations de services"),
    FormLine("A3", "0044", "Achats de prestations de services réalisés auprès d'un assujetti "
                           "non établi en France (article 283-2 du CGI)"),
    FormLine("A4", "0056", "Importations (autres que les produits pétroliers)"),
    FormLine("B2", "0031", "Acquisitions intracommunautaires"),
    FormLine("B5", "0036", "Régularisations"),
    FormLine("E1", "0032", "Exportations hors UE"),
    FormLine("E2", "0033", "Autres opérations non imposables"),
    FormLine("F2", "0034", "Livraisons intracommunautaires à destination d'une personne "
                           "assujettie - Ventes B to B"),
    FormLine("F8", "0039", "Régularisations"),
    FormLine("08", "0207", "Taux normal 20 %"),
    FormLine("09", "0105", "Taux réduit 5,5 %"),
    FormLine("9B", "0151", "Taux réduit 10 %"),
    FormLine("10", "0201", "Taux normal 8,5 % (DOM)"),
    FormLine("T1", "1120", "Opérations réalisées dans les DOM et imposables au taux de 1,75 %"),
    FormLine("T2", "1110", "Opérations réalisées dans les DOM et imposables au taux de 1,05 %"),
    FormLine("T6", "1010", "Opérations réalisées en France continentale au taux de 2,10 %"),
    FormLine("13", "0900", "Anciens taux"),
    FormLine("I1", "0210", "Importations : taux normal 20 %"),
    FormLine("I2", "0211", "Importations : taux réduit 10 %"),
    FormLine("I3", "0212", "Importations : taux 8,5 %"),
    FormLine("I4", "0213", "Importations : taux réduit 5,5 %"),
    FormLine("I5", "0214", "Importations : taux 2,1 %"),
    FormLine("I6", "0215", "Importations : taux 1,05 %"),
    FormLine("15", "0600", "TVA antérieurement déduite à reverser"),
    FormLine("16", "", "Total de la TVA brute due"),
    FormLine("17", "0035", "Dont TVA sur acquisitions intracommunautaires"),
    FormLine("19", "0703", "Biens constituant des immobilisations"),
    FormLine("20", "0702", "Autres biens et services"),
    FormLine("21", "0059", "Autre TVA à déduire"),
    FormLine("22", "8001", "Report du crédit apparaissant ligne 27 de la précédente "
                           "déclaration"),
    FormLine("23", "", "Total TVA déductible"),
    FormLine("24", "0710", "Dont TVA déductible sur importations"),
    FormLine("25", "0705", "Crédit de TVA (ligne 23 - ligne 16)"),
    FormLine("TD", "8900", "TVA due (ligne 16 - ligne 23)"),
    FormLine("26", "8002", "Remboursement de crédit demandé sur formulaire n° 3519"),
    FormLine("27", "8003", "Crédit de TVA à reporter (ligne 25 - ligne 26)"),
    FormLine("28", "8901", "TVA nette due"),
    FormLine("32", "9992", "Total à payer"),
)
_FORM = {line.code: line for line in FORM_LINES}
#: the lines that have a base column (part A: only a base; the rate lines: base and VAT)
BASE_LINES = frozenset(["A1", "A3", "A4", "B2", "B5", "E1", "E2", "F2", "F8"])

#: the line of the VAT due at a rate (sales and self-assessed purchases but imports)
RATE_LINES = {
    Decimal("20"): "08", Decimal("5.5"): "09", Decimal("10"): "9B", Decimal("2.1"): "T6",
    Decimal("8.5"): "10", Decimal("1.75"): "T1", Decimal("1.05"): "T2",
    Decimal("19.6"): "13", Decimal("7"): "13",
}
#: the line of the VAT due on imports at a rate
IMPORT_RATE_LINES = {
    Decimal("20"): "I1", Decimal("10"): "I2", Decimal("8.5"): "I3", Decimal("5.5"): "I4",
    Decimal("2.1"): "I5", Decimal("1.05"): "I6",
}
_TAX_LINES = frozenset([*RATE_LINES.values(), *IMPORT_RATE_LINES.values()])
_WITH_BASE = BASE_LINES | _TAX_LINES


@dataclass(frozen=True, slots=True)
class _Kind:
    #: the part A line of its base, and of a negative total as a regularisation
    base: str = ""
    regularisation: str = ""
    #: its VAT is due on the line of its rate: "rate", or "import" for lines I1 to I6
    due: str = ""
    #: the line of its deductible VAT
    deductible: str = ""
    #: the "dont" line repeating its VAT due / deductible
    due_memo: str = ""
    deductible_memo: str = ""


_KINDS = {
    SALE: _Kind("A1", "B5", due="rate"),
    SALE_INTRA_EU_GOODS: _Kind("F2", "F8"),
    SALE_INTRA_EU_SERVICES: _Kind("E2", "F8"),
    SALE_EXPORT: _Kind("E1", "F8"),
    SALE_EXEMPT: _Kind("E2", "F8"),
    PURCHASE_GOODS_SERVICES: _Kind(deductible="20"),
    PURCHASE_ASSETS: _Kind(deductible="19"),
    ACQUISITION_INTRA_EU: _Kind("B2", "B5", due="rate", deductible="20", due_memo="17"),
    SERVICES_FROM_EU: _Kind("A3", "B5", due="rate", deductible="20"),
    IMPORT: _Kind("A4", "B5", due="import", deductible="20", deductible_memo="24"),
}


@dataclass(frozen=True, slots=True)
class VatMovement:
    #: one of the kinds (KIND_LABELS)
    kind: str
    #: percent, e.g. Decimal("20"), Decimal("5.5"), Decimal("0")
    rate: Decimal
    #: signed: positive for sales and purchases, negative for credit notes
    base: Decimal
    #: signed VAT of this kind and rate (0 for the exempt kinds); for the self-assessed
    #: kinds the VAT due, which is also the VAT deducted
    vat: Decimal


@dataclass(frozen=True, slots=True)
class Ca3Line:
    code: str
    label: str
    #: whole euros as filed; None when the line has no base column
    base: Decimal | None
    #: whole euros as filed; the one amount of a line without base (totals, credit...);
    #: None for the part A lines, which only have a base
    vat: Decimal | None


@dataclass(frozen=True, slots=True)
class Ca3Return:
    #: every line that has an amount, in the form's order
    lines: tuple[Ca3Line, ...]
    #: line 16, total de la TVA brute due
    collected: Decimal
    #: line 23, total TVA déductible (the credit carried included)
    deductible: Decimal
    #: line 25 (0 if none)
    credit: Decimal
    #: line 27
    to_carry: Decimal
    #: line 28
    net_due: Decimal
    #: line 32
    to_pay: Decimal
    #: line 26
    refund: Decimal
    #: the exact VAT behind line 16 and behind lines 19 to 21, in cents: what the
    #: liquidation entry clears, its difference with the filed euros being the rounding
    collected_exact: Decimal
    deductible_exact: Decimal

    def line(self, code: str) -> Ca3Line | None:
        """The line `code` ("08", "A1"...), None when it has no amount."""
        return next((line for line in self.lines if line.code == code), None)


def _kind(movement: VatMovement) -> _Kind:
    spec = _KINDS.get(movement.kind)
    if spec is None:
        raise InvalidFieldError("kind", f"must be one of {', '.join(_KINDS)}")
    return spec


def _due_line(spec: _Kind, rate: Decimal) -> str:
    lines = IMPORT_RATE_LINES if spec.due == "import" else RATE_LINES
    line = lines.get(rate)
    if line is None:
        known = ", ".join(f"{known:f} %" for known in lines)
        raise InvalidFieldError("rate", f"{rate:f} % has no line on the CA3 (known: {known}); "
                                "an exempt operation is one of the exempt kinds")
    return line


def _check(movement: VatMovement) -> _Kind:
    spec = _kind(movement)
    check_amount("rate", movement.rate)
    check_amount("base", movement.base)
    check_amount("vat", movement.vat)
    if not 0 <= movement.rate < HUNDRED:
        raise InvalidFieldError("rate", "must be a percent from 0 to less than 100")
    if spec.due:
        _due_line(spec, movement.rate)
    elif not spec.deductible and movement.vat != 0:
        raise InvalidFieldError("vat", f"must be 0 for an exempt operation ({movement.kind})")
    return spec


def _add(amounts: dict[str, Decimal], code: str, amount: Decimal) -> None:
    amounts[code] = amounts.get(code, ZERO) + amount


def _euros(amount: Decimal) -> Decimal:
    return round_money(amount, 0)


def ca3_return(movements: Iterable[VatMovement], *, credit_carried: Decimal = ZERO,
               refund_requested: Decimal = ZERO) -> Ca3Return:
    """The CA3 of a period from its VAT movements (the rules in the module's docstring).

    `credit_carried` is line 27 of the previous return (line 22 here); `refund_requested`
    the part of this return's credit whose refund is asked (line 26), at most line 25.
    Errors: InvalidFieldError naming kind, rate, base, vat, credit_carried or
    refund_requested."""
    check_amount("credit_carried", credit_carried)
    check_amount("refund_requested", refund_requested)
    if credit_carried < 0:
        raise InvalidFieldError("credit_carried", "must be 0 or more")
    if refund_requested < 0:
        raise InvalidFieldError("refund_requested", "must be 0 or more")

    groups: dict[tuple[str, Decimal], tuple[Decimal, Decimal]] = {}
    for movement in movements:
        _check(movement)
        key = (movement.kind, movement.rate)
        base, vat = groups.get(key, (ZERO, ZERO))
        groups[key] = (base + movement.base, vat + movement.vat)

    bases: dict[str, Decimal] = {}
    taxes: dict[str, Decimal] = {}
    for (kind, rate), (base, vat) in groups.items():
        spec = _KINDS[kind]
        if base > 0 and spec.base:
            _add(bases, spec.base, base)
        elif base < 0 and spec.regularisation:
            _add(bases, spec.regularisation, -base)
        if spec.due:
            line = _due_line(spec, rate)
            if base > 0:
                _add(bases, line, base)
            if vat > 0:
                _add(taxes, line, vat)
                if spec.due_memo:
                    _add(taxes, spec.due_memo, vat)
            elif vat < 0:
                _add(taxes, "21", -vat)
        if spec.deductible:
            if vat > 0:
                _add(taxes, spec.deductible, vat)
                if spec.deductible_memo:
                    _add(taxes, spec.deductible_memo, vat)
            elif vat < 0:
                _add(taxes, "15", -vat)

    filed_bases = {code: _euros(amount) for code, amount in bases.items()}
    filed = {code: _euros(amount) for code, amount in taxes.items()}
    filed["22"] = _euros(credit_carried)
    collected = sum((filed.get(code, ZERO) for code in (*_TAX_LINES, "15")), ZERO)
    deductible = sum((filed.get(code, ZERO) for code in ("19", "20", "21", "22")), ZERO)
    credit = max(deductible - collected, ZERO)
    due = max(collected - deductible, ZERO)
    refund = _euros(refund_requested)
    if refund > credit:
        raise InvalidFieldError("refund_requested",
                                f"must be at most the credit of the return ({credit} €)")
    filed.update({"16": collected, "23": deductible, "25": credit, "TD": due, "26": refund,
                  "27": credit - refund, "28": due, "32": due})

    lines = []
    for form_line in FORM_LINES:
        code = form_line.code
        base_column = filed_bases.get(code, ZERO) if code in _WITH_BASE else None
        vat_column = None if code in BASE_LINES else filed.get(code, ZERO)
        if base_column or vat_column:
            lines.append(Ca3Line(code, form_line.label, base_column, vat_column))
    collected_exact = sum((taxes.get(code, ZERO) for code in (*_TAX_LINES, "15")), ZERO)
    deductible_exact = sum((taxes.get(code, ZERO) for code in ("19", "20", "21")), ZERO)
    return Ca3Return(lines=tuple(lines), collected=collected, deductible=deductible,
                     credit=credit, to_carry=credit - refund, net_due=due, to_pay=due,
                     refund=refund, collected_exact=collected_exact,
                     deductible_exact=deductible_exact)


def expected_vat(movement: VatMovement) -> Decimal:
    """The VAT `movement` should carry: base x rate / 100 rounded to the cent, 0 for the
    exempt kinds whatever their rate."""
    spec = _kind(movement)
    if not spec.due and not spec.deductible:
        return round_money(ZERO)
    return round_money(movement.base * movement.rate / HUNDRED)


def vat_disagreements(movements: Iterable[VatMovement], *,
                      tolerance: Decimal = CENT) -> list[VatMovement]:
    """The movements whose VAT differs from base x rate / 100 (0 for the exempt kinds) by
    more than `tolerance`, in their order.

    A movement is meant to be one document's VAT at one rate (an entry line): a document
    rounds its VAT once per rate (BR-CO-17), so it is within half a cent of the exact
    product and the default of a cent flags only real mistakes.  A supplier who rounds
    per line can be a few cents off; for a movement that sums n documents pass
    n x 0.01."""
    if not tolerance.is_finite() or tolerance < 0:
        raise InvalidFieldError("tolerance", "must be 0 or more")
    found = []
    for movement in movements:
        spec = _kind(movement)
        exact = (movement.base * movement.rate / HUNDRED if spec.due or spec.deductible
                 else ZERO)
        if abs(movement.vat - exact) > tolerance:
            found.append(movement)
    return found
