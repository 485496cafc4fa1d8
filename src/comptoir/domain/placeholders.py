"""The placeholders of the document and e-mail templates: their stable set (`SCHEMA`, the
reference of `docs/documents.md`), the values a `Document` gives them (`context_of`), the
words of each language (`LABELS`, `TITLES`) and the formatters of money, numbers, percents
and dates per language (French `1 234,50 €`, `07/12/2026`; English `€1,234.50`,
`7 Dec 2026`).

    context = context_of(document, logo="data:image/png;base64,...")
    context["document"].number        # "FA-2026-00001"
    format_money(Decimal("1234.5"), "EUR", "fr")   # "1 234,50 €"

`SCHEMA` maps each placeholder to its attributes: a nested dict is an object, a list of
one dict a list of such objects (`{% for line in lines %}`), None a value.  The values are
`types.SimpleNamespace` objects: a template reads `company.name`, never a dict method.
Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any

from comptoir.domain.documents import RECOVERY_INDEMNITY, Address, Document, Party, mentions

Schema = dict[str, Any]

LANGUAGES = ("fr", "en")
ADDRESS: Schema = dict.fromkeys(("recipient", "street", "postalcode", "city", "region",
                                 "country", "lines"))
PARTY: Schema = {**dict.fromkeys(("name", "siren", "siret", "vatid", "email", "phone",
                                  "website", "legalform", "capital", "rcs", "iban", "bic",
                                  "bankname", "identity", "record")), "address": ADDRESS}
LINE: Schema = dict.fromkeys(("sequence", "name", "description", "itemnum", "quantity", "unit",
                              "unit_price", "discount", "net", "vat_rate", "comment"))
INVOICE: Schema = dict.fromkeys(("number", "date", "duedate", "total", "paid", "due",
                                 "days_late"))

#: every placeholder and its attributes: the stable set documented in docs/documents.md
SCHEMA: Schema = {
    "company": {**PARTY, "logo": None},
    "customer": PARTY,
    "seller": PARTY,
    "buyer": PARTY,
    "billing": ADDRESS,
    "shipping": ADDRESS,
    "document": dict.fromkeys(("id", "kind", "title", "number", "date", "duedate",
                               "deliverydate", "draft", "reference", "subject", "currency",
                               "corrects", "language", "is_invoice", "is_credit", "is_sale")),
    "lines": [LINE],
    "vat": [dict.fromkeys(("rate", "base", "tax"))],
    "totals": dict.fromkeys(("lines_net", "discount", "shipping", "net", "tax", "gross",
                             "adjustment", "total", "paid", "due")),
    "payment": {**dict.fromkeys(("terms_days", "duedate", "penalty_rate", "indemnity",
                                 "vat_mention", "iban", "bic", "bank")), "mentions": [None]},
    "dunning": {**dict.fromkeys(("level", "notice", "fee", "total")), "invoices": [INVOICE]},
    "label": None,
    "draft_mark": None,
    # Jinja's own: range(n) and namespace() for counters in loops
    "range": None,
    "namespace": None,
}

#: what each document kind is called
TITLES: dict[str, dict[str, str]] = {
    "fr": {"quote": "Devis", "order": "Confirmation de commande",
           "delivery": "Bon de livraison", "invoice": "Facture", "credit": "Avoir",
           "supplierorder": "Bon de commande", "receipt": "Bon de réception",
           "supplierinvoice": "Facture fournisseur", "suppliercredit": "Avoir fournisseur",
           "payment": "Reçu de paiement", "dunning": "Relance de paiement",
           "notice": "Mise en demeure", "advance": "Facture d'acompte",
           "progress": "Facture de situation", "final": "Facture de solde"},
    "en": {"quote": "Quote", "order": "Order confirmation", "delivery": "Delivery note",
           "invoice": "Invoice", "credit": "Credit note", "supplierorder": "Purchase order",
           "receipt": "Goods receipt", "supplierinvoice": "Supplier invoice",
           "suppliercredit": "Supplier credit note", "payment": "Payment receipt",
           "dunning": "Payment reminder", "notice": "Formal notice",
           "advance": "Advance invoice", "progress": "Progress invoice",
           "final": "Final invoice"},
}
#: transactions.invoicekind -> its title key
INVOICE_KIND_TITLES = {1: "advance", 2: "progress", 3: "final"}

#: the words of the default templates, per language (`label.<name>`)
LABELS: dict[str, dict[str, str]] = {
    "fr": {"number": "Numéro", "date": "Date", "duedate": "Échéance",
           "deliverydate": "Date de livraison", "reference": "Votre référence",
           "customer_vatid": "N° TVA client", "corrects": "Facture rectifiée",
           "item": "Désignation", "quantity": "Qté", "unit_price": "P.U. HT",
           "vat_rate": "TVA", "net": "Montant HT", "discount": "Remise",
           "vat_base": "Base HT", "vat_amount": "TVA", "lines_net": "Total lignes HT",
           "shipping": "Frais de port", "total_net": "Total HT", "total_tax": "Total TVA",
           "total": "Total TTC", "paid": "Déjà réglé", "due": "Net à payer",
           "adjustment": "Arrondi", "payment": "Conditions de paiement",
           "terms": "Paiement à {days} jours, au plus tard le {date}.",
           "terms_now": "Paiement à réception, au plus tard le {date}.",
           "bank": "Règlement par virement", "iban": "IBAN", "bic": "BIC",
           "siren": "SIREN", "siret": "SIRET", "vatid": "N° TVA", "rcs": "RCS",
           "capital": "au capital de", "page": "Page", "of": "sur", "draft": "BROUILLON",
           "invoices": "Factures échues", "invoice": "Facture", "days_late": "Retard (j)",
           "fee": "Indemnité de recouvrement", "dunning_total": "Total restant dû",
           "greeting": "Madame, Monsieur,",
           "dunning_text": "Sauf erreur de notre part, les factures ci-dessous restent "
                           "impayées à ce jour. Nous vous remercions de bien vouloir en "
                           "régler le montant avant le {date}.",
           "notice_text": "Malgré nos relances, les factures ci-dessous restent impayées. "
                          "Nous vous mettons en demeure d'en régler le montant avant le "
                          "{date}, faute de quoi nous engagerons une procédure de "
                          "recouvrement.",
           "closing": "Veuillez agréer, Madame, Monsieur, nos salutations distinguées.",
           "days": "jours"},
    "en": {"number": "Number", "date": "Date", "duedate": "Due date",
           "deliverydate": "Delivery date", "reference": "Your reference",
           "customer_vatid": "Customer VAT no.", "corrects": "Corrected invoice",
           "item": "Description", "quantity": "Qty", "unit_price": "Unit price",
           "vat_rate": "VAT", "net": "Net amount", "discount": "Discount",
           "vat_base": "Net base", "vat_amount": "VAT", "lines_net": "Lines total",
           "shipping": "Shipping", "total_net": "Total net", "total_tax": "Total VAT",
           "total": "Total", "paid": "Already paid", "due": "Amount due",
           "adjustment": "Rounding", "payment": "Payment terms",
           "terms": "Payment within {days} days, by {date} at the latest.",
           "terms_now": "Payment on receipt, by {date} at the latest.",
           "bank": "Payment by bank transfer", "iban": "IBAN", "bic": "BIC",
           "siren": "SIREN", "siret": "SIRET", "vatid": "VAT no.", "rcs": "Trade register",
           "capital": "with a share capital of", "page": "Page", "of": "of",
           "draft": "DRAFT", "invoices": "Overdue invoices", "invoice": "Invoice",
           "days_late": "Days late", "fee": "Recovery indemnity",
           "dunning_total": "Total outstanding", "greeting": "Dear Sir or Madam,",
           "dunning_text": "According to our records, the invoices below are still unpaid. "
                           "Please settle the amount before {date}.",
           "notice_text": "Despite our reminders, the invoices below are still unpaid. We "
                          "formally request payment before {date}, failing which we will "
                          "start recovery proceedings.",
           "closing": "Yours faithfully,", "days": "days"},
}

#: the payment mentions of an invoice in English (`domain.documents.mentions` is French)
MENTIONS_EN = (
    "Late payment penalties: annual rate of {rate} % (article L441-10 of the French "
    "Commercial Code).",
    "Fixed indemnity for recovery costs: {indemnity} € (article D441-5 of the French "
    "Commercial Code).",
    "No discount for early payment.",
)
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
             "Dec")
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}
CENT = Decimal("0.01")


# --- formatters ----------------------------------------------------------------------------


def _grouped(value: Decimal, places: int, thousands: str, point: str) -> str:
    text = f"{abs(value):,.{places}f}"
    whole, _, fraction = text.partition(".")
    whole = whole.replace(",", thousands)
    sign = "-" if value < 0 else ""
    return sign + (f"{whole}{point}{fraction}" if fraction else whole)


def format_number(value: Any, language: str = "fr", places: int | None = None) -> str:
    """A quantity or rate: as many decimals as it has (2.50 -> 2,5), or `places`."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    if places is None:
        number = number.normalize()
        exponent = number.as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else 0
    else:
        number = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    if language == "fr":
        return _grouped(number, places, "\u202f", ",")
    return _grouped(number, places, ",", ".")


def format_money(value: Any, currency: str = "EUR", language: str = "fr") -> str:
    """An amount with its currency: `1 234,50 €` in French, `€1,234.50` in English."""
    if value is None or value == "":
        return ""
    text = format_number(value, language, 2)
    symbol = SYMBOLS.get(currency, currency)
    if language == "fr":
        return f"{text}\u00a0{symbol}"
    if text.startswith("-"):
        return f"-{symbol}{text[1:]}" if len(symbol) == 1 else f"-{symbol}\u00a0{text[1:]}"
    return f"{symbol}{text}" if len(symbol) == 1 else f"{symbol}\u00a0{text}"


def format_percent(value: Any, language: str = "fr") -> str:
    """A rate: `20 %` in French (a narrow space before the sign), `20%` in English."""
    if value is None or value == "":
        return ""
    text = format_number(value, language)
    return f"{text}\u202f%" if language == "fr" else f"{text}%"


def format_date(value: Any, language: str = "fr") -> str:
    """A date: `07/12/2026` in French, `7 Dec 2026` in English; "" for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        return str(value)
    if language == "fr":
        return value.strftime("%d/%m/%Y")
    return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"


# --- the values of a document --------------------------------------------------------------


def _address(address: Address) -> SimpleNamespace:
    return SimpleNamespace(recipient=address.recipient, street=address.street,
                           postalcode=address.postalcode, city=address.city,
                           region=address.region, country=address.country,
                           lines=list(address.lines))


def identity(party: Party, language: str) -> str:
    """The legal identity line of a company: name, legal form and capital, RCS, SIREN, VAT
    number (the footer of every document)."""
    words = LABELS[language]
    head = " ".join(part for part in (party.name, party.legalform) if part)
    if party.capital is not None:
        head += f" {words['capital']} {format_money(party.capital, 'EUR', language)}"
    parts = [head, party.rcs,
             f"{words['siren']} {party.siren}" if party.siren else "",
             f"{words['siret']} {party.siret}" if party.siret else "",
             f"{words['vatid']} {party.vatid}" if party.vatid else ""]
    return " · ".join(part for part in parts if part)


def _party(party: Party, language: str, logo: str = "") -> SimpleNamespace:
    return SimpleNamespace(
        name=party.name, address=_address(party.address), siren=party.siren,
        siret=party.siret, vatid=party.vatid, email=party.email, phone=party.phone,
        website=party.website, legalform=party.legalform, capital=party.capital,
        rcs=party.rcs, iban=party.iban, bic=party.bic, bankname=party.bankname,
        identity=identity(party, language), record=party.record, logo=logo)


def title_of(document: Document, language: str, notice: bool = False) -> str:
    titles = TITLES[language]
    if document.kind == "dunning" and notice:
        return titles["notice"]
    if document.kind == "invoice" and document.invoicekind in INVOICE_KIND_TITLES:
        return titles[INVOICE_KIND_TITLES[document.invoicekind]]
    return titles.get(document.kind, document.kind)


def payment_mentions(document: Document, language: str) -> list[str]:
    """The mandatory payment mentions of an invoice in the template's language."""
    french = list(mentions(document))
    if language == "fr" or not french:
        return french
    rate = format_number(document.penalty_rate, "en")
    english = [text.format(rate=rate, indemnity=RECOVERY_INDEMNITY) for text in MENTIONS_EN]
    return english + ([document.vat_mention] if document.vat_mention else [])


#: UN/ECE rec. 20 unit codes an item may carry, as a document prints them (C62, "one",
#: prints nothing); other units print as they are
PRINTED_UNITS = {"fr": {"C62": "", "H87": "pce", "HUR": "h", "MIN": "min", "DAY": "j",
                        "WEE": "sem.", "MON": "mois", "ANN": "an", "KGM": "kg", "GRM": "g",
                        "LTR": "l", "MTR": "m", "MTK": "m²", "MTQ": "m³", "KWH": "kWh",
                        "LS": "forfait"},
                 "en": {"C62": "", "H87": "pc", "HUR": "h", "MIN": "min", "DAY": "d",
                        "WEE": "wk", "MON": "mo", "ANN": "yr", "KGM": "kg", "GRM": "g",
                        "LTR": "l", "MTR": "m", "MTK": "m²", "MTQ": "m³", "KWH": "kWh",
                        "LS": "lump sum"}}


def printed_unit(unit: str, language: str) -> str:
    return PRINTED_UNITS.get(language, PRINTED_UNITS["fr"]).get(unit.strip(), unit)


def _lines(document: Document, language: str) -> list[SimpleNamespace]:
    return [SimpleNamespace(sequence=line.sequence, name=line.name,
                            description=line.description, itemnum=line.itemnum,
                            quantity=line.quantity, unit=printed_unit(line.unit, language),
                            unit_price=line.unit_price, discount=line.discount, net=line.net,
                            vat_rate=line.vat_rate, comment=line.comment)
            for line in document.lines]


def _dunning(dunning: dict[str, Any] | None) -> SimpleNamespace:
    values = dunning or {}
    invoices = [SimpleNamespace(**{name: invoice.get(name) for name in INVOICE})
                for invoice in values.get("invoices", ())]
    return SimpleNamespace(level=values.get("level", 0), notice=values.get("notice", False),
                           fee=values.get("fee", Decimal(0)),
                           total=values.get("total", Decimal(0)), invoices=invoices)


def context_of(document: Document, *, logo: str = "", language: str | None = None,
               dunning: dict[str, Any] | None = None) -> dict[str, Any]:
    """The values of every placeholder of `SCHEMA` for `document` (`logo`: a data URI;
    `dunning`: the letter's level, notice, fee, total and invoices)."""
    language = language if language in LANGUAGES else document.language
    language = language if language in LANGUAGES else "fr"
    own = document.seller if document.is_sale or document.kind == "dunning" else document.buyer
    other = document.buyer if own is document.seller else document.seller
    totals = document.totals
    notice = bool(dunning and dunning.get("notice"))
    return {
        "company": _party(own, language, logo), "customer": _party(other, language),
        "seller": _party(document.seller, language), "buyer": _party(document.buyer, language),
        "billing": _address(document.billing), "shipping": _address(document.shipping),
        "document": SimpleNamespace(
            id=document.id, kind=document.kind, title=title_of(document, language, notice),
            number=document.number, date=document.date, duedate=document.duedate,
            deliverydate=document.deliverydate, draft=document.draft,
            reference=document.buyer_reference, subject=document.subject,
            currency=document.currency, corrects=document.corrects, language=language,
            is_invoice=document.is_invoice, is_credit=document.is_credit,
            is_sale=document.is_sale),
        "lines": _lines(document, language),
        "vat": [SimpleNamespace(rate=v.rate, base=v.base, tax=v.vat) for v in totals.vat],
        "totals": SimpleNamespace(
            lines_net=totals.lines_net, discount=totals.discount, shipping=totals.shipping,
            net=totals.net, tax=totals.tax, gross=totals.gross, adjustment=totals.adjustment,
            total=totals.total, paid=document.paid, due=document.due),
        "payment": SimpleNamespace(
            terms_days=document.terms_days, duedate=document.duedate,
            penalty_rate=document.penalty_rate, indemnity=RECOVERY_INDEMNITY,
            vat_mention=document.vat_mention, mentions=payment_mentions(document, language),
            iban=own.iban, bic=own.bic, bank=own.bankname),
        "dunning": _dunning(dunning),
        "label": SimpleNamespace(**LABELS[language]),
        "draft_mark": LABELS[language]["draft"] if document.draft else "",
    }
