"""Inventory totals: the line and header amounts of a quote, order or invoice, as vtiger's
webservice computes them (reference §6.3, `VtigerLineItemOperation::updateParent`).
Pure: `Decimal` in, `Decimal` out, nothing rounded (the service stores 8 places).

    compute_totals([Line(Decimal("100"), Decimal("2"), discount_percent=Decimal("10"))],
                   Header(tax_type="group"), DEFAULT_TAXES)

Per line: gross = listprice * quantity; its discount is `discount_amount` when given and
not zero, else `discount_percent` of gross (the webservice's order: amount wins); net =
gross - discount.  In individual mode each line pays its own taxes on its net.

Header: subtotal = sum of nets (group) or of nets plus line taxes (individual: vtiger's
subtotal includes the line taxes); discount = `discount_amount` when > 0, else
`discount_percent` of the subtotal; pre-tax total = subtotal - discount + S&H (group) or
sum of nets - discount + S&H (individual); group taxes are on subtotal - discount, with
the percentages of the first line; S&H taxes are on the S&H amount; grand total =
subtotal - discount + S&H + group taxes + S&H taxes + adjustment.

A compound tax is computed on its base plus the amounts of the taxes it compounds on
(`compoundon`); a deducted tax (group mode only) is subtracted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class TaxType(StrEnum):
    GROUP = "group"
    INDIVIDUAL = "individual"


class TaxMethod(StrEnum):
    SIMPLE = "Simple"
    COMPOUND = "Compound"
    DEDUCTED = "Deducted"


@dataclass(frozen=True, slots=True)
class Tax:
    """A tax definition: its name (`tax1`), method and the taxes it compounds on."""

    name: str
    method: TaxMethod = TaxMethod.SIMPLE
    compoundon: tuple[str, ...] = ()


#: vtiger's default taxes (tax1 VAT 4.5 %, tax2 Sales 10 %, tax3 Service 12.5 %), all simple
DEFAULT_TAXES = (Tax("tax1"), Tax("tax2"), Tax("tax3"))


@dataclass(frozen=True, slots=True)
class Line:
    listprice: Decimal
    quantity: Decimal
    discount_percent: Decimal | None = None
    discount_amount: Decimal | None = None
    #: tax name -> percent
    taxes: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Header:
    tax_type: TaxType = TaxType.GROUP
    discount_percent: Decimal | None = None
    discount_amount: Decimal | None = None
    shipping: Decimal = ZERO
    #: tax name -> percent of the S&H amount (`shipping_&_handling_shtax1` is `tax1`)
    shipping_taxes: Mapping[str, Decimal] = field(default_factory=dict)
    adjustment: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class LineTotals:
    gross: Decimal
    discount: Decimal
    net: Decimal
    #: individual mode: tax name -> amount (empty in group mode)
    taxes: dict[str, Decimal]

    @property
    def tax(self) -> Decimal:
        return sum(self.taxes.values(), ZERO)


@dataclass(frozen=True, slots=True)
class Totals:
    lines: tuple[LineTotals, ...]
    subtotal: Decimal
    discount: Decimal
    pre_tax_total: Decimal
    #: group mode: tax name -> amount
    group_taxes: dict[str, Decimal]
    shipping_tax: Decimal
    grand_total: Decimal

    @property
    def tax(self) -> Decimal:
        """Every tax amount: the lines' (individual), the group's and the S&H taxes."""
        lines = sum((line.tax for line in self.lines), ZERO)
        return lines + sum(self.group_taxes.values(), ZERO) + self.shipping_tax


def _given(value: Decimal | None) -> bool:
    return value is not None and value != 0


def tax_amounts(base: Decimal, percents: Mapping[str, Decimal], definitions: Sequence[Tax],
                *, deduct: bool) -> dict[str, Decimal]:
    """The amount of each tax in `percents` on `base`: simple taxes first, then compound
    ones (in definition order) on base plus the taxes they compound on.  Deducted taxes
    are negative with `deduct`, else left out."""
    by_name = {t.name: t for t in definitions}
    amounts: dict[str, Decimal] = {}
    compound: list[Tax] = []
    for name, percent in percents.items():
        tax = by_name.get(name, Tax(name))
        if tax.method is TaxMethod.COMPOUND:
            compound.append(tax)
        elif tax.method is TaxMethod.DEDUCTED:
            if deduct:
                amounts[name] = -(base * percent / HUNDRED)
        else:
            amounts[name] = base * percent / HUNDRED
    order = {t.name: i for i, t in enumerate(definitions)}
    for tax in sorted(compound, key=lambda t: order.get(t.name, len(order))):
        on = base + sum((amounts.get(c, ZERO) for c in tax.compoundon), ZERO)
        amounts[tax.name] = on * percents[tax.name] / HUNDRED
    return {name: amounts[name] for name in percents if name in amounts}


def line_totals(line: Line, tax_type: TaxType, definitions: Sequence[Tax]) -> LineTotals:
    gross = line.listprice * line.quantity
    if _given(line.discount_amount):
        discount = line.discount_amount or ZERO
    elif _given(line.discount_percent):
        discount = (line.discount_percent or ZERO) * gross / HUNDRED
    else:
        discount = ZERO
    net = gross - discount
    taxes = (tax_amounts(net, line.taxes, definitions, deduct=False)
             if tax_type is TaxType.INDIVIDUAL else {})
    return LineTotals(gross, discount, net, taxes)


def compute_totals(lines: Sequence[Line], header: Header,
                   definitions: Sequence[Tax] = DEFAULT_TAXES) -> Totals:
    """The totals of a document (reference §6.3)."""
    individual = header.tax_type is TaxType.INDIVIDUAL
    computed = tuple(line_totals(line, header.tax_type, definitions) for line in lines)
    nets = sum((line.net for line in computed), ZERO)
    subtotal = nets + sum((line.tax for line in computed), ZERO) if individual else nets
    if header.discount_amount is not None and header.discount_amount > 0:
        discount = header.discount_amount
    elif _given(header.discount_percent):
        discount = (header.discount_percent or ZERO) * subtotal / HUNDRED
    else:
        discount = ZERO
    total_base = subtotal - discount + header.shipping
    pre_tax_total = nets - discount + header.shipping if individual else total_base
    group_taxes: dict[str, Decimal] = {}
    if not individual and lines:
        group_taxes = tax_amounts(subtotal - discount, lines[0].taxes, definitions,
                                  deduct=True)
    shipping_tax = sum(tax_amounts(header.shipping, header.shipping_taxes, definitions,
                                   deduct=False).values(), ZERO)
    grand_total = (total_base + sum(group_taxes.values(), ZERO) + shipping_tax
                   + header.adjustment)
    return Totals(computed, subtotal, discount, pre_tax_total, group_taxes, shipping_tax,
                  grand_total)
