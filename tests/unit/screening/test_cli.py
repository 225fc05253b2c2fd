"""The `screen` commands end to end on a temporary SQLite file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from customhouse.cli.screen import app
from customhouse.services import screening as screening_service
from customhouse.storage.migrate import upgrade

from .test_loaders import UN_XML

runner = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    url = f"sqlite:///{tmp_path / 'screen.db'}"
    upgrade(url)  # the tables come from the migrations, not from the command
    monkeypatch.setenv("CUSTOMHOUSE_DATABASE_URL", url)
    monkeypatch.setenv("CUSTOMHOUSE_SCREENING_CACHE_DIR", str(tmp_path / "cache"))
    yield


def run(*args: str) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    parsed: dict[str, object] = json.loads(result.stdout)
    return parsed


def test_load_screen_and_batch(tmp_path: Path) -> None:
    un = tmp_path / "un.xml"
    un.write_text(UN_XML, encoding="utf-8")
    first = run("load-list", "--kind", "un", str(un))
    assert first["added"] == 2 and first["rescreen"] == {
        "since": first["rescreen"]["since"],  # type: ignore[index]
        "declarations": 0,
        "hits": [],
    }
    assert run("load-list", "--kind", "un", str(un))["added"] == 0
    one = run("name", "Abdul Kareem", "--dob", "1961", "--country", "AF")
    # The built index was pickled for the next command, keyed by the list versions.
    assert len(list((tmp_path / "cache").glob("screening-index-*.pickle"))) == 1
    hit = one["hit"]
    assert isinstance(hit, dict) and hit["entity"] == "TAi.999" and hit["name"] == "Abdul Kareem"
    assert hit["list"] == "UN" and hit["score"] > 0.99
    batch = tmp_path / "names.csv"
    batch.write_text(
        "full_name,date_of_birth,nationality\nABDUL KARIM,1960,af\nJane Doe,1980-02-03,gb\n",
        encoding="utf-8",
    )
    out = run("batch", str(batch))
    rows = out["rows"]
    assert isinstance(rows, list) and rows[0]["hit"]["entity"] == "TAi.999"
    assert rows[1]["hit"] is None
    summary = out["summary"]
    assert isinstance(summary, dict) and summary["names"] == 2 and summary["hits"] == 1


def test_unreadable_list_is_refused_with_its_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<oops>", encoding="utf-8")
    result = runner.invoke(app, ["load-list", "--kind", "un", str(bad)])
    assert result.exit_code == 1 and "screening.UnreadableList" in result.output


def test_evaluate_pairs(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "name1,name2,is_match\n"
        "Olaf Scholze,Olaf Scholz,true\n"
        "Igor Deripaska,Oleg Deripaska,false\n",
        encoding="utf-8",
    )
    result = run("evaluate-pairs", str(pairs))
    assert result["f1"] == 1.0 and result["threshold"] == 0.8


def test_load_shipped_stores_once_then_screens(monkeypatch: pytest.MonkeyPatch) -> None:
    # The UN snapshot alone: the other two are parsed in test_loaders and stored in the
    # integration tests.
    un_only = tuple(s for s in screening_service.SHIPPED_LISTS if s[0] == "UN")
    monkeypatch.setattr(screening_service, "SHIPPED_LISTS", un_only)
    (first,) = run("load-shipped")["lists"]  # type: ignore[misc]
    assert (first["list"], first["kept"], first["added"]) == ("UN", False, 877)
    assert first["source"] == "shipped:un/consolidated.xml.gz"
    (again,) = run("load-shipped")["lists"]  # type: ignore[misc]
    assert again == {"list": "UN", "kind": "un", "version": first["version"], "kept": True}
    hit = run("name", "ASBAT AL-ANSAR")["hit"]
    assert isinstance(hit, dict) and (hit["list"], hit["entity"]) == ("UN", "QDe.007")
    text = runner.invoke(app, ["load-shipped"])
    assert text.exit_code == 0 and "UN: already loaded" in text.output
