"""The public portal, no account needed: home, duty estimator, nomenclature search, and the
prohibited and restricted goods checker."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from customhouse.errors import DomainError, InvalidInput
from customhouse.services.assessment import EstimateInput, estimate
from customhouse.web.core import N_, MaybePrincipal, PageRoute, _, get_ctx, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Text = Annotated[str, Query(max_length=200)]
_CODE = re.compile(r"^[0-9]{4,10}$")
_ISO2 = re.compile(r"^[A-Za-z]{2}$")
_ISO3 = re.compile(r"^[A-Za-z]{3}$")
# Units a member of the public can pick, in plain words (UN/ECE Rec 20 codes).
UNITS = {
    "KGM": N_("kilograms"),
    "NAR": N_("items"),
    "LTR": N_("litres"),
    "NPR": N_("pairs"),
    "MTK": N_("square metres"),
    "MTQ": N_("cubic metres"),
}
_MEASURE_WORDS = {
    "third_country": N_("Standard (most-favoured-nation) duty"),
    "preference": N_("Preferential duty"),
    "tariff_quota": N_("Duty within a tariff quota"),
    "additional": N_("Additional duty"),
    "anti_dumping": N_("Anti-dumping duty"),
    "countervailing": N_("Countervailing duty"),
    "excise": N_("Excise"),
    "vat": N_("Import VAT"),
}


def measure_words(kind: str) -> str:
    return _(_MEASURE_WORDS[kind]) if kind in _MEASURE_WORDS else kind.replace("_", " ")


def unit_words() -> dict[str, str]:
    return {code: _(words) for code, words in UNITS.items()}


def _decimal(raw: str, field: str, errors: dict[str, str], *, required: bool) -> Decimal | None:
    raw = raw.strip().replace(",", "")
    if not raw:
        if required:
            errors[field] = _("Enter an amount.")
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors[field] = _("Enter a number, like 1250.00.")
        return None
    if not value.is_finite() or value < 0 or value > Decimal("1e15"):
        errors[field] = _("Enter an amount of zero or more.")
        return None
    return value


@router.get("/", response_class=HTMLResponse)
def home(request: Request, principal: MaybePrincipal) -> HTMLResponse:
    return render(request, "home.html")


@router.get("/estimate", response_class=HTMLResponse)
def estimate_page(
    request: Request,
    principal: MaybePrincipal,
    commodity_code: Text = "",
    origin: Text = "",
    value: Text = "",
    currency: Text = "USD",
    incoterm: Text = "FOB",
    freight: Text = "",
    insurance: Text = "",
    quantity: Text = "",
    unit: Text = "KGM",
    preference: Text = "",
) -> HTMLResponse:
    form: dict[str, str] = {
        "commodity_code": commodity_code.strip().replace(".", "").replace(" ", ""),
        "origin": origin.strip().upper(),
        "value": value.strip(),
        "currency": currency.strip().upper() or "USD",
        "incoterm": incoterm.strip().upper() or "FOB",
        "freight": freight.strip(),
        "insurance": insurance.strip(),
        "quantity": quantity.strip(),
        "unit": unit if unit in UNITS else "KGM",
        "preference": "on" if preference == "on" else "",
    }
    asked = bool(commodity_code or origin or value)
    errors: dict[str, str] = {}
    result: dict[str, Any] | None = None
    failure: str | None = None
    if asked:
        if not _CODE.match(form["commodity_code"]):
            errors["commodity_code"] = _("Enter a commodity code of 4 to 10 digits.")
        if not _ISO2.match(form["origin"]):
            errors["origin"] = _("Enter the country of origin as two letters, like CN.")
        if not _ISO3.match(form["currency"]):
            errors["currency"] = _("Enter a currency as three letters, like USD.")
        if not _ISO3.match(form["incoterm"]):
            errors["incoterm"] = _("Enter an Incoterm as three letters, like FOB.")
        amount = _decimal(form["value"], "value", errors, required=True)
        if amount is not None and amount <= 0:
            errors["value"] = _("Enter a value above zero.")
        fr = _decimal(form["freight"], "freight", errors, required=False)
        ins = _decimal(form["insurance"], "insurance", errors, required=False)
        qty = _decimal(form["quantity"], "quantity", errors, required=False)
        if not errors and amount is not None:
            try:
                result = estimate(
                    get_ctx(request),
                    EstimateInput(
                        commodity_code=form["commodity_code"],
                        origin=form["origin"],
                        value=amount,
                        currency=form["currency"],
                        incoterm=form["incoterm"],
                        freight=fr,
                        insurance=ins,
                        quantities={form["unit"]: qty} if qty is not None else {},
                        preference_claimed=bool(form["preference"]),
                        proof_of_origin=bool(form["preference"]),
                    ),
                )
            except InvalidInput as exc:
                failure = exc.message
                for p in exc.problems:
                    field = p.pointer.strip("/").split("/")[0]
                    if field == "quantities":
                        field = "quantity"
                    if field in form and field not in errors:
                        errors[field] = p.message
            except DomainError as exc:
                failure = exc.message
    return render(
        request,
        "estimate.html",
        {
            "form": form,
            "errors": errors,
            "result": result,
            "failure": failure,
            "units": unit_words(),
            "measure_words": measure_words,
        },
    )


def nomenclature(request: Request, query: str, limit: int = 25) -> list[dict[str, Any]]:
    """Nomenclature nodes for a query (the classification service's search)."""
    from customhouse.services.classification import search

    try:
        hits = search(get_ctx(request), text=query, limit=limit)
    except InvalidInput:
        return []
    return [
        {
            "code": h.node.code,
            "level": h.node.level,
            "description": h.node.description,
            "matched": list(h.matched),
        }
        for h in hits
    ]


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    principal: MaybePrincipal,
    q: Text = "",
    fragment: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    query = q.strip()
    hits = nomenclature(request, query) if query else []
    template = "_search_results.html" if fragment else "search.html"
    return render(request, template, {"q": query, "hits": hits})


@router.get("/check", response_class=HTMLResponse)
def check_page(
    request: Request,
    principal: MaybePrincipal,
    commodity_code: Text = "",
    description: Text = "",
    origin: Text = "",
    destination: Text = "",
    flow: Text = "import",
) -> HTMLResponse:
    """Is this prohibited or restricted? The same goods controls the screening step applies."""
    from customhouse.screening.goods import Flow, GoodsItem, screen_goods

    form = {
        "commodity_code": commodity_code.strip().replace(".", "").replace(" ", ""),
        "description": description.strip(),
        "origin": origin.strip().upper(),
        "destination": destination.strip().upper(),
        "flow": flow if flow in ("import", "export") else "import",
    }
    errors: dict[str, str] = {}
    hits: list[dict[str, Any]] | None = None
    if commodity_code or description:
        if not re.match(r"^[0-9]{2,10}$", form["commodity_code"]):
            errors["commodity_code"] = _("Enter a commodity code of 2 to 10 digits.")
        for field in ("origin", "destination"):
            if form[field] and not _ISO2.match(form[field]):
                errors[field] = _("Enter a country as two letters, like CN.")
        if not errors:
            item = GoodsItem(
                code=form["commodity_code"],
                description=form["description"],
                origin=form["origin"],
                destination=form["destination"],
            )
            from customhouse.services.screening import goods_controls

            found = screen_goods(
                [item],
                goods_controls(get_ctx(request)),
                at=get_ctx(request).clock.now().date(),
                flow=Flow(form["flow"]),
            )
            hits = [h.as_dict() for h in found[0].hits]
    return render(
        request,
        "check.html",
        {"form": form, "errors": errors, "hits": hits},
    )


@router.get("/suggest", response_class=HTMLResponse)
def suggest(
    request: Request,
    commodity_code: Text = "",
    description: Text = "",
    q: Text = "",
) -> HTMLResponse:
    """Commodity code suggestions as ``<option>`` elements (the lodge form's datalist)."""
    query = (q or description or commodity_code).strip()
    hits = [h for h in nomenclature(request, query, 12) if h["code"].isdigit()] if query else []
    return render(request, "_suggestions.html", {"hits": hits})


@router.get("/estimate/preview", response_class=HTMLResponse)
def estimate_preview(
    request: Request,
    commodity_code: Text = "",
    origin: Text = "",
    invoice_amount: Text = "",
    currency: Text = "USD",
    incoterm: Text = "FOB",
    quantity: Text = "",
    unit: Text = "KGM",
    declaration_type: Text = "IM",
) -> HTMLResponse:
    """The duty estimate of the lodge form's goods, as the trader types (imports only)."""
    result: dict[str, Any] | None = None
    failure: str | None = None
    code = commodity_code.strip().replace(".", "").replace(" ", "")
    errors: dict[str, str] = {}
    amount = _decimal(invoice_amount, "value", errors, required=True)
    qty = _decimal(quantity, "quantity", errors, required=False)
    ready = (
        declaration_type == "IM"
        and _CODE.match(code)
        and _ISO2.match(origin.strip())
        and _ISO3.match(currency.strip())
        and _ISO3.match(incoterm.strip())
        and amount is not None
        and amount > 0
        and not errors
    )
    if ready and amount is not None:
        try:
            result = estimate(
                get_ctx(request),
                EstimateInput(
                    commodity_code=code,
                    origin=origin.strip().upper(),
                    value=amount,
                    currency=currency.strip().upper(),
                    incoterm=incoterm.strip().upper(),
                    quantities={unit: qty} if qty is not None and unit in UNITS else {},
                ),
            )
        except DomainError as exc:
            failure = exc.message
    return render(
        request,
        "_estimate_result.html",
        {"result": result, "failure": failure, "measure_words": measure_words},
    )
