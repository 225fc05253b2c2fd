"""Schemathesis over the published OpenAPI spec: no request a client can send gets a 500.

The app and its database are built when the module is collected, because schemathesis needs the
schema to generate the test cases (its fixture-based loader does not work with this pytest).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import hypothesis
import pytest
import schemathesis

from customhouse.access.models import SYSTEM
from customhouse.api.app import create_app
from customhouse.demo.users import load_demo
from customhouse.reference.snapshot import shipped_snapshot
from customhouse.services.access import issue_token
from customhouse.services.classification import model as classification_model
from customhouse.services.context import Context
from customhouse.settings import Settings
from customhouse.storage.migrate import upgrade

pytestmark = pytest.mark.e2e

_url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='customhouse-fuzz-')) / 'fuzz.db'}"
upgrade(_url)
_ctx = Context.create(Settings(database_url=_url))
_ctx.cached("reference.snapshot", shipped_snapshot)
load_demo(_ctx)
# The suggestion model is trained on first use when its cache is cold (a fresh machine, or a
# change to the engine): train it here, not inside a fuzzed request with a client timeout.
classification_model(_ctx)
TOKEN = issue_token(_ctx, principal=SYSTEM, username="trader1")
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_ctx))


@schema.parametrize()
@hypothesis.settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
def test_no_500_for_anything_a_client_sends(case: schemathesis.Case) -> None:
    response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
