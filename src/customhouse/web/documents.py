"""Files on a declaration: officers attach evidence (scans, photos, lab reports) and download
it; a trader answers a query in words and, optionally, with a document. Each form posts
multipart with the CSRF token; a refused file is shown next to its field, never as a 500."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from customhouse.access.models import Action, Principal
from customhouse.api.errors import status_for
from customhouse.controls.errors import BadEvidence, EvidenceNotFound, EvidenceTooLarge
from customhouse.errors import DomainError, Problem
from customhouse.screening.errors import BadQuery, EmptyAnswer
from customhouse.services import controls as ctl
from customhouse.services import screening as scr
from customhouse.web.core import SECURITY_HEADERS, CsrfChecked, PageRoute, SignedIn, _, get_ctx
from customhouse.web.declarations import show_declaration
from customhouse.web.extras import size_words

router = APIRouter(route_class=PageRoute, include_in_schema=False)

SHA256 = re.compile(r"[0-9a-f]{64}")


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


async def _file(value: Any, limit: int) -> tuple[bytes, str] | None:
    """The uploaded bytes (at most ``limit`` + 1, enough to know it is too large) and name."""
    if not isinstance(value, UploadFile) or not (value.filename or "").strip():
        return None
    return await value.read(limit + 1), value.filename or ""


def _why(exc: DomainError, limit: int) -> str:
    """A refused file or answer in the reader's language."""
    if isinstance(exc, EvidenceTooLarge):
        return _("The file is larger than %(size)s: attach a smaller one.") % {
            "size": size_words(limit)
        }
    codes = {p.code for p in getattr(exc, "problems", [])}
    if "evidence.empty" in codes:
        return _("The file is empty.")
    if isinstance(exc, BadEvidence):
        return _("This file is not a PDF, an image (JPEG, PNG, TIFF, GIF, WebP) or a text report.")
    if "screening.answer_too_long" in codes:
        return _("The answer is too long: at most 4000 characters.")
    return _("Write an answer or attach a document.")


@router.post("/declarations/{mrn}/evidence", dependencies=[CsrfChecked])
async def upload_evidence(request: Request, principal: SignedIn, mrn: str) -> Response:
    form = await request.form()
    try:
        return await _upload_evidence(request, principal, mrn, form)
    finally:
        await form.close()  # the spooled upload, whatever happened


async def _upload_evidence(
    request: Request, principal: Principal, mrn: str, form: FormData
) -> Response:
    # Refused before the file is looked at: traders and analysts never attach evidence.
    principal.require(Action.WORK_CONTROL_TASK)
    ctx = get_ctx(request)
    limit = ctx.settings.max_evidence_bytes
    upload = await _file(form.get("file"), limit)
    if upload is None:
        return await run_in_threadpool(
            show_declaration,
            request,
            principal,
            mrn,
            evidence_error=_("Choose a file to attach."),
            status_code=422,
        )
    try:
        await run_in_threadpool(
            lambda: ctl.attach_evidence(
                ctx,
                principal=principal,
                mrn=mrn[:40],
                content=upload[0],
                filename=upload[1],
                note=_text(form.get("note"), 500),
            )
        )
    except (BadEvidence, EvidenceTooLarge) as exc:
        return await run_in_threadpool(
            show_declaration,
            request,
            principal,
            mrn,
            evidence_error=_why(exc, limit),
            status_code=status_for(exc),
        )
    return RedirectResponse(f"/declarations/{quote(mrn[:40])}#evidence-h", status_code=303)


@router.get("/evidence/{sha256}")
def download_evidence(request: Request, principal: SignedIn, sha256: str) -> Response:
    """The file as stored (read back only if it still matches its SHA-256), as a download."""
    if not SHA256.fullmatch(sha256):
        raise EvidenceNotFound(_("There is no such evidence."))
    row, content = ctl.read_evidence(get_ctx(request), principal=principal, sha256=sha256)
    headers = {
        **SECURITY_HEADERS,
        # Never rendered in the site's origin: a download, in a sandbox, its type not guessed.
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(content, media_type=row.media_type, headers=headers)


@router.post("/queries/{query_id}/answer", dependencies=[CsrfChecked])
async def answer_query(request: Request, principal: SignedIn, query_id: int) -> Response:
    form = await request.form()
    try:
        return await _answer_query(request, principal, query_id, form)
    finally:
        await form.close()


async def _answer_query(
    request: Request, principal: Principal, query_id: int, form: FormData
) -> Response:
    principal.require(Action.ANSWER_QUERY)
    ctx = get_ctx(request)
    limit = ctx.settings.max_evidence_bytes
    mrn = _text(form.get("mrn"), 40)
    document = await _file(form.get("document"), limit)
    try:
        await run_in_threadpool(
            lambda: scr.answer_query(
                ctx,
                principal=principal,
                query_id=query_id,
                text=_text(form.get("text"), 5000),
                document=document,
            )
        )
    except (BadEvidence, EvidenceTooLarge, EmptyAnswer) as exc:
        if not mrn:
            raise
        return await run_in_threadpool(
            show_declaration,
            request,
            principal,
            mrn,
            answer_errors={query_id: _why(exc, limit)},
            status_code=status_for(exc),
        )
    target = f"/declarations/{quote(mrn)}#query-{query_id}" if mrn.isalnum() else "/declarations"
    return RedirectResponse(target, status_code=303)


@router.post("/declarations/{mrn}/queries", dependencies=[CsrfChecked])
def ask_for_document(
    request: Request,
    principal: SignedIn,
    mrn: str,
    missing: Annotated[str, Form(max_length=500)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    item: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    """An officer asks the declarant for a document; errors come back as the error page."""
    number = item.strip()
    if number and not number.isdigit():
        raise BadQuery(
            _("Give the item number, or leave it empty for the whole declaration."),
            [Problem("web.item", "/item", _("a whole number"))],
        )
    scr.raise_query(
        get_ctx(request),
        principal=principal,
        mrn=mrn[:40],
        missing=missing,
        reason=reason,
        item=int(number or 0),
    )
    return RedirectResponse(f"/declarations/{quote(mrn[:40])}#screening-h", status_code=303)
