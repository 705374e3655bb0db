"""The commitments scorecard in a real browser (Debian's Chromium via Playwright), on the fixture
reports of tests/fixtures/outcomes: filter it, then open both sentences of a row in the reader."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.browser

from conftest import CHROMIUM  # noqa: E402

if not CHROMIUM.exists():
    pytest.skip("needs Debian's Chromium at /usr/bin/chromium (make chromium)", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from conftest import ARTIFACTS, CHROMIUM_ARGS, ONTOLOGY, LiveServer, start_server  # noqa: E402
from corpus import corpus, outcome_fixtures  # noqa: E402
from kg.build import build  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("scorecard")
    data = corpus(root / "data", *outcome_fixtures())
    build(data, ONTOLOGY, root / "build")
    live = start_server(root / "build", "--timeout", "10")
    yield live
    live.stop()


@pytest.fixture()
def page(server: LiveServer) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
        context.set_default_timeout(20_000)
        tab = context.new_page()
        requests: list[str] = []
        errors: list[str] = []
        tab.on("request", lambda request: requests.append(request.url))
        tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        tab.on("pageerror", lambda error: errors.append(str(error)))
        yield tab
        context.close()
        browser.close()
    outside = [u for u in requests if urllib.parse.urlparse(u).hostname not in ("127.0.0.1", None)]
    assert not outside, f"requests left 127.0.0.1: {outside}"
    assert not errors, errors


def test_filter_the_scorecard_and_open_both_sentences(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/commitments?lang=en")
    rows = page.locator("table.scorecard-table tbody tr")
    expect(rows).to_have_count(25)
    expect(page.locator(".mainnav [data-nav='commitments']")).to_have_attribute("aria-current", "page")

    page.locator("select[name='status']").select_option("partly")
    page.locator("select[name='report']").select_option("fixture-gansu-2022-03-10")
    page.locator(".filters button[type='submit']").click()
    expect(rows).to_have_count(2)
    assert page.url.endswith("/commitments?report=fixture-gansu-2022-03-10&agency=&status=partly&relation=")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-scorecard.png"), full_page=True)

    row = page.locator("tr", has_text="网络零售额实现倍增")
    expect(row.locator(".status")).to_have_text("partly met · 部分实现")
    for link_class, quote, report in (
        ("open-outcome", "网络零售额96.3亿元", "fixture-gansu-2023-02-15"),
        ("open-commitment", "农产品网络零售额实现倍增", "fixture-gansu-2022-03-10"),
    ):
        row.locator(f"a.{link_class}").click()
        page.wait_for_selector("#reader-text[data-ready='1']")
        assert f"/reader/{report}#" in page.url
        target = page.locator("#reader-text .target")
        expect(target.first).to_be_in_viewport()
        assert "".join(target.all_text_contents()) == quote
        page.go_back()
        expect(rows).to_have_count(2)
