"""Intake: from a body as received to a prepared declaration, pure and picklable.

Preparing (reading JSON, parsing, the document rules) needs only reference data, so a batch can be
prepared in worker processes while the writer stores the previous batch. What needs the database
(idempotency keys, the register of operators, LRNs already used) is checked by the writer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from customhouse.declarations.models import DeclarationDocument
from customhouse.declarations.rules import (
    PartyRef,
    ReferenceLookup,
    compact_eori,
    parse,
    party_refs,
    validate,
)
from customhouse.declarations.summary import DeclarationSummary, ItemSummary, summarise
from customhouse.errors import Problem
from customhouse.ledger.models import canonical_json


@dataclass(slots=True)
class Prepared:
    """A declaration read and checked against the document rules, ready to store."""

    key: str | None
    digest: str
    document_json: str
    problems: list[Problem]
    valid: bool
    lrn: str
    declarant: str | None
    representative: str | None = None
    importer: str | None = None
    exporter: str | None = None
    declaration_type: str = ""
    procedure: str = ""
    office: str = ""
    declaration_date: str = ""
    invoice_currency: str = ""
    total_invoice_amount: str = "0"
    parties: list[PartyRef] = field(default_factory=list)
    # The parsed document, where it parsed; the pipeline steps read it from the cache.
    document: DeclarationDocument | None = field(default=None, repr=False, compare=False)
    # What the steps after assessment read of it, made here so the writer need not parse it.
    summary: DeclarationSummary | None = field(default=None, repr=False, compare=False)
    # Pure analyses a pipeline step made at preparation: step name -> (basis, result).
    analyses: dict[str, tuple[str, Any]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def items(self) -> tuple[ItemSummary, ...]:
        """The items (none where the document did not parse)."""
        return self.summary.items if self.summary is not None else ()

    @property
    def at(self) -> date:
        return date.fromisoformat(self.declaration_date)

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def body_digest(raw: Any) -> str:
    text = canonical_json(raw) if isinstance(raw, dict) else repr(raw)
    return hashlib.sha256(text.encode()).hexdigest()


def _text(raw: Any, key: str, limit: int = 35) -> str:
    value = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(value, str):
        return ""
    return value[:limit].encode("utf-8", "replace").decode("utf-8")


def _raw_declarant(raw: Any) -> str | None:
    try:
        value = raw["parties"]["declarant"]["eori"]
    except (KeyError, TypeError):
        return None
    return value[:35].encode("utf-8", "replace").decode("utf-8") if isinstance(value, str) else None


def _eori(doc: DeclarationDocument, role: str) -> str | None:
    party = getattr(doc.parties, role)
    if party is None or party.eori is None:
        return None
    return compact_eori(party.eori) or party.eori[:35]


def unencodable_pointers(value: Any, pointer: str = "") -> list[str]:
    """JSON pointers of strings that are not valid Unicode (lone surrogates from a JSON escape).

    >>> unencodable_pointers({"a": ["ok", "\\ud800"]})
    ['/a/1']
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return [pointer or "/"]
        return []
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            key = str(k).replace("~", "~0").replace("/", "~1")
            out.extend(unencodable_pointers(k, f"{pointer}/{key}") if isinstance(k, str) else [])
            out.extend(unencodable_pointers(v, f"{pointer}/{key}"))
        return out
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in unencodable_pointers(v, f"{pointer}/{i}")]
    return []


def prepare_document(
    raw: Any,
    reference: ReferenceLookup,
    *,
    key: str | None = None,
    digest: str | None = None,
    read_problems: tuple[Problem, ...] = (),
) -> Prepared:
    """Parse and check one body; a body that cannot be read keeps its raw form for the record."""
    bad_text = unencodable_pointers(raw)
    if bad_text:
        read_problems = read_problems + tuple(
            Problem("schema.invalid_unicode", p, "text is not valid Unicode (a lone surrogate)")
            for p in bad_text
        )
        # Escaped, so the refused body can still be stored and shown as it was sent.
        digest = digest or hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()
    digest = digest or body_digest(raw)
    doc: DeclarationDocument | None = None
    if read_problems:
        problems = list(read_problems)
    elif not isinstance(raw, dict):
        problems = [Problem("schema.not_an_object", "/", "a declaration is a JSON object")]
    else:
        doc, problems = parse(raw)
    if doc is None:
        return Prepared(
            key=key,
            digest=digest,
            valid=False,
            problems=problems,
            document_json=json.dumps(
                raw if isinstance(raw, dict) else {"value": raw},
                ensure_ascii=bool(bad_text),
                separators=(",", ":"),
                default=str,
            ),
            lrn=_text(raw, "lrn"),
            declarant=_raw_declarant(raw),
            declaration_type=_text(raw, "declaration_type"),
            procedure=_text(raw, "procedure"),
            office=_text(raw, "office"),
            declaration_date=_text(raw, "declaration_date", 10),
            invoice_currency=_text(raw, "invoice_currency"),
        )
    return _prepared(doc, reference, problems, key, digest)


def _prepared(
    doc: DeclarationDocument,
    reference: ReferenceLookup,
    problems: list[Problem],
    key: str | None,
    digest: str,
    keep_document: bool = True,
) -> Prepared:
    problems.extend(validate(doc, reference))
    return Prepared(
        key=key,
        digest=digest,
        valid=True,
        problems=problems,
        document_json=doc.model_dump_json(exclude_none=True),
        lrn=doc.lrn,
        declarant=_eori(doc, "declarant"),
        representative=_eori(doc, "representative"),
        importer=_eori(doc, "importer"),
        exporter=_eori(doc, "exporter"),
        declaration_type=doc.declaration_type,
        procedure=doc.procedure,
        office=doc.office,
        declaration_date=doc.declaration_date.isoformat(),
        invoice_currency=doc.invoice_currency,
        total_invoice_amount=str(doc.total_invoice_amount),
        parties=party_refs(doc),
        document=doc if keep_document else None,
        summary=summarise(doc),
    )


def prepare_line(
    line: bytes, number: int, reference: ReferenceLookup, *, keep_document: bool = True
) -> Prepared:
    """One line of a JSON-lines file; its key is the digest of its bytes, so a rerun skips it.

    ``keep_document=False`` drops the parsed document (intake alone never reads it again)."""
    text = line.strip()
    digest = hashlib.sha256(text).hexdigest()
    key = "file:" + digest
    try:
        # The usual case, read straight from bytes by pydantic-core; a body with any problem
        # is read again below so that every problem is reported against the raw document.
        doc = DeclarationDocument.model_validate_json(text)
        return _prepared(doc, reference, [], key, digest, keep_document)
    except ValidationError:
        pass
    try:
        raw = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problem = Problem("schema.json_invalid", "/", f"line {number}: {exc}")
        return prepare_document(
            text.decode("utf-8", "replace")[:2000],
            reference,
            key=key,
            digest=digest,
            read_problems=(problem,),
        )
    return prepare_document(raw, reference, key=key, digest=digest)
