"""EN 16931, the European norm of the electronic invoice: the VAT category of a rate and
the calculation rules an invoice's amounts obey.  Pure: `Decimal` in, findings out.

    broken_rules(amounts_of(document))  # [] when the amounts add up

`broken_rules` checks the amounts of an invoice, ours before we send it (tests) and a
supplier's when we receive one, with the rule numbers of EN 16931-1:2017:

- BR-CO-10: the sum of the line nets (BT-131) = BT-106;
- BR-CO-11: the sum of the document-level allowances (BT-92) = BT-107;
- BR-CO-12: the sum of the document-level charges (BT-99) = BT-108;
- BR-CO-13: BT-109 = BT-106 - BT-107 + BT-108;
- BR-CO-14: BT-110 = the sum of the VAT category amounts (BT-117);
- BR-CO-15: BT-112 = BT-109 + BT-110;
- BR-CO-16: BT-115 = BT-112 - BT-113 + BT-114;
- BR-S-08 (and BR-Z-08, BR-E-08, BR-AE-08, BR-IC-08, BR-G-08, BR-O-08 for the other
  categories): per VAT category and rate, the taxable amount (BT-116) = its line nets +
  its charges - its allowances;
- BR-CO-17: per VAT category and rate, the VAT amount (BT-117) = BT-116 x BT-119 / 100
  rounded to the cent.

The VAT category of a rate (BT-118, BT-151): a positive rate is S (standard).  A zero
rate is, in this order: E when the exemption mention cites art. 293 B (the French
"franchise en base" of a micro-business); AE (reverse charge) or K (intra-community
supply) when seller and buyer are in two different EU countries and both have a VAT
number, K when the mention cites art. 262 ter (goods), else AE (services, art. 283-2 and
the autoliquidation mention: the usual case of a small business); G (export) when the
buyer is outside the EU; E when the document has an exemption mention; Z (zero rated)
otherwise.  Every category but S and Z carries an exemption reason (BT-120, BR-E-10,
BR-AE-10, BR-IC-10, BR-G-10): the document's VAT mention, else the text of the law.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from comptoir.domain import money
from comptoir.domain.documents import Document

ZERO = Decimal(0)
#: the member states of the EU (ISO 3166-1 alpha-2; Greece is EL in VAT numbers, GR here)
EU_COUNTRIES = frozenset(
    ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"])
#: the rule number of "the taxable amount of a category" (BR-x-08), per category
BASE_RULES = {"S": "BR-S-08", "Z": "BR-Z-08", "E": "BR-E-08", "AE": "BR-AE-08",
              "K": "BR-IC-08", "G": "BR-G-08", "O": "BR-O-08", "L": "BR-AF-08",
              "M": "BR-AG-08"}
#: the default exemption reason (BT-120) and its VATEX code (BT-121) per category
EXEMPTIONS = {
    "E": ("Exonération de TVA", ""),
    "AE": ("Autoliquidation (article 283-2 du CGI, article 196 de la directive 2006/112/CE)",
           "VATEX-EU-AE"),
    "K": ("Exonération de TVA, article 262 ter I du CGI (livraison intracommunautaire)",
          "VATEX-EU-IC"),
    "G": ("Exonération de TVA, article 262 I du CGI (exportation)", "VATEX-EU-G"),
}


@dataclass(frozen=True, slots=True)
class VatCategory:
    #: UNTDID 5305: S, Z, E, AE, K, G
    code: str
    #: BT-120, "" for S and Z
    reason: str = ""
    #: BT-121 (VATEX), "" when none
    reason_code: str = ""


@dataclass(frozen=True, slots=True)
class VatRow:
    """One VAT breakdown (BG-23)."""

    category: str
    rate: Decimal
    #: BT-116
    base: Decimal
    #: BT-117
    vat: Decimal


@dataclass(frozen=True, slots=True)
class Amount:
    """One line net, allowance or charge with its VAT category and rate."""

    category: str
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Amounts:
    """The amounts of an invoice, by their EN 16931 numbers.  `lines` is None when the
    invoice does not carry its lines (the MINIMUM profile): the rules over lines are then
    not checked, and without a VAT breakdown either neither is BR-CO-14."""

    lines: tuple[Amount, ...] | None
    allowances: tuple[Amount, ...]
    charges: tuple[Amount, ...]
    vat: tuple[VatRow, ...]
    lines_net: Decimal | None  # BT-106
    allowance_total: Decimal  # BT-107
    charge_total: Decimal  # BT-108
    net: Decimal  # BT-109
    tax: Decimal  # BT-110
    gross: Decimal  # BT-112
    paid: Decimal  # BT-113
    rounding: Decimal  # BT-114
    due: Decimal  # BT-115


@dataclass(frozen=True, slots=True)
class BrokenRule:
    code: str
    message: str


def _mentions(mention: str, *words: str) -> bool:
    text = mention.lower().replace("\u00a0", " ")
    return any(word in text for word in words)


def vat_category(document: Document, rate: Decimal) -> VatCategory:
    """The VAT category of the lines of `document` at `rate` (the module's docstring)."""
    if rate != 0:
        return VatCategory("S")
    mention = document.vat_mention
    seller, buyer = document.seller, document.buyer
    seller_country = seller.address.country.upper() or "FR"
    buyer_country = (document.billing.country or buyer.address.country).upper()
    code = "Z"
    if _mentions(mention, "293 b", "293b"):
        code = "E"
    elif (buyer_country in EU_COUNTRIES and seller_country in EU_COUNTRIES
          and buyer_country != seller_country and seller.vatid and buyer.vatid):
        code = "K" if _mentions(mention, "262 ter", "intracommunautaire",
                                "intra-community supply") else "AE"
    elif buyer_country and buyer_country not in EU_COUNTRIES:
        code = "G"
    elif mention:
        code = "E"
    if code == "Z":
        return VatCategory("Z")
    default, reason_code = EXEMPTIONS[code]
    return VatCategory(code, mention or default, reason_code)


def allowance_shares(document: Document) -> dict[Decimal, Decimal]:
    """The document discount (BT-107) per VAT rate, shared out as `money.document_totals`
    shares it (one allowance per rate)."""
    nets: dict[Decimal, Decimal] = {}
    for line in document.lines:
        nets[line.vat_rate] = nets.get(line.vat_rate, ZERO) + line.net
    nets = {rate: nets[rate] for rate in sorted(nets)}
    shares = money.share_out(document.totals.discount, nets) if nets else {}
    return {rate: share for rate, share in shares.items() if share != 0}


def shipping_rate(document: Document) -> Decimal | None:
    """The VAT rate the shipping (BT-108) was taxed at: the rate whose base exceeds its
    line nets less its discount share by the shipping; None without shipping."""
    totals = document.totals
    if totals.shipping == 0:
        return None
    shares = allowance_shares(document)
    nets: dict[Decimal, Decimal] = {}
    for line in document.lines:
        nets[line.vat_rate] = nets.get(line.vat_rate, ZERO) + line.net
    for row in totals.vat:
        extra = row.base - (nets.get(row.rate, ZERO) - shares.get(row.rate, ZERO))
        if extra == totals.shipping:
            return row.rate
    return max((row.rate for row in totals.vat), default=ZERO)


def amounts_of(document: Document) -> Amounts:
    """The EN 16931 amounts of one of our documents, as its e-invoice carries them."""
    totals = document.totals

    def category(rate: Decimal) -> str:
        return vat_category(document, rate).code

    charge_rate = shipping_rate(document)
    return Amounts(
        lines=tuple(Amount(category(line.vat_rate), line.vat_rate, line.net)
                    for line in document.lines),
        allowances=tuple(Amount(category(rate), rate, share)
                         for rate, share in allowance_shares(document).items()),
        charges=() if charge_rate is None else (
            Amount(category(charge_rate), charge_rate, totals.shipping),),
        vat=tuple(VatRow(category(row.rate), row.rate, row.base, row.vat)
                  for row in totals.vat),
        lines_net=totals.lines_net, allowance_total=totals.discount,
        charge_total=totals.shipping, net=totals.net, tax=totals.tax, gross=totals.gross,
        paid=document.paid, rounding=totals.adjustment, due=document.due)


def _sum(amounts: Sequence[Amount]) -> Decimal:
    return sum((entry.amount for entry in amounts), ZERO)


def _rule(code: str, name: str, stated: Decimal, computed: Decimal) -> BrokenRule | None:
    if stated == computed:
        return None
    return BrokenRule(code, f"{name} is {stated}, the rule gives {computed}")


def _per_category(amounts: Amounts) -> list[BrokenRule | None]:
    found: list[BrokenRule | None] = []
    for row in amounts.vat:
        key = (row.category, row.rate)
        if amounts.lines is not None:
            base = (_sum([a for a in amounts.lines if (a.category, a.rate) == key])
                    + _sum([a for a in amounts.charges if (a.category, a.rate) == key])
                    - _sum([a for a in amounts.allowances if (a.category, a.rate) == key]))
            found.append(_rule(BASE_RULES.get(row.category, "BR-S-08"),
                               f"the taxable amount (BT-116) of {row.category} "
                               f"{row.rate.normalize():f} %", row.base, base))
        found.append(_rule("BR-CO-17", f"the VAT amount (BT-117) of {row.category} "
                           f"{row.rate.normalize():f} %", row.vat,
                           money.round_money(row.base * row.rate / money.HUNDRED)))
    return found


def broken_rules(amounts: Amounts) -> list[BrokenRule]:
    """The calculation rules of EN 16931 that `amounts` break, in the norm's order."""
    found: list[BrokenRule | None] = []
    if amounts.lines is not None and amounts.lines_net is not None:
        found.append(_rule("BR-CO-10", "the sum of the line nets (BT-106)",
                           amounts.lines_net, _sum(amounts.lines)))
    if amounts.allowances or amounts.allowance_total:
        found.append(_rule("BR-CO-11", "the sum of the allowances (BT-107)",
                           amounts.allowance_total, _sum(amounts.allowances)))
    if amounts.charges or amounts.charge_total:
        found.append(_rule("BR-CO-12", "the sum of the charges (BT-108)",
                           amounts.charge_total, _sum(amounts.charges)))
    if amounts.lines_net is not None:
        found.append(_rule("BR-CO-13", "the total without VAT (BT-109)", amounts.net,
                           amounts.lines_net - amounts.allowance_total
                           + amounts.charge_total))
    if amounts.vat or amounts.lines is not None:  # MINIMUM carries no VAT breakdown
        found.append(_rule("BR-CO-14", "the VAT total (BT-110)", amounts.tax,
                           sum((row.vat for row in amounts.vat), ZERO)))
    found.append(_rule("BR-CO-15", "the total with VAT (BT-112)", amounts.gross,
                       amounts.net + amounts.tax))
    found.append(_rule("BR-CO-16", "the amount due (BT-115)", amounts.due,
                       amounts.gross - amounts.paid + amounts.rounding))
    found.extend(_per_category(amounts))
    return [rule for rule in found if rule is not None]
