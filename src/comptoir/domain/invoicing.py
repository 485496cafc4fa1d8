"""Invoicing: what of a source document may still be delivered or invoiced, the status of
the source from its lines, progress (situation) invoicing, and advance invoices.

Quantities taken from a source line (delivered, invoiced net of credit notes) never go
beyond the line's quantity; a negative line (a return, a credit) is mirrored: its takes
are negative too and never go below it.

Status labels are ZeyOS's (`salesorders.status`, `quotes.status`):

- an order is BOOKED while nothing is delivered nor invoiced; PARTLYDELIVERED or DELIVERED
  (every line in full) from its deliveries; as soon as anything is invoiced, invoicing
  wins: PARTLYINVOICED or INVOICED (every line invoiced in full);
- a quote is BOOKED while nothing is ordered, PARTLYORDERED, ORDERED when every line is.

An advance (acompte) asked before delivery is invoiced (CGI art. 289, I-1-c) with VAT per
rate; for services the VAT is due on receipt of the advance (CGI art. 269, 2-c).  An
advance of a percent or an amount of the order's net is spread over the order's VAT rates
in proportion to their bases, the last rate taking the rounding remainder.  (Over two
rates every share stays within 0 and its base; over three or more, with an advance close to
100 % or bases of a few cents, the remainder can leave the last rate one cent above its base
or below 0.)  The final invoice deducts the advances already invoiced, rate by rate, as
negative bases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from comptoir.errors import ConflictError, InvalidFieldError

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Progress:
    """One source line."""

    #: the quantity on the source line
    ordered: Decimal
    #: already delivered (the sum over the delivery lines taken from it)
    delivered: Decimal
    #: already invoiced, net of credit notes
    invoiced: Decimal


@dataclass(frozen=True, slots=True)
class Advance:
    """An advance (deposit, acompte) invoice already issued: its net at one VAT rate."""

    rate: Decimal
    base: Decimal


def _in_full(done: Decimal, ordered: Decimal) -> bool:
    return done >= ordered if ordered >= 0 else done <= ordered


def check_take(field: str, wanted: Decimal, ordered: Decimal, taken: Decimal) -> Decimal:
    """`wanted` when it may be taken from a line of `ordered` of which `taken` is taken:
    0 < wanted <= ordered - taken, mirrored for a negative line.  Else
    InvalidFieldError(field) for the wrong sign, or ConflictError code over_quantity with
    the `remaining` quantity."""
    sign = -1 if ordered < 0 else 1
    if sign * wanted <= 0:
        raise InvalidFieldError(field, "must be greater than 0" if sign > 0
                                else "must be less than 0 (the line is negative)")
    remaining = ordered - taken
    if sign * remaining < 0:
        remaining = ZERO
    if sign * wanted > sign * remaining:
        raise ConflictError(f"{field}: {wanted} is more than the {remaining} left",
                            code="over_quantity", remaining=str(remaining))
    return wanted


def order_status(lines: Sequence[Progress]) -> str:
    """The ZeyOS status label of an order from its lines (see the module's docstring)."""
    if any(line.invoiced != 0 for line in lines):
        full = all(_in_full(line.invoiced, line.ordered) for line in lines)
        return "INVOICED" if full else "PARTLYINVOICED"
    if any(line.delivered != 0 for line in lines):
        full = all(_in_full(line.delivered, line.ordered) for line in lines)
        return "DELIVERED" if full else "PARTLYDELIVERED"
    return "BOOKED"


def quote_status(ordered_fraction_lines: Sequence[tuple[Decimal, Decimal]]) -> str:
    """The ZeyOS status label of a quote from its lines as (quoted, ordered) quantities."""
    if all(ordered == 0 for _, ordered in ordered_fraction_lines):
        return "BOOKED"
    if all(_in_full(ordered, quoted) for quoted, ordered in ordered_fraction_lines):
        return "ORDERED"
    return "PARTLYORDERED"


def check_progress(field: str, cumulative_before: Decimal,
                   wanted_cumulative: Decimal) -> Decimal:
    """The percent to invoice now in progress invoicing (facturation à l'avancement): the
    new cumulative percent of completion `wanted_cumulative` must be above the percent
    already invoiced and at most 100; returns the increment."""
    if wanted_cumulative > HUNDRED:
        raise InvalidFieldError(field, "must be at most 100")
    if wanted_cumulative <= 0:
        raise InvalidFieldError(field, "must be greater than 0")
    if wanted_cumulative <= cumulative_before:
        raise ConflictError(f"{field}: {wanted_cumulative} % must be more than the "
                            f"{cumulative_before} % already invoiced",
                            code="not_progressing", invoiced=str(cumulative_before))
    return wanted_cumulative - cumulative_before


def _round(value: Decimal) -> Decimal:
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _advance(net: Decimal, percent: Decimal | None, amount: Decimal | None) -> Decimal:
    """The net of an advance on an order of `net`: `percent` of it or `amount`, rounded."""
    if percent is not None and amount is None:
        if not 0 < percent <= HUNDRED:
            raise InvalidFieldError("percent", "must be greater than 0 and at most 100")
        return _round(net * percent / HUNDRED)
    if amount is not None and percent is None:
        if amount <= 0:
            raise InvalidFieldError("amount", "must be greater than 0")
        if amount > net:
            raise ConflictError(f"amount: {amount} is more than the order's net {net}",
                                code="over_amount", available=str(net))
        return _round(amount)
    raise InvalidFieldError("percent", "give exactly one of percent and amount")


def advance_lines(order_bases: Mapping[Decimal, Decimal], *, percent: Decimal | None = None,
                  amount: Decimal | None = None) -> dict[Decimal, Decimal]:
    """The net per VAT rate of an advance of `percent` of the order's net, or of a net
    `amount` (exactly one of them), by rate ascending.  The shares sum exactly to the
    advance; rates with a 0 base get nothing and are left out."""
    net = sum(order_bases.values(), ZERO)
    if net <= 0:
        raise ConflictError("an advance needs an order whose net is greater than 0",
                            code="no_net", net=str(net))
    advance = _advance(net, percent, amount)
    rates = [rate for rate in sorted(order_bases) if order_bases[rate] != 0]
    shares: dict[Decimal, Decimal] = {}
    left = advance
    for rate in rates[:-1]:
        shares[rate] = _round(advance * order_bases[rate] / net)
        left -= shares[rate]
    shares[rates[-1]] = left
    return shares


def deduct_advances(final_bases: Mapping[Decimal, Decimal],
                    advances: Sequence[Advance]) -> dict[Decimal, Decimal]:
    """The negative bases to put on the final invoice, per VAT rate ascending: minus the
    advances of each rate.  ConflictError code over_deduction when the advances of a rate
    exceed the final invoice's base at that rate."""
    advanced: dict[Decimal, Decimal] = {}
    for advance in advances:
        advanced[advance.rate] = advanced.get(advance.rate, ZERO) + advance.base
    deductions: dict[Decimal, Decimal] = {}
    for rate in sorted(advanced):
        base = final_bases.get(rate, ZERO)
        if advanced[rate] > base:
            raise ConflictError(f"the advances at {rate} % ({advanced[rate]}) are more than "
                                f"the final invoice's base at that rate ({base})",
                                code="over_deduction", rate=str(rate),
                                advanced=str(advanced[rate]), base=str(base))
        if advanced[rate] != 0:
            deductions[rate] = -advanced[rate]
    return deductions
