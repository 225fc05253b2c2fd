"""Declarations for traders and officers: the list (a trader's own; the officer's queue with
filters), lodge (a one-item form, or paste the JSON), the declaration page, amend, invalidate."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from customhouse.access.models import Action, PermissionDenied, Principal
from customhouse.declarations.errors import DeclarationRejected
from customhouse.declarations.intake import prepare_document
from customhouse.declarations.lifecycle import AMENDABLE, INVALIDATABLE, State
from customhouse.declarations.repository import DeclarationFilter
from customhouse.errors import DomainError, Problem
from customhouse.services import declarations as svc
from customhouse.services.assessment import current_assessment
from customhouse.services.operators import get_operator
from customhouse.services.pipeline import run_after_acceptance
from customhouse.services.reference import reference_snapshot
from customhouse.web import extras
from customhouse.web.core import N_, CsrfChecked, PageRoute, SignedIn, _, get_ctx, render
from customhouse.web.public import UNITS, measure_words, unit_words

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Short = Annotated[str, Query(max_length=40)]
FormText = Annotated[str, Form(max_length=600)]
PAGE_SIZE = 25
STATES = [s.value for s in State if s not in (State.DRAFT, State.LODGED)]
CHANNELS = ("red", "yellow", "blue", "green")

# Fields of the one-item form and where each sits in the declaration (JSON pointers).
FIELDS: dict[str, str] = {
    "lrn": "/lrn",
    "declaration_type": "/declaration_type",
    "office": "/office",
    "declarant_name": "/parties/declarant/name",
    "declarant_eori": "/parties/declarant/eori",
    "counterpart_name": "/parties/exporter/name",
    "counterpart_country": "/parties/exporter/address/country",
    "transport_mode": "/transport/mode_at_border",
    "transport_document_type": "/previous_documents/0/type",
    "transport_document": "/previous_documents/0/reference",
    "incoterm": "/incoterm/code",
    "currency": "/invoice_currency",
    "commodity_code": "/items/0/commodity_code",
    "description": "/items/0/description",
    "origin": "/items/0/origin",
    "gross_mass": "/items/0/gross_mass",
    "net_mass": "/items/0/net_mass",
    "invoice_amount": "/items/0/invoice_amount",
    "quantity": "/items/0/quantity/value",
    "unit": "/items/0/quantity/unit",
}
# Pointers that name the same thing as a form field.
ALIASES = {
    "/total_invoice_amount": "invoice_amount",
    "/parties/importer/name": "counterpart_name",
    "/parties/importer/address/country": "counterpart_country",
    "/parties/representative/eori": "declarant_eori",
    "/procedure": "declaration_type",
    "/items/0/quantity": "quantity",
    "/previous_documents": "transport_document",
    "/items/0/total_gross_mass": "gross_mass",
}
# Transport documents (previous document type, UCC codes) a one-item form offers.
TRANSPORT_DOCUMENTS = {
    "N705": N_("Bill of lading"),
    "N740": N_("Air waybill"),
    "N714": N_("House bill of lading"),
    "N785": N_("Master air waybill"),
    "337": N_("Temporary storage declaration"),
    "355": N_("Entry summary declaration"),
}
TRANSPORT_MODES = {
    "1": N_("Sea"),
    "2": N_("Rail"),
    "3": N_("Road"),
    "4": N_("Air"),
    "5": N_("Post"),
}


# The simple form's own checks, in plain words, before the declaration rules run.
REQUIRED = {
    "lrn": N_("Enter your reference for this declaration."),
    "office": N_("Enter the customs office code."),
    "declarant_name": N_("Enter the declarant's name."),
    "declarant_eori": N_("Enter the declarant's EORI number."),
    "counterpart_name": N_("Enter the name of the seller or buyer abroad."),
    "counterpart_country": N_("Enter their country as two letters."),
    "transport_document": N_("Enter the transport document number."),
    "currency": N_("Enter the invoice currency as three letters."),
    "description": N_("Describe the goods."),
    "commodity_code": N_("Enter the commodity code."),
    "origin": N_("Enter the country of origin as two letters."),
    "invoice_amount": N_("Enter the invoice amount."),
    "gross_mass": N_("Enter the gross mass in kilograms."),
    "net_mass": N_("Enter the net mass in kilograms."),
}
NUMBERS = ("invoice_amount", "gross_mass", "net_mass", "quantity")


def form_problems(form: dict[str, str]) -> list[Problem]:
    """Empty required fields and unreadable numbers, each tied to its field.

    >>> [p.pointer for p in form_problems({"net_mass": "heavy"})][-1]
    '/items/0/net_mass'
    """
    out = [
        Problem("web.required", FIELDS[name], _(message))
        for name, message in REQUIRED.items()
        if not form.get(name, "").strip()
    ]
    for name in NUMBERS:
        value = form.get(name, "").strip().replace(",", "")
        if not value:
            continue
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal(-1)
        if not number.is_finite() or number < 0 or number > Decimal("1e12"):
            out.append(Problem("web.number", FIELDS[name], _("Enter a number, like 12.5.")))
    return out


def field_for(pointer: str) -> str | None:
    """The form field a problem's JSON pointer points into (the longest match), if any.

    >>> field_for("/items/0/quantity/unit")
    'unit'
    >>> field_for("/parties/importer/address/country")
    'counterpart_country'
    >>> field_for("/transport/containers/3") is None
    True
    """
    best: tuple[int, str] | None = None
    targets = {**{p: f for f, p in FIELDS.items()}, **ALIASES}
    for target, field in targets.items():
        if (pointer == target or pointer.startswith(target + "/")) and (
            best is None or len(target) > best[0]
        ):
            best = (len(target), field)
    return best[1] if best else None


def split_problems(problems: list[Problem]) -> tuple[dict[str, list[str]], list[Problem]]:
    """Problems tied to a form field, and the rest (shown in the summary only)."""
    by_field: dict[str, list[str]] = {}
    other: list[Problem] = []
    for p in problems:
        field = field_for(p.pointer)
        if field is None:
            other.append(p)
        else:
            by_field.setdefault(field, []).append(p.message)
    return by_field, other


def document_from_form(form: dict[str, str], at: str) -> dict[str, Any]:
    """A one-item declaration from the simple form; values go in as typed (the rules judge)."""
    importing = form["declaration_type"] != "EX"
    counterpart = {
        "name": form["counterpart_name"],
        "address": {"country": form["counterpart_country"].upper()},
    }
    own = {"name": form["declarant_name"], "eori": form["declarant_eori"].upper()}
    item: dict[str, Any] = {
        "sequence": 1,
        "commodity_code": form["commodity_code"].replace(".", "").replace(" ", ""),
        "description": form["description"],
        "origin": form["origin"].upper(),
        "gross_mass": form["gross_mass"] or None,
        "net_mass": form["net_mass"] or None,
        "invoice_amount": form["invoice_amount"] or None,
    }
    if form["quantity"]:
        item["quantity"] = {"value": form["quantity"], "unit": form["unit"]}
    doc: dict[str, Any] = {
        "lrn": form["lrn"],
        "declaration_type": form["declaration_type"],
        "procedure": "4000" if importing else "1000",
        "office": form["office"].upper(),
        "declaration_date": at,
        "parties": {
            "declarant": own,
            ("exporter" if importing else "importer"): counterpart,
            ("importer" if importing else "exporter"): own,
        },
        "transport": {"mode_at_border": form["transport_mode"]},
        "previous_documents": [
            {"type": form["transport_document_type"], "reference": form["transport_document"]}
        ]
        if form["transport_document"]
        else [],
        "incoterm": {"code": form["incoterm"].upper()},
        "invoice_currency": form["currency"].upper(),
        "total_invoice_amount": form["invoice_amount"] or None,
        "items": [item],
    }
    return doc


def _blank_form(request: Request, principal: Principal) -> dict[str, str]:
    ctx = get_ctx(request)
    name = ""
    if principal.eori:
        try:
            name = get_operator(ctx, principal=principal, eori=principal.eori).name
        except DomainError:
            name = ""
    return {
        # Unique per declarant: the date for the trader's eye, a random tail for uniqueness.
        "lrn": f"WEB{ctx.clock.now():%Y%m%d}{uuid.uuid4().hex[:8].upper()}",
        "declaration_type": "IM",
        "office": ctx.settings.office,
        "declarant_name": name,
        "declarant_eori": principal.eori or "",
        "counterpart_name": "",
        "counterpart_country": "",
        "transport_mode": "1",
        "transport_document_type": "N705",
        "transport_document": "",
        "incoterm": "FOB",
        "currency": "USD",
        "commodity_code": "",
        "description": "",
        "origin": "",
        "gross_mass": "",
        "net_mass": "",
        "invoice_amount": "",
        "quantity": "",
        "unit": "NAR",
    }


@router.get("/declarations", response_class=HTMLResponse)
def list_page(
    request: Request,
    principal: SignedIn,
    state: Short = "",
    mrn: Short = "",
    declarant: Short = "",
    commodity_code: Short = "",
    lrn: Short = "",
    party: Short = "",
    channel: Short = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    ctx = get_ctx(request)
    filters = DeclarationFilter(
        state=state if state in STATES else None,
        mrn=mrn.strip().upper() or None,
        declarant=declarant.strip().upper() or None,
        commodity_code=commodity_code.strip() or None,
        lrn=lrn.strip() or None,
        party=party.strip().upper() or None,
        channel=channel if channel in CHANNELS else None,
    )
    result = svc.list_declarations(
        ctx, principal=principal, filters=filters, page=page, page_size=PAGE_SIZE
    )
    counts: dict[str, int] = {}
    if not principal.is_trader:
        for s in STATES:
            counts[s] = svc.list_declarations(
                ctx, principal=principal, filters=DeclarationFilter(state=s), page_size=1
            ).total
    return render(
        request,
        "declarations.html",
        {
            "result": result,
            "filters": {
                "state": state if state in STATES else "",
                "mrn": mrn,
                "declarant": declarant,
                "commodity_code": commodity_code,
                "lrn": lrn,
                "party": party,
                "channel": channel if channel in CHANNELS else "",
            },
            "states": STATES,
            "channels": CHANNELS,
            "counts": counts,
            "pages": max(1, -(-result.total // PAGE_SIZE)),
            "tasks": extras.task_queue(ctx, principal),
        },
    )


def _lodge_form(
    request: Request,
    form: dict[str, str],
    *,
    problems: list[Problem] | None = None,
    raw_json: str = "",
    json_problems: list[Problem] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    by_field, other = split_problems(problems or [])
    return render(
        request,
        "lodge.html",
        {
            "form": form,
            "field_errors": by_field,
            "problems": problems or [],
            "other_problems": other,
            "raw_json": raw_json,
            "json_problems": json_problems or [],
            "units": unit_words(),
            "transport_modes": {k: _(v) for k, v in TRANSPORT_MODES.items()},
            "transport_documents": {k: f"{k} {_(v)}" for k, v in TRANSPORT_DOCUMENTS.items()},
            "key": uuid.uuid4().hex,
            "field_for": field_for,
        },
        status_code=status_code,
    )


@router.get("/declarations/new", response_class=HTMLResponse)
def lodge_page(request: Request, principal: SignedIn) -> HTMLResponse:
    principal.require(Action.LODGE)
    return _lodge_form(request, _blank_form(request, principal))


def _lodge(
    request: Request, principal: Principal, raw: Any, key: str
) -> tuple[str | None, list[Problem]]:
    """Lodge ``raw`` if it passes the document rules; nothing is stored while it does not."""
    ctx = get_ctx(request)
    prepared = prepare_document(raw, reference_snapshot(ctx))
    if prepared.has_errors:
        return None, prepared.problems
    idem = f"web:{principal.username}:{key[:64]}" if key else None
    try:
        outcome = svc.lodge(ctx, principal=principal, raw=raw, idempotency_key=idem, source="web")
    except DeclarationRejected as exc:
        return None, [Problem(**p) for p in exc.details.get("problems", [])]
    except PermissionDenied as exc:
        pointer = str(exc.details.get("pointer", "/parties/declarant/eori"))
        return None, [Problem("access.PermissionDenied", pointer, exc.message)]
    if not outcome.replayed:
        run_after_acceptance(ctx, [outcome.id])
    return outcome.mrn, []


@router.post("/declarations/new", dependencies=[CsrfChecked], response_class=HTMLResponse)
async def lodge_submit(request: Request, principal: SignedIn) -> Response:
    principal.require(Action.LODGE)
    data = await request.form()
    # Lodging stores the declaration and runs every pipeline step over it: not on the event
    # loop, which would stall every other request meanwhile.
    return await run_in_threadpool(_lodge_submit, request, principal, data)


def _lodge_submit(request: Request, principal: Principal, data: FormData) -> Response:
    key = str(data.get("key", ""))[:64]
    if data.get("mode") == "json":
        text = str(data.get("document", ""))[:1_000_000]
        try:
            raw = json.loads(text)
        except ValueError as exc:
            problem = Problem("web.unreadable_json", "/", _("This is not JSON: ") + str(exc))
            return _lodge_form(
                request,
                _blank_form(request, principal),
                raw_json=text,
                json_problems=[problem],
                status_code=422,
            )
        mrn, problems = _lodge(request, principal, raw, key)
        if mrn is None:
            return _lodge_form(
                request,
                _blank_form(request, principal),
                raw_json=text,
                json_problems=problems,
                status_code=422,
            )
        return RedirectResponse(f"/declarations/{mrn}", status_code=303)
    form = _blank_form(request, principal)
    for field in form:
        value = data.get(field)
        if isinstance(value, str):
            form[field] = value.strip()[:600]
    if form["unit"] not in UNITS:
        form["unit"] = "NAR"
    if form["transport_document_type"] not in TRANSPORT_DOCUMENTS:
        form["transport_document_type"] = "N705"
    problems = form_problems(form)
    if problems:
        return _lodge_form(request, form, problems=problems, status_code=422)
    for name in NUMBERS:
        form[name] = form[name].replace(",", "")
    raw = document_from_form(form, get_ctx(request).clock.now().date().isoformat())
    mrn, problems = _lodge(request, principal, raw, key)
    if mrn is None:
        return _lodge_form(request, form, problems=problems, status_code=422)
    return RedirectResponse(f"/declarations/{mrn}", status_code=303)


def show_declaration(
    request: Request,
    principal: Principal,
    mrn: str,
    *,
    evidence_error: str | None = None,
    answer_errors: dict[int, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The declaration page; a refused upload or answer is shown next to its field."""
    ctx = get_ctx(request)
    view = svc.get_declaration(ctx, principal=principal, mrn=mrn[:40])
    state = State(view.state)
    return render(
        request,
        "declaration.html",
        {
            "d": view,
            "doc": view.document,
            "assessment": current_assessment(ctx, view.id),
            "measure_words": measure_words,
            "may_amend": principal.may(Action.AMEND) and state in AMENDABLE,
            "may_invalidate": principal.may(Action.INVALIDATE) and state in INVALIDATABLE,
            "extra": extras.declaration_extras(
                ctx, principal, view, evidence_error=evidence_error, answer_errors=answer_errors
            ),
        },
        status_code=status_code,
    )


@router.get("/declarations/{mrn}", response_class=HTMLResponse)
def declaration_page(request: Request, principal: SignedIn, mrn: str) -> HTMLResponse:
    return show_declaration(request, principal, mrn)


@router.get("/declarations/{mrn}/amend", response_class=HTMLResponse)
def amend_page(request: Request, principal: SignedIn, mrn: str) -> HTMLResponse:
    principal.require(Action.AMEND)
    view = svc.get_declaration(get_ctx(request), principal=principal, mrn=mrn[:40])
    return render(
        request,
        "amend.html",
        {
            "d": view,
            "raw_json": json.dumps(view.document, indent=2, ensure_ascii=False),
            "reason": "",
            "problems": [],
        },
    )


@router.post("/declarations/{mrn}/amend", dependencies=[CsrfChecked], response_class=HTMLResponse)
def amend_submit(
    request: Request,
    principal: SignedIn,
    mrn: str,
    document: Annotated[str, Form(max_length=1_000_000)] = "",
    reason: FormText = "",
) -> Response:
    ctx = get_ctx(request)
    view = svc.get_declaration(ctx, principal=principal, mrn=mrn[:40])
    problems: list[Problem] = []
    if not reason.strip():
        problems.append(Problem("amendment.reason_missing", "/reason", _("Say why it is amended.")))
    try:
        raw = json.loads(document)
    except ValueError as exc:
        problems.append(Problem("web.unreadable_json", "/", _("This is not JSON: ") + str(exc)))
        raw = None
    if not problems:
        try:
            svc.amend(ctx, principal=principal, mrn=view.mrn or mrn, raw=raw, reason=reason)
        except DeclarationRejected as exc:
            problems = [Problem(**p) for p in exc.details.get("problems", [])]
        else:
            return RedirectResponse(f"/declarations/{view.mrn}", status_code=303)
    return render(
        request,
        "amend.html",
        {"d": view, "raw_json": document, "reason": reason, "problems": problems},
        status_code=422,
    )


@router.post(
    "/declarations/{mrn}/invalidate", dependencies=[CsrfChecked], response_class=HTMLResponse
)
def invalidate_submit(
    request: Request, principal: SignedIn, mrn: str, reason: FormText = ""
) -> Response:
    ctx = get_ctx(request)
    view = svc.invalidate(ctx, principal=principal, mrn=mrn[:40], reason=reason)
    return RedirectResponse(f"/declarations/{view.mrn}", status_code=303)
