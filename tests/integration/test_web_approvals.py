"""The supervisor's inbox: an officer asks, a different supervisor decides; refusals both ways."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from customhouse.access.models import SYSTEM, PermissionDenied
from customhouse.api.app import create_app
from customhouse.services import controls as ctl
from customhouse.services import declarations as dsvc
from customhouse.services.access import issue_token, user_by_name
from customhouse.services.context import Context
from tests.integration.factories import declaration
from tests.integration.test_web import csrf, sign_in, text

pytestmark = pytest.mark.integration


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx)) as c:
        yield c


def _ask(ctx: Context, username: str) -> int:
    mrn = dsvc.lodge(ctx, principal=SYSTEM, raw=declaration(seed=61)).mrn or ""
    asker = user_by_name(ctx, username)
    assert asker is not None
    return ctl.request_approval(
        ctx,
        principal=asker,
        action="change_channel",
        subject_id=mrn,
        reason="documents seen at the counter",
        params={"channel": "green"},
    )


def test_supervisor_sees_the_inbox_and_refuses_a_request(client: TestClient, ctx: Context) -> None:
    approval = _ask(ctx, "officer1")
    sign_in(client, "supervisor1")
    page = client.get("/approvals")
    assert page.status_code == 200
    assert "documents seen at the counter" in text(page.text)
    r = client.post(
        f"/approvals/{approval}/decision",
        data={"decision": "refuse", "note": "no", "csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    refused = ctl.list_approvals(ctx, principal=user_by_name(ctx, "supervisor1"), status="refused")  # type: ignore[arg-type]
    assert [a["id"] for a in refused] == [approval]
    assert "documents seen" not in text(client.get("/approvals").text)


def test_own_requests_have_no_buttons_and_officers_have_no_inbox(
    client: TestClient, ctx: Context
) -> None:
    own = _ask(ctx, "supervisor1")
    sign_in(client, "supervisor1")
    page = client.get("/approvals")
    assert "another supervisor decides" in text(page.text)
    assert f'action="/approvals/{own}/decision"' not in page.text
    officer = user_by_name(ctx, "officer1")
    assert officer is not None
    with pytest.raises(PermissionDenied):
        ctl.list_approvals(ctx, principal=officer)
    token = issue_token(ctx, principal=SYSTEM, username="officer1")
    api = client.get("/api/v1/controls/approvals", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 403
    sup = issue_token(ctx, principal=SYSTEM, username="supervisor1")
    listed = client.get("/api/v1/controls/approvals", headers={"Authorization": f"Bearer {sup}"})
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()["approvals"]] == [own]
