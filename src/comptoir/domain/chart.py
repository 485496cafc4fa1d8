"""The French chart of accounts (Plan comptable général, PCG) and the aggregates of the
balance sheet and income statement built from account balances.  Pure: strings and
`Decimal` in, dataclasses out.

    statements({"512": Decimal("100"), "101": Decimal("-100")}).total_assets  # 100

**The chart.**  `PCG` is the list of accounts of ANC regulation 2014-03 (art. 932-1,
"Liste des comptes"), in its version consolidated at 1 January 2026, that is as
amended by ANC regulation 2022-06 (modernisation des états financiers, homologated by the
arrêté of 26 December 2023, mandatory for financial years opened from 1 January 2025).  It
holds every class 1-7 account of two and three digits the regulation lists, and the four-
and five-digit accounts a small business posts to, with their official names (apostrophes
written ', dashes -).  Class 8 (special accounts) is left out.  Following ANC 2022-06:

- the transfers of charges (791, 796, 797) are gone: a charge booked in the wrong account
  is credited to it, re-invoicing goes to 708, personnel refunds to 649, insurance
  indemnities to 7587;
- the exceptional result only holds major and unusual events: 671, 675, 771, 775 and 777
  are gone; disposals of intangible and tangible fixed assets go to 657 / 757, of
  financial ones to 6671 / 7671, and the share of investment subsidies to 747;
- 73 (produits nets partiels sur opérations à long terme) is gone, 70 is renamed
  "Ventes de produits fabriqués, prestations de services, marchandises".

Six accounts are subdivisions the PCG lets an entity open (art. 933-1: any subdivision
it needs) rather than accounts it lists: 514 "Chèques postaux" (listed until 2024), 530
"Caisse" and 580 "Virements internes" (a terminal zero makes the global account of the
level above, art. 933-3: most software posts to them for 53 and 58), 6091 and 6097 (609
has "the same breakdown as 60"), and 44574 "TVA collectée sur encaissements (en
attente)", where the VAT of services invoiced but not yet paid waits until it is due (CGI
art. 269, 2-c: VAT on services is due on payment).

411 (customers) and 401 (suppliers) are the collective accounts whose subsidiary accounts
(comptes auxiliaires, one per third party) the FEC lists in CompAuxNum (`auxiliary`);
401, 411, 4091, 4191, 467, 471, 472 and 580 are lettered (`lettering`): their entries are
matched to each other until they balance (an invoice and its payments).

**Account numbers** (`check_number`): 2 to 12 digits, the first (the class) 1 to 8.  The
PCG numbers accounts by decimal subdivision (art. 933-2): an account's parent is the
longest account of the chart whose number is a strict prefix of it (`parent_of`).

**The statements** (`statements`) follow the simplified annual accounts of the "régime
réel simplifié", the tax forms 2033-A (bilan simplifié) and 2033-B (compte de résultat
simplifié), whose box numbers are the line codes, amounts being net (gross less
depreciation, the depreciation kept on the line).  Each account goes to one line chosen by
the longest prefix of `STATEMENT_MAP`, which gives a line for a debit balance and a line for
a credit balance: most accounts have the same line for both (a depreciation account's
credit balance reduces its asset line, a credit on 6037 reduces the charges), but a
balance that changes the nature of the account changes its side, because an asset may
never be offset against a liability (Code de commerce art. L123-19, third paragraph):

- a bank (51, but 519) with a credit balance is an overdraft: "Emprunts et dettes
  assimilées" (156);
- a customer (41) with a credit balance owes us nothing: "Autres dettes" (172); a
  supplier (40) with a debit balance is a receivable: "Autres créances" (072);
- 42 to 47 (staff, social bodies, the State, VAT included, partners, sundry): a debit
  balance is a receivable (072), a credit one a debt (172); a partner's current account
  (455) in credit is a borrowing (156);
- 488 goes to prepaid charges (092) in debit, to deferred income (174) in credit.

The split is made account by account, on the balance given for each number: pass the
balance of each subsidiary account (each customer) as its own number if a customer in
credit must not reduce the others.  The year's result (classes 6 and 7) goes to line 136
"Résultat de l'exercice" with the balance of the 12 accounts, so that the balance sheet
balances whenever the balances sum to 0.  Numbers of class 8 belong to no statement and are
returned as `unmapped`.

Choices where the forms leave room: primes (104) and other reserves go to "Autres
réserves" (132); investment subsidies (13) are shown with the regulated provisions (140);
the stocks of products (35) with raw materials and work in progress (050); 229 (rights of
the grantor) reduces the tangible assets (028); 404/405/4084 (fixed-asset suppliers) are
"Autres dettes" (172); 481 (loan issue costs) goes with prepaid charges (092); instruments
and tokens (52) with marketable securities (080).  In the income statement 747 (share of
investment subsidies, operating since ANC 2022-06) and the operating write-backs (781) are
"Autres produits" (230), 691 (employee profit-sharing) is counted with the income tax (306).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from comptoir.errors import InvalidFieldError

ZERO = Decimal(0)
#: the auxiliary kinds of a collective account
AUXILIARIES = ("", "customers", "suppliers")
MIN_DIGITS = 2
MAX_DIGITS = 12
_NUMBER = re.compile(r"[1-8][0-9]*")


@dataclass(frozen=True, slots=True)
class ChartAccount:
    number: str
    name: str
    #: "" | "customers" | "suppliers": a collective account with subsidiary accounts
    auxiliary: str = ""
    #: its entries are matched (lettered) until they balance
    lettering: bool = False


def check_number(number: str, field: str = "number") -> str:
    """`number` stripped, when it is 2 to 12 digits whose first (the class) is 1 to 8;
    else InvalidFieldError(field)."""
    number = number.strip()
    if not number.isascii() or not number.isdigit():
        raise InvalidFieldError(field, "must be digits only")
    if not MIN_DIGITS <= len(number) <= MAX_DIGITS:
        raise InvalidFieldError(field, f"must have {MIN_DIGITS} to {MAX_DIGITS} digits")
    if not _NUMBER.fullmatch(number):
        raise InvalidFieldError(field, "must start with the class of the account, 1 to 8")
    return number


def account_class(number: str) -> int:
    """The class of an account, its first digit (1 to 8); InvalidFieldError "number" when
    `number` is not an account number."""
    return int(check_number(number)[0])


def parent_of(number: str, chart_numbers: Collection[str]) -> str | None:
    """The longest number of `chart_numbers` that is a strict prefix of `number`, None
    when there is none (a two-digit account of the PCG)."""
    numbers = chart_numbers if isinstance(chart_numbers, (set, frozenset)) else set(chart_numbers)
    for length in range(len(number) - 1, 0, -1):
        if number[:length] in numbers:
            return number[:length]
    return None


_LETTERED = frozenset({"401", "411", "4091", "4191", "467", "471", "472", "580"})
_AUXILIARY = {"411": "customers", "401": "suppliers"}
# number, a space, the official name; in number order
_PCG_TEXT = """
10 Capital et réserves
101 Capital
1011 Capital souscrit - non appelé
1012 Capital souscrit - appelé, non versé
1013 Capital souscrit - appelé, versé
102 Fonds fiduciaires
104 Primes liées au capital
1041 Primes d'émission
105 Écarts de réévaluation
106 Réserves
1061 Réserve légale
1062 Réserves indisponibles
1063 Réserves statutaires ou contractuelles
1064 Réserves réglementées
1068 Autres réserves
107 Écart d'équivalence
108 Compte de l'exploitant
109 Actionnaires : capital souscrit - non appelé
11 Report à nouveau
110 Report à nouveau - solde créditeur
119 Report à nouveau - solde débiteur
12 Résultat de l'exercice
120 Résultat de l'exercice - bénéfice
1209 Acomptes sur dividendes
129 Résultat de l'exercice - perte
13 Subventions d'investissement
131 Subventions d'investissement octroyées
139 Subventions d'investissement inscrites au compte de résultat
14 Provisions réglementées
143 Provisions réglementées pour hausse de prix
145 Amortissements dérogatoires
148 Autres provisions réglementées
15 Provisions
151 Provisions pour risques
1511 Provisions pour litiges
1512 Provisions pour garanties données aux clients
1518 Autres provisions pour risques
152 Provisions pour charges
1521 Provisions pour pensions et obligations similaires
1523 Provisions pour impôts
16 Emprunts et dettes assimilées, fonds non remboursables et avances conditionnées
161 Emprunts obligataires convertibles si non-inscrits dans le compte 167
162 Obligations représentatives de passifs nets remis en fiducie si non-inscrites dans le compte 167
163 Autres emprunts obligataires si non-inscrits dans le compte 167
164 Emprunts auprès des établissements de crédit si non-inscrits dans le compte 167
1648 Intérêts courus sur emprunts auprès des établissements de crédit
165 Dépôts et cautionnements reçus
166 Participation des salariés aux résultats
167 Fonds non remboursables et avances conditionnées
168 Autres emprunts et dettes assimilées
1681 Autres emprunts
1688 Intérêts courus sur autres emprunts et dettes assimilées
169 Primes de remboursement des emprunts
17 Dettes rattachées à des participations
171 Dettes rattachées à des participations - groupe
174 Dettes rattachées à des participations - hors groupe
178 Dettes rattachées à des sociétés en participation
18 Comptes de liaison des établissements et sociétés en participation
181 Comptes de liaison des établissements
186 Biens et prestations de services échangés entre établissements - charges
187 Biens et prestations de services échangés entre établissements - produits
188 Comptes de liaison des sociétés en participation
20 Immobilisations incorporelles et frais d'établissement
201 Frais d'établissement
203 Frais de développement
205 Concessions et droits similaires, brevets, licences, marques, procédés, solutions informatiques, droits et valeurs similaires
206 Droit au bail
207 Fonds commercial
208 Autres immobilisations incorporelles
21 Immobilisations corporelles
211 Terrains
212 Agencements et aménagements de terrains (même ventilation que celle du compte 211)
213 Constructions
2131 Bâtiments
2135 Installations générales - agencements - aménagements des constructions
214 Constructions sur sol d'autrui (même ventilation que celle du compte 213)
215 Installations techniques, matériels et outillages industriels
2154 Matériels industriels
2155 Outillages industriels
218 Autres immobilisations corporelles
2181 Installations générales, agencements, aménagements divers
2182 Matériel de transport
2183 Matériel de bureau et matériel informatique
2184 Mobilier
22 Immobilisations mises en concession
229 Droits du concédant (présentés dans la rubrique autres fonds propres)
23 Immobilisations en cours, avances et acomptes
231 Immobilisations corporelles en cours
232 Immobilisations incorporelles en cours
237 Avances et acomptes versés sur commandes d'immobilisations incorporelles
238 Avances et acomptes versés sur commandes d'immobilisations corporelles
26 Participations et créances rattachées à des participations
261 Titres de participation
262 Titres évalués par équivalence
266 Autres formes de participation
267 Créances rattachées à des participations
268 Créances rattachées à des sociétés en participation
269 Versements restant à effectuer sur titres de participation non libérés
27 Autres immobilisations financières
271 Titres immobilisés autres que les titres immobilisés de l'activité de portefeuille (droit de propriété)
272 Titres immobilisés (droit de créance)
273 Titres immobilisés de l'activité de portefeuille
274 Prêts
275 Dépôts et cautionnements versés
2751 Dépôts
2755 Cautionnements
276 Autres créances immobilisées
277 Actions propres ou parts propres
278 Mali de fusion sur actifs financiers
279 Versements restant à effectuer sur titres immobilisés non libérés
28 Amortissements des immobilisations
280 Amortissements des immobilisations incorporelles et des frais d'établissement (même ventilation que celle du compte 20)
2801 Frais d'établissement (même ventilation que celle du compte 201)
2803 Frais de développement
2805 Concessions et droits similaires, brevets, licences, solutions informatiques, droits et valeurs similaires
2806 Droit au bail
2807 Fonds commercial
2808 Autres immobilisations incorporelles
281 Amortissements des immobilisations corporelles (même ventilation que celle du compte 21)
2812 Agencements, aménagements de terrains (même ventilation que celle du compte 212)
2813 Constructions (même ventilation que celle du compte 213)
2814 Constructions sur sol d'autrui (même ventilation que celle du compte 214)
2815 Installations, matériel et outillage industriels (même ventilation que celle du compte 215)
2818 Autres immobilisations corporelles (même ventilation que celle du compte 218)
28181 Installations générales, agencements, aménagements divers
28182 Matériel de transport
28183 Matériel de bureau et matériel informatique
28184 Mobilier
282 Amortissements des immobilisations mises en concession
29 Dépréciations des immobilisations
290 Dépréciations des immobilisations incorporelles
2905 Marques, procédés, droits et valeurs similaires
2907 Fonds commercial
2908 Autres immobilisations incorporelles
291 Dépréciations des immobilisations corporelles
292 Dépréciations des immobilisations mises en concession
293 Dépréciations des immobilisations en cours
296 Dépréciations des participations et créances rattachées à des participations
297 Dépréciations des autres immobilisations financières
31 Matières premières et fournitures
32 Autres approvisionnements
321 Matières consommables
322 Fournitures consommables
326 Emballages
33 En-cours de production de biens
331 Produits en cours
335 Travaux en cours
34 En-cours de production de services
341 Études en cours
345 Prestations de services en cours
35 Stocks de produits
351 Produits intermédiaires
355 Produits finis
358 Produits résiduels ou matières de récupération
36 (Compte à ouvrir, le cas échéant, sous l'intitulé « Stocks provenant d'immobilisations »)
37 Stocks de marchandises
38 (Le compte 38 peut être utilisé pour comptabiliser les stocks en voie d'acheminement, mis en dépôt ou donnés en consignation)
39 Dépréciations des stocks et en-cours
391 Dépréciations des matières premières et fournitures
392 Dépréciations des autres approvisionnements
393 Dépréciations des en-cours de production de biens
394 Dépréciations des en-cours de production de services
395 Dépréciations des stocks de produits
397 Dépréciations des stocks de marchandises
40 Fournisseurs et comptes rattachés
401 Fournisseurs
4011 Fournisseurs - Achats de biens et prestations de services
4017 Fournisseurs - Retenues de garantie
403 Fournisseurs - Effets à payer
404 Fournisseurs d'immobilisations
4041 Fournisseurs - Achats d'immobilisations
4047 Fournisseurs d'immobilisations - Retenues de garantie
405 Fournisseurs d'immobilisations - Effets à payer
408 Fournisseurs - Factures non parvenues
4081 Fournisseurs
4084 Fournisseurs d'immobilisations
4088 Fournisseurs - Intérêts courus
409 Fournisseurs débiteurs
4091 Fournisseurs - Avances et acomptes versés sur commandes
4096 Fournisseurs - Créances pour emballages et matériel à rendre
4097 Fournisseurs - Autres avoirs
4098 Rabais, remises, ristournes à obtenir et autres avoirs non encore reçus
41 Clients et comptes rattachés
411 Clients
4111 Clients - Ventes de biens ou de prestations de services
4117 Clients - Retenues de garantie
413 Clients - Effets à recevoir
416 Clients douteux ou litigieux
418 Clients - Produits non encore facturés
4181 Clients - Factures à établir
4188 Clients - Intérêts courus
419 Clients créditeurs
4191 Clients - Avances et acomptes reçus sur commandes
4196 Clients - Dettes sur emballages et matériels consignés
4197 Clients - Autres avoirs
4198 Rabais, remises, ristournes à accorder et autres avoirs à établir
42 Personnel et comptes rattachés
421 Personnel - Rémunérations dues
422 Comité social et économique
424 Participation des salariés aux résultats
425 Personnel - Avances et acomptes et autres comptes débiteurs
426 Personnel - Dépôts
427 Personnel - Oppositions
428 Personnel - Charges à payer
4282 Dettes provisionnées pour congés à payer
4286 Autres charges à payer
43 Sécurité sociale et autres organismes sociaux
431 Sécurité sociale
437 Autres organismes sociaux
438 Organismes sociaux - Charges à payer
4382 Charges sociales sur congés à payer
4386 Autres charges à payer
439 Organismes sociaux - Produits à recevoir
44 État et autres collectivités publiques
441 État - Subventions et aides à recevoir
442 Contributions, impôts et taxes recouvrés pour le compte de l'État
4421 Prélèvements à la source (Impôt sur le revenu)
444 État - Impôts sur les bénéfices
445 État - Taxes sur le chiffre d'affaires
4452 TVA due intracommunautaire
4455 Taxes sur le chiffre d'affaires à décaisser
44551 TVA à décaisser
44558 Taxes assimilées à la TVA
4456 Taxes sur le chiffre d'affaires déductibles
44562 TVA sur immobilisations
44563 TVA transférée par d'autres entités
44566 TVA sur autres biens et services
44567 Crédit de TVA à reporter
44568 Taxes assimilées à la TVA
4457 Taxes sur le chiffre d'affaires collectées
44571 TVA collectée
44574 TVA collectée sur encaissements (en attente)
44578 Taxes assimilées à la TVA
4458 Taxes sur le chiffre d'affaires à régulariser ou en attente
44581 Acomptes - Régime simplifié d'imposition
44583 Remboursement de taxes sur le chiffre d'affaires demandé
44584 TVA récupérée d'avance
44586 Taxes sur le chiffre d'affaires sur factures non parvenues
44587 Taxes sur le chiffre d'affaires sur factures à établir
446 Obligations cautionnées
447 Autres impôts, taxes et versements assimilés
448 État - Charges à payer et produits à recevoir
4481 État - Charges à payer
4482 État - Produits à recevoir
449 Quotas d'émission à acquérir
45 Groupe et associés
451 Groupe
455 Associés - Comptes courants
4551 Principal
4558 Intérêts courus
456 Associés - Opérations sur le capital
457 Associés - Dividendes à payer
458 Associés - Opérations faites en commun et en GIE
46 Débiteurs divers et créditeurs divers
462 Créances sur cessions d'immobilisations
464 Dettes sur acquisitions de valeurs mobilières de placement
465 Créances sur cessions de valeurs mobilières de placement
467 Divers comptes débiteurs et produits à recevoir
468 Divers comptes créditeurs et charges à payer
47 Comptes transitoires ou d'attente
471 Comptes d'attente
472 Comptes d'attente
473 Comptes d'attente
474 Différences d'évaluation - Actif
475 Différences d'évaluation - Passif
476 Différence de conversion - Actif
477 Différences de conversion - Passif
478 Autres comptes transitoires
48 Comptes de régularisation
481 Frais d'émission des emprunts
486 Charges constatées d'avance
487 Produits constatés d'avance
488 Comptes de répartition périodique des charges et des produits
49 Dépréciations des comptes de tiers
491 Dépréciations des comptes de clients
495 Dépréciations des comptes du groupe et des associés
496 Dépréciations des comptes de débiteurs divers
50 Valeurs mobilières de placement
502 Actions propres
503 Actions
504 Autres titres conférant un droit de propriété
505 Obligations et bons émis par la société et rachetés par elle
506 Obligations
507 Bons du Trésor et bons de caisse à court terme
508 Autres valeurs mobilières de placement et autres créances assimilées
509 Versements restant à effectuer sur valeurs mobilières de placement non libérées
51 Banques, établissements financiers et assimilés
511 Valeurs à l'encaissement
5112 Chèques à encaisser
5113 Effets à l'encaissement
5114 Effets à l'escompte
512 Banques
5121 Comptes en euros
5124 Comptes en devises
514 Chèques postaux
517 Autres organismes financiers
518 Intérêts courus
5181 Intérêts courus à payer
5188 Intérêts courus à recevoir
519 Concours bancaires courants
52 Instruments financiers à terme et jetons détenus
521 Instruments financiers à terme
522 Jetons détenus
523 Jetons auto-détenus
524 Jetons empruntés
53 Caisse
530 Caisse
58 Virements internes
580 Virements internes
59 Dépréciations des comptes financiers
590 Dépréciations des valeurs mobilières de placement
60 Achats (sauf 603)
601 Achats stockés - Matières premières et fournitures
602 Achats stockés - Autres approvisionnements
603 Variation des stocks d'approvisionnements et de marchandises
6031 Variation des stocks de matières premières et fournitures
6032 Variation des stocks des autres approvisionnements
6037 Variation des stocks de marchandises
604 Achats d'études et prestations de services
605 Achats de matériel, équipements et travaux
606 Achats non stockés de matière et fournitures
6061 Fournitures non stockables (eau, énergie, etc.)
6063 Fournitures d'entretien et de petit équipement
6064 Fournitures administratives
6068 Autres matières et fournitures
607 Achats de marchandises
608 (Compte réservé, le cas échéant, au regroupement des frais accessoires incorporés aux achats)
609 Rabais, remises et ristournes obtenus sur achats (même ventilation que celle du compte 60)
6091 Rabais, remises et ristournes obtenus sur achats de matières premières et fournitures
6097 Rabais, remises et ristournes obtenus sur achats de marchandises
6098 Rabais, remises et ristournes non affectés
61 Services extérieurs
611 Sous-traitance générale
612 Redevances de crédit-bail
6122 Crédit-bail mobilier
6125 Crédit-bail immobilier
613 Locations
6132 Locations immobilières
6135 Locations mobilières
614 Charges locatives et de copropriété
615 Entretien et réparation
6152 Entretien et réparation sur biens immobiliers
6155 Entretien et réparation sur biens mobiliers
6156 Maintenance
616 Primes d'assurances
6161 Multirisques
617 Études et recherches
618 Divers
6181 Documentation générale
6183 Documentation technique
6185 Frais de colloques, séminaires, conférences
619 Rabais, remises et ristournes obtenus sur services extérieurs
62 Autres services extérieurs
621 Personnel extérieur à l'entité
6211 Personnel intérimaire
622 Rémunérations d'intermédiaires et honoraires
6221 Commissions et courtages sur achats
6222 Commissions et courtages sur ventes
6225 Rémunérations d'affacturage
6226 Honoraires
6227 Frais d'actes et de contentieux
6228 Divers
623 Publicité, publications, relations publiques
6231 Annonces et insertions
6233 Foires et expositions
6234 Cadeaux à la clientèle
6236 Catalogues et imprimés
6238 Divers (pourboires, dons courants)
624 Transports de biens et transports collectifs du personnel
6241 Transports sur achats
6242 Transports sur ventes
6248 Divers
625 Déplacements, missions et réceptions
6251 Voyages et déplacements
6256 Missions
6257 Réceptions
626 Frais postaux et de télécommunications
627 Services bancaires et assimilés
6278 Autres frais et commissions sur prestations de services
628 Divers
6281 Concours divers (cotisations)
6284 Frais de recrutement de personnel
629 Rabais, remises et ristournes obtenus sur autres services extérieurs
63 Impôts, taxes et versements assimilés
631 Impôts, taxes et versements assimilés sur rémunérations (administrations des impôts)
6311 Taxe sur les salaires
633 Impôts, taxes et versements assimilés sur rémunérations (autres organismes)
6333 Contribution unique des employeurs à la formation professionnelle
635 Autres impôts, taxes et versements assimilés (administrations des impôts)
6351 Impôts directs (sauf impôts sur les bénéfices)
63511 Contribution économique territoriale
63512 Taxes foncières
63513 Autres impôts locaux
6352 Taxe sur le chiffre d'affaires non récupérables
6353 Impôts indirects
6354 Droits d'enregistrement et de timbre
6358 Autres droits
637 Autres impôts, taxes et versements assimilés (autres organismes)
638 Rappel d'impôts (autres qu'impôts sur les bénéfices)
64 Charges de personnel
641 Rémunérations du personnel
6411 Salaires, appointements
6412 Congés payés
6413 Primes et gratifications
6414 Indemnités et avantages divers
644 Rémunération du travail de l'exploitant
645 Cotisations de sécurité sociale et de prévoyance
6451 Cotisations à l'Urssaf
6452 Cotisations aux mutuelles
6453 Cotisations aux caisses de retraites
6454 Cotisations à Pôle emploi
6458 Cotisations aux autres organismes sociaux
646 Cotisations sociales personnelles de l'exploitant
647 Autres cotisations sociales
6475 Médecine du travail, pharmacie
648 Autres charges de personnel
649 Remboursements de charges de personnel
65 Autres charges de gestion courante
651 Redevances pour concessions, brevets, licences, marques, procédés, solutions informatiques, droits et valeurs similaires
653 Rémunérations de l'activité des administrateurs et des gérants
654 Pertes sur créances irrécouvrables
6541 Créances de l'exercice
6544 Créances des exercices antérieurs
655 Quote-part de résultat sur opérations faites en commun
656 Pertes de change sur créances et dettes commerciales
657 Valeurs comptables des immobilisations incorporelles et corporelles cédées
658 Pénalités et autres charges
6581 Pénalités sur marchés (et dédits payés sur achats et ventes)
6582 Pénalités, amendes fiscales et pénales
66 Charges financières
661 Charges d'intérêts
6611 Intérêts des emprunts et dettes
6615 Intérêts des comptes courants et des dépôts créditeurs
6616 Intérêts bancaires et sur opérations de financement (escompte...)
6618 Intérêts des autres dettes
664 Pertes sur créances liées à des participations
665 Escomptes accordés
666 Pertes de change financières
667 Charges sur cession d'éléments financiers
6671 Valeurs comptables des immobilisations financières cédées
6673 Charges nettes sur cessions de valeurs mobilières de placement
668 Autres charges financières
67 Charges exceptionnelles
672 (Compte à la disposition des entités pour enregistrer, en cours d'exercice, les charges sur exercices antérieurs)
678 Autres charges exceptionnelles
68 Dotations aux amortissements, aux dépréciations et aux provisions
681 Dotations aux amortissements, aux dépréciations et aux provisions (à inscrire dans les charges d'exploitation)
6811 Dotations aux amortissements sur immobilisations incorporelles et corporelles
68111 Immobilisations incorporelles et frais d'établissement
68112 Immobilisations corporelles
6815 Dotations aux provisions d'exploitation
6816 Dotations pour dépréciations des immobilisations incorporelles et corporelles
6817 Dotations pour dépréciations des actifs circulants
68173 Stocks et en-cours
68174 Créances
686 Dotations aux amortissements, aux dépréciations et aux provisions (à inscrire dans les charges financières)
6865 Dotations aux provisions financières
6866 Dotations pour dépréciation des éléments financiers
687 Dotations aux amortissements, aux dépréciations et aux provisions (à inscrire dans les charges exceptionnelles)
6871 Dotations aux amortissements exceptionnels des immobilisations
6872 Dotations aux provisions réglementées (immobilisations)
68725 Amortissements dérogatoires
6875 Dotations aux provisions exceptionnelles
6876 Dotations pour dépréciations exceptionnelles
69 Participation des salariés - Impôts sur les bénéfices et assimilés
691 Participation des salariés aux résultats
695 Impôts sur les bénéfices
6951 Impôts dus en France
6952 Contribution additionnelle à l'impôt sur les bénéfices
696 Suppléments d'impôt sur les sociétés liés aux distributions
698 Intégration fiscale
699 Produits - Reports en arrière des déficits
70 Ventes de produits fabriqués, prestations de services, marchandises
701 Ventes de produits finis
702 Ventes de produits intermédiaires
703 Ventes de produits résiduels
704 Travaux
705 Études
706 Prestations de services
707 Ventes de marchandises
708 Produits des activités annexes
7081 Produits des services exploités dans l'intérêt du personnel
7082 Commissions et courtages
7083 Locations diverses
7084 Mise à disposition de personnel facturée
7085 Ports et frais accessoires facturés
7088 Autres produits d'activités annexes (cessions d'approvisionnements)
709 Rabais, remises et ristournes accordés
7091 Rabais, remises et ristournes accordés sur ventes de produits finis
7092 Rabais, remises et ristournes accordés sur ventes de produits intermédiaires
7094 Rabais, remises et ristournes accordés sur travaux
7095 Rabais, remises et ristournes accordés sur études
7096 Rabais, remises et ristournes accordés sur prestations de services
7097 Rabais, remises et ristournes accordés sur ventes de marchandises
7098 Rabais, remises et ristournes accordés sur produits des activités annexes
71 Production stockée (ou déstockage)
713 Variation des stocks des en-cours de production et de produits
7133 Variation des en-cours de production de biens
7134 Variation des en-cours de production de services
7135 Variation des stocks de produits
72 Production immobilisée
721 Immobilisations incorporelles
722 Immobilisations corporelles
74 Subventions
741 Subventions d'exploitation
742 Subventions d'équilibre
747 Quote-part des subventions d'investissement virée au résultat de l'exercice
75 Autres produits de gestion courante
751 Redevances pour concessions, brevets, licences, marques, procédés, solutions informatiques, droits et valeurs similaires
752 Revenus des immeubles non affectés à des activités professionnelles
753 Rémunérations de l'activité des administrateurs et des gérants
754 Ristournes perçues des coopératives provenant des excédents
755 Quote-part de résultat sur opérations faites en commun
756 Gains de change sur créances et dettes commerciales
757 Produits des cessions d'immobilisations incorporelles et corporelles
758 Indemnités et autres produits
7581 Dédits et pénalités perçus sur achats et ventes
7583 Rentrées sur créances amorties
7587 Indemnités d'assurance
76 Produits financiers
761 Produits de participations
762 Produits des autres immobilisations financières
763 Revenus des autres créances
764 Revenus des valeurs mobilières de placement
765 Escomptes obtenus
766 Gains de change financiers
767 Produits sur cession d'éléments financiers
7671 Produits des cessions d'immobilisations financières
7673 Produits nets sur cessions de valeurs mobilières de placement
768 Autres produits financiers
77 Produits exceptionnels
772 (Compte à la disposition des entités pour enregistrer, en cours d'exercice, les produits sur exercices antérieurs)
778 Autres produits exceptionnels
78 Reprises sur amortissements, dépréciations et provisions
781 Reprises sur amortissements, dépréciations et provisions (à inscrire dans les produits d'exploitation)
7811 Reprises sur amortissements des immobilisations incorporelles et corporelles
7815 Reprises sur provisions d'exploitation
7816 Reprises sur dépréciations des immobilisations incorporelles et corporelles
7817 Reprises sur dépréciations des actifs circulants
786 Reprises sur dépréciations et provisions (à inscrire dans les produits financiers)
7865 Reprises sur provisions financières
7866 Reprises sur dépréciations des éléments financiers
787 Reprises sur dépréciations et provisions (à inscrire dans les produits exceptionnels)
7872 Reprises sur provisions réglementées (immobilisations)
78725 Amortissements dérogatoires
7875 Reprises sur provisions exceptionnelles
7876 Reprises sur dépréciations exceptionnelles
"""


def _parse_pcg(text: str) -> tuple[ChartAccount, ...]:
    accounts = []
    for row in text.strip().splitlines():
        number, name = row.split(" ", 1)
        accounts.append(ChartAccount(number, name, _AUXILIARY.get(number, ""),
                                     number in _LETTERED))
    return tuple(sorted(accounts, key=lambda account: account.number))


#: the Plan comptable général (module docstring), in number order
PCG: tuple[ChartAccount, ...] = _parse_pcg(_PCG_TEXT)

ASSETS = "balance_sheet_assets"
LIABILITIES = "balance_sheet_liabilities"
INCOME = "income_statement"


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One line of the balance sheet or income statement (its 2033-A / 2033-B box)."""

    code: str
    label: str
    #: "balance_sheet_assets" | "balance_sheet_liabilities" | "income_statement"
    statement: str
    #: the sign rule of the amount shown: "debit" shows debit - credit (assets, charges),
    #: "credit" shows credit - debit (liabilities, products)
    side: str

    def shown(self, balance: Decimal) -> Decimal:
        """A balance (debit - credit) as this line shows it."""
        return balance if self.side == "debit" else -balance


def _line(code: str, label: str, statement: str) -> StatementLine:
    side = "debit" if statement == ASSETS else "credit"
    return StatementLine(code, label, statement, side)


def _income(code: str, label: str, side: str) -> StatementLine:
    return StatementLine(code, label, INCOME, side)


#: the lines, in the order of the forms
LINES: tuple[StatementLine, ...] = (
    _line("010", "Fonds commercial", ASSETS),
    _line("014", "Autres immobilisations incorporelles", ASSETS),
    _line("028", "Immobilisations corporelles", ASSETS),
    _line("040", "Immobilisations financières", ASSETS),
    _line("050", "Matières premières, approvisionnements, en cours de production", ASSETS),
    _line("060", "Marchandises", ASSETS),
    _line("064", "Avances et acomptes versés sur commandes", ASSETS),
    _line("068", "Clients et comptes rattachés", ASSETS),
    _line("072", "Autres créances", ASSETS),
    _line("080", "Valeurs mobilières de placement", ASSETS),
    _line("084", "Disponibilités", ASSETS),
    _line("092", "Charges constatées d'avance", ASSETS),
    _line("120", "Capital social ou individuel", LIABILITIES),
    _line("124", "Écarts de réévaluation", LIABILITIES),
    _line("126", "Réserve légale", LIABILITIES),
    _line("130", "Réserves réglementées", LIABILITIES),
    _line("132", "Autres réserves", LIABILITIES),
    _line("134", "Report à nouveau", LIABILITIES),
    _line("136", "Résultat de l'exercice", LIABILITIES),
    _line("140", "Provisions réglementées et subventions d'investissement", LIABILITIES),
    _line("154", "Provisions pour risques et charges", LIABILITIES),
    _line("156", "Emprunts et dettes assimilées", LIABILITIES),
    _line("164", "Avances et acomptes reçus sur commandes en cours", LIABILITIES),
    _line("166", "Fournisseurs et comptes rattachés", LIABILITIES),
    _line("172", "Autres dettes", LIABILITIES),
    _line("174", "Produits constatés d'avance", LIABILITIES),
    _income("210", "Ventes de marchandises", "credit"),
    _income("214", "Production vendue - biens", "credit"),
    _income("218", "Production vendue - services", "credit"),
    _income("222", "Production stockée", "credit"),
    _income("224", "Production immobilisée", "credit"),
    _income("226", "Subventions d'exploitation reçues", "credit"),
    _income("230", "Autres produits", "credit"),
    _income("234", "Achats de marchandises", "debit"),
    _income("236", "Variation de stock (marchandises)", "debit"),
    _income("238", "Achats de matières premières et autres approvisionnements", "debit"),
    _income("240", "Variation de stock (matières premières et approvisionnements)", "debit"),
    _income("242", "Autres charges externes", "debit"),
    _income("244", "Impôts, taxes et versements assimilés", "debit"),
    _income("250", "Rémunérations du personnel", "debit"),
    _income("252", "Charges sociales", "debit"),
    _income("254", "Dotations aux amortissements", "debit"),
    _income("256", "Dotations aux provisions et dépréciations", "debit"),
    _income("262", "Autres charges", "debit"),
    _income("280", "Produits financiers", "credit"),
    _income("290", "Produits exceptionnels", "credit"),
    _income("294", "Charges financières", "debit"),
    _income("300", "Charges exceptionnelles", "debit"),
    _income("306", "Impôts sur les bénéfices", "debit"),
)
LINES_BY_CODE: dict[str, StatementLine] = {line.code: line for line in LINES}
OPERATING_REVENUE = ("210", "214", "218", "222", "224", "226", "230")
OPERATING_EXPENSES = ("234", "236", "238", "240", "242", "244", "250", "252", "254", "256",
                      "262")
EQUITY = ("120", "124", "126", "130", "132", "134", "136", "140")
DEBTS = ("156", "164", "166", "172", "174")
#: the accounts that reduce an asset line: its depreciation (amortissements, dépréciations)
CONTRA_PREFIXES = ("28", "29", "39", "49", "59")


def _both(code: str, *prefixes: str) -> dict[str, tuple[str, str]]:
    return {prefix: (code, code) for prefix in prefixes}


#: account prefix -> (the line of a debit balance, the line of a credit balance); the
#: longest prefix of a number decides; the one-digit prefixes catch numbers the PCG does
#: not list, so that every class 1-7 account has a line
STATEMENT_MAP: dict[str, tuple[str, str]] = {
    # class 1
    **_both("132", "10", "104", "106", "1"),
    **_both("120", "101", "108", "109"),
    **_both("124", "105", "107"),
    **_both("126", "1061"),
    **_both("130", "1064"),
    **_both("134", "11"),
    **_both("136", "12"),
    **_both("140", "13", "14"),
    **_both("154", "15"),
    **_both("156", "16", "17"),
    "18": ("072", "172"),
    # class 2
    **_both("014", "2", "20", "232", "237", "280", "290", "2932"),
    **_both("010", "207", "2807", "2907"),
    **_both("028", "21", "22", "23", "281", "282", "291", "292", "293"),
    **_both("040", "26", "27", "296", "297"),
    **_both("014", "28", "29"),
    # class 3
    **_both("050", "3", "31", "32", "33", "34", "35", "36", "38", "39"),
    **_both("060", "37", "397"),
    # class 4
    "4": ("072", "172"),
    "40": ("072", "166"),
    "404": ("072", "172"),
    "405": ("072", "172"),
    "4084": ("072", "172"),
    "4091": ("064", "166"),
    "41": ("068", "172"),
    "4191": ("068", "164"),
    **{prefix: ("072", "172") for prefix in ("42", "43", "44", "45", "46", "47")},
    "455": ("072", "156"),
    **_both("092", "48", "481", "486"),
    "488": ("092", "174"),
    **_both("174", "487"),
    **_both("068", "491"),
    **_both("072", "49"),
    # class 5
    "5": ("084", "156"),
    **_both("080", "50", "59"),
    "51": ("084", "156"),
    **_both("156", "519"),
    "52": ("080", "172"),
    # class 6
    **_both("262", "6", "65"),
    **_both("242", "60", "609", "61", "62"),
    **_both("238", "601", "602", "608", "6091", "6092"),
    **_both("240", "603"),
    **_both("236", "6037"),
    **_both("234", "607", "6097"),
    **_both("244", "63"),
    **_both("250", "64"),
    **_both("252", "645", "646", "647"),
    **_both("294", "66", "686"),
    **_both("300", "67", "687"),
    **_both("254", "68", "681"),
    **_both("256", "6815", "6816", "6817"),
    **_both("306", "69"),
    # class 7
    **_both("230", "7", "73", "75", "747", "78", "781", "79"),
    **_both("218", "70"),
    **_both("214", "701", "702", "703", "7091", "7092", "7093"),
    **_both("210", "707", "7097"),
    **_both("222", "71"),
    **_both("224", "72"),
    **_both("226", "74"),
    **_both("280", "76", "786"),
    **_both("290", "77", "787"),
}


def statement_line(number: str, balance: Decimal) -> StatementLine | None:
    """The line an account's balance (debit - credit) goes to: the longest prefix of
    `number` in `STATEMENT_MAP`, its debit line when the balance is 0 or more, its credit
    line when less (the module's docstring); None for a class 8 account."""
    for length in range(len(number), 0, -1):
        codes = STATEMENT_MAP.get(number[:length])
        if codes is not None:
            return LINES_BY_CODE[codes[0] if balance >= 0 else codes[1]]
    return None


@dataclass(frozen=True, slots=True)
class LineAmount:
    """A line of a statement and what it sums."""

    line: StatementLine
    #: the sum of its accounts as the line shows it (`StatementLine.side`); line 136 adds
    #: the year's result
    amount: Decimal
    #: the accounts it sums and their balances (debit - credit), in number order
    accounts: tuple[tuple[str, Decimal], ...] = ()
    #: on an asset line, what its depreciation accounts (28, 29, 39, 49, 59) take off:
    #: gross = amount + depreciation
    depreciation: Decimal = ZERO

    @property
    def gross(self) -> Decimal:
        return self.amount + self.depreciation


@dataclass(frozen=True, slots=True)
class Statements:
    """The balance sheet (2033-A) and income statement (2033-B) of a set of balances."""

    assets: tuple[LineAmount, ...]
    liabilities: tuple[LineAmount, ...]
    income: tuple[LineAmount, ...]
    #: 232, 264, 270
    operating_revenue: Decimal
    operating_expenses: Decimal
    operating_result: Decimal
    #: 280 - 294, 290 - 300
    financial_result: Decimal
    exceptional_result: Decimal
    #: 306
    income_tax: Decimal
    #: 310: the year's result, credit - debit of classes 6 and 7 (a profit is positive)
    result: Decimal
    #: 110, 142, 154, 176, 180
    total_assets: Decimal
    equity: Decimal
    provisions: Decimal
    debts: Decimal
    total_liabilities: Decimal
    #: the class 8 accounts, in no statement
    unmapped: tuple[tuple[str, Decimal], ...] = ()

    def line(self, code: str) -> LineAmount:
        """The line of box `code` (KeyError when there is none)."""
        for amount in (*self.assets, *self.liabilities, *self.income):
            if amount.line.code == code:
                return amount
        raise KeyError(code)

    @property
    def balanced(self) -> bool:
        return self.total_assets == self.total_liabilities


def statements(balances: Mapping[str, Decimal]) -> Statements:
    """The statements of `balances`, account number -> balance (debit - credit), of any
    level of the chart (a number and its sub-accounts would be counted twice: give the
    accounts that are posted to).  InvalidFieldError "account" for a number that is not
    one (`check_number`)."""
    sums: dict[str, list[tuple[str, Decimal]]] = {line.code: [] for line in LINES}
    unmapped = []
    result = ZERO
    for raw, balance in balances.items():
        number = check_number(raw, "account")
        line = statement_line(number, balance)
        if line is None:
            unmapped.append((number, balance))
            continue
        sums[line.code].append((number, balance))
        if number[0] in "67":
            result -= balance

    def amount_of(line: StatementLine) -> LineAmount:
        accounts = tuple(sorted(sums[line.code]))
        amount = line.shown(sum((balance for _, balance in accounts), ZERO))
        depreciation = ZERO
        if line.statement == ASSETS:
            depreciation = -sum((balance for number, balance in accounts
                                 if number.startswith(CONTRA_PREFIXES)), ZERO)
        if line.code == "136":
            amount += result
        return LineAmount(line, amount, accounts, depreciation)

    lines = {line.code: amount_of(line) for line in LINES}

    def total(codes: Iterable[str]) -> Decimal:
        return sum((lines[code].amount for code in codes), ZERO)

    revenue, expenses = total(OPERATING_REVENUE), total(OPERATING_EXPENSES)
    financial = lines["280"].amount - lines["294"].amount
    exceptional = lines["290"].amount - lines["300"].amount
    tax = lines["306"].amount
    assets = tuple(amount for amount in lines.values() if amount.line.statement == ASSETS)
    equity, provisions, debts = total(EQUITY), lines["154"].amount, total(DEBTS)
    return Statements(
        assets=assets,
        liabilities=tuple(amount for amount in lines.values()
                          if amount.line.statement == LIABILITIES),
        income=tuple(amount for amount in lines.values() if amount.line.statement == INCOME),
        operating_revenue=revenue, operating_expenses=expenses,
        operating_result=revenue - expenses, financial_result=financial,
        exceptional_result=exceptional, income_tax=tax,
        result=revenue - expenses + financial + exceptional - tax,
        total_assets=sum((amount.amount for amount in assets), ZERO),
        equity=equity, provisions=provisions, debts=debts,
        total_liabilities=equity + provisions + debts,
        unmapped=tuple(sorted(unmapped)))
