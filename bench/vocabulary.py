"""The names and places of the query benchmark's data set (bench/dataset.py): 32 countries
with their currency, phone prefix, domain, legal forms and cities (region, postal code
format), street names by language, surnames, first names, trades, titles, positions, and
the user names of the sales agents.
"""

from __future__ import annotations

# code, weight, currency, phone prefix, top-level domain, street style, legal forms,
# cities: (name, region, postal code format, postal code range)
COUNTRIES: tuple[tuple[str, int, str, str, str, str, tuple[str, ...],
                       tuple[tuple[str, str, str, int], ...]], ...] = (
    ("DE", 200, "EUR", "+49", "de", "de", ("GmbH", "AG", "KG", "GmbH & Co. KG", "e.K."), (
        ("Berlin", "BE", "1%04d", 4000), ("München", "BY", "8%04d", 2000),
        ("Hamburg", "HH", "2%04d", 2000), ("Köln", "NW", "5%04d", 1000),
        ("Frankfurt am Main", "HE", "6%04d", 1000), ("Stuttgart", "BW", "7%04d", 1000),
        ("Leipzig", "SN", "04%03d", 400), ("Düsseldorf", "NW", "4%04d", 700),
        ("Nürnberg", "BY", "90%03d", 500), ("Hannover", "NI", "30%03d", 700))),
    ("FR", 120, "EUR", "+33", "fr", "fr", ("SARL", "SAS", "SA", "EURL"), (
        ("Paris", "IDF", "750%02d", 21), ("Lyon", "ARA", "6900%d", 10),
        ("Marseille", "PAC", "130%02d", 17), ("Toulouse", "OCC", "310%02d", 100),
        ("Lille", "HDF", "590%02d", 100), ("Bordeaux", "NAQ", "330%02d", 100),
        ("Nantes", "PDL", "440%02d", 100))),
    ("AT", 60, "EUR", "+43", "at", "de", ("GmbH", "AG", "KG", "OG"), (
        ("Wien", "W", "1%03d", 240), ("Graz", "ST", "80%02d", 70), ("Linz", "OÖ", "40%02d", 60),
        ("Salzburg", "S", "50%02d", 40), ("Innsbruck", "T", "60%02d", 30))),
    ("CH", 50, "CHF", "+41", "ch", "de", ("AG", "GmbH", "SA", "Sàrl"), (
        ("Zürich", "ZH", "80%02d", 60), ("Genève", "GE", "12%02d", 60),
        ("Basel", "BS", "40%02d", 60), ("Bern", "BE", "30%02d", 30),
        ("Lausanne", "VD", "10%02d", 20))),
    ("IT", 60, "EUR", "+39", "it", "it", ("S.r.l.", "S.p.A.", "S.n.c."), (
        ("Milano", "MI", "201%02d", 60), ("Roma", "RM", "001%02d", 100),
        ("Torino", "TO", "101%02d", 50), ("Bologna", "BO", "401%02d", 40),
        ("Napoli", "NA", "801%02d", 50))),
    ("ES", 50, "EUR", "+34", "es", "es", ("S.L.", "S.A."), (
        ("Madrid", "MD", "280%02d", 60), ("Barcelona", "CT", "080%02d", 40),
        ("Valencia", "VC", "460%02d", 30), ("Sevilla", "AN", "410%02d", 30),
        ("Bilbao", "PV", "480%02d", 20))),
    ("NL", 50, "EUR", "+31", "nl", "nl", ("B.V.", "N.V.", "V.O.F."), (
        ("Amsterdam", "NH", "10%02d AB", 100), ("Rotterdam", "ZH", "30%02d CD", 100),
        ("Utrecht", "UT", "35%02d EF", 100), ("Eindhoven", "NB", "56%02d GH", 100),
        ("Den Haag", "ZH", "25%02d KL", 100))),
    ("BE", 40, "EUR", "+32", "be", "fr", ("BV", "NV", "SRL", "SA"), (
        ("Bruxelles", "BRU", "10%02d", 100), ("Antwerpen", "VAN", "20%02d", 100),
        ("Gent", "VOV", "90%02d", 100), ("Liège", "WLG", "40%02d", 100))),
    ("GB", 60, "GBP", "+44", "co.uk", "en", ("Ltd", "PLC", "LLP"), (
        ("London", "ENG", "EC%dA 1BB", 5), ("Manchester", "ENG", "M%d 3HF", 40),
        ("Birmingham", "ENG", "B%d 2TT", 40), ("Leeds", "ENG", "LS%d 4AP", 30),
        ("Glasgow", "SCT", "G%d 1XQ", 80), ("Bristol", "ENG", "BS%d 5DL", 40))),
    ("US", 50, "USD", "+1", "com", "en", ("Inc.", "LLC", "Corp."), (
        ("New York", "NY", "100%02d", 99), ("Chicago", "IL", "606%02d", 99),
        ("San Francisco", "CA", "941%02d", 99), ("Boston", "MA", "021%02d", 99),
        ("Austin", "TX", "787%02d", 99), ("Seattle", "WA", "981%02d", 99))),
    ("PL", 30, "PLN", "+48", "pl", "other", ("Sp. z o.o.", "S.A."), (
        ("Warszawa", "MZ", "00-%03d", 999), ("Kraków", "MA", "30-%03d", 999),
        ("Wrocław", "DS", "50-%03d", 999), ("Poznań", "WP", "60-%03d", 999))),
    ("SE", 20, "SEK", "+46", "se", "other", ("AB", "HB"), (
        ("Stockholm", "AB", "1%02d 44", 99), ("Göteborg", "O", "4%02d 10", 99),
        ("Malmö", "M", "2%02d 11", 99))),
    ("DK", 20, "DKK", "+45", "dk", "other", ("A/S", "ApS"), (
        ("København", "84", "1%03d", 999), ("Aarhus", "82", "80%02d", 99),
        ("Odense", "83", "50%02d", 99))),
    ("NO", 10, "NOK", "+47", "no", "other", ("AS", "ASA"), (
        ("Oslo", "03", "0%03d", 999), ("Bergen", "46", "50%02d", 99))),
    ("FI", 10, "EUR", "+358", "fi", "other", ("Oy", "Oyj"), (
        ("Helsinki", "18", "00%03d", 999), ("Tampere", "11", "33%03d", 999))),
    ("IE", 10, "EUR", "+353", "ie", "en", ("Ltd", "DAC"), (
        ("Dublin", "D", "D0%d", 9), ("Cork", "CO", "T12 X%d", 99))),
    ("PT", 20, "EUR", "+351", "pt", "es", ("Lda.", "S.A."), (
        ("Lisboa", "11", "1%03d-001", 999), ("Porto", "13", "4%03d-002", 999))),
    ("CZ", 20, "CZK", "+420", "cz", "other", ("s.r.o.", "a.s."), (
        ("Praha", "10", "1%02d 00", 99), ("Brno", "64", "6%02d 00", 99))),
    ("HU", 10, "HUF", "+36", "hu", "other", ("Kft.", "Zrt."), (
        ("Budapest", "BU", "1%03d", 999), ("Debrecen", "HB", "40%02d", 99))),
    ("RO", 10, "RON", "+40", "ro", "other", ("S.R.L.", "S.A."), (
        ("Bucureşti", "B", "0%05d", 99999), ("Cluj-Napoca", "CJ", "400%03d", 999))),
    ("GR", 10, "EUR", "+30", "gr", "other", ("A.E.", "E.P.E."), (
        ("Athína", "I", "10%03d", 999), ("Thessaloníki", "B", "54%03d", 999))),
    ("LU", 10, "EUR", "+352", "lu", "fr", ("S.à r.l.", "S.A."), (
        ("Luxembourg", "LU", "L-1%03d", 999), ("Esch-sur-Alzette", "ES", "L-4%03d", 999))),
    ("CA", 10, "CAD", "+1", "ca", "en", ("Inc.", "Ltd."), (
        ("Toronto", "ON", "M5V %dA1", 9), ("Montréal", "QC", "H2X %dB2", 9),
        ("Vancouver", "BC", "V6B %dC3", 9))),
    ("AU", 10, "AUD", "+61", "com.au", "en", ("Pty Ltd",), (
        ("Sydney", "NSW", "20%02d", 99), ("Melbourne", "VIC", "30%02d", 99))),
    ("JP", 10, "JPY", "+81", "jp", "other", ("K.K.", "G.K."), (
        ("Tokyo", "13", "1%02d-0001", 99), ("Osaka", "27", "5%02d-0002", 99))),
    ("BR", 10, "BRL", "+55", "com.br", "es", ("Ltda.", "S.A."), (
        ("São Paulo", "SP", "0%04d-000", 9999), ("Rio de Janeiro", "RJ", "2%04d-000", 9999))),
    ("IN", 10, "INR", "+91", "in", "en", ("Pvt. Ltd.", "Ltd."), (
        ("Mumbai", "MH", "400%03d", 999), ("Bengaluru", "KA", "560%03d", 999))),
    ("TR", 10, "TRY", "+90", "com.tr", "other", ("A.Ş.", "Ltd. Şti."), (
        ("İstanbul", "34", "34%03d", 999), ("Ankara", "06", "06%03d", 999))),
    ("ZA", 5, "ZAR", "+27", "co.za", "en", ("(Pty) Ltd",), (
        ("Johannesburg", "GP", "2%03d", 999), ("Cape Town", "WC", "8%03d", 999))),
    ("MX", 5, "MXN", "+52", "com.mx", "es", ("S.A. de C.V.",), (
        ("Ciudad de México", "CMX", "0%04d", 9999), ("Monterrey", "NLE", "64%03d", 999))),
    ("CN", 10, "CNY", "+86", "cn", "other", ("Co., Ltd.",), (
        ("Shanghai", "SH", "200%03d", 999), ("Shenzhen", "GD", "518%03d", 999))),
    ("SK", 10, "EUR", "+421", "sk", "other", ("s.r.o.", "a.s."), (
        ("Bratislava", "BL", "8%02d 01", 99), ("Košice", "KI", "040 %02d", 99))),
)

STREETS = {
    "de": ("Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße", "Lindenallee",
           "Industriestraße", "Am Markt", "Goethestraße", "Kirchplatz", "Mühlenweg"),
    "fr": ("rue de la Paix", "avenue Victor Hugo", "rue du Commerce", "boulevard Voltaire",
           "place de la République", "rue des Écoles", "chemin des Vignes"),
    "en": ("High Street", "Station Road", "Church Lane", "Main Street", "Park Avenue",
           "Market Square", "Mill Road", "Queensway"),
    "it": ("Via Roma", "Corso Italia", "Via Garibaldi", "Piazza del Duomo", "Via Verdi"),
    "es": ("Calle Mayor", "Avenida de la Constitución", "Rua Augusta", "Calle del Sol",
           "Paseo de Gracia"),
    "nl": ("Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Keizersgracht"),
    "other": ("Central Street 1", "Harbour Road", "Market Street", "Park Lane",
              "Industrial Way", "Old Town Square"),
}
SURNAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Hoffmann", "Schulz", "Koch", "Richter", "Wolf", "Neumann", "Schwarz", "Zimmermann",
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Lefèvre", "Moreau", "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "García",
    "Fernández", "González", "Rodríguez", "López", "de Jong", "Jansen", "de Vries",
    "van den Berg", "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson",
    "Davies", "Nowak", "Kowalski", "Andersson", "Johansson", "Nielsen", "Hansen",
    "Novák", "Nagy", "Popescu", "Papadopoulos", "Silva", "Santos", "Yılmaz", "Tanaka",
    "Suzuki", "Wang", "Li", "Kumar", "O'Brien", "Murphy", "Huber", "Gruber",
)
FIRSTNAMES = (
    "Anna", "Maria", "Laura", "Julia", "Sophie", "Emma", "Lena", "Sarah", "Claire",
    "Camille", "Giulia", "Lucía", "Eva", "Ingrid", "Olga", "Hannah", "Chloé", "Elena",
    "Katarzyna", "Aiko", "Priya", "Fatma", "Thomas", "Michael", "Andreas", "Stefan",
    "Peter", "Jean", "Pierre", "Nicolas", "Marco", "Luca", "Javier", "Carlos", "Jan",
    "Pieter", "James", "David", "John", "Lars", "Mikael", "Piotr", "Tomáš", "László",
    "Andrei", "Nikos", "João", "Mehmet", "Hiroshi", "Wei", "Rahul", "Seán", "Felix",
    "Lukas", "Paul", "Max", "Noah", "Elias", "Mia", "Lea",
)
BUSINESS = (
    "Logistik", "Consulting", "Systems", "Technik", "Bau", "Solutions", "Trading", "Media",
    "Software", "Services", "Industries", "Partners", "Design", "Energy", "Foods", "Medical",
    "Retail", "Motors", "Electronics", "Textiles", "Immobilien", "Druck", "Metallbau",
    "Elektro", "Transport", "Pharma", "Optik", "Verlag", "Invest", "Labs", "Robotics",
    "Analytics", "Catering", "Holz", "Glas", "Chemie", "Agrar", "Sport", "Reisen", "Mode",
)
TITLES = ("", "", "", "Dr.", "Prof.", "Mr", "Ms", "Herr", "Frau", "M.", "Mme")
POSITIONS = ("", "", "CEO", "CFO", "Head of Purchasing", "Sales Manager", "Office Manager",
             "Accountant", "IT Administrator", "Project Manager", "Buyer", "Assistant")
AGENTS = (
    "anna.schmidt", "thomas.weber", "claire.martin", "marco.rossi", "lena.fischer",
    "james.taylor", "sophie.dubois", "stefan.huber", "julia.koch", "pieter.jansen",
    "lucia.garcia", "peter.wagner", "camille.bernard", "david.smith", "eva.nielsen",
    "jan.nowak", "laura.becker", "nicolas.petit", "maria.gruber", "felix.wolf",
)
