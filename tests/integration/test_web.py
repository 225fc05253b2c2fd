"""The pages over HTTP on SQLite and PostgreSQL: public portal, sign-in, CSRF, lodging with
errors tied to fields, who may see what, the officer's declaration page, and no 500 for
nonsense in any form."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from customhouse.api.app import create_app
from customhouse.demo.users import DEMO_PASSWORD
from customhouse.services.context import Context
from tests.integration.factories import declarations, owned_by
from tests.integration.test_assessment import install

pytestmark = pytest.mark.integration


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    install(ctx)
    with TestClient(create_app(ctx)) as c:
        yield c


def sign_in(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> None:
    token = csrf(client.get("/login").text)
    r = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, text(r.text)


def blank_form(client: TestClient) -> dict[str, str]:
    page = client.get("/declarations/new")
    assert page.status_code == 200
    form = page.text.split('id="json-h"')[0]
    fields = dict(re.findall(r'name="([a-z_]+)"(?: type="[a-z]+")? value="([^"]*)"', form))
    return fields


def good_form(client: TestClient) -> dict[str, str]:
    return {
        **blank_form(client),
        "mode": "form",
        "declaration_type": "IM",
        "transport_mode": "1",
        "transport_document_type": "N705",
        "transport_document": "BL-778",
        "counterpart_name": "Shenzhen Shoe Works",
        "counterpart_country": "CN",
        "description": "leather shoes",
        "commodity_code": "640299",
        "origin": "CN",
        "invoice_amount": "1000.00",
        "gross_mass": "12",
        "net_mass": "10",
        "quantity": "20",
        "unit": "NPR",
    }


def test_public_pages_need_no_account(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200
    assert 'lang="en"' in home.text and 'href="#main"' in home.text
    assert "default-src 'self'" in home.headers["content-security-policy"]
    r = client.get(
        "/estimate", params={"commodity_code": "640299", "origin": "CN", "value": "1000"}
    )
    assert r.status_code == 200
    body = text(r.text)
    # 5% MFN of the small tariff, with its reason in words.
    assert "Standard (most-favoured-nation) duty" in body
    assert "50.00 USD" in body and "5% of 1000.00 USD" in body
    found = text(client.get("/search", params={"q": "leather shoes"}).text)
    assert "6403" in found
    assert "<option value=" in client.get("/suggest", params={"q": "shoes"}).text


def test_estimator_ties_errors_to_fields(client: TestClient) -> None:
    r = client.get("/estimate", params={"commodity_code": "12", "origin": "C", "value": "lots"})
    assert r.status_code == 200
    assert r.text.count('aria-invalid="true"') == 3
    assert 'id="f-origin-error"' in r.text and 'href="#f-value"' in r.text


def test_goods_checker_names_the_control(client: TestClient) -> None:
    r = client.get(
        "/check", params={"commodity_code": "9301", "flow": "export", "destination": "KP"}
    )
    assert r.status_code == 200
    assert "Controls that apply" in r.text
    clean = client.get("/check", params={"commodity_code": "640299", "origin": "VN"})
    assert "No prohibition or restriction found" in clean.text


def test_sign_in_sets_an_http_only_session_and_refuses_wrong_passwords(
    client: TestClient,
) -> None:
    token = csrf(client.get("/login").text)
    bad = client.post(
        "/login", data={"username": "trader1", "password": "nope", "csrf_token": token}
    )
    assert bad.status_code == 401 and "not right" in bad.text
    r = client.post(
        "/login",
        data={"username": "trader1", "password": DEMO_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/declarations"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert client.get("/declarations").status_code == 200


def test_pages_that_need_an_account_send_to_sign_in(client: TestClient) -> None:
    r = client.get("/declarations/new", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/declarations/new"


def test_login_never_redirects_off_site(client: TestClient) -> None:
    token = csrf(client.get("/login").text)
    r = client.post(
        "/login",
        data={
            "username": "trader1",
            "password": DEMO_PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/declarations"


def test_every_post_needs_the_csrf_token(client: TestClient) -> None:
    r = client.post("/login", data={"username": "trader1", "password": DEMO_PASSWORD})
    assert r.status_code == 403 and "expired" in r.text
    sign_in(client, "trader1")
    form = good_form(client)
    form["csrf_token"] = "forged"
    r = client.post("/declarations/new", data=form)
    assert r.status_code == 403
    assert "0 declarations" in text(client.get("/declarations").text)


def test_trader_lodges_with_the_form_and_sees_duties(client: TestClient) -> None:
    sign_in(client, "trader1")
    r = client.post("/declarations/new", data=good_form(client), follow_redirects=False)
    assert r.status_code == 303, text(r.text)
    page = client.get(r.headers["location"])
    body = text(page.text)
    assert "640299" in body and "leather shoes" in body
    assert "50.00 USD" in body  # the duty line
    assert "declaration.lodged" in body and "declaration.assessed" in body
    listing = text(client.get("/declarations").text)
    assert "1 declaration" in listing


def test_lodging_runs_the_pipeline_off_the_event_loop(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from customhouse.web import declarations as web_declarations

    ran_on_loop: list[bool] = []
    run = web_declarations.run_after_acceptance

    def watched(ctx: Context, ids: list[int]) -> None:
        try:
            asyncio.get_running_loop()
            ran_on_loop.append(True)  # every other request would wait for the pipeline
        except RuntimeError:
            ran_on_loop.append(False)
        run(ctx, ids)

    monkeypatch.setattr(web_declarations, "run_after_acceptance", watched)
    sign_in(client, "trader1")
    r = client.post("/declarations/new", data=good_form(client), follow_redirects=False)
    assert r.status_code == 303, text(r.text)
    assert ran_on_loop == [False]


def test_form_errors_are_tied_to_their_fields_and_nothing_is_stored(client: TestClient) -> None:
    sign_in(client, "trader1")
    form = good_form(client)
    # A word where a number belongs is caught when the document is read ...
    r = client.post("/declarations/new", data={**form, "net_mass": "heavy"})
    assert r.status_code == 422
    assert 'id="f-net_mass-error"' in r.text and 'href="#f-net_mass"' in r.text
    # ... wrong codes by the rules, every one at once, each next to its field.
    r = client.post("/declarations/new", data={**form, "origin": "ZZ", "commodity_code": "12"})
    assert r.status_code == 422
    for field in ("origin", "commodity_code"):
        assert f'id="f-{field}-error"' in r.text, (field, text(r.text)[:1500])
        assert f'href="#f-{field}"' in r.text
    assert "0 declarations" in text(client.get("/declarations").text)


def test_json_paste_lodges_a_full_declaration(client: TestClient) -> None:
    sign_in(client, "trader1")
    trader_eori = blank_form(client)["declarant_eori"]
    doc = owned_by(declarations(1, seed=5)[0], trader_eori)
    page = client.get("/declarations/new").text
    bad = client.post(
        "/declarations/new",
        data={"csrf_token": csrf(page), "mode": "json", "document": "{not json", "key": "k1"},
    )
    assert bad.status_code == 422 and "This is not JSON" in bad.text
    r = client.post(
        "/declarations/new",
        data={"csrf_token": csrf(page), "mode": "json", "document": json.dumps(doc), "key": "k2"},
        follow_redirects=False,
    )
    assert r.status_code == 303, text(r.text)
    # The same form sent twice (a double click) lodges once.
    again = client.post(
        "/declarations/new",
        data={"csrf_token": csrf(page), "mode": "json", "document": json.dumps(doc), "key": "k2"},
        follow_redirects=False,
    )
    assert again.headers["location"] == r.headers["location"]


def test_a_trader_cannot_open_another_traders_declaration(client: TestClient) -> None:
    sign_in(client, "trader1")
    lodged = client.post("/declarations/new", data=good_form(client), follow_redirects=False)
    url = lodged.headers["location"]
    client.post("/logout", data={"csrf_token": csrf(client.get("/").text)})
    sign_in(client, "trader2")
    r = client.get(url)
    assert r.status_code == 403
    assert "leather shoes" not in r.text
    assert "0 declarations" in text(client.get("/declarations").text)


def test_officer_works_the_queue_and_amends(client: TestClient) -> None:
    sign_in(client, "trader1")
    url = client.post("/declarations/new", data=good_form(client), follow_redirects=False).headers[
        "location"
    ]
    mrn = url.rsplit("/", 1)[1]
    client.post("/logout", data={"csrf_token": csrf(client.get("/").text)})
    sign_in(client, "officer1")
    tasks = client.get("/tasks", params={"status": "allocated", "mine": "on"})
    assert tasks.status_code == 200 and "Control tasks" in tasks.text
    queue = text(client.get("/declarations").text)
    assert "Work queue" in queue and mrn in queue
    assert mrn in text(client.get("/declarations", params={"commodity_code": "6402"}).text)
    page = client.get(url)
    assert page.status_code == 200
    assert "Standard (most-favoured-nation) duty" in page.text and "History" in page.text
    amend = client.get(f"{url}/amend")
    raw = re.search(r"<textarea[^>]*>(.*?)</textarea>", amend.text, re.S)
    assert raw
    doc = json.loads(raw.group(1).replace("&#34;", '"').replace("&quot;", '"'))
    doc["items"][0]["description"] = "leather shoes, men's"
    r = client.post(
        f"{url}/amend",
        data={"csrf_token": csrf(amend.text), "document": json.dumps(doc), "reason": ""},
    )
    assert r.status_code == 422 and "Say why" in r.text
    r = client.post(
        f"{url}/amend",
        data={"csrf_token": csrf(amend.text), "document": json.dumps(doc), "reason": "typo"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "declaration.amended" in client.get(url).text
    dash = client.get("/dashboard")
    assert dash.status_code == 200 and "<svg" in dash.text


def test_a_trader_has_no_dashboard(client: TestClient) -> None:
    sign_in(client, "trader1")
    assert client.get("/dashboard").status_code == 403
    assert client.get("/risk").status_code == 403


def test_analysts_draft_submit_and_a_second_approves(client: TestClient) -> None:
    sign_in(client, "analyst1")
    page = client.get("/risk")
    assert page.status_code == 200 and "No profiles yet" in page.text
    data = {
        "csrf_token": csrf(page.text),
        "code": "WEB-SHOES",
        "name": "shoes from BR",
        "channel": "yellow",
        "priority": "3",
        "instructions": "check the invoice",
        "field_0": "origin",
        "operator_0": "in",
        "value_0": "BR",
    }
    bad = client.post("/risk/profiles", data={**data, "value_0": "", "priority": "x"})
    assert bad.status_code == 422
    assert 'id="f-value-0-error"' in bad.text and 'id="f-priority-error"' in bad.text
    assert client.post("/risk/profiles", data=data, follow_redirects=False).status_code == 303
    page = client.get("/risk")
    assert "WEB-SHOES" in page.text and "Submit for approval" in page.text
    r = client.post("/risk/profiles/WEB-SHOES/submit", data={"csrf_token": csrf(page.text)})
    assert r.status_code == 200 and "submitted" in r.text
    # The author may not approve their own profile: four eyes.
    own = client.post("/risk/profiles/WEB-SHOES/approve", data={"csrf_token": csrf(r.text)})
    assert own.status_code in (403, 409)
    client.post("/logout", data={"csrf_token": csrf(r.text)})
    sign_in(client, "analyst2")
    page = client.get("/risk")
    r = client.post("/risk/profiles/WEB-SHOES/approve", data={"csrf_token": csrf(page.text)})
    assert r.status_code == 200 and "active" in r.text, text(r.text)[:1500]


def test_an_officer_may_hold_and_a_trader_may_not(client: TestClient) -> None:
    sign_in(client, "trader1")
    url = client.post(
        "/declarations/new", data={**good_form(client), "origin": "CN"}, follow_redirects=False
    ).headers["location"]
    token = csrf(client.get(url).text)
    assert client.post(f"{url}/hold", data={"csrf_token": token, "reason": "x"}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    sign_in(client, "officer1")
    page = client.get(url)
    state = re.search(r'class="state state-([a-z_]+)"', page.text)
    assert state
    if state.group(1) != "held":
        r = client.post(f"{url}/hold", data={"csrf_token": csrf(page.text), "reason": ""})
        assert r.status_code == 422
        page = client.post(
            f"{url}/hold", data={"csrf_token": csrf(page.text), "reason": "documents awaited"}
        )
        assert page.status_code == 200
    # Held (for payment, or by the officer): the goods can be seized.
    assert "state-held" in page.text and "Seize the goods" in page.text, state.group(1)
    token = csrf(page.text)
    r = client.post(f"{url}/seize", data={"csrf_token": token, "offence": "x"})
    assert r.status_code == 422 and "/custodian" in r.text
    r = client.post(
        f"{url}/seize",
        data={
            "csrf_token": token,
            "offence": "counterfeit trade marks",
            "custodian": "GBLHR001 store",
            "location": "cage 4",
        },
    )
    assert r.status_code == 200 and "state-seized" in r.text, text(r.text)[:1500]
    assert "Seizures by offence" not in client.get("/dashboard").text  # officers do not read cases
    client.post("/logout", data={"csrf_token": token})
    sign_in(client, "supervisor1")
    dash = client.get("/dashboard")
    assert "Seizures by offence" in dash.text and "counterfeit trade marks" in dash.text
    client.post("/logout", data={"csrf_token": csrf(dash.text)})
    sign_in(client, "officer1")
    r = client.post(f"{url}/release", data={"csrf_token": csrf(client.get(url).text)})
    assert r.status_code == 409  # seized goods are never released


NONSENSE = [
    "",
    " ",
    "x" * 5000,
    "-1",
    "NaN",
    "Infinity",
    "1e999999",
    "'; DROP TABLE declarations; --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00",
    "😀",
    "[]",
]


def test_no_form_answers_500_to_nonsense(client: TestClient, database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the pages' input handling does not depend on the database")
    get_forms = {
        "/estimate": [
            "commodity_code",
            "origin",
            "value",
            "currency",
            "incoterm",
            "freight",
            "insurance",
            "quantity",
            "unit",
            "preference",
        ],
        "/search": ["q", "fragment"],
        "/check": ["commodity_code", "description", "origin", "destination", "flow"],
        "/suggest": ["q", "commodity_code", "description"],
        "/estimate/preview": ["commodity_code", "origin", "invoice_amount", "quantity", "unit"],
        "/declarations": [
            "state",
            "mrn",
            "declarant",
            "commodity_code",
            "lrn",
            "party",
            "channel",
            "page",
        ],
        "/login": ["next"],
        "/dashboard": ["x"],
        "/tasks": ["status", "office", "mine", "channel", "mrn"],
    }
    sign_in(client, "trader1")
    lodged = client.post("/declarations/new", data=good_form(client), follow_redirects=False)
    url = lodged.headers["location"]
    for i, junk in enumerate(NONSENSE):
        for path, names in get_forms.items():
            r = client.get(path, params=dict.fromkeys(names, junk))
            assert r.status_code < 500, (path, junk)
        base = good_form(client)
        token = base["csrf_token"]
        posts = {
            "/declarations/new": {**dict.fromkeys(base, junk), "csrf_token": token, "key": f"n{i}"},
            "/declarations/new#json": {
                "csrf_token": token,
                "mode": "json",
                "document": junk,
                "key": f"j{i}",
            },
            f"{url}/amend": {"csrf_token": token, "document": junk, "reason": junk},
            f"{url}/invalidate": {"csrf_token": token, "reason": junk if junk.strip() else ""},
            "/login": {"csrf_token": token, "username": junk, "password": junk, "next": junk},
            "/tasks/1/findings": dict.fromkeys(("code", "item", "field", "value", "note"), junk),
            f"{url}/hold": {"reason": junk},
            f"{url}/approvals": {"action": junk, "reason": junk},
            f"{url}/seize": dict.fromkeys(("offence", "custodian", "location"), junk),
            "/screening/hits/1/judge": {"verdict": junk, "note": junk, "mrn": junk},
            "/queries/1/answer": {"text": junk, "mrn": junk},
            f"{url}/evidence": {"note": junk},
        }
        for path, data in posts.items():
            data = {"csrf_token": token, **data}
            if path.endswith(("/invalidate", "/hold")) and junk.strip():
                continue  # a real reason would invalidate it; tried once below
            r = client.post(path.split("#")[0], data=data, follow_redirects=False)
            assert r.status_code < 500, (path, junk, r.text[:300])
            if path == "/login" and r.status_code == 401:
                sign_in(client, "trader1")
        for path in ("/declarations/" + junk[:60], f"/declarations/{junk[:60]}/amend"):
            if "/" in junk or "%" in junk or "#" in junk or "?" in junk:
                continue
            assert client.get(path).status_code < 500, (path, junk)
    # Staff forms, as the staff who may use them.
    for username, forms in (
        (
            "officer1",
            {
                "/tasks/1/findings": ("code", "item", "field", "value", "note"),
                "/tasks/junk/findings": ("code",),
                f"{url}/approvals": ("action", "reason"),
                f"{url}/seize": ("offence", "custodian", "location"),
                f"{url}/release": (),
                "/screening/hits/1/judge": ("verdict", "note", "mrn"),
                f"{url}/evidence": ("note", "file"),
                "/queries/1/answer": ("text", "mrn"),
                f"{url}/queries": ("missing", "reason", "item"),
            },
        ),
        (
            "analyst1",
            {
                "/risk/profiles": (
                    "code",
                    "name",
                    "channel",
                    "priority",
                    "field_0",
                    "operator_0",
                    "value_0",
                    "value_1",
                )
            },
        ),
    ):
        client.post("/logout", data={"csrf_token": csrf(client.get("/").text)})
        sign_in(client, username)
        token = csrf(client.get("/").text)
        for junk in NONSENSE[:8]:
            for path, names in forms.items():
                r = client.post(path, data={"csrf_token": token, **dict.fromkeys(names, junk)})
                assert r.status_code < 500, (username, path, junk, r.text[:300])
    # Without the session's token every POST is refused, whatever it carries.
    for path in ("/declarations/new", f"{url}/amend", f"{url}/invalidate", "/logout"):
        assert client.post(path, data={"csrf_token": "junk"}).status_code == 403
