"""Declaration validation: every problem at once, each with a stable code and a JSON pointer.

The rules are pure: they read the document, a reference snapshot and an operator register that
the caller passes in, and never the clock or the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol

from pydantic import ValidationError

from customhouse.declarations import codes
from customhouse.declarations.models import DeclarationDocument, DeclarationType, Party
from customhouse.errors import DomainError, Problem
from customhouse.identifiers import container, eori, hs_code, locode, vat

# Arithmetic tolerance for header totals against the sum of items: one minor unit of mass or money
# per item, as national systems allow for rounding on each item line.
_TOLERANCE_PER_ITEM = Decimal("0.01")


class ReferenceLookup(Protocol):
    """What the rules need from the reference snapshot."""

    def is_country(self, code: str) -> bool: ...
    def is_currency(self, code: str) -> bool: ...
    def is_locode(self, code: str) -> bool: ...
    def commodity_valid(self, code: str, at: date) -> bool: ...


@dataclass(frozen=True, slots=True)
class OperatorRecord:
    """An entry of the register of economic operators, as the rules see it."""

    eori: str
    name: str
    valid_from: date | None = None
    valid_to: date | None = None
    aeo_status: str | None = None
    aeo_valid_to: date | None = None

    def valid_at(self, at: date) -> bool:
        if self.valid_from and at < self.valid_from:
            return False
        return not (self.valid_to and at >= self.valid_to)


class OperatorLookup(Protocol):
    def get(self, eori: str) -> OperatorRecord | None: ...


@dataclass(frozen=True, slots=True)
class RulesConfig:
    """What the administration configures: an unknown EORI is an error or a warning."""

    unknown_eori: str = "warning"


def problems_from_validation_error(exc: ValidationError) -> list[Problem]:
    """Pydantic errors as problems with JSON pointers into the lodged document."""
    out = []
    for err in exc.errors(include_url=False):
        pointer = "".join(f"/{part}" for part in err["loc"])
        out.append(
            Problem(code=f"schema.{err['type']}", pointer=pointer or "/", message=err["msg"])
        )
    return out


def parse(raw: Mapping[str, Any]) -> tuple[DeclarationDocument | None, list[Problem]]:
    """Read a JSON object into a document, or say every field that could not be read."""
    try:
        return DeclarationDocument.model_validate(raw), []
    except ValidationError as exc:
        return None, problems_from_validation_error(exc)


class _Collector:
    __slots__ = ("problems",)

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, code: str, pointer: str, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(code, pointer, message, severity))

    def check_id(self, check: Callable[[str], str], value: str, code: str, pointer: str) -> None:
        error = identifier_error(check, value)
        if error is not None:
            self.add(code, pointer, f"{value!r}: {error}")


# Identifier checks are pure and the same traders' numbers recur in every batch, so their verdicts
# are remembered (bounded) rather than recomputed for each declaration.
@lru_cache(maxsize=200_000)
def identifier_error(check: Callable[[str], str], value: str) -> str | None:
    """The checker's message if ``value`` is not valid, else None."""
    try:
        check(value)
    except DomainError as exc:
        return exc.message
    return None


@lru_cache(maxsize=200_000)
def compact_eori(value: str) -> str | None:
    """The compact EORI if ``value`` is a valid one, else None."""
    try:
        return eori.validate(value)
    except DomainError:
        return None


def validate(doc: DeclarationDocument, reference: ReferenceLookup) -> list[Problem]:
    """Every rule over one document that needs only reference data, in document order."""
    out = _Collector()
    at = doc.declaration_date
    dtype = _check_header(doc, out)
    _check_parties(doc, dtype, reference, out)
    _check_transport_and_locations(doc, reference, out)
    _check_items(doc, dtype, reference, at, out)
    _check_totals(doc, out)
    return out.problems


def _check_header(doc: DeclarationDocument, out: _Collector) -> DeclarationType | None:
    if not doc.lrn or len(doc.lrn) > 22 or not doc.lrn.isascii() or not doc.lrn.isprintable():
        out.add("declaration.invalid_lrn", "/lrn", "LRN must be 1 to 22 printable ASCII characters")
    dtype: DeclarationType | None
    try:
        dtype = DeclarationType(doc.declaration_type)
    except ValueError:
        dtype = None
        out.add(
            "declaration.unknown_type",
            "/declaration_type",
            f"{doc.declaration_type!r} is not a declaration type "
            f"({', '.join(t.value for t in DeclarationType)})",
        )
    if doc.additional_type not in codes.ADDITIONAL_TYPES:
        out.add(
            "declaration.unknown_additional_type",
            "/additional_type",
            f"{doc.additional_type!r} is not an additional declaration type",
        )
    _check_procedure(doc.procedure, dtype, "/procedure", out)
    office = doc.office
    if not (
        len(office) == 8 and office[:2].isalpha() and office[:2].isupper() and office[2:].isalnum()
    ):
        out.add(
            "declaration.invalid_office",
            "/office",
            f"{office!r} is not a customs office reference (country code and 6 characters)",
        )
    if not (doc.invoice_currency.isascii() and doc.invoice_currency.isupper()):
        out.add(
            "reference.unknown_currency",
            "/invoice_currency",
            f"{doc.invoice_currency!r} is not an ISO 4217 currency code",
        )
    if doc.total_invoice_amount < 0:
        out.add("totals.negative_amount", "/total_invoice_amount", "the invoice total is negative")
    if doc.incoterm is not None and doc.incoterm.code not in codes.INCOTERMS:
        out.add("incoterm.unknown", "/incoterm/code", f"{doc.incoterm.code!r} is not an Incoterm")
    return dtype


def _check_procedure(
    procedure: str, dtype: DeclarationType | None, pointer: str, out: _Collector
) -> None:
    if len(procedure) != 4 or not procedure.isdigit():
        out.add(
            "declaration.invalid_procedure",
            pointer,
            f"{procedure!r} is not a 4-digit procedure code",
        )
        return
    if dtype is None:
        return
    allowed = (
        codes.EXPORT_PROCEDURES
        if dtype is DeclarationType.EXPORT
        else codes.TRANSIT_PROCEDURES
        if dtype.is_transit
        else codes.IMPORT_PROCEDURES
    )
    if procedure[:2] not in allowed:
        out.add(
            "declaration.procedure_mismatch",
            pointer,
            f"procedure {procedure} cannot be requested on a {dtype.value} declaration",
        )


def _check_parties(
    doc: DeclarationDocument,
    dtype: DeclarationType | None,
    reference: ReferenceLookup,
    out: _Collector,
) -> None:
    parties = doc.parties
    if dtype is DeclarationType.IMPORT and parties.importer is None:
        out.add(
            "party.missing_importer",
            "/parties/importer",
            "an import declaration names the importer",
        )
    if dtype is DeclarationType.EXPORT and parties.exporter is None:
        out.add(
            "party.missing_exporter",
            "/parties/exporter",
            "an export declaration names the exporter",
        )
    if parties.representative is not None and (
        parties.representative_status not in codes.REPRESENTATIVE_STATUSES
    ):
        out.add(
            "party.representative_status",
            "/parties/representative_status",
            "a representative needs status 2 (direct) or 3 (indirect)",
        )
    if parties.declarant.eori is None:
        out.add(
            "party.missing_eori",
            "/parties/declarant/eori",
            "the declarant must give an EORI number",
        )
    for role in ("declarant", "exporter", "importer", "representative", "seller", "buyer"):
        party: Party | None = getattr(parties, role)
        if party is not None:
            _check_party(party, f"/parties/{role}", reference, out)


def _check_party(
    party: Party,
    pointer: str,
    reference: ReferenceLookup,
    out: _Collector,
) -> None:
    if party.eori is not None:
        out.check_id(eori.validate, party.eori, "party.invalid_eori", f"{pointer}/eori")
    if party.vat_number is not None:
        out.check_id(vat.validate, party.vat_number, "party.invalid_vat", f"{pointer}/vat_number")
    if party.address is not None and not reference.is_country(party.address.country):
        out.add(
            "reference.unknown_country",
            f"{pointer}/address/country",
            f"{party.address.country!r} is not an ISO 3166 country code",
        )


@dataclass(frozen=True, slots=True)
class PartyRef:
    """A party's well-formed EORI and where it stands in the document, for the register check."""

    role: str
    pointer: str
    eori: str


# Foreign sellers and buyers need not be in this administration's register.
REGISTERED_ROLES = ("declarant", "exporter", "importer", "representative")


def party_refs(doc: DeclarationDocument) -> list[PartyRef]:
    refs = []
    for role in REGISTERED_ROLES:
        party: Party | None = getattr(doc.parties, role)
        number = compact_eori(party.eori) if party is not None and party.eori else None
        if number is not None:
            refs.append(PartyRef(role, f"/parties/{role}/eori", number))
    return refs


def check_register(
    refs: list[PartyRef],
    operators: OperatorLookup,
    at: date,
    config: RulesConfig = RulesConfig(),
) -> list[Problem]:
    """Parties against the register of economic operators: unknown or lapsed EORIs.

    Separate from :func:`validate` because it needs the register, which the caller fetches for
    a whole batch at once.
    """
    out = _Collector()
    for ref in refs:
        record = operators.get(ref.eori)
        if record is None:
            out.add(
                "party.unknown_eori",
                ref.pointer,
                f"{ref.eori} is not in the register of economic operators",
                severity=config.unknown_eori,
            )
        elif not record.valid_at(at):
            out.add(
                "party.expired_eori",
                ref.pointer,
                f"the registration of {ref.eori} is not valid on {at.isoformat()}",
                severity=config.unknown_eori,
            )
    return out.problems


def _check_transport_and_locations(
    doc: DeclarationDocument, reference: ReferenceLookup, out: _Collector
) -> None:
    transport = doc.transport
    mode = transport.mode_at_border
    if mode not in {"1", "2", "3", "4", "5", "7", "8", "9"}:
        out.add(
            "transport.unknown_mode",
            "/transport/mode_at_border",
            f"{mode!r} is not a mode of transport (UN/ECE Rec 19: 1-5, 7-9)",
        )
    elif mode in codes.TRANSPORT_DOCUMENTS_BY_MODE and not doc.transport.containers:
        expected = codes.TRANSPORT_DOCUMENTS_BY_MODE[mode]
        have = {d.type for d in doc.previous_documents} | {d.type for d in doc.documents}
        if not have & expected:
            out.add(
                "transport.document_missing",
                "/previous_documents",
                f"mode {mode} needs a transport document ({', '.join(sorted(expected))})",
            )
    if transport.containers and mode in {"4", "5"}:
        out.add(
            "transport.containers_mode",
            "/transport/containers",
            "ISO containers are not declared for air or postal consignments",
        )
    for i, number in enumerate(transport.containers):
        out.check_id(
            container.validate, number, "transport.invalid_container", f"/transport/containers/{i}"
        )
    if transport.means_nationality and not reference.is_country(transport.means_nationality):
        out.add(
            "reference.unknown_country",
            "/transport/means_nationality",
            f"{transport.means_nationality!r} is not an ISO 3166 country code",
        )
    loc = doc.locations
    for field in ("country_of_dispatch", "country_of_destination"):
        value = getattr(loc, field)
        if value is not None and not reference.is_country(value):
            out.add(
                "reference.unknown_country",
                f"/locations/{field}",
                f"{value!r} is not an ISO 3166 country code",
            )
    for field in ("place_of_loading", "place_of_unloading"):
        value = getattr(loc, field)
        if value is None:
            continue
        if not locode.is_valid(value):
            out.add(
                "reference.invalid_locode",
                f"/locations/{field}",
                f"{value!r} is not a UN/LOCODE (country code and 3 characters)",
            )
        elif not reference.is_locode(locode.compact(value)):
            out.add(
                "reference.unknown_locode",
                f"/locations/{field}",
                f"{value!r} is not in the UN/LOCODE list",
            )
    if not reference.is_currency(doc.invoice_currency):
        out.add(
            "reference.unknown_currency",
            "/invoice_currency",
            f"{doc.invoice_currency!r} is not an ISO 4217 currency code",
        )
    if (
        doc.costs is not None
        and doc.costs.currency
        and not reference.is_currency(doc.costs.currency)
    ):
        out.add(
            "reference.unknown_currency",
            "/costs/currency",
            f"{doc.costs.currency!r} is not an ISO 4217 currency code",
        )


def _check_items(
    doc: DeclarationDocument,
    dtype: DeclarationType | None,
    reference: ReferenceLookup,
    at: date,
    out: _Collector,
) -> None:
    header_docs = {d.type for d in doc.documents}
    for i, item in enumerate(doc.items):
        p = f"/items/{i}"
        if item.sequence != i + 1:
            out.add(
                "item.sequence",
                f"{p}/sequence",
                f"items are numbered 1, 2, 3...; item {i + 1} says {item.sequence}",
            )
        code = item.commodity_code
        if not hs_code.is_valid(code):
            out.add(
                "reference.invalid_commodity_code",
                f"{p}/commodity_code",
                f"{code!r} is not a commodity code of 6, 8 or 10 digits",
            )
        elif not reference.commodity_valid(hs_code.compact(code), at):
            out.add(
                "reference.unknown_commodity_code",
                f"{p}/commodity_code",
                f"{code} is not in the nomenclature in force on {at.isoformat()}",
            )
        if not item.description.strip():
            out.add(
                "item.missing_description", f"{p}/description", "a goods description is required"
            )
        if not reference.is_country(item.origin):
            out.add(
                "reference.unknown_country",
                f"{p}/origin",
                f"{item.origin!r} is not an ISO 3166 country code",
            )
        if item.preferential_origin is not None and not reference.is_country(
            item.preferential_origin
        ):
            out.add(
                "reference.unknown_country",
                f"{p}/preferential_origin",
                f"{item.preferential_origin!r} is not an ISO 3166 country code",
            )
        if item.currency is not None and not reference.is_currency(item.currency):
            out.add(
                "reference.unknown_currency",
                f"{p}/currency",
                f"{item.currency!r} is not an ISO 4217 currency code",
            )
        if item.procedure is not None:
            _check_procedure(item.procedure, dtype, f"{p}/procedure", out)
        if item.gross_mass < 0 or item.net_mass < 0:
            out.add("item.negative_mass", f"{p}/net_mass", "masses cannot be negative")
        elif item.net_mass > item.gross_mass:
            out.add(
                "item.net_exceeds_gross",
                f"{p}/net_mass",
                f"net mass {item.net_mass} kg exceeds gross mass {item.gross_mass} kg",
            )
        if item.invoice_amount < 0:
            out.add("item.negative_amount", f"{p}/invoice_amount", "the item amount is negative")
        if item.quantity is not None and item.quantity.value < 0:
            out.add("item.negative_quantity", f"{p}/quantity/value", "the quantity is negative")
        if item.valuation_method not in codes.VALUATION_METHODS:
            out.add(
                "valuation.unknown_method",
                f"{p}/valuation_method",
                f"{item.valuation_method!r} is not a WTO valuation method (1-6)",
            )
        if item.preference is not None:
            if item.preference not in codes.KNOWN_PREFERENCES:
                out.add(
                    "origin.unknown_preference",
                    f"{p}/preference",
                    f"{item.preference!r} is not a preference code",
                )
            elif item.preference in codes.PREFERENCE_CLAIMS:
                item_docs = {d.type for d in item.documents} | header_docs
                if not item_docs & codes.PROOF_OF_ORIGIN_DOCUMENTS:
                    out.add(
                        "origin.proof_missing",
                        f"{p}/documents",
                        f"preference {item.preference} is claimed without a proof of origin",
                    )


def _check_totals(doc: DeclarationDocument, out: _Collector) -> None:
    tolerance = _TOLERANCE_PER_ITEM * len(doc.items)
    items_amount = sum((i.invoice_amount for i in doc.items), Decimal(0))
    if abs(items_amount - doc.total_invoice_amount) > tolerance:
        out.add(
            "totals.invoice_mismatch",
            "/total_invoice_amount",
            f"items add up to {items_amount}, the header says {doc.total_invoice_amount}",
        )
    if doc.total_gross_mass is not None:
        items_mass = sum((i.gross_mass for i in doc.items), Decimal(0))
        if abs(items_mass - doc.total_gross_mass) > tolerance:
            out.add(
                "totals.gross_mass_mismatch",
                "/total_gross_mass",
                f"items weigh {items_mass} kg gross, the header says {doc.total_gross_mass} kg",
            )
    if doc.total_packages is not None and all(i.packages is not None for i in doc.items):
        items_packages = sum(i.packages or 0 for i in doc.items)
        if items_packages != doc.total_packages:
            out.add(
                "totals.packages_mismatch",
                "/total_packages",
                f"items count {items_packages} packages, the header says {doc.total_packages}",
            )
