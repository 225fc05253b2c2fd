"""The API refuses to start on a setting it cannot honour, instead of failing on a request."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from customhouse.api.app import create_app
from customhouse.classification import embeddings
from customhouse.services.context import Context
from customhouse.settings import Settings


def _ctx(tmp_path: Path, mode: str) -> Context:
    url = f"sqlite:///{tmp_path / 'customhouse.db'}"
    return Context.create(Settings(database_url=url, classification_embeddings=mode))


def test_embeddings_on_without_the_extra_stops_the_app_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embeddings, "available", lambda: False)
    ctx = _ctx(tmp_path, "on")
    with pytest.raises(ModuleNotFoundError, match="embeddings extra"):
        create_app(ctx)
    ctx.engine.dispose()


@pytest.mark.parametrize("mode", ["off", "auto"])
def test_settings_without_a_required_extra_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setattr(embeddings, "available", lambda: False)
    ctx = _ctx(tmp_path, mode)
    assert create_app(ctx).state.ctx is ctx
    ctx.engine.dispose()


def test_serve_says_what_is_missing_and_exits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from customhouse.cli.main import app

    monkeypatch.setattr(embeddings, "available", lambda: False)
    monkeypatch.setenv("CUSTOMHOUSE_DATABASE_URL", f"sqlite:///{tmp_path / 'customhouse.db'}")
    monkeypatch.setenv("CUSTOMHOUSE_CLASSIFICATION_EMBEDDINGS", "on")
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: pytest.fail("the server was started"))
    out = CliRunner().invoke(app, ["serve"])
    assert out.exit_code == 2
    assert "classification.embeddings_missing" in out.output
    assert "Traceback" not in out.output
