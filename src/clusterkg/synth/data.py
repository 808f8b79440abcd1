"""The vocabulary of the synthetic records: countries as written, cities, topics, names."""

from __future__ import annotations

# Country names as documents write them; every one resolves through reference/country_names.csv or the
# aliases below. Home countries (where clusters sit) come first.
HOME_COUNTRIES: dict[str, tuple[str, ...]] = {
    "DEU": ("Germany", "Germany", "Germany", "Deutschland", "DE"),
    "FRA": ("France", "Frankreich", "FR"),
    "NLD": ("Netherlands", "Niederlande", "NL"),
    "BEL": ("Belgium", "Belgien", "BE"),
    "ITA": ("Italy", "Italien", "IT"),
    "ESP": ("Spain", "Spanien", "ES"),
    "POL": ("Poland", "Polen", "PL"),
    "AUT": ("Austria", "Österreich", "AT"),
    "FIN": ("Finland", "Finnland", "FI"),
    "SWE": ("Sweden", "Schweden", "SE"),
    "DNK": ("Denmark", "Dänemark", "DK"),
    "CZE": ("Czech Republic", "Czechia", "CZ"),
}
TARGET_COUNTRIES: dict[str, tuple[str, ...]] = {
    "USA": ("USA", "USA", "United States", "US", "Vereinigte Staaten"),
    "CAN": ("Canada", "Kanada", "CA"),
    "CHN": ("China", "CN"),
    "JPN": ("Japan", "JP"),
    "IND": ("India", "Indien", "IN"),
    "BRA": ("Brazil", "Brasil", "Brasilien", "BR"),
    "KOR": ("Korea", "South Korea", "Südkorea", "ROK", "KR"),
    "SGP": ("Singapore", "Sinapore", "Singapur", "SG"),
    "TWN": ("Taiwan", "Taiwa", "TW"),
    "GBR": ("United Kingdom", "UK", "England", "Great Britain", "GB"),
    "CHL": ("Chile",),
    "ARG": ("Argentina", "Argentinien"),
    "MEX": ("Mexico", "Mexiko"),
    "AUS": ("Australia", "Australien"),
    "NOR": ("Norway", "Norwegen"),
    "CHE": ("Switzerland", "Schweiz"),
    "ISR": ("Israel",),
    "ZAF": ("South Africa", "Südafrika"),
    "VNM": ("Vietnam",),
    "MAR": ("Morocco", "Marokko"),
}
ALIASES = {
    "England": "GBR",
    "Great Britain": "GBR",
    "UK": "GBR",
    "Finnland": "FIN",
    "Czech Republic": "CZE",
    "Brasil": "BRA",
    "Korea": "KOR",
    "South Korea": "KOR",
    "Südkorea": "KOR",
    "ROK": "KOR",
    "Sinapore": "SGP",
    "Taiwa": "TWN",
}

CITIES = {
    "DEU": ("München", "Stuttgart", "Dresden", "Jena", "Hamburg", "Köln", "Nürnberg", "Halle (Saale)"),
    "FRA": ("Lyon", "Toulouse", "Grenoble", "Saint-Étienne"),
    "NLD": ("Eindhoven", "Delft", "Groningen"),
    "BEL": ("Leuven", "Gent", "Liège"),
    "ITA": ("Torino", "Milano", "Bologna"),
    "ESP": ("Barcelona", "Bilbao", "Valencia"),
    "POL": ("Kraków", "Wrocław", "Poznań"),
    "AUT": ("Linz", "Graz", "Wien"),
    "FIN": ("Tampere", "Oulu", "Espoo"),
    "SWE": ("Göteborg", "Lund", "Linköping"),
    "DNK": ("Aarhus", "Odense", "Aalborg"),
    "CZE": ("Brno", "Ostrava", "Plzeň"),
}
TOPICS = (
    ("Photonics", "Photonik"),
    ("Lightweight Construction", "Leichtbau"),
    ("Bioeconomy", "Bioökonomie"),
    ("Medical Technology", "Medizintechnik"),
    ("Automotive", "Automobil"),
    ("Aviation", "Luftfahrt"),
    ("Microelectronics", "Mikroelektronik"),
    ("Energy Storage", "Energiespeicher"),
    ("Plastics", "Kunststoff"),
    ("Smart Textiles", "Textil"),
    ("Water Technology", "Wassertechnik"),
    ("Logistics", "Logistik"),
    ("Sensor Systems", "Sensorik"),
    ("Food and Agriculture", "Ernährung"),
    ("Robotics", "Robotik"),
    ("Advanced Materials", "Werkstoffe"),
)
SECTOR_TREE = (
    ("energy-environment", "Energy and environment", "Energie und Umwelt"),
    ("health", "Health and life sciences", "Gesundheit"),
    ("mobility", "Mobility", "Mobilität"),
    ("production", "Production technologies", "Produktionstechnik"),
    ("digital", "Digital technologies", "Digitale Technologien"),
    ("materials", "Materials", "Werkstoffe"),
)
SURNAMES = ("Müller", "Schmidt", "Dubois", "Rossi", "García", "Nowak", "Jansen", "Virtanen", "Berg", "Novák")
GIVEN_NAMES = ("Anna", "Jonas", "Claire", "Marco", "Lucía", "Piotr", "Sanne", "Aino", "Lars", "Tereza")
STREETS = ("Hauptstraße", "Ring", "Allee", "Weg", "Platz", "Damm")

FOREIGN_REGIONS = (
    ("Asia-Pacific", "world-region", None),
    ("Latin America", "world-region", None),
    ("Mediterranean Region", "sea-region", None),
    ("Baltic Sea Region", "sea-region", None),
    ("North Africa", "world-region", None),
    ("Québec", "province", "Canada"),
    ("Michigan", "state", "USA"),
    ("Ontario", "province", "Kanada"),
    ("Gyeonggi", "province", "Korea"),
    ("Victoria", "state", "Australia"),
)
HOME_WEIGHTS = (
    ("DEU", 10),
    ("FRA", 2),
    ("NLD", 2),
    ("BEL", 1),
    ("ITA", 1),
    ("ESP", 1),
    ("POL", 1),
    ("AUT", 1),
    ("FIN", 1),
    ("SWE", 1),
    ("DNK", 1),
    ("CZE", 1),
)
ORG_KINDS = ("association", "company", "university", "research-institute", "network", "foundation", "other")
MEASURES = (
    ("members", None, "more than {v} members"),
    ("employees", None, "about {v} employees"),
    ("turnover", "eur-million", "a turnover of {v} million euros"),
    ("smes", None, "{v} SMEs"),
    ("budget", "eur-million", "a budget of EUR {v} million"),
)
OUTCOME_KINDS = ("mou", "joint-office", "office", "business-trip", "roadmap", "matchmaking-event")
