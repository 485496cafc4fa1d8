"""Postings: the balanced journal entry of an issued document, of a payment, and of the VAT
that becomes due when an invoice under VAT on payments is paid; the rules every entry obeys;
fiscal years, their periods, entry numbers and lettering codes.  Pure: `Decimal` in,
`Posting`s out.  Which account each posting takes is the service's choice (the accounting
strategies, `services/posting.py`); the amounts and sides are decided here.

    document_postings(lines, totals, purchase=False, credit_note=False, third_party="411",
                      vat_account=lambda kind, rate: "44571", pending_account=None,
                      shipping_account="7085", rounding_accounts=("758", "658"))

A sales invoice (PCG art. 944-41 and 947-70): the customer's subsidiary account (411) is
debited with the total; the revenue accounts (70x) are credited with the bases, net of the
document's commercial discount (sales are recorded net of the rebates granted on the
invoice; only those granted afterwards go to 709); the VAT collected (44571) with the VAT
per rate.  A supplier invoice is the mirror image: expenses (60x, 61x, 62x) and deductible VAT
(44566, or 44562 on fixed assets) debited, the supplier (401) credited.  A credit note is its
invoice's entry with the sides swapped.  Shipping is credited to its own account (7085 "Ports
et frais accessoires facturés").  The rounding amount of a document (its `adjustment`) and
the cents that converting a foreign-currency document into the company's currency leaves go
to 758/658 (gains and losses of everyday management).

VAT on payments (TVA sur les encaissements, CGI art. 269-2-c; the default for services): the
VAT of the services is credited to a waiting account (44574) at the invoice, and moved to
44571 in proportion to what is paid, when it is paid (`vat_on_payment`): the VAT return of a
month declares what was collected that month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from comptoir.domain import money
from comptoir.domain.money import ZERO, round_money
from comptoir.errors import InvalidFieldError

BASE, TAX, PENDING = "base", "tax", "pending"


@dataclass(frozen=True, slots=True)
class Posting:
    """One line of an entry: an account, a debit or a credit."""

    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    #: on the third party's subsidiary account (the customer's or the supplier's)
    third_party: bool = False
    #: the operation's VAT kind (`domain/vat.py`: "sale", "purchase", ...), "" for none
    vat_kind: str = ""
    vat_rate: Decimal | None = None
    #: "base" (a revenue or expense), "tax" (VAT due or deductible), "pending" (VAT in the
    #: waiting account until paid), "" for none
    vat_role: str = ""
    #: the taxable amount a tax or pending line's VAT is on, unsigned: the line's side
    #: gives its sign (a credit note's VAT line is on the other side)
    vat_base: Decimal | None = None
    label: str = ""

    @property
    def amount(self) -> Decimal:
        """Debit minus credit."""
        return self.debit - self.credit


def on_side(account: str, amount: Decimal, *, debit: bool, **extra: object) -> Posting:
    """`amount` on the debit (or credit) side of `account`; a negative amount goes to the
    other side, so that no line has a negative debit or credit."""
    amount = round_money(amount)
    if (amount >= 0) == debit:
        return Posting(account, debit=abs(amount), **extra)  # type: ignore[arg-type]
    return Posting(account, credit=abs(amount), **extra)  # type: ignore[arg-type]


def totals_of(postings: Iterable[Posting]) -> tuple[Decimal, Decimal]:
    debit = credit = ZERO
    for posting in postings:
        debit += posting.debit
        credit += posting.credit
    return debit, credit


def check_balanced(postings: Sequence[Posting], field: str = "lines") -> None:
    """An entry has two lines at least, each a debit or a credit of at most two decimals
    (not both, not neither, never negative), and its debits equal its credits (PCG art.
    911-4: la partie double)."""
    if len(postings) < 2:
        raise InvalidFieldError(field, "an entry has two lines at least")
    for n, posting in enumerate(postings, 1):
        for name in ("debit", "credit"):
            value = getattr(posting, name)
            if value < 0 or value != round_money(value):
                raise InvalidFieldError(f"{field}[{n}].{name}", "must be a positive amount "
                                        "of at most two decimals")
        if (posting.debit == 0) == (posting.credit == 0):
            raise InvalidFieldError(f"{field}[{n}]", "a line is a debit or a credit, "
                                    "not both and not neither")
    debit, credit = totals_of(postings)
    if debit != credit:
        raise InvalidFieldError(field, f"the entry is not balanced: debit {debit}, "
                                f"credit {credit}")


# --- documents --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BaseLine:
    """A document line's net (in the document's currency) with the account the strategies
    chose for it."""

    account: str
    rate: Decimal
    net: Decimal
    vat_kind: str
    services: bool


def _grouped(lines: Sequence[BaseLine], rate: Decimal) -> dict[tuple[str, str, bool], Decimal]:
    groups: dict[tuple[str, str, bool], Decimal] = {}
    for line in lines:
        if line.rate == rate:
            key = (line.account, line.vat_kind, line.services)
            groups[key] = groups.get(key, ZERO) + line.net
    return groups


def _nonzero_shares(amount: Decimal, bases: Mapping[tuple[str, str, bool], Decimal],
                    ) -> dict[tuple[str, str, bool], Decimal]:
    if amount == 0 or not any(bases.values()):
        return {key: ZERO for key in bases}
    return money.share_out(amount, bases)


def document_postings(lines: Sequence[BaseLine], totals: money.DocumentTotals, *,
                      purchase: bool, credit_note: bool, third_party: str,
                      vat_account: Callable[[str, Decimal], str],
                      pending_account: str | None, shipping_account: str,
                      rounding_accounts: tuple[str, str],
                      exchange_rate: Decimal = Decimal(1), label: str = "") -> list[Posting]:
    """The entry of an issued invoice or credit note (sales when not `purchase`), in the
    company's currency.  `lines` are the document's lines with their accounts (their nets
    are `totals.line_nets`); `totals` the document's, in its currency; `vat_account(kind,
    rate)` the VAT account of a rate; `pending_account` the waiting account of VAT on
    payments (services of a sale only), None when VAT is due at invoicing;
    `rounding_accounts` the (gain, loss) accounts of the rounding amount."""
    # the revenue/expense side: debit for purchases, credit for sales, swapped by a credit
    debit_side = purchase != credit_note

    def converted(amount: Decimal) -> Decimal:
        return money.convert(amount, exchange_rate) if exchange_rate != 1 else amount

    postings: list[Posting] = []
    bases_total = ZERO
    by_rate = {vat.rate: vat for vat in totals.vat}
    lines_net_of = {rate: sum((line.net for line in lines if line.rate == rate), ZERO)
                    for rate in by_rate}
    discounts = (money.share_out(totals.discount, lines_net_of)
                 if totals.discount and any(lines_net_of.values())
                 else dict.fromkeys(by_rate, ZERO))
    for rate, vat in by_rate.items():
        groups = _grouped(lines, rate)
        shipping = vat.base - lines_net_of[rate] + discounts[rate]
        nets = {key: net - share for (key, net), share in zip(
            groups.items(), _nonzero_shares(discounts[rate], groups).values(), strict=True)}
        kind = max(groups, key=lambda key: abs(groups[key]))[1] if groups else (
            "purchase" if purchase else "sale")
        all_services = bool(groups) and all(key[2] for key in groups)
        parts: dict[tuple[str, str, bool], Decimal] = dict(nets)
        if shipping:
            key = (shipping_account, kind, all_services)
            parts[key] = parts.get(key, ZERO) + shipping
        # the rate's base and VAT in the company's currency, shared over the parts
        base_c, vat_c = converted(vat.base), converted(vat.vat)
        base_parts = _nonzero_shares(base_c, parts) if base_c else dict.fromkeys(parts, ZERO)
        for (account, part_kind, _), amount in base_parts.items():
            if amount:
                postings.append(on_side(account, amount, debit=debit_side, vat_kind=part_kind,
                                        vat_rate=rate, vat_role=BASE, label=label))
                bases_total += amount
        if not vat_c:
            continue
        vat_groups: dict[tuple[str, bool], Decimal] = {}
        for (_, part_kind, services), amount in base_parts.items():
            pending = services and pending_account is not None and not purchase
            vat_groups[(part_kind, pending)] = vat_groups.get((part_kind, pending), ZERO) \
                + amount
        vat_bases = dict(vat_groups)
        if not any(vat_groups.values()):
            vat_groups = {next(iter(vat_groups)): Decimal(1)}
        for (part_kind, pending), share in money.share_out(vat_c, vat_groups).items():
            if not share:
                continue
            account = pending_account if pending and pending_account else vat_account(
                part_kind, rate)
            postings.append(on_side(account, share, debit=debit_side, vat_kind=part_kind,
                                    vat_rate=rate, vat_role=PENDING if pending else TAX,
                                    vat_base=abs(vat_bases[(part_kind, pending)]),
                                    label=label))
            bases_total += share
    total_c = converted(totals.total)
    rounding = total_c - bases_total
    if rounding:
        gain, loss = rounding_accounts
        # a positive rounding raises what the customer owes: a gain on a sale
        gains = (rounding > 0) != purchase
        postings.append(on_side(gain if gains else loss, rounding, debit=debit_side,
                                label=label))
    postings.insert(0, on_side(third_party, total_c, debit=not debit_side, third_party=True,
                               label=label))
    return [posting for posting in postings if posting.debit or posting.credit]


# --- payments ---------------------------------------------------------------------------


def payment_postings(amount: Decimal, *, incoming: bool, cash_account: str,
                     third_party: str, label: str = "") -> list[Posting]:
    """A payment received (debit the bank or cash account, credit the customer) or made
    (debit the supplier, credit the bank); a negative amount is a refund, the other way."""
    return [on_side(cash_account, amount, debit=incoming, label=label),
            on_side(third_party, amount, debit=not incoming, third_party=True, label=label)]


def vat_on_payment(pending: Sequence[Posting], *, total: Decimal, paid_before: Decimal,
                   paid: Decimal, collected_account: Callable[[str, Decimal], str],
                   label: str = "") -> list[Posting]:
    """The VAT that becomes due when `paid` of an invoice of `total` is paid, `paid_before`
    having been paid earlier: each pending line's VAT (and base) in proportion, computed as
    the cumulated share less the share already moved, so that a fully paid invoice has moved
    its pending VAT exactly.  Each moves from the waiting account to the VAT collected
    (`collected_account(kind, rate)`)."""
    if total == 0:
        return []
    before = min(paid_before, total) / total
    after = min(paid_before + paid, total) / total
    postings: list[Posting] = []
    for line in pending:
        vat = line.credit - line.debit  # a sale's pending VAT is a credit
        base = line.vat_base or ZERO
        moved = round_money(vat * after) - round_money(vat * before)
        moved_base = round_money(base * after) - round_money(base * before)
        if not moved:
            continue
        postings.append(on_side(line.account, moved, debit=True, label=label))
        postings.append(on_side(collected_account(line.vat_kind, line.vat_rate or ZERO),
                                moved, debit=False, vat_kind=line.vat_kind,
                                vat_rate=line.vat_rate, vat_role=TAX, vat_base=abs(moved_base),
                                label=label))
    return postings


def reversal(postings: Sequence[Posting]) -> list[Posting]:
    """The entry that cancels `postings`: each line with its sides swapped (a VAT base is
    unsigned: its line's side gives its sign, so the VAT return nets the two out)."""
    return [replace(p, debit=p.credit, credit=p.debit) for p in postings]


# --- fiscal years, periods, numbers, lettering ------------------------------------------


def fiscal_year_of(day: dt.date, start_month: int) -> tuple[dt.date, dt.date]:
    """The twelve months starting on the 1st of `start_month` that hold `day`."""
    year = day.year if day.month >= start_month else day.year - 1
    start = dt.date(year, start_month, 1)
    end_year, end_month = (year, start_month + 11) if start_month == 1 else (
        year + 1, start_month - 1)
    return start, _month_end(end_year, end_month)


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return following - dt.timedelta(days=1)


def month_periods(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar months from `start` to `end` (a first or last month may be partial)."""
    periods, first = [], start
    while first <= end:
        last = min(_month_end(first.year, first.month), end)
        periods.append((first, last))
        first = last + dt.timedelta(days=1)
    return periods


def fiscal_year_name(start: dt.date, end: dt.date) -> str:
    return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"


def check_fiscal_year(start: dt.date, end: dt.date) -> None:
    """A fiscal year lasts at most 24 months (a first or changed year may be longer or
    shorter than 12: Code de commerce L123-12 and usage), and ends after it starts."""
    if end < start:
        raise InvalidFieldError("enddate", "must not be before startdate")
    if (end.year - start.year) * 12 + end.month - start.month >= 24:
        raise InvalidFieldError("enddate", "a fiscal year lasts at most 24 months")


def entry_number(year_name: str, sequence: int) -> str:
    """EcritureNum: the fiscal year and a continuous sequence, 2026-000042."""
    return f"{year_name}-{sequence:06d}"


def lettering_code(n: int) -> str:
    """The n-th lettering code (1 -> A, 26 -> Z, 27 -> AA, ...): bijective base 26."""
    if n < 1:
        raise ValueError("lettering codes start at 1")
    letters = []
    while n:
        n, digit = divmod(n - 1, 26)
        letters.append(chr(ord("A") + digit))
    return "".join(reversed(letters))


def lettering_number(code: str) -> int:
    """The inverse of `lettering_code` (0 for an empty or invalid code)."""
    n = 0
    for char in code:
        if not "A" <= char <= "Z":
            return 0
        n = n * 26 + ord(char) - ord("A") + 1
    return n


# --- accounting strategies --------------------------------------------------------------

#: the conditions of an accounting strategy (`accountingrules`), each compared with what is
#: posted: a rule applies when each of its conditions that is set holds
RULE_CONDITIONS = ("vatrate", "vatkind", "goods", "item", "itemtag", "accounttag", "means")
#: the PCG account of each posting when no strategy names one
DEFAULT_ACCOUNTS = {
    "sales_goods": "707", "sales_services": "706", "purchases_goods": "607",
    "purchases_services": "604", "customers": "411", "suppliers": "401",
    "vat_collected": "44571", "vat_deductible": "44566", "vat_deductible_assets": "44562",
    "vat_pending": "44574", "shipping_sales": "7085", "shipping_purchases": "6241",
    "rounding_gain": "758", "rounding_loss": "658", "bank": "512", "cash": "530",
}


def _condition_set(rule: Mapping[str, Any], name: str) -> bool:
    value = rule.get(name)
    return value not in (None, "") and not (name == "goods" and value == 0)


def _holds(rule: Mapping[str, Any], name: str, context: Mapping[str, Any]) -> bool:
    value = rule[name]
    if name in ("itemtag", "accounttag"):
        return value in context.get(name + "s", ())
    if name == "vatrate":
        given = context.get("vatrate")
        return given is not None and Decimal(str(value)) == Decimal(given)
    return bool(context.get(name) == value)


def choose_rule(rules: Iterable[Mapping[str, Any]], target: int,
                context: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The strategy of `target` that applies to `context` (keys: vatrate, vatkind, goods 1
    or 2, item, itemtags, accounttags, means): the most specific one (the most conditions
    set), then the highest priority, then the first made."""
    best: tuple[int, int, int] | None = None
    chosen = None
    for rule in rules:
        if rule["target"] != target:
            continue
        conditions = [name for name in RULE_CONDITIONS if _condition_set(rule, name)]
        if not all(_holds(rule, name, context) for name in conditions):
            continue
        rank = (len(conditions), int(rule.get("priority") or 0), -int(rule["ID"]))
        if best is None or rank > best:
            best, chosen = rank, rule
    return chosen
