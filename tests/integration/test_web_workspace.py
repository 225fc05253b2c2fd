"""The officer's workspace on SQLite and PostgreSQL: the queue and the control tasks filtered by
channel, and search by MRN, any party's EORI and commodity code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from customhouse.api.app import create_app
from customhouse.services.context import Context
from tests.integration.test_api import _auth as auth
from tests.integration.test_assessment import install
from tests.integration.test_controls import declarant, lodge, route
from tests.integration.test_web import sign_in, text

pytestmark = pytest.mark.integration


def found(html: str) -> str:
    """The result count and table of the queue (not the officer's own tasks above it)."""
    return text(html.split('role="search"', 1)[1])


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    install(ctx)
    with TestClient(create_app(ctx)) as c:
        yield c


def test_queue_and_tasks_filter_by_channel_and_search(client: TestClient, ctx: Context) -> None:
    red_mrn, red_id = lodge(ctx, 1)
    yellow_mrn, yellow_id = lodge(ctx, 2, code="640299")
    route(ctx, [red_id], "red", ["profile X"])
    route(ctx, [yellow_id], "yellow", ["profile Y"])
    sign_in(client, "officer1")

    queue = found(client.get("/declarations", params={"channel": "red"}).text)
    assert red_mrn in queue and yellow_mrn not in queue
    queue = found(client.get("/declarations", params={"channel": "yellow"}).text)
    assert yellow_mrn in queue and red_mrn not in queue
    # A channel that is not one is ignored, not an error.
    both = found(client.get("/declarations", params={"channel": "purple"}).text)
    assert red_mrn in both and yellow_mrn in both

    by_code = found(client.get("/declarations", params={"commodity_code": "6402"}).text)
    assert yellow_mrn in by_code and red_mrn not in by_code
    by_mrn = found(client.get("/declarations", params={"mrn": red_mrn.lower()}).text)
    assert red_mrn in by_mrn and "1 declaration" in by_mrn
    party = declarant(ctx, red_id)
    by_party = found(client.get("/declarations", params={"party": party.lower()}).text)
    assert red_mrn in by_party
    nobody = found(client.get("/declarations", params={"party": "GB000000000001"}).text)
    assert "0 declarations" in nobody

    tasks = text(client.get("/tasks", params={"channel": "red"}).text)
    assert red_mrn in tasks and yellow_mrn not in tasks
    tasks = text(client.get("/tasks", params={"channel": "yellow"}).text)
    assert yellow_mrn in tasks and red_mrn not in tasks
    one = text(client.get("/tasks", params={"mrn": yellow_mrn}).text)
    assert yellow_mrn in one and red_mrn not in one
    assert "0 tasks" in text(client.get("/tasks", params={"mrn": "NOSUCHMRN"}).text)


def test_api_filters_by_channel_and_party(client: TestClient, ctx: Context) -> None:
    red_mrn, red_id = lodge(ctx, 1)
    _, yellow_id = lodge(ctx, 2)
    route(ctx, [red_id], "red", ["profile X"])
    route(ctx, [yellow_id], "yellow", ["profile Y"])
    headers = auth(ctx, "officer1")
    r = client.get("/api/v1/declarations", params={"channel": "red"}, headers=headers)
    assert r.status_code == 200
    assert [d["mrn"] for d in r.json()["items"]] == [red_mrn]
    assert client.get("/api/v1/declarations?channel=mauve", headers=headers).status_code == 422
    tasks = client.get("/api/v1/controls/tasks", params={"channel": "red"}, headers=headers)
    assert tasks.status_code == 200
    assert {t["declaration_id"] for t in tasks.json()} == {red_id}
    party = declarant(ctx, red_id)
    r = client.get("/api/v1/declarations", params={"party": party}, headers=headers)
    assert red_mrn in {d["mrn"] for d in r.json()["items"]}
