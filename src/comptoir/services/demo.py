"""The demo data set: Comptoir Informatique, a small French IT reseller and service company.

`comptoir demo` and `comptoir serve --demo` load it into a database that has no account
yet (`load_demo_if_empty`).  Every record is created through `records.create_record` as
the first administrator, so the rules, defaults and reference checks of the API apply.

It holds three groups and three demo users (created only if no user of that name exists;
an existing group of the same name is reused as it is):

    user    password     group      may write
    alice   demo-alice   Sales      accounts, contacts, opportunities, billing, tasks, notes
    bob     demo-bob     Support    tickets, tasks, projects, action steps, contacts, notes
    carol   demo-carol   Warehouse  inventory, procurement, price lists, notes

and 10 accounts (customers, prospects, suppliers) with company and person contacts, their
addresses and relations; 10 items (products and services) with suppliers, a billing and a
procurement price list; quotes, an order, invoices and a supplier order with line items
and totals; payments on two ledgers; 2 projects with tasks; support tickets (owned by the
Support group) with an action step; opportunities; notes associated with accounts; tags
and custom fields (extdata) on many of them.  Currency EUR, French VAT (20 %).

It also runs one whole sales cycle through the services of `docs/sales.md`, as a user
would: a quote for the Hôtel du Lac converted to an order, an advance invoice of 30 %, a
progress invoice at 50 %, the final invoice deducting the advance, a credit note of one
line of it, and one bank transfer allocated over the advance and the progress invoices; a
quote for the Cabinet Dupont whose lines take the key-account price list; and a supplier
order to Distri-Info received and invoiced.  Those documents carry the tag `cycle`.

Nothing is random: dates are whole days relative to the day of loading (invoices fall due
in the weeks around it); everything else is fixed.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NamedTuple

import sqlalchemy as sa

from comptoir.errors import ComptoirError
from comptoir.services import auth, invoicing, records, sales, settlement
from comptoir.services.access import Caller
from comptoir.storage.database import Database
from comptoir.storage.tables import TABLES

DAY = 86400
CENT = Decimal("0.01")
VAT = 20

#: group -> {permission identifier: writable}
GROUPS: dict[str, dict[str, bool]] = {
    "Sales": {"accounts": True, "contacts": True, "opportunities": True, "billing": True,
              "actionsteps": True, "calendar": True, "tasks": True, "notes": True,
              "payments": False, "pricelists": False, "inventory": False, "projects": False},
    "Support": {"tickets": True, "tasks": True, "projects": True, "actionsteps": True,
                "contacts": True, "notes": True, "calendar": True, "accounts": False,
                "inventory": False},
    "Warehouse": {"inventory": True, "procurement": True, "pricelists": True, "notes": True,
                  "accounts": False, "contacts": False},
}
#: (name, group, e-mail); the password is "demo-<name>"
USERS = (
    ("alice", "Sales", "alice.durand@comptoir-informatique.example"),
    ("bob", "Support", "bob.lambert@comptoir-informatique.example"),
    ("carol", "Warehouse", "carol.mercier@comptoir-informatique.example"),
)


class Office(NamedTuple):
    address: str
    postalcode: str
    city: str
    country: str
    phone: str
    email: str
    website: str


class Person(NamedTuple):
    title: str
    firstname: str
    lastname: str
    position: str
    email: str


class Account(NamedTuple):
    type: int  # 0=PROSPECT 1=CUSTOMER 2=SUPPLIER 3=CUSTOMERANDSUPPLIER
    company: str
    customernum: str
    suppliernum: str
    taxid: str
    tags: list[str]
    extdata: dict[str, Any]
    assignee: str | None
    office: Office  # the company contact
    person: Person  # its contact person


class Item(NamedTuple):
    itemnum: str
    name: str
    type: int  # 0=SIMPLE 6=NOSTOCK
    unit: str  # UN/CEFACT Recommendation 20
    purchaseprice: str  # decimal strings
    sellingprice: str
    weight: str
    manufacturer: str
    supplier: str | None  # account key
    tags: list[str]
    extdata: dict[str, Any]


ACCOUNTS: dict[str, Account] = {
    "dupont": Account(
        1, "Cabinet Dupont & Associés", "C-1001", "", "FR40512345678", ["key-account", "legal"],
        {"industry": "Legal services", "employees": 18}, "alice",
        Office("12 rue de la République", "69002", "Lyon", "FR", "+33 4 78 42 10 10",
               "contact@cabinet-dupont.example", "https://cabinet-dupont.example"),
        Person("Me", "Claire", "Dupont", "Associée gérante", "c.dupont@cabinet-dupont.example")),
    "lac": Account(
        1, "Hôtel du Lac", "C-1002", "", "FR73423456789", ["hospitality"],
        {"industry": "Hotel", "rooms": 42}, "alice",
        Office("5 quai Napoléon III", "74000", "Annecy", "FR", "+33 4 50 45 12 34",
               "reception@hoteldulac.example", "https://hoteldulac.example"),
        Person("M.", "Julien", "Favre", "Directeur", "j.favre@hoteldulac.example")),
    "martin": Account(
        1, "Boulangerie Martin", "C-1003", "", "FR12334567890", ["retail"],
        {"industry": "Bakery", "employees": 6}, "alice",
        Office("28 cours de l'Intendance", "33000", "Bordeaux", "FR", "+33 5 56 44 21 09",
               "boulangerie.martin@example.com", ""),
        Person("Mme", "Sophie", "Martin", "Gérante", "sophie.martin@example.com")),
    "moreau": Account(
        1, "Garage Moreau SARL", "C-1004", "", "FR55445678901", ["automotive"],
        {"industry": "Car repair", "employees": 9}, "alice",
        Office("7 boulevard des Poilus", "44300", "Nantes", "FR", "+33 2 40 49 77 20",
               "atelier@garage-moreau.example", "https://garage-moreau.example"),
        Person("M.", "Thierry", "Moreau", "Gérant", "t.moreau@garage-moreau.example")),
    "pharmacie": Account(
        1, "Pharmacie Centrale de Lille", "C-1005", "", "FR91556789012",
        ["key-account", "health"], {"industry": "Pharmacy", "employees": 11}, "alice",
        Office("3 rue Faidherbe", "59800", "Lille", "FR", "+33 3 20 55 60 70",
               "contact@pharmacie-centrale.example", ""),
        Person("Dr", "Anne", "Lefebvre", "Pharmacienne titulaire",
               "a.lefebvre@pharmacie-centrale.example")),
    "saintaubin": Account(
        0, "Mairie de Saint-Aubin", "", "", "", ["public-sector"],
        {"industry": "Local government"}, "alice",
        Office("Place de la Mairie", "91190", "Saint-Aubin", "FR", "+33 1 69 41 23 00",
               "accueil@saint-aubin.example", "https://saint-aubin.example"),
        Person("M.", "Marc", "Girard", "Directeur général des services",
               "m.girard@saint-aubin.example")),
    "bleu": Account(
        0, "Studio Graphique Bleu", "", "", "", ["creative"],
        {"industry": "Graphic design", "employees": 4}, "alice",
        Office("41 rue de la République", "13002", "Marseille", "FR", "+33 4 91 90 12 12",
               "hello@studio-bleu.example", "https://studio-bleu.example"),
        Person("Mme", "Léa", "Rousseau", "Directrice artistique", "lea@studio-bleu.example")),
    "distri": Account(
        2, "Distri-Info SA", "", "S-2001", "FR26667890123", ["distributor"],
        {"payment_terms": "30 days end of month"}, None,
        Office("Zone Delta, 14 rue du Pont des Halles", "94150", "Rungis", "FR",
               "+33 1 45 12 80 00", "commandes@distri-info.example",
               "https://distri-info.example"),
        Person("M.", "Nicolas", "Bernard", "Responsable grands comptes",
               "n.bernard@distri-info.example")),
    "schmidt": Account(
        2, "Elektro Schmidt GmbH", "", "S-2002", "DE123456789", ["distributor"],
        {"payment_terms": "14 days 2% discount"}, None,
        Office("Landsberger Straße 110", "80339", "München", "DE", "+49 89 5432 100",
               "vertrieb@elektro-schmidt.example", "https://elektro-schmidt.example"),
        Person("Frau", "Katrin", "Schmidt", "Vertrieb", "k.schmidt@elektro-schmidt.example")),
    "iberdata": Account(
        3, "Iberdata S.L.", "C-1006", "S-2003", "ESB12345674", ["network"],
        {"industry": "Network equipment"}, "alice",
        Office("Carrer de Pallars 193", "08005", "Barcelona", "ES", "+34 932 00 11 22",
               "info@iberdata.example", "https://iberdata.example"),
        Person("Sr.", "Jordi", "Puig", "Director comercial", "jordi.puig@iberdata.example")),
}

ITEMS: dict[str, Item] = {
    "laptop": Item("NB-14", "Ordinateur portable Novabook 14", 0, "C62", "620", "899", "1.4",
                   "Novatek", "distri", ["bestseller"], {"warranty_months": 36}),
    "screen": Item("EC-27", "Écran 27 pouces QHD", 0, "C62", "185", "279", "5.8", "Viewmax",
                   "schmidt", [], {"warranty_months": 36}),
    "dock": Item("DK-USBC", "Station d'accueil USB-C", 0, "C62", "95", "149", "0.6", "Novatek",
                 "distri", [], {"warranty_months": 24}),
    "keyboard": Item("CL-KM", "Ensemble clavier et souris sans fil", 0, "C62", "28", "49",
                     "0.9", "Logitek", "schmidt", [], {}),
    "wifi": Item("WIFI-AP6", "Borne Wi-Fi 6 professionnelle", 0, "C62", "110", "189", "0.7",
                 "Airwave", "iberdata", ["network"], {"warranty_months": 60}),
    "nas": Item("NAS-4B", "Serveur NAS 4 baies", 0, "C62", "410", "649", "4.2", "Datastor",
                "distri", [], {"warranty_months": 36}),
    "install": Item("SRV-INST", "Installation et mise en service", 6, "HUR", "0", "85", "0",
                    "", None, ["service"], {}),
    "support": Item("SRV-SUP", "Contrat de maintenance mensuel", 6, "MON", "0", "120", "0", "",
                    None, ["service"], {}),
    "training": Item("SRV-FORM", "Journée de formation", 6, "DAY", "0", "690", "0", "", None,
                     ["service"], {}),
    "travel": Item("SRV-DEP", "Frais de déplacement", 6, "C62", "0", "45", "0", "", None, [],
                   {}),
}
#: key-account selling prices (price list "Tarifs grands comptes")
KEY_ACCOUNT_PRICES = {"laptop": "849", "screen": "259", "dock": "139", "install": "75",
                      "support": "99"}
KEY_ACCOUNTS = ("dupont", "pharmacie")

# (key, type, number, account, status, day, due day, lines, tags, extdata)
# type: 0=BILLING_QUOTE 1=BILLING_ORDER 3=BILLING_INVOICE 6=PROCUREMENT_ORDER
# status: 0=DRAFT 1=BOOKED 17=PARTLYPAID 20=PAID; a line is (item, amount) or a title text
TRANSACTIONS: tuple[tuple[Any, ...], ...] = (
    ("q1", 0, "DE-2001", "saintaubin", 1, -10, 20,
     ["Renouvellement du parc informatique", ("laptop", 8), ("dock", 8), ("screen", 8),
      ("install", 12), ("training", 1)], ["public-sector"], {"tender": "MAPA-2025-014"}),
    ("q2", 0, "DE-2002", "bleu", 0, -2, 28, [("screen", 3), ("keyboard", 3)], [], {}),
    ("o1", 1, "CO-2001", "lac", 1, -20, 10,
     ["Couverture Wi-Fi des étages", ("wifi", 4), ("install", 6), ("travel", 1)], [],
     {"purchase_order": "BC-HDL-118"}),
    ("i1", 3, "FA-2001", "dupont", 20, -45, -15, [("laptop", 2), ("dock", 2), ("install", 3)],
     [], {}),
    ("i2", 3, "FA-2002", "pharmacie", 17, -25, 5, [("nas", 1), ("support", 3)], [], {}),
    ("i3", 3, "FA-2003", "moreau", 1, -5, 25, [("laptop", 1), ("keyboard", 1)], [], {}),
    ("p1", 6, "CF-2001", "distri", 1, -3, 11, [("laptop", 10), ("dock", 10)], ["restock"], {}),
)

# (project key, number, name, account, status, tags, tasks); status 3=APPROVED 5=ACTIVE
# task: (name, status, assignee, start day, due day, effort in hours)
# task status: 0=NOTSTARTED 2=ACCEPTED 4=ACTIVE 9=COMPLETED
PROJECTS: tuple[tuple[Any, ...], ...] = (
    ("migration", "PRJ-001", "Migration serveur – Cabinet Dupont", "dupont", 5, ["migration"], (
        ("Audit de l'existant", 9, "bob", -30, -25, 6),
        ("Sauvegarde complète des données", 9, "bob", -24, -22, 4),
        ("Installation du NAS", 4, "bob", -2, 3, 8),
        ("Migration des postes de travail", 0, "bob", 4, 10, 16),
        ("Formation des utilisateurs", 0, "alice", 12, 12, 7),
    )),
    ("wifi", "PRJ-002", "Déploiement Wi-Fi – Hôtel du Lac", "lac", 3, ["network"], (
        ("Relevé de couverture radio", 4, "bob", -1, 2, 4),
        ("Commande et réception des bornes", 2, "carol", 0, 7, 2),
        ("Pose et configuration des bornes", 0, "bob", 8, 10, 12),
    )),
)

# (number, name, account, status, priority, assignee, day, tags, description)
# status 0=NOTSTARTED 4=ACTIVE 6=FEEDBACKREQUIRED 9=COMPLETED; priority 1=LOW 2=MEDIUM 3=HIGH
TICKETS: tuple[tuple[Any, ...], ...] = (
    ("TK-1001", "Imprimante réseau hors ligne", "pharmacie", 4, 3, "bob", -1, ["printer"],
     "L'imprimante du comptoir n'apparaît plus sur le réseau depuis ce matin."),
    ("TK-1002", "Accès VPN impossible depuis l'extérieur", "dupont", 6, 3, "bob", -3, ["vpn"],
     "Deux avocats ne peuvent plus se connecter au VPN en déplacement."),
    ("TK-1003", "Écran qui scintille", "moreau", 9, 1, "bob", -12, ["hardware"],
     "Écran du poste de l'accueil ; câble remplacé, problème résolu."),
    ("TK-1004", "Mot de passe de messagerie oublié", "martin", 0, 2, None, 0, [],
     "Réinitialiser le mot de passe de la boîte boulangerie.martin."),
)

# (name, text, account, owning group or None for public)
NOTES: tuple[tuple[Any, ...], ...] = (
    ("Compte rendu de réunion – migration", "Validation du planning de migration : "
     "bascule le week-end, sauvegarde vérifiée la veille, formation la semaine suivante.",
     "dupont", None),
    ("Accès technique – Hôtel du Lac", "Local technique au sous-sol, clé à demander à la "
     "réception. Baie réseau : armoire B, prises 12 à 24.", "lac", "Support"),
    ("Procédure de retour fournisseur (RMA)", "Demander le numéro RMA au fournisseur avant "
     "tout envoi ; joindre la copie de la facture d'achat.", "distri", "Warehouse"),
)


def _money(value: Decimal) -> float:
    return float(value.quantize(CENT))


def _document_lines(lines: list[Any], item_ids: Mapping[str, int], prices: Mapping[str, str],
                    procurement: bool) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """The `items` JSON of a transaction and its totals (net, tax, margin, weight).
    (Only the demo computes totals today; they belong in `domain/` once transactions do.)"""
    out: list[dict[str, Any]] = []
    net = tax = cost = weight = Decimal(0)
    for line in lines:
        if isinstance(line, str):
            out.append({"type": 1, "text": line, "variant": 3})
            continue
        key, amount = line
        item = ITEMS[key]
        purchase = Decimal(item.purchaseprice)
        price = purchase if procurement else Decimal(prices.get(key, item.sellingprice))
        line_net = (price * amount).quantize(CENT)
        net += line_net
        tax += line_net * VAT / 100
        cost += purchase * amount
        weight += Decimal(item.weight) * amount
        out.append({"type": 0, "item": item_ids[key], "itemnum": item.itemnum,
                    "name": item.name, "itemtype": item.type, "unit": item.unit,
                    "amount": amount, "purchaseprice": float(purchase),
                    "sellingprice": float(price), "taxrate": VAT, "discount": 0,
                    "weight": float(item.weight)})
    totals = {"netamount": _money(net), "tax": _money(tax),
              "margin": 0.0 if procurement else _money(net - cost), "weight": float(weight)}
    return out, totals


#: the identity of the demo company (valid SIREN, SIRET, VAT number, IBAN and BIC)
COMPANY: dict[str, Any] = {
    "name": "Comptoir Informatique", "legalform": "SAS", "capital": 50000,
    "address": "18 rue des Tanneurs", "postalcode": "69001", "city": "Lyon", "country": "FR",
    "siren": "842917353", "siret": "84291735300018", "vatid": "FR95842917353",
    "rcs": "RCS Lyon 842 917 353", "email": "facturation@comptoir-informatique.fr",
    "phone": "+33 4 78 00 12 34", "website": "https://comptoir-informatique.fr",
    "bankname": "BNP Paribas Lyon Terreaux", "iban": "FR7630004012340001012345615",
    "bic": "BNPAFRPP", "paymentterms": 30,
}

#: the demo company's logo (SVG, base64)
_LOGO = base64.b64encode(b"""<svg xmlns="http://www.w3.org/2000/svg" width="240" height="64"
 viewBox="0 0 240 64"><rect x="0" y="8" width="48" height="48" rx="10" fill="#1f4e79"/>
<path d="M34 22a14 14 0 1 0 0 20" stroke="#fff" stroke-width="6" fill="none"
 stroke-linecap="round"/><text x="60" y="30" font-family="DejaVu Sans" font-size="18"
 font-weight="bold" fill="#1f4e79">Comptoir</text><text x="60" y="50"
 font-family="DejaVu Sans" font-size="13" fill="#4a6f8f">Informatique</text></svg>""").decode()


class _Loader:
    def __init__(self, db: Database, caller: Caller) -> None:
        self.db, self.caller = db, caller
        self.ids: dict[str, int] = {}
        self.today = int(time.time()) // DAY * DAY + 9 * 3600  # 09:00 UTC today

    def day(self, offset: int) -> int:
        return self.today + offset * DAY

    async def create(self, entity: str, body: dict[str, Any], key: str | None = None) -> int:
        record = await records.create_record(self.db, self.caller, entity, body)
        record_id = int(record.data["ID"])
        if key is not None:
            self.ids[key] = record_id
        return record_id

    async def people(self) -> None:
        for group, grants in GROUPS.items():
            group_id = await auth.find_group(self.db, group)
            if group_id is None:
                group_id = await auth.create_group(self.db, group, tuple(grants.items()))
            self.ids["group:" + group] = group_id
        for name, group, email in USERS:
            user_id = await auth.find_user(self.db, name)
            if user_id is None:
                user_id = await auth.create_user(self.db, name, f"demo-{name}", email=email,
                                                 group_names=(group,))
            self.ids["user:" + name] = user_id

    async def company(self) -> None:
        """The default company's identity, bank account and logo: what its documents print."""
        async with self.db.read() as conn:
            company_id = await conn.scalar(sa.select(TABLES["companies"].c.ID).order_by(
                TABLES["companies"].c.ID).limit(1))
        logo = await self.create("records", {"text": "Logo de Comptoir Informatique"})
        file_id = await self.create("files", {"record": logo, "filename": "logo.svg",
                                              "mimetype": "image/svg+xml",
                                              "binfile": {"content": _LOGO}})
        values = {**COMPANY, "logo": file_id}
        if company_id is None:
            company_id = await self.create("companies", {**values, "isdefault": 1})
        else:
            await records.update_record(self.db, self.caller, "companies", int(company_id),
                                        values)
        self.ids["company"] = int(company_id)

    async def accounts(self) -> None:
        for key, account in ACCOUNTS.items():
            office, person = account.office, account.person
            place = {"address": office.address, "postalcode": office.postalcode,
                     "city": office.city, "country": office.country, "phone": office.phone}
            company_id = await self.create("contacts", {
                "type": 0, "lastname": account.company, "email": office.email,
                "website": office.website, **place}, "contact:" + key)
            person_id = await self.create("contacts", {
                "type": 1, "title": person.title, "firstname": person.firstname,
                "lastname": person.lastname, "company": account.company,
                "position": person.position, "email": person.email, **place},
                "person:" + key)
            await self.create("contacts2contacts", {"contact1": person_id,
                                                    "contact2": company_id})
            assignee = account.assignee
            account_id = await self.create("accounts", {
                "type": account.type, "lastname": account.company,
                "customernum": account.customernum, "suppliernum": account.suppliernum,
                "taxid": account.taxid, "currency": "EUR", "contact": company_id,
                "tags": account.tags, "extdata": account.extdata,
                "assigneduser": self.ids["user:" + assignee] if assignee else None},
                "account:" + key)
            # billing addresses for customers and prospects, procurement ones for suppliers
            kind = account.type
            types = ([0, 1] if kind in (0, 1, 3) else []) + ([3] if kind in (2, 3) else [])
            for address_type in types:
                await self.create("addresses", {"account": account_id, "contact": company_id,
                                                "type": address_type, "default": 1})

    async def catalog(self) -> None:
        await self.create("pricelists", {
            "name": "Tarifs grands comptes", "type": 0, "currency": "EUR",
            "description": "Prix négociés pour les clients sous contrat de maintenance.",
            "tags": ["key-account"]}, "pricelist:key")
        await self.create("pricelists", {
            "name": "Achats Distri-Info", "type": 2, "currency": "EUR",
            "description": "Conditions d'achat négociées avec Distri-Info."}, "pricelist:buy")
        for key, item in ITEMS.items():
            item_id = await self.create("items", {
                "itemnum": item.itemnum, "name": item.name, "type": item.type,
                "unit": item.unit, "purchaseprice": float(item.purchaseprice),
                "sellingprice": float(item.sellingprice), "weight": float(item.weight),
                "manufacturer": item.manufacturer, "taxrate": VAT, "tags": item.tags,
                "extdata": item.extdata}, "item:" + key)
            supplier = item.supplier
            if supplier is not None:
                await self.create("suppliers", {
                    "item": item_id, "account": self.ids["account:" + supplier],
                    "itemnum": f"{supplier[:3].upper()}-{item.itemnum}",
                    "price": float(item.purchaseprice),
                    "deliverytime": 3 if supplier == "distri" else 7})
                if supplier == "distri":
                    await self.create("prices", {
                        "item": item_id, "pricelist": self.ids["pricelist:buy"],
                        "price": float(item.purchaseprice), "minamount": 5})
        for key, price in KEY_ACCOUNT_PRICES.items():
            await self.create("prices", {"item": self.ids["item:" + key],
                                         "pricelist": self.ids["pricelist:key"],
                                         "price": float(price)})
        for key in KEY_ACCOUNTS:
            await self.create("pricelists2accounts", {"pricelist": self.ids["pricelist:key"],
                                                      "account": self.ids["account:" + key]})

    async def sales(self) -> None:
        bank = await self.create("ledgers", {"name": "Banque – compte courant"}, "ledger:bank")
        await self.create("ledgers", {"name": "Caisse"})
        item_ids = {k[5:]: v for k, v in self.ids.items() if k.startswith("item:")}
        for (key, kind, number, account_key, status, day, due, lines, tags,
             extdata) in TRANSACTIONS:
            procurement = kind >= 5
            prices = KEY_ACCOUNT_PRICES if account_key in KEY_ACCOUNTS else {}
            items, totals = _document_lines(lines, item_ids, prices, procurement)
            account = ACCOUNTS[account_key]
            company, office = account.company, account.office
            place = {"recipient": company, "address": office.address,
                     "postalcode": office.postalcode, "city": office.city,
                     "country": office.country}
            body = {"type": kind, "transactionnum": number, "status": status,
                    "account": self.ids["account:" + account_key], "currency": "EUR",
                    "date": self.day(day), "duedate": self.day(due), "items": items,
                    "taxid": account.taxid, "tags": tags, "extdata": extdata,
                    **totals, **{"billing" + k: v for k, v in place.items()},
                    **{"shipping" + k: v for k, v in place.items()}}
            if procurement:
                body["ownergroup"] = self.ids["group:Warehouse"]
            else:
                body["assigneduser"] = self.ids["user:alice"]
            await self.create("transactions", body, "transaction:" + key)
            gross = Decimal(str(totals["netamount"])) + Decimal(str(totals["tax"]))
            paid = {20: gross, 17: (gross / 2).quantize(CENT)}.get(status)
            if paid is not None:
                await self.create("payments", {
                    "transaction": self.ids["transaction:" + key], "amount": float(paid),
                    "date": self.day(min(day + 20, -1)), "ledger": bank, "status": 3,
                    "subject": f"Virement {company} {number}"})
        await self.create("payments", {
            "account": self.ids["account:lac"], "amount": 500.0, "date": self.day(-18),
            "ledger": bank, "status": 3, "subject": "Acompte commande CO-2001",
            "tags": ["deposit"]})
        await self.create("opportunities", {
            "name": "Équipement informatique de la mairie", "opportunitynum": "OP-001",
            "account": self.ids["account:saintaubin"],
            "contact": self.ids["person:saintaubin"], "status": 4, "probability": 60,
            "mostlikely": 13500, "upside": 16000, "worstcase": 9000,
            "duedate": self.day(30), "assigneduser": self.ids["user:alice"]})
        await self.create("opportunities", {
            "name": "Renouvellement des écrans du studio", "opportunitynum": "OP-002",
            "account": self.ids["account:bleu"], "contact": self.ids["person:bleu"],
            "status": 3, "probability": 40, "mostlikely": 1000, "upside": 1500,
            "worstcase": 600, "duedate": self.day(21),
            "assigneduser": self.ids["user:alice"]})
        await self.create("actionsteps", {
            "name": "Appel de découverte", "account": self.ids["account:bleu"],
            "date": self.day(-6), "effort": 20, "status": 1,
            "assigneduser": self.ids["user:alice"],
            "description": "Besoin : 3 écrans calibrés pour la retouche photo."})

    async def work(self) -> None:
        for key, number, name, account, status, tags, tasks in PROJECTS:
            project_id = await self.create("projects", {
                "projectnum": number, "name": name, "account": self.ids["account:" + account],
                "status": status, "assigneduser": self.ids["user:bob"], "tags": tags},
                "project:" + key)
            for position, (task, task_status, assignee, start, due, hours) in enumerate(tasks):
                await self.create("tasks", {
                    "tasknum": f"{number}-{position + 1:02d}", "name": task,
                    "project": project_id, "status": task_status,
                    "assigneduser": self.ids["user:" + assignee], "datefrom": self.day(start),
                    "duedate": self.day(due), "projectedeffort": hours * 60})
        for (number, name, account, status, priority, assignee, day, tags,
             description) in TICKETS:
            ticket_id = await self.create("tickets", {
                "ticketnum": number, "name": name, "account": self.ids["account:" + account],
                "status": status, "priority": priority, "date": self.day(day),
                "duedate": self.day(day + 2), "description": description,
                "ownergroup": self.ids["group:Support"], "tags": tags,
                "extdata": {"sla_hours": 8 if priority >= 3 else 24},
                "assigneduser": self.ids["user:" + assignee] if assignee else None},
                "ticket:" + number)
            if status == 4:
                await self.create("tasks", {
                    "name": f"Intervention sur site – {name}", "ticket": ticket_id,
                    "status": 2, "assigneduser": self.ids["user:bob"],
                    "datefrom": self.day(1), "duedate": self.day(1), "projectedeffort": 90})
                await self.create("actionsteps", {
                    "name": "Diagnostic à distance", "ticket": ticket_id, "effort": 30,
                    "date": self.day(day), "status": 1, "assigneduser": self.ids["user:bob"]})
        for name, text, account, group in NOTES:
            note_id = await self.create("notes", {
                "name": name, "text": text, "contenttype": "text/plain",
                "ownergroup": self.ids["group:" + group] if group else None})
            await self.create("associations", {
                "entity1": "notes", "index1": note_id,
                "entity2": "accounts", "index2": self.ids["account:" + account]})


    async def document(self, kind: int, account: str, lines: list[tuple[str, int]], *,
                       priced: bool = True) -> int:
        """A draft with line items (the item's price unless the price lists give it)."""
        record_id = await self.create("transactions", {
            "type": kind, "account": self.ids["account:" + account], "currency": "EUR",
            "subject": ACCOUNTS[account].company, "tags": ["cycle"],
            "assigneduser": self.ids["user:alice"]})
        for sequence, (key, quantity) in enumerate(lines, 1):
            item = ITEMS[key]
            price = item.purchaseprice if kind >= 5 else item.sellingprice
            await self.create("lineitems", {
                "transaction": record_id, "sequence": sequence, "item": self.ids["item:" + key],
                "quantity": quantity, "tax1": VAT, "comment": item.name,
                **({"listprice": float(price)} if priced else {})})
        return record_id

    async def issue(self, record_id: int) -> int:
        await sales.issue_document(self.db, self.caller, record_id, {})
        return record_id

    async def made(self, action: Any, record_id: int, body: dict[str, Any]) -> int:
        """The draft an action makes, issued."""
        return await self.issue(int((await action(self.db, self.caller, record_id, body))
                                    .data["ID"]))

    async def cycle(self) -> None:
        quote = await self.issue(await self.document(
            0, "lac", [("wifi", 6), ("install", 8), ("support", 12)]))
        order = await self.made(sales.convert_document, quote, {"type": "BILLING_ORDER"})
        advance = await self.made(invoicing.advance_invoice, order, {"percent": "30"})
        progress = await self.made(invoicing.progress_invoice, order, {"percent": "50"})
        final = await self.made(sales.convert_document, order, {"type": "BILLING_INVOICE"})
        async with self.db.read() as conn:
            first_line = await conn.scalar(sa.select(TABLES["lineitems"].c.ID).where(
                TABLES["lineitems"].c.transaction == final).order_by(
                TABLES["lineitems"].c.sequence).limit(1))
        await self.made(sales.convert_document, final, {
            "type": "BILLING_CREDIT", "lines": [{"line": first_line, "quantity": 1}]})
        paid = Decimal(0)
        async with self.db.read() as conn:
            for invoice in (advance, progress):
                paid += Decimal(str(await conn.scalar(sa.select(
                    TABLES["transactions"].c.grandtotal).where(
                    TABLES["transactions"].c.ID == invoice))))
        payment = await self.create("payments", {
            "account": self.ids["account:lac"], "amount": float(paid), "means": 0,
            "date": self.day(-1), "ledger": self.ids["ledger:bank"], "status": 3,
            "subject": "Virement Hôtel du Lac", "tags": ["cycle"]})
        await settlement.allocate_payment(self.db, self.caller, payment, {"allocations": [
            {"transaction": advance}, {"transaction": progress}]})
        # the key account's quote: its lines take the price list's prices
        await self.issue(await self.document(0, "dupont", [("laptop", 4), ("screen", 4)],
                                             priced=False))
        # restocking: ordered, received, invoiced by the supplier
        supplier_order = await self.issue(await self.document(
            6, "distri", [("laptop", 5), ("dock", 5)]))
        await self.made(sales.convert_document, supplier_order, {"type": "PROCUREMENT_DELIVERY"})
        await self.made(sales.convert_document, supplier_order,
                        {"type": "PROCUREMENT_INVOICE"})


async def load_demo_if_empty(db: Database) -> bool:
    """Load the demo data set unless the database already has an account; True if loaded.
    Needs an administrator (`comptoir serve` and `comptoir demo` create `admin` first)."""
    accounts = TABLES["accounts"]
    async with db.read() as conn:
        if await conn.scalar(sa.select(accounts.c.ID).limit(1)) is not None:
            return False
    admin = await auth.first_admin(db)
    if admin is None:
        raise ComptoirError("the demo data needs an administrator: create one first")
    async with db.read() as conn:
        caller = await auth.load_caller(conn, admin)
    loader = _Loader(db, caller)
    await loader.people()
    await loader.company()
    await loader.accounts()
    await loader.catalog()
    await loader.sales()
    await loader.work()
    await loader.cycle()
    return True
