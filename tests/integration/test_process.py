"""`customhouse process`: the summary, and an interrupted run started again loses and
duplicates nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from customhouse.cli.main import app
from customhouse.declarations.tables import DeclarationRow
from customhouse.reference.service import load_reference
from customhouse.services import pipeline
from customhouse.services.context import Context
from customhouse.services.ledger import verify_ledger
from tests.integration.factories import declarations

pytestmark = pytest.mark.integration


class PowerCut(Exception):
    pass


@pytest.fixture(autouse=True)
def reference_in_database(ctx: Context) -> None:
    """The command reads reference data from the database, as in production (a subset here)."""
    with ctx.sessions() as session:
        load_reference(session, sets=["hs2022", "countries", "currencies", "locodes"])
        session.commit()


def _file(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "d.jsonl"
    docs = declarations(count, seed=31)
    docs[3]["items"][0]["origin"] = "QQ"  # one broken on purpose
    lines = [json.dumps(d) for d in docs] + ["{this is not json"]
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(ctx: Context, path: Path, *extra: str) -> dict[str, object]:
    result = CliRunner().invoke(
        app,
        ["process", str(path), "--json", "--batch-size", "10", *extra],
        env={"CUSTOMHOUSE_DATABASE_URL": ctx.settings.database_url},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    summary: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return summary


def _count(ctx: Context) -> int:
    with ctx.sessions() as s:
        return int(s.execute(select(func.count()).select_from(DeclarationRow)).scalar_one())


def test_summary_counts_states_and_rejection_codes(ctx: Context, tmp_path: Path) -> None:
    summary = _run(ctx, _file(tmp_path, 25), "--workers", "2")
    assert summary["declarations"] == 26
    assert summary["states"] == {"accepted": 24, "rejected": 2}
    assert summary["rejections"] == {"reference.unknown_country": 1, "schema.json_invalid": 1}
    assert verify_ledger(ctx).ok


def test_interrupted_run_resumes_without_loss_or_duplicates(
    ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(tmp_path, 35)
    real = pipeline.store_prepared
    calls = {"n": 0}

    def failing(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise PowerCut  # the machine stops during the third batch
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "store_prepared", failing)
    with pytest.raises(PowerCut):
        CliRunner().invoke(
            app,
            ["process", str(path), "--json", "--batch-size", "10", "--workers", "0"],
            env={"CUSTOMHOUSE_DATABASE_URL": ctx.settings.database_url},
            catch_exceptions=False,
        )
    assert _count(ctx) == 20  # two whole batches stored, the third rolled back
    monkeypatch.setattr(pipeline, "store_prepared", real)
    summary = _run(ctx, path, "--workers", "0")
    assert summary["declarations"] == 36 and summary["replayed"] == 20
    assert _count(ctx) == 36
    again = _run(ctx, path, "--workers", "0")
    assert again["replayed"] == 36 and _count(ctx) == 36
    assert again["states"] == summary["states"]
    assert verify_ledger(ctx).ok
