"""Work the preparing worker does ahead for the steps (assessment, item fits, party screening)
is the work the steps would do themselves, and is used only on the basis it was made on."""

from __future__ import annotations

import copyreg
import io
import json
import pickle
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import distinct, func, select

from customhouse.access.models import SYSTEM
from customhouse.classification.consistency import check_consistency
from customhouse.classification.models import Suggestion
from customhouse.classification.tables import ItemFindingRow
from customhouse.declarations.intake import Prepared, prepare_document
from customhouse.declarations.lifecycle import State
from customhouse.declarations.models import DeclarationDocument
from customhouse.declarations.summary import ItemSummary, summarise
from customhouse.declarations.tables import DeclarationRow
from customhouse.risk.policy import OfficePolicy
from customhouse.risk.profiles import SelectivityProfile
from customhouse.screening.declaration import HitRecord
from customhouse.services import assessment as assess_svc
from customhouse.services import classification as classify_svc
from customhouse.services.context import Context
from customhouse.services.documents import CACHE_KEY, document_cache, summaries_in_states
from customhouse.services.intake import analyse, constructor_reducers, prepare_in_parallel
from customhouse.services.pipeline import Analyser, analysers, process_prepared
from customhouse.services.screening import judge_hit, load_sanctions_list
from customhouse.tariff.assessment_tables import AssessmentRow
from customhouse.tariff.engine import AssessmentLine
from tests.integration.test_assessment import import_doc, install
from tests.integration.test_controls import user
from tests.integration.test_screening import free_tariff, lodge, party_hits, sanctions, with_seller

pytestmark = pytest.mark.integration


def _lines(count: int) -> list[tuple[int, bytes]]:
    origins = ("CN", "VN", "BR", "IN")
    return [
        (n, json.dumps(import_doc(n, origin=origins[n % 4], amount=f"{1000 + n}.00")).encode())
        for n in range(1, count + 1)
    ]


def test_worker_analyses_equal_the_steps_own_work_and_are_used(ctx: Context) -> None:
    install(ctx)
    ahead = analysers(ctx)
    assert {a.step for a in ahead} >= {"assess", "classify"}  # no list stored: no screening
    (batch,) = list(prepare_in_parallel(ctx, [_lines(6)], workers=1, analysers=ahead, start_here=0))
    # Sent back as JSON only (cheaper than pickling the model); the steps parse what they read.
    assert all(p.document is None and p.document_json for p in batch)
    tariff = assess_svc.active_tariff(ctx)
    rates = assess_svc.rates_for(ctx, tariff.profile)
    model = classify_svc.model(ctx)
    for p in batch:
        doc = prepare_document(json.loads(p.document_json), assess_svc.reference_snapshot(ctx))
        assert doc.document is not None
        basis, outcome = p.analyses["assess"]
        mine = assess_svc.run_engine(
            assess_svc.prepare(0, 0, doc.document, tariff, rates), tariff, rates, {}
        )
        assert outcome == mine and basis == f"tariff@{id(tariff)}"
        summary = summarise(doc.document)
        assert p.summary == summary  # what the steps after assessment read, made ahead
        # Findings without rulings (the step adds those), from brief fits: the same as from
        # full consistency checks.
        full = [
            check_consistency(model, i.description, i.commodity_code) for i in doc.document.items
        ]
        assert p.analyses["classify"][1] == classify_svc.fitted_findings(model, summary, full)
        assert p.analyses["classify"][1] == classify_svc.examine(model, summary, [])
        assert any(c.better_codes for c in full)  # the comparison covers better codes

    outcomes = process_prepared(ctx, principal=SYSTEM, prepared=batch, source="test")
    cache = document_cache(ctx)
    with ctx.sessions() as session:
        totals = dict(
            session.execute(
                select(AssessmentRow.declaration_id, AssessmentRow.total).where(
                    AssessmentRow.status == "current"
                )
            ).all()
        )
    assert len(outcomes) == len(batch)
    for o in outcomes:
        assert o.accepted
        made = cache.analysis(o.id, 1, "assess", f"tariff@{id(tariff)}")
        assert made is not None and made.assessment is not None
        assert totals[o.id] == made.assessment.total


def test_the_writer_parses_no_document_the_worker_prepared(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(ctx)
    load_sanctions_list(ctx, principal=SYSTEM, sanctions_list=sanctions(), source="test")
    ahead = analysers(ctx)
    assert {a.step for a in ahead} == {"assess", "screen", "classify"}
    (batch,) = list(prepare_in_parallel(ctx, [_lines(6)], workers=1, analysers=ahead, start_here=0))
    parsed: list[str] = []
    original = DeclarationDocument.model_validate_json

    def counted(text: str) -> DeclarationDocument:
        parsed.append(text)
        return original(text)

    monkeypatch.setattr(DeclarationDocument, "model_validate_json", counted)
    outcomes = process_prepared(ctx, principal=SYSTEM, prepared=batch, source="test")
    assert parsed == []  # assessed, screened, fitted and routed from what the worker sent
    ids = [o.id for o in outcomes if o.accepted]
    assert len(ids) == len(batch)
    with ctx.sessions() as session:
        routed = session.scalars(
            select(DeclarationRow.channel).where(DeclarationRow.id.in_(ids))
        ).all()
        findings = session.scalar(
            select(func.count(distinct(ItemFindingRow.declaration_id))).where(
                ItemFindingRow.declaration_id.in_(ids)
            )
        )
    assert len(routed) == len(ids) and all(routed)
    assert findings == len(ids)
    # A declaration this process no longer holds (a restart): its summary is made again from
    # the stored document, the same as the worker's.
    ctx.forget(CACHE_KEY)
    with ctx.sessions() as session:
        again = summaries_in_states(ctx, session, ids, [s.value for s in State])
    made = [(o.id, p.summary) for o, p in zip(outcomes, batch, strict=True)]
    assert [(i, s) for i, _, s in again] == made
    assert len(parsed) == len(ids)


def test_work_made_on_another_basis_is_not_used(ctx: Context) -> None:
    install(ctx)
    (batch,) = list(
        prepare_in_parallel(ctx, [_lines(2)], workers=1, analysers=analysers(ctx), start_here=0)
    )
    # As if the tariff had been reloaded after the workers forked: the step assesses itself.
    for p in batch:
        _, outcome = p.analyses["assess"]
        wrong = replace(outcome.assessment, total=outcome.assessment.total + 1000)
        p.analyses["assess"] = ("tariff@elsewhere", replace(outcome, assessment=wrong))
    outcomes = process_prepared(ctx, principal=SYSTEM, prepared=batch, source="test")
    with ctx.sessions() as session:
        for o, p in zip(outcomes, batch, strict=True):
            stored = session.scalar(
                select(AssessmentRow.total).where(AssessmentRow.declaration_id == o.id)
            )
            _, outcome = p.analyses["assess"]
            assert stored == outcome.assessment.total - 1000


def test_a_failing_analyser_leaves_nothing_and_loses_nothing(ctx: Context) -> None:
    reference = assess_svc.reference_snapshot(ctx)
    prepared: list[Prepared] = [
        prepare_document(json.loads(line), reference) for _, line in _lines(3)
    ]

    def broken(docs: object) -> list[object]:
        raise RuntimeError("a bug in an analyser")

    analyse(prepared, [Analyser("assess", "b", broken), Analyser("x", "b", lambda d: [1, 2, 3])])
    assert [p.analyses for p in prepared] == [{"x": ("b", 1)}, {"x": ("b", 2)}, {"x": ("b", 3)}]


def test_a_remembered_verdict_overrides_the_workers_screening(ctx: Context) -> None:
    install(ctx, free_tariff())
    load_sanctions_list(ctx, principal=SYSTEM, sanctions_list=sanctions(), source="test")
    _, first = lodge(ctx, with_seller(import_doc(1)))
    (hit,) = party_hits(ctx, first)
    judge_hit(ctx, principal=user(ctx, "analyst1"), hit_id=hit.id, verdict="false_match")
    ahead = analysers(ctx)
    line = json.dumps(with_seller(import_doc(2))).encode()
    (batch,) = list(
        prepare_in_parallel(ctx, [[(1, line)]], workers=1, analysers=ahead, start_here=0)
    )
    day, screened = batch[0].analyses["screen"][1]
    # The worker knows no verdict: it would hold.
    assert day == ctx.clock.now().date() and screened.hold_reasons
    (outcome,) = process_prepared(ctx, principal=SYSTEM, prepared=batch, source="test")
    (again,) = party_hits(ctx, outcome.id)
    assert (again.action, again.status) == ("remembered", "dismissed")
    with ctx.sessions() as session:
        state = session.scalar(select(DeclarationRow.state).where(DeclarationRow.id == outcome.id))
    assert state != "held"


def test_a_prepared_batch_pickles_as_constructor_calls_and_comes_back_equal(ctx: Context) -> None:
    install(ctx, free_tariff())
    load_sanctions_list(ctx, principal=SYSTEM, sanctions_list=sanctions(), source="test")
    reference = assess_svc.reference_snapshot(ctx)
    ahead = analysers(ctx)
    assert {a.step for a in ahead} == {"assess", "screen", "classify"}
    lines = [(1, json.dumps(with_seller(import_doc(1))).encode()), *_lines(3)]
    batch = [prepare_document(json.loads(line), reference) for _, line in lines]
    analyse(batch, ahead)
    for p in batch:
        p.document = None
    reducers = constructor_reducers()
    assert {Suggestion, ItemSummary, AssessmentLine, HitRecord} <= reducers.keys()
    # A constructor that does more than store its fields keeps the default pickling.
    assert SelectivityProfile not in reducers and OfficePolicy not in reducers

    def dumps(table: dict[type, Any]) -> bytes:
        out = io.BytesIO()
        pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = {**copyreg.dispatch_table, **table}
        pickler.dump(batch)
        return out.getvalue()

    sent = dumps(reducers)
    back = pickle.loads(sent)
    assert back == batch and [p.analyses for p in back] == [p.analyses for p in batch]
    assert [p.summary for p in back] == [p.summary for p in batch]
    assert batch[0].analyses["screen"][1][1].hits  # the seller is on the list: hits went too
    # Sent as calls, the field names and dataclasses' own __setstate__ are not in the bytes.
    assert b"_dataclass_setstate" not in sent and b"__setstate__" not in sent
    assert len(sent) < len(dumps({}))


def test_an_input_no_longer_than_the_first_lines_starts_no_worker(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(ctx)

    def no_pool(*_: Any) -> None:
        raise AssertionError("a worker pool was started for lines prepared here")

    monkeypatch.setattr("customhouse.services.intake.multiprocessing.get_context", no_pool)
    lines = _lines(3)
    (batch,) = prepare_in_parallel(ctx, [lines], workers=1, analysers=analysers(ctx), start_here=3)
    assert [p.document_json for p in batch] == [
        prepare_document(json.loads(line), assess_svc.reference_snapshot(ctx)).document_json
        for _, line in lines
    ]
    # One line more, in a second batch: a worker prepares it (here it cannot be started).
    with pytest.raises(AssertionError, match="worker pool"):
        list(prepare_in_parallel(ctx, [lines, _lines(4)[3:]], workers=1, start_here=3))


def test_the_first_lines_are_prepared_here_while_the_workers_start(ctx: Context) -> None:
    install(ctx)
    ahead = analysers(ctx)
    chunks = [_lines(7)[:5], _lines(7)[5:]]
    batches = list(prepare_in_parallel(ctx, chunks, workers=1, analysers=ahead, start_here=2))
    # The first two lines here (documents kept, no analyses), the workers the rest, in order.
    assert [len(b) for b in batches] == [2, 3, 2]
    here, *theirs = batches
    assert all(p.document is not None and not p.analyses for p in here)
    assert all(p.document is None and p.analyses.keys() >= {"assess"} for b in theirs for p in b)
    expected = [line for chunk in chunks for _, line in chunk]
    assert [p.document_json for b in batches for p in b] == [
        prepare_document(json.loads(line), assess_svc.reference_snapshot(ctx)).document_json
        for line in expected
    ]
    # Both kinds store the same way: every declaration accepted and assessed once.
    outcomes = [
        o
        for b in batches
        for o in process_prepared(ctx, principal=SYSTEM, prepared=b, source="test")
    ]
    assert len(outcomes) == 7 and all(o.accepted for o in outcomes)
    with ctx.sessions() as session:
        assessed = session.scalar(
            select(func.count(distinct(AssessmentRow.declaration_id))).where(
                AssessmentRow.status == "current"
            )
        )
    assert assessed == 7
