"""The analyst's pages on SQLite and PostgreSQL: profile criteria as form rows with errors tied
to each row's field, and a model's precision/recall curve from its held-out declarations."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from customhouse.api.app import create_app
from customhouse.risk.loaders import demo_examples
from customhouse.risk.model import TrainingParameters, _split_for_validation
from customhouse.services import risk as risk_svc
from customhouse.services.context import Context
from tests.integration.test_controls import user
from tests.integration.test_web import csrf, sign_in, text

pytestmark = pytest.mark.integration


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx)) as c:
        yield c


def test_criteria_rows_become_a_profile_and_errors_sit_by_their_row(
    client: TestClient, ctx: Context
) -> None:
    sign_in(client, "analyst1")
    page = client.get("/risk")
    assert page.status_code == 200
    for i in range(3):
        for part in ("field", "operator", "value"):
            assert f'<label for="f-{part}-{i}">' in page.text, (part, i)
    base = {
        "csrf_token": csrf(page.text),
        "code": "SHOES-CHEAP",
        "channel": "yellow",
        "priority": "4",
        "field_0": "commodity_code",
        "operator_0": "starts_with",
        "value_0": "6402, 6403",
        "field_1": "origin",
        "operator_1": "in",
        "value_1": "cn vn",
        "field_2": "unit_value",
        "operator_2": "at_most",
        "value_2": "4.50",
    }
    # Each bad row is named by its own field; nothing is stored.
    bad = client.post(
        "/risk/profiles",
        data={**base, "operator_1": "at_least", "value_2": "cheap", "field_3": "astrology"},
    )
    assert bad.status_code == 422
    for target in ("f-operator-1", "f-value-2", "f-field-3"):
        assert f'id="{target}-error"' in bad.text and f'href="#{target}"' in bad.text, target
    assert "Enter a number" in bad.text and "is one of" in text(bad.text)
    assert 'value="6402, 6403"' in bad.text  # what was typed is kept
    repeated = client.post(
        "/risk/profiles", data={**base, "field_3": "origin", "operator_3": "in", "value_3": "BR"}
    )
    assert repeated.status_code == 422 and "Row 2 already says this" in repeated.text
    empty = {k: v for k, v in base.items() if not k[-1].isdigit()}
    nothing = client.post("/risk/profiles", data=empty)
    assert nothing.status_code == 422 and "Add at least one criterion." in nothing.text
    assert risk_svc.list_profiles(ctx, principal=user(ctx, "analyst1")) == []

    ok = client.post("/risk/profiles", data=base, follow_redirects=False)
    assert ok.status_code == 303, text(ok.text)[:1000]
    [profile] = risk_svc.list_profiles(ctx, principal=user(ctx, "analyst1"))
    assert profile["criteria"] == {
        "commodity_prefixes": ["6402", "6403"],
        "origins": ["CN", "VN"],
        "unit_value_max": "4.50",
    }
    listed = text(client.get("/risk").text)
    assert "Country of origin is one of CN, VN" in listed
    assert "Unit value per kg is at most 4.50" in listed


def test_model_metrics_show_the_held_out_precision_recall_curve(
    client: TestClient, ctx: Context
) -> None:
    examples = demo_examples()
    risk_svc.store_model(
        ctx, principal=user(ctx, "analyst1"), examples=examples, version="m-web", source="test"
    )
    [model] = risk_svc.list_models(ctx, principal=user(ctx, "analyst1"))
    curve = model["metrics"]["validation_curve"]
    assert len(curve) >= 10
    rates = [c[0] for c in curve]
    recalls = [c[2] for c in curve]
    assert rates == sorted(rates) and recalls == sorted(recalls)
    # Inspecting everything finds every finding of the held-out rows, at their base rate.
    _, held_out = _split_for_validation(examples, TrainingParameters().validation_fraction)
    base_rate = float(np.mean([1 if examples[i].finding else 0 for i in held_out]))
    assert curve[-1][0] == 100 and curve[-1][2] == 1.0
    assert curve[-1][1] == pytest.approx(base_rate, abs=1e-4)
    assert model["metrics"]["validation"]["rows"] == len(held_out)

    sign_in(client, "analyst1")
    page = client.get("/risk").text
    assert "Model m-web: precision and recall on held-out declarations" in page
    figure = page.split("held-out declarations</title>", 1)[1].split("</svg>", 1)[0]
    assert figure.count("<circle") == len(curve) and "<polyline" in figure
    assert f"on {len(held_out)} held-out declarations" in text(page)
    # The table beside the chart carries every point for who cannot see it.
    assert f"{curve[-1][1]:.3f}" in page
