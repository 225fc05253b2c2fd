"""The pages in a real headless Chromium (Debian's), driven by Playwright, against the app
served by uvicorn on a free port over a temporary SQLite database.

Skipped only where Chromium is absent and this is not CI; in CI (CI=true) a missing browser
fails. Screenshots go to CUSTOMHOUSE_SCREENSHOTS (e.g. docs/screenshots) when it is set.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from customhouse.access.models import SYSTEM
from customhouse.api.app import create_app
from customhouse.demo.users import DEMO_PASSWORD, load_demo
from customhouse.reference.snapshot import shipped_snapshot
from customhouse.risk.loaders import demo_examples
from customhouse.services import controls as ctl
from customhouse.services import guarantees as gtee
from customhouse.services import risk as risk_svc
from customhouse.services.access import user_by_name
from customhouse.services.context import Context, FixedClock
from customhouse.settings import Settings
from customhouse.storage.migrate import upgrade
from tests.integration.test_assessment import install

pytestmark = pytest.mark.e2e

CHROMIUM = Path(os.environ.get("CUSTOMHOUSE_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI needs Chromium at {CHROMIUM} (make test installs Debian's chromium)")
    pytest.skip(f"no Chromium at {CHROMIUM}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _red_for_brazil(ctx: Context) -> None:
    """Goods from BR go red at the default office; trader1's guarantee covers the duty."""
    office = ctx.settings.office
    analyst, second = user_by_name(ctx, "analyst1"), user_by_name(ctx, "analyst2")
    supervisor, trader = user_by_name(ctx, "supervisor1"), user_by_name(ctx, "trader1")
    assert analyst and second and supervisor and trader and trader.eori
    risk_svc.set_office_policy(
        ctx, principal=supervisor, office=office, random_rate=0.0, exploration_rate=0.0
    )
    risk_svc.create_profile(
        ctx,
        principal=analyst,
        data={
            "code": "PAGES-RED-BR",
            "name": "examine goods from BR",
            "criteria": {"origins": ["BR"]},
            "channel": "red",
            "priority": 5,
            "instructions": "open the cartons and count the pairs",
        },
    )
    risk_svc.submit_profile(ctx, principal=analyst, code="PAGES-RED-BR")
    risk_svc.approve_profile(ctx, principal=second, code="PAGES-RED-BR")
    gtee.open_guarantee(
        ctx, principal=supervisor, holder_eori=trader.eori, currency="USD", limit=Decimal(50000)
    )
    # A stored model (not active anywhere: routing stays with the profile) for its metrics page.
    risk_svc.store_model(
        ctx, principal=analyst, examples=demo_examples(), version="pages-m1", source="test"
    )


@dataclass
class Served:
    url: str
    ctx: Context


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    _need_chromium()
    import uvicorn

    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'customhouse.db'}"
    upgrade(url)
    ctx = Context.create(
        Settings(database_url=url, cookie_secure=False),
        clock=FixedClock(datetime(2025, 6, 2, 9, 30, tzinfo=UTC)),
    )
    ctx.cached("reference.snapshot", shipped_snapshot)
    load_demo(ctx)
    install(ctx)
    _red_for_brazil(ctx)
    port = _free_port()
    config = uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield Served(f"http://127.0.0.1:{port}", ctx)
    srv.should_exit = True
    thread.join(timeout=10)
    ctx.engine.dispose()


@pytest.fixture(scope="module")
def server(served: Served) -> str:
    return served.url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=server, viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def shot(page: Any, name: str) -> None:
    folder = os.environ.get("CUSTOMHOUSE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def sign_in(page: Any, username: str) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/declarations")


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/")


def lodge_shoes(
    page: Any, origin: str = "CN", code: str = "640299", description: str = "leather shoes"
) -> str:
    """trader1 lodges one item with the simple form; the declaration page's URL."""
    page.goto("/declarations/new")
    page.get_by_label("Seller or buyer abroad").fill("Shenzhen Shoe Works")
    page.get_by_label("Their country").fill("CN")
    page.get_by_label("Transport document number").fill("BL-778")
    page.get_by_label("Description of the goods").fill(description)
    page.get_by_label("Commodity code").fill(code)
    page.get_by_label("Country of origin").fill(origin)
    page.get_by_label("Invoice amount").fill("1000.00")
    page.get_by_label("Gross mass (kg)").fill("12")
    page.get_by_label("Net mass (kg)").fill("10")
    page.get_by_role("button", name="Lodge", exact=True).click()
    page.wait_for_url("**/declarations/2*")
    url: str = page.url
    return url


def test_public_duty_estimator_shows_lines_for_a_real_commodity(page: Any) -> None:
    page.goto("/")
    shot(page, "home")
    page.get_by_role("link", name="Estimate the duty").click()
    page.get_by_label("Commodity code").fill("640299")
    page.get_by_label("Country of origin").fill("CN")
    page.get_by_label("Price paid").fill("1000")
    page.get_by_role("button", name="Estimate").click()
    result = page.locator("#estimate-result")
    result.get_by_text("Standard (most-favoured-nation) duty").wait_for()
    assert "50.00 USD" in result.inner_text()
    assert "5% of 1000.00 USD" in result.inner_text()
    shot(page, "estimate")
    page.goto("/search?q=leather+shoes")
    assert page.get_by_role("cell", name="6403", exact=True).count() == 1
    shot(page, "search")


def test_estimator_points_at_the_field_to_correct(page: Any) -> None:
    page.goto("/estimate?commodity_code=12&origin=China&value=lots")
    assert page.locator("#f-origin").get_attribute("aria-invalid") == "true"
    page.get_by_role("link", name="Enter a number, like 1250.00.").click()
    assert page.evaluate("document.activeElement.id") in ("f-value", "main")


def test_a_declarant_cannot_open_another_traders_declaration(page: Any) -> None:
    sign_in(page, "trader1")
    url = lodge_shoes(page)
    assert "640299" in page.inner_text("main")
    shot(page, "declaration-trader")
    page.goto("/declarations")
    shot(page, "my-declarations")
    sign_out(page)
    sign_in(page, "trader2")
    response = page.goto(url)
    assert response is not None and response.status == 403
    assert "leather shoes" not in page.content()
    assert "may not see" in page.inner_text("main")


def test_lodge_form_suggests_codes_and_estimates_as_one_types(page: Any) -> None:
    sign_in(page, "trader1")
    page.goto("/declarations/new")
    page.get_by_label("Description of the goods").press_sequentially("leather shoes")
    page.locator("#code-list option").first.wait_for(state="attached")
    page.get_by_label("Commodity code").fill("640299")
    page.get_by_label("Country of origin").fill("CN")
    page.get_by_label("Invoice amount").fill("1000")
    page.get_by_label("Gross mass (kg)").focus()  # a change event: htmx asks for the estimate
    preview = page.locator("#lodge-estimate")
    preview.get_by_text("Standard (most-favoured-nation) duty").wait_for()
    assert "50.00 USD" in preview.inner_text()
    shot(page, "lodge-estimate")


def test_lodge_form_shows_errors_next_to_fields(page: Any) -> None:
    sign_in(page, "trader1")
    page.goto("/declarations/new")
    page.get_by_label("Commodity code").fill("640299")
    page.get_by_role("button", name="Lodge", exact=True).click()
    page.locator("#problems").wait_for()
    # Required fields left empty are marked where they are.
    assert page.locator("#f-net_mass").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-commodity_code").get_attribute("aria-invalid") is None
    shot(page, "lodge-errors")


def test_officer_signs_in_and_opens_a_declaration(page: Any) -> None:
    sign_in(page, "trader1")
    url = lodge_shoes(page)
    mrn = url.rsplit("/", 1)[1]
    sign_out(page)
    sign_in(page, "officer1")
    assert page.get_by_role("heading", name="Work queue").is_visible()
    page.get_by_label("MRN").fill(mrn)
    page.get_by_role("button", name="Find").click()
    shot(page, "queue")
    page.get_by_role("link", name=mrn).click()
    page.wait_for_url(f"**/declarations/{mrn}")
    main = page.inner_text("main")
    assert "Standard (most-favoured-nation) duty" in main
    assert "declaration.assessed" in main
    assert page.get_by_role("heading", name="Channel and its reasons").is_visible()
    assert page.get_by_role("heading", name="History").is_visible()
    shot(page, "declaration-officer")
    page.goto("/dashboard")
    assert page.locator("svg.chart").count() >= 1


def test_officer_examines_a_red_channel_declaration_and_releases(page: Any, served: Served) -> None:
    sign_in(page, "trader1")
    url = lodge_shoes(page, origin="BR")
    mrn = url.rsplit("/", 1)[1]
    assert "red" in page.locator(".channel").first.inner_text()
    sign_out(page)
    tasks = [t for t in ctl.list_tasks(served.ctx, principal=SYSTEM) if t["status"] != "closed"]
    task = next(t for t in tasks if t["channel"] == "red")
    assert task["assigned_to"], task
    sign_in(page, task["assigned_to"])
    tasks_table = page.locator("section", has=page.get_by_role("heading", name="My control tasks"))
    tasks_table.get_by_role("link", name=mrn).click()
    page.wait_for_url(f"**/declarations/{mrn}")
    main = page.inner_text("main")
    assert "examine goods from BR" in main or "PAGES-RED-BR" in main
    assert "open the cartons and count the pairs" in main
    shot(page, "red-task")
    page.get_by_label("Finding").select_option("no_discrepancy")
    page.get_by_label("Note").last.fill("42 pairs counted, as declared")
    page.get_by_role("button", name="Record finding and close task").click()
    page.wait_for_url(f"**/declarations/{mrn}")
    if page.get_by_role("button", name="Release").count():
        page.get_by_role("button", name="Release").click()
        page.wait_for_url(f"**/declarations/{mrn}")
    state = page.locator(".facts .state").inner_text()
    assert state == "released", page.inner_text("main")[:2000]
    assert "declaration.released" in page.inner_text("main")
    shot(page, "released")
    page.goto("/dashboard")
    assert page.get_by_role("img", name="Lodgement to release, minutes").count() == 1
    assert page.get_by_role("img", name="Duties and taxes per day, USD").count() == 1
    assert page.get_by_role("img", name="Declarations by channel", exact=True).count() == 1
    shot(page, "dashboard")
    sign_out(page)
    sign_in(page, "analyst1")
    page.goto("/risk")
    assert "PAGES-RED-BR" in page.inner_text("main")
    curve = page.get_by_role("img", name="Model pages-m1: precision and recall", exact=False)
    assert curve.count() == 1
    shot(page, "risk")


PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_trader_answers_a_query_and_the_officer_attaches_evidence(
    page: Any, tmp_path: Path
) -> None:
    certificate = tmp_path / "phyto-certificate.pdf"
    certificate.write_bytes(PDF)
    sign_in(page, "trader1")
    # Citrus from Morocco needs a phytosanitary certificate: screening asks the declarant.
    url = lodge_shoes(page, origin="MA", code="080510", description="fresh oranges")
    page.get_by_role("group", name="Answer this query").wait_for()
    page.get_by_label("Your answer").fill("Certificate PHYTO-MA-9 attached")
    page.get_by_label("Document (optional)").set_input_files(str(certificate))
    page.get_by_role("button", name="Send the answer").click()
    page.wait_for_url(url + "*")
    assert "Certificate PHYTO-MA-9 attached" in page.inner_text("main")
    assert page.get_by_role("button", name="Send the answer").count() == 0
    shot(page, "query-answered")
    sign_out(page)

    sign_in(page, "officer1")
    page.goto(url)
    main = page.inner_text("main")
    assert "Certificate PHYTO-MA-9 attached" in main and "phyto-certificate.pdf" in main
    photo = tmp_path / "pallet.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    page.get_by_label("File: PDF").set_input_files(str(photo))
    page.get_by_label("What the file shows").fill("pallet 2, seal intact")
    page.get_by_role("button", name="Attach", exact=True).click()
    page.wait_for_url(url + "*")
    evidence = page.locator("section", has=page.get_by_role("heading", name="Evidence"))
    assert (
        "pallet.png" in evidence.inner_text() and "pallet 2, seal intact" in evidence.inner_text()
    )
    with page.expect_download() as download:
        evidence.get_by_role("link", name="pallet.png").click()
    assert Path(download.value.path()).read_bytes() == photo.read_bytes()
    shot(page, "evidence")


def test_analyst_writes_criteria_as_rows(page: Any) -> None:
    sign_in(page, "analyst1")
    page.goto("/risk")
    page.get_by_label("Code", exact=True).fill("PAGES-ROWS")
    page.get_by_label("Criterion 1: what").select_option("origin")
    page.get_by_label("how (criterion 1)").select_option("in")
    page.get_by_label("value (criterion 1)").fill("AR, UY")
    page.get_by_label("Criterion 2: what").select_option("customs_value")
    page.get_by_label("how (criterion 2)").select_option("at_least")
    page.get_by_label("value (criterion 2)").fill("lots")
    page.get_by_role("button", name="Save draft").click()
    # The bad value is marked where it is, and the summary links to it.
    assert page.locator("#f-value-1").get_attribute("aria-invalid") == "true"
    page.locator("#problems").get_by_role("link", name="criterion 2").click()
    shot(page, "risk-criteria-errors")
    page.get_by_label("value (criterion 2)").fill("20000")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/risk")
    main = page.inner_text("main")
    assert "Country of origin is one of AR, UY" in main
    assert "Customs value is at least 20000" in main
