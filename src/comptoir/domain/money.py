"""Money: rounding, the totals of a sales document the French way, currency conversion and
the bounds of an amount.  Pure: `Decimal` in, `Decimal` out, never float.

    document_totals([SaleLine(Decimal("2"), Decimal("9.99"), Decimal("20"))])

Rounding is ROUND_HALF_UP, that is half away from zero (0.005 -> 0.01, -0.005 -> -0.01), the
usual commercial rounding; a negative zero comes out as 0.

The totals follow EN 16931, the European norm of the electronic invoice (Factur-X, and the
French e-invoicing reform, CGI art. 289 bis), with its business-rule numbers:

1. each line's net (BT-131) = quantity x unit price - the line's discount, rounded to the
   cent.  The discount is `discount_amount` when given and not 0, else `discount_percent`
   of quantity x unit price.  An amount is subtracted as given: on a credit line (negative
   quantity) give it negative too, or use a percent, which follows the line's sign;
2. lines_net (BT-106) = the sum of the line nets (BR-CO-10);
3. the document discount (BT-107) = `discount_amount` when greater than 0, else
   `discount_percent` of lines_net, rounded.  It is shared out over the VAT rates in
   proportion to their line nets (one allowance per rate), each share rounded, the highest
   rate with a non-zero net taking the remainder so that the shares sum exactly to it;
4. shipping (BT-108) is a charge taxed at `shipping_vat_rate`, or by default at the highest
   rate of the lines: transport costs are part of the taxable amount of the sale
   (CGI art. 267, I-2°) and take the rate of the principal operation; when the lines have
   several rates, the highest one is the simple, safe choice (pass `shipping_vat_rate` to
   choose another);
5. per VAT rate: base (BT-116) = line nets of the rate - its share of the discount + the
   shipping if taxed at that rate (BR-S-08); vat (BT-117) = base x rate / 100, rounded
   once per rate, never per line (BR-CO-17);
6. net (BT-109) = lines_net - discount + shipping (BR-CO-13), which is also the sum of the
   bases; tax (BT-110) = the sum of the VAT amounts (BR-CO-14); gross (BT-112) = net + tax
   (BR-CO-15); total = gross + adjustment (BT-114, the rounding amount).  The amount due
   (BT-115, BR-CO-16) is total less the prepayments, which the caller knows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from comptoir.errors import InvalidFieldError

ZERO = Decimal(0)
K = TypeVar("K")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
#: an amount is below 10**13 in absolute value and has at most 8 decimal places
MAX_AMOUNT = Decimal(10) ** 13
MAX_PLACES = 8


def round_money(value: Decimal, places: int = 2) -> Decimal:
    """`value` rounded to `places` decimals, half away from zero (ROUND_HALF_UP)."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


@dataclass(frozen=True, slots=True)
class SaleLine:
    quantity: Decimal
    unit_price: Decimal
    #: percent, e.g. Decimal("20")
    vat_rate: Decimal = ZERO
    discount_percent: Decimal | None = None
    #: the discount of the whole line; wins over discount_percent when given and not 0
    discount_amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class VatBreakdown:
    rate: Decimal
    #: the line nets of this rate, less their share of the document discount, plus the
    #: shipping when it is taxed at this rate
    base: Decimal
    #: round_money(base * rate / 100)
    vat: Decimal


@dataclass(frozen=True, slots=True)
class DocumentTotals:
    #: each line: round_money(quantity * unit_price - discount)
    line_nets: tuple[Decimal, ...]
    #: the sum of line_nets (BT-106)
    lines_net: Decimal
    #: the document-level allowance (BT-107), rounded
    discount: Decimal
    #: the document-level charge (BT-108), rounded
    shipping: Decimal
    #: lines_net - discount + shipping (BT-109)
    net: Decimal
    #: by rate ascending, one per rate of the lines (even with a 0 base) or of the shipping
    vat: tuple[VatBreakdown, ...]
    #: the sum of the VAT amounts (BT-110)
    tax: Decimal
    #: net + tax (BT-112)
    gross: Decimal
    #: added after tax (BT-114, rounding amount), rounded
    adjustment: Decimal
    #: gross + adjustment: the amount due before prepayments
    total: Decimal


def line_net(line: SaleLine, places: int = 2) -> Decimal:
    """The net of one line: quantity x unit price less its discount, rounded once."""
    gross = line.quantity * line.unit_price
    if line.discount_amount is not None and line.discount_amount != 0:
        discount = line.discount_amount
    elif line.discount_percent is not None:
        discount = gross * line.discount_percent / HUNDRED
    else:
        discount = ZERO
    return round_money(gross - discount, places)


def share_out(amount: Decimal, bases: Mapping[K, Decimal],
              places: int = 2) -> dict[K, Decimal]:
    """`amount` split over the keys of `bases` in proportion to their bases, each share
    rounded; the last key (in the mapping's order) with a non-zero base takes the rounding
    remainder, so the shares always sum exactly to `amount` (rounded to `places`).

    The bases must not sum to 0 unless `amount` is 0: there is nothing to be in proportion
    to (InvalidFieldError "amount")."""
    amount = round_money(amount, places)
    shares = {key: round_money(ZERO, places) for key in bases}
    if amount == 0:
        return shares
    total = sum(bases.values(), ZERO)
    if total == 0:
        raise InvalidFieldError("amount", "cannot be shared out over bases that sum to 0")
    carriers = [key for key, base in bases.items() if base != 0]
    left = amount
    for key in carriers[:-1]:
        shares[key] = round_money(amount * bases[key] / total, places)
        left -= shares[key]
    shares[carriers[-1]] = left
    return shares


def _document_discount(lines_net: Decimal, percent: Decimal | None, amount: Decimal | None,
                       places: int) -> Decimal:
    if amount is not None and amount > 0:
        return round_money(amount, places)
    if percent is not None and percent != 0:
        return round_money(lines_net * percent / HUNDRED, places)
    return round_money(ZERO, places)


def document_totals(lines: Sequence[SaleLine], *, discount_percent: Decimal | None = None,
                    discount_amount: Decimal | None = None, shipping: Decimal = ZERO,
                    shipping_vat_rate: Decimal | None = None, adjustment: Decimal = ZERO,
                    places: int = 2) -> DocumentTotals:
    """The totals of a quote, order, invoice or credit note (the rules in the module's
    docstring).  A discount amount over lines whose net is 0 cannot be shared out
    (InvalidFieldError "discount_amount"); shipping on a document without lines needs
    `shipping_vat_rate` (InvalidFieldError "shipping_vat_rate")."""
    line_nets = tuple(line_net(line, places) for line in lines)
    lines_net = round_money(sum(line_nets, ZERO), places)
    nets_by_rate: dict[Decimal, Decimal] = {}
    for line, net in zip(lines, line_nets, strict=True):
        nets_by_rate[line.vat_rate] = nets_by_rate.get(line.vat_rate, ZERO) + net
    nets_by_rate = {rate: nets_by_rate[rate] for rate in sorted(nets_by_rate)}

    discount = _document_discount(lines_net, discount_percent, discount_amount, places)
    if discount != 0 and lines_net == 0:
        raise InvalidFieldError("discount_amount",
                                "cannot be shared out over lines whose net is 0")
    shares = share_out(discount, nets_by_rate, places)

    shipping = round_money(shipping, places)
    bases = dict(nets_by_rate)
    if shipping != 0:
        if shipping_vat_rate is None:
            if not nets_by_rate:
                raise InvalidFieldError("shipping_vat_rate", "must be given when the "
                                        "document has no line whose VAT rate it can follow")
            shipping_vat_rate = max(nets_by_rate)
        bases[shipping_vat_rate] = bases.get(shipping_vat_rate, ZERO) + shipping
    breakdown = []
    for rate in sorted(bases):
        base = round_money(bases[rate] - shares.get(rate, ZERO), places)
        breakdown.append(VatBreakdown(rate, base, round_money(base * rate / HUNDRED, places)))

    net = lines_net - discount + shipping
    tax = round_money(sum((row.vat for row in breakdown), ZERO), places)
    gross = net + tax
    adjustment = round_money(adjustment, places)
    return DocumentTotals(line_nets=line_nets, lines_net=lines_net, discount=discount,
                          shipping=shipping, net=net, vat=tuple(breakdown), tax=tax,
                          gross=gross, adjustment=adjustment, total=gross + adjustment)


def convert(amount: Decimal, rate: Decimal, places: int = 2) -> Decimal:
    """`amount` in the document's currency expressed in the company's currency, rounded.

    `rate` is the number of units of the document currency worth one unit of the company
    currency (the way the ECB quotes 1 EUR = 1.0850 USD): 108.50 USD at 1.085 -> 100.00
    EUR.  VAT is declared in euros, so a document in another currency converts its
    amounts at the rate of the day."""
    if not rate.is_finite() or rate <= 0:
        raise InvalidFieldError("exchangerate", "must be greater than 0")
    return round_money(amount / rate, places)


def check_amount(field: str, value: Decimal) -> Decimal:
    """`value` when it is a finite number below 10**13 in absolute value with at most 8
    decimal places once trailing zeros are dropped (1.500000000 is fine); else
    InvalidFieldError(field).  The bound fits a NUMERIC(21, 8) column."""
    if not value.is_finite():
        raise InvalidFieldError(field, "must be a finite number")
    if abs(value) >= MAX_AMOUNT:
        raise InvalidFieldError(field, "must be less than 10^13 in absolute value")
    if value != value.quantize(Decimal(1).scaleb(-MAX_PLACES)):
        raise InvalidFieldError(field, f"must have at most {MAX_PLACES} decimal places")
    return value
