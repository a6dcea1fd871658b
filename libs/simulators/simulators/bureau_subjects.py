"""The credit bureau simulator's test subjects: synthetic businesses and persons.

Every identifier is synthetic and valid by MOD11 (organisasjonsnummer; fødselsnummer and
D-nummer by both check digits, one under the rule for numbers issued from 2032); names,
addresses and phone numbers are invented (phone numbers in Nkom's range reserved for
film and TV, 68050000-68059999). Amounts are whole kroner, as the bureau sends them.
The catalogue follows the simulator spec in ``shared/domain/credit.md`` §8.
"""

from __future__ import annotations

from typing import Any, Final

AS_HEALTHY: Final = "999100007"
AS_NEW: Final = "999100015"
AS_RISKY: Final = "999100023"
AS_NO_CREDIT: Final = "999100031"
AS_BANKRUPT: Final = "999100058"
AS_DISSOLVED: Final = "999100066"
ENK_WITH_OWNER: Final = "999100074"
NUF_FOREIGN: Final = "999100082"
COMPANY_UNKNOWN: Final = "999100090"

PERSON_CLEAN: Final = "01017540072"
PERSON_REMARKS: Final = "15038240045"
PERSON_BLOCKED: Final = "23049040024"
PERSON_DECEASED: Final = "12128840182"
PERSON_DNUMMER: Final = "41018530021"
PERSON_FNR_2032: Final = "05063351212"
PERSON_UNKNOWN: Final = "11019940073"
ENK_OWNER: Final = "07076540009"

DISSOLVED: Final = frozenset({AS_DISSOLVED})
"""Deleted from Enhetsregisteret: the bureau answers 404 (no match), as for unknown ids."""

INKASSO_PURPOSES: Final = ("CASE_ASSESSMENT", "LEGAL_STEP_ASSESSMENT", "PAYMENT_PLAN_ASSESSMENT")
"""What a kredittsperre does not stop: an inkasso agency's assessment and recovery of claims."""


def _address(street: str, postcode: str, city: str) -> dict[str, str]:
    return {"street": street, "postalCode": postcode, "city": city, "country": "NO"}


def _remark(kind: str, amount: int, creditor: str, registered: str, ref: str) -> dict[str, Any]:
    return {
        "type": kind,
        "amount": amount,
        "creditor": creditor,
        "registeredDate": registered,
        "reference": ref,
        "source": "Simulert inkassoregister",
    }


COMPANIES: Final[dict[str, dict[str, Any]]] = {
    AS_HEALTHY: {
        "name": "Fjellvind Handel AS",
        "organisationForm": "AS",
        "status": "ACTIVE",
        "registeredDate": "2004-03-15",
        "naceCode": "46.900",
        "address": _address("Storgata 1", "0155", "Oslo"),
        "phone": "68050001",
        "shareCapital": 1_000_000,
        "roles": [
            {"role": "CEO", "name": "Synne Syntetisk", "birthYear": 1971},
            {"role": "BOARD_CHAIR", "name": "Tor Testesen", "birthYear": 1962},
        ],
        "financials": [
            {
                "year": 2025,
                "revenue": 48_200_000,
                "operatingResult": 5_100_000,
                "equity": 12_400_000,
                "totalAssets": 30_100_000,
            },
            {
                "year": 2024,
                "revenue": 45_900_000,
                "operatingResult": 4_700_000,
                "equity": 10_900_000,
                "totalAssets": 28_000_000,
            },
        ],
        "rating": {"score": 95, "class": "AAA", "description": "Highest creditworthiness"},
        "creditLimit": 500_000,
        "remarks": [],
    },
    AS_NEW: {
        "name": "Nyskudd Teknologi AS",
        "organisationForm": "AS",
        "status": "ACTIVE",
        "registeredDate": "2026-09-01",
        "naceCode": "62.010",
        "address": _address("Kongens gate 12", "7011", "Trondheim"),
        "phone": "68050002",
        "shareCapital": 30_000,
        "roles": [{"role": "CEO", "name": "Nina Nystartet", "birthYear": 1994}],
        "financials": [],
        "rating": {"score": None, "class": "AN", "description": "Newly established"},
        "creditLimit": None,
        "remarks": [],
    },
    AS_RISKY: {
        "name": "Vaklevik Bygg AS",
        "organisationForm": "AS",
        "status": "ACTIVE",
        "registeredDate": "2015-06-10",
        "naceCode": "41.200",
        "address": _address("Bryggen 4", "5003", "Bergen"),
        "phone": "68050003",
        "shareCapital": 100_000,
        "roles": [{"role": "CEO", "name": "Rolf Risiko", "birthYear": 1969}],
        "financials": [
            {
                "year": 2025,
                "revenue": 3_100_000,
                "operatingResult": -420_000,
                "equity": 85_000,
                "totalAssets": 1_900_000,
            },
        ],
        "rating": {"score": 28, "class": "B", "description": "Credit against security"},
        "creditLimit": 20_000,
        "remarks": [
            _remark("INKASSO", 18_000, "Leverandør Syd AS", "2026-02-11", "R-2026-0211"),
            _remark("INKASSO", 12_500, "Materialhuset AS", "2026-05-03", "R-2026-0503"),
            _remark("UTLEGG", 17_500, "Skatteetaten (simulert)", "2026-08-20", "U-2026-0820"),
        ],
    },
    AS_NO_CREDIT: {
        "name": "Tomrom Eiendom AS",
        "organisationForm": "AS",
        "status": "ACTIVE",
        "registeredDate": "2011-01-20",
        "naceCode": "68.100",
        "address": _address("Havnegata 9", "9008", "Tromsø"),
        "phone": "68050004",
        "shareCapital": 30_000,
        "roles": [{"role": "CEO", "name": "Ivar Ingenting", "birthYear": 1958}],
        "financials": [
            {
                "year": 2025,
                "revenue": 120_000,
                "operatingResult": -310_000,
                "equity": -540_000,
                "totalAssets": 210_000,
            },
        ],
        "rating": {"score": 5, "class": "C", "description": "Credit not advised"},
        "creditLimit": 0,
        "remarks": [
            _remark(
                "UTLEGG_INTET_TIL_UTLEGG",
                64_000,
                "Namsmannen (simulert)",
                "2026-04-02",
                "ITU-2026-0402",
            ),
        ],
    },
    AS_BANKRUPT: {
        "name": "Kollaps Transport AS",
        "organisationForm": "AS",
        "status": "BANKRUPT",
        "registeredDate": "2008-11-03",
        "naceCode": "49.410",
        "address": _address("Industriveien 22", "4033", "Stavanger"),
        "phone": "68050005",
        "shareCapital": 200_000,
        "roles": [
            {"role": "ESTATE_ADMINISTRATOR", "name": "Advokat Bo Bostyrer", "birthYear": 1966}
        ],
        "financials": [],
        "rating": {"score": None, "class": None, "description": "Bankruptcy proceedings"},
        "creditLimit": None,
        "remarks": [
            _remark("KONKURS", 0, "Oslo tingrett (simulert)", "2026-10-01", "K-2026-1001"),
        ],
    },
    ENK_WITH_OWNER: {
        "name": "Olsen Rørlegger Ola Olsen",
        "organisationForm": "ENK",
        "status": "ACTIVE",
        "registeredDate": "2019-04-01",
        "naceCode": "43.220",
        "address": _address("Sjøveien 3", "8006", "Bodø"),
        "phone": "68050006",
        "shareCapital": None,
        "owner": {"nationalId": ENK_OWNER, "name": "Ola Olsen"},
        "roles": [{"role": "OWNER", "name": "Ola Olsen", "birthYear": 1965}],
        "financials": [
            {
                "year": 2025,
                "revenue": 1_450_000,
                "operatingResult": 380_000,
                "equity": 260_000,
                "totalAssets": 640_000,
            },
        ],
        "rating": {"score": 71, "class": "A", "description": "Creditworthy"},
        "creditLimit": 75_000,
        "remarks": [],
    },
    NUF_FOREIGN: {
        "name": "Nordic Foreign Branch NUF",
        "organisationForm": "NUF",
        "status": "ACTIVE",
        "registeredDate": "2021-02-15",
        "naceCode": "70.220",
        "address": _address("Dronning Eufemias gate 16", "0191", "Oslo"),
        "phone": "68050007",
        "shareCapital": None,
        "foreignParent": {"name": "Foreign Parent Ltd", "country": "GB"},
        "roles": [{"role": "BRANCH_MANAGER", "name": "Fiona Foreign", "birthYear": 1980}],
        "financials": [],
        "rating": {"score": None, "class": None, "description": "Insufficient data"},
        "creditLimit": None,
        "remarks": [],
    },
}

PERSONS: Final[dict[str, dict[str, Any]]] = {
    PERSON_CLEAN: {
        "name": "Kari Syntetisk",
        "birthDate": "1975-01-01",
        "address": _address("Parkveien 5", "0350", "Oslo"),
        "status": "ALIVE",
        "creditBlock": False,
        "score": 80,
        "riskClass": "LOW",
        "remarks": [],
    },
    PERSON_REMARKS: {
        "name": "Per Betalingsanmerket",
        "birthDate": "1982-03-15",
        "address": _address("Elvegata 7", "3015", "Drammen"),
        "status": "ALIVE",
        "creditBlock": False,
        "score": 12,
        "riskClass": "VERY_HIGH",
        "remarks": [
            _remark("INKASSO", 8_400, "Strøm Sør AS (simulert)", "2026-01-14", "P-2026-0114"),
            _remark("INKASSO", 3_250, "Mobil Nord AS (simulert)", "2026-03-02", "P-2026-0302"),
            _remark("LONNSTREKK", 15_000, "Namsmannen (simulert)", "2026-06-18", "L-2026-0618"),
        ],
    },
    PERSON_BLOCKED: {
        "name": "Sperre Sperresen",
        "birthDate": "1990-04-23",
        "address": _address("Fjordgata 2", "6002", "Ålesund"),
        "status": "ALIVE",
        "creditBlock": True,
        "score": 64,
        "riskClass": "LOW",
        "remarks": [],
    },
    PERSON_DECEASED: {
        "name": "Dag Avdød",
        "birthDate": "1988-12-12",
        "address": None,
        "status": "DECEASED",
        "deceasedDate": "2026-07-30",
        "creditBlock": False,
        "score": None,
        "riskClass": None,
        "remarks": [],
    },
    PERSON_DNUMMER: {
        "name": "Dana Dnummer",
        "birthDate": "1985-01-01",
        "address": _address("Torget 1", "2317", "Hamar"),
        "status": "ALIVE",
        "creditBlock": False,
        "score": 55,
        "riskClass": "MODERATE",
        "remarks": [],
    },
    PERSON_FNR_2032: {
        "name": "Ny Nummerserie",
        "birthDate": None,
        "address": _address("Framtidsveien 32", "1337", "Sandvika"),
        "status": "ALIVE",
        "creditBlock": False,
        "score": 77,
        "riskClass": "LOW",
        "remarks": [],
    },
    ENK_OWNER: {
        "name": "Ola Olsen",
        "birthDate": "1965-07-07",
        "address": _address("Sjøveien 3", "8006", "Bodø"),
        "status": "ALIVE",
        "creditBlock": False,
        "score": 70,
        "riskClass": "LOW",
        "remarks": [],
    },
}
