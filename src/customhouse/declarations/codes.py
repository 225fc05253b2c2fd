"""Code lists the declaration rules check against (UCC Annex B / WCO DM code lists, abridged)."""

from __future__ import annotations

# DE 1/10 procedure codes, first two digits: the requested procedure, by declaration type.
IMPORT_PROCEDURES = frozenset(
    {
        "01",
        "07",
        "40",
        "42",
        "43",
        "44",
        "45",
        "46",
        "48",
        "51",
        "53",
        "54",
        "61",
        "63",
        "68",
        "71",
        "78",
    }
)
EXPORT_PROCEDURES = frozenset({"10", "11", "21", "22", "23", "31"})
TRANSIT_PROCEDURES = frozenset({"80", "81", "82", "83", "00"})

# DE 4/17 preference codes that claim a tariff preference and so need proof of origin.
PREFERENCE_CLAIMS = frozenset({"200", "220", "240", "250", "300", "310", "320", "340", "350"})
KNOWN_PREFERENCES = (
    frozenset({"100", "115", "119", "120", "123", "125", "140", "150", "160", "170", "180"})
    | PREFERENCE_CLAIMS
)

# DE 2/3 document codes that prove preferential origin (EUR.1, EUR-MED, Form A, origin
# statements, REX statements, invoice declarations).
PROOF_OF_ORIGIN_DOCUMENTS = frozenset(
    {
        "N864",
        "N865",
        "N954",
        "N955",
        "U110",
        "U111",
        "U112",
        "U116",
        "U162",
        "U163",
        "U164",
        "U165",
        "U166",
        "U167",
        "U168",
        "U170",
        "U171",
        "U172",
        "U173",
        "U174",
        "U175",
        "U176",
        "U177",
        "U178",
        "U179",
        "U180",
    }
)

# Transport documents (DE 2/1 previous documents, N-codes) expected for the mode at the border.
TRANSPORT_DOCUMENTS_BY_MODE = {
    "1": frozenset({"N705", "N714", "N740", "N785", "355", "337"}),  # bill of lading, sea waybill
    "2": frozenset({"N720", "N722"}),  # CIM consignment note
    "3": frozenset({"N730", "N722"}),  # CMR road consignment note
    "4": frozenset({"N740", "N741"}),  # air waybill, master air waybill
    "5": frozenset({"N787", "N740"}),  # postal consignment
}

INCOTERMS = frozenset(
    {"EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DAT", "DDP", "FAS", "FOB", "CFR", "CIF", "XXX"}
)
VALUATION_METHODS = frozenset({"1", "2", "3", "4", "5", "6"})
REPRESENTATIVE_STATUSES = frozenset({"2", "3"})
ADDITIONAL_TYPES = frozenset({"A", "B", "C", "D", "E", "F", "J", "K", "X", "Y", "Z"})
