"""The pages around the explorer in a real browser (Debian's Chromium via Playwright): the start
page, the graph view at /explore, English evidence and numbers as written, the parallel reader,
pages in the chosen language, HTML error pages, several reports at once, and phones.

Two servers: the Shanxi build of the session (``live_server``) and a build of several reports
(tests/fixtures/outcomes with Shanxi: ``analyst_corpus``). Screenshots go to tests/artifacts/,
desktop (1280 × 800) and phone (390 × 844), in both languages.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.browser

from conftest import CHROMIUM  # noqa: E402

if not CHROMIUM.exists():
    pytest.skip("needs Debian's Chromium at /usr/bin/chromium (make chromium)", allow_module_level=True)

from playwright.sync_api import Browser, BrowserContext, Page, expect  # noqa: E402

from conftest import ARTIFACTS, DESKTOP, ONTOLOGY, PHONE, LiveServer, start_server  # noqa: E402
from corpus import analyst_corpus  # noqa: E402
from kg.build import build  # noqa: E402

BASE = "https://w3id.org/cnkg/"
LIU = BASE + "id/person/liu-zhijie"
SHANXI = "shanxi-2022-04-02"
INCOME = BASE + f"id/report/{SHANXI}/fact/rural-income-2021"


def get_json(url: str) -> dict:  # type: ignore[type-arg]
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


class Tab:
    """One browser tab on one server, with every request and console error it saw."""

    def __init__(self, context: BrowserContext, base: str):
        self.page = context.new_page()
        self.base = base
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"{m.text} ({self.page.url})"))
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error} ({self.page.url})"))

    def open(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"pages-{name}.png"))

    def no_horizontal_scroll(self, width: int) -> None:
        scroll = self.page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll <= width, f"{self.page.url} scrolls sideways: {scroll} > {width}"

    def check(self, expected_errors: tuple[str, ...] = ()) -> None:
        outside = [u for u in self.requests if urllib.parse.urlparse(u).hostname not in ("127.0.0.1", None)]
        assert not outside, f"requests left 127.0.0.1: {outside}"
        errors = [e for e in self.errors if not any(x in e for x in expected_errors)]
        assert not errors, errors


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("many-reports")
    build(analyst_corpus(root / "data"), ONTOLOGY, root / "build")
    server = start_server(root / "build", "--timeout", "10")
    yield server
    server.stop()


def new_tab(browser: Browser, server: LiveServer, viewport: dict[str, int] = DESKTOP) -> Tab:
    context = browser.new_context(viewport=viewport, locale="en-US")  # type: ignore[arg-type]
    context.set_default_timeout(20_000)
    return Tab(context, server.url)


def graph_ready(page: Page) -> None:
    page.wait_for_selector("#app[data-ready='1']")
    page.wait_for_selector("#cy[data-layout='done']")


# ---------------------------------------------------------------------------------- 1 start page


def test_start_page_lists_the_reports_and_asks_questions(browser: Browser, live_server: LiveServer) -> None:
    reports = get_json(live_server.url + "/api/reports")["reports"]
    facts = get_json(live_server.url + "/api/facts")
    for lang, heading in (("en", "Reports"), ("zh", "报告")):
        tab = new_tab(browser, live_server)
        page = tab.open(f"/?lang={lang}")
        assert page.evaluate("document.documentElement.lang") == ("zh-CN" if lang == "zh" else "en")
        expect(page.locator("#reports-title")).to_have_text(heading)
        cards = page.locator(".report-card")
        expect(cards).to_have_count(len(reports))
        for report in reports:
            card = page.locator(f".report-card[data-report='{report['id']}']")
            expect(card.locator("h3")).to_have_text(report["title"][lang])
            expect(card.locator("time")).to_have_text(report["issued"])
            mine = [f for f in facts["facts"] if f["report"] == report["iri"]]
            expect(card.locator("[data-count='facts']")).to_contain_text(str(len(mine)))
            expect(card.locator(".cite")).to_have_attribute("data-cite-iri", report["iri"])
        year = int(reports[0]["issued"][:4])
        questions = page.locator(".question")
        hrefs = questions.evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert f"/facts?value_type=target&period={year}&lang={lang}" in hrefs, hrefs
        assert f"/facts?unit=yuan&period={year - 1}&lang={lang}" in hrefs, hrefs
        tab.no_horizontal_scroll(DESKTOP["width"])
        tab.shot(f"start-{lang}")
        # The first key figure is shown as written and opens its fact in the graph.
        figure = page.locator(".key-figures a").first
        figure.click()
        graph_ready(page)
        assert "/explore?node=" in page.url
        expect(page.locator("#details .details-title")).not_to_be_empty()
        # One click: who spoke, and their posts.
        tab.open(f"/?lang={lang}")
        page.locator(".question[href^='/orgchart']").click()
        page.wait_for_selector("#org-tree[data-ready='1']")
        assert page.locator(".official-chip").count() >= 1
        tab.check()
        page.context.close()


def test_old_graph_urls_open_the_graph_view(browser: Browser, live_server: LiveServer) -> None:
    tab = new_tab(browser, live_server)
    page = tab.open("/?" + urllib.parse.urlencode({"node": LIU, "lang": "en"}))
    graph_ready(page)
    assert urllib.parse.urlparse(page.url).path == "/explore"
    expect(page.locator("#details .details-title")).to_have_text("Liu Zhijie")
    tab.check()
    page.context.close()


def test_graph_view_starts_on_the_newest_report_or_says_a_node_is_unknown(
    browser: Browser, live_server: LiveServer
) -> None:
    newest = get_json(live_server.url + "/api/reports")["reports"][0]
    tab = new_tab(browser, live_server)
    page = tab.open("/explore?lang=en")
    graph_ready(page)
    expect(page.locator("#details")).to_have_attribute("data-iri", newest["iri"])
    expect(page.locator("#details .details-title")).to_have_text(newest["title"]["en"])
    tab.shot("explore-en")

    unknown = BASE + "id/person/nobody-at-all"
    tab.open("/explore?" + urllib.parse.urlencode({"node": unknown, "lang": "en"}))
    page.wait_for_selector("#app[data-ready='1']")
    expect(page.locator("#graph-message")).to_contain_text(f"Nothing is known about {unknown}")
    tab.check(expected_errors=("404",))  # the entity API answers 404 for the unknown node
    page.context.close()


# ---------------------------------------------------------------------------------- 2 English evidence


def test_english_evidence_and_numbers_as_written(browser: Browser, live_server: LiveServer) -> None:
    tab = new_tab(browser, live_server)
    page = tab.open("/explore?" + urllib.parse.urlencode({"node": INCOME, "lang": "en"}))
    graph_ready(page)
    details = page.locator("#details")
    expect(details.locator(".fact-value")).to_have_text("15,308 yuan")
    expect(details.locator(".evidence-sentence").first).to_contain_text("15308元")
    translation = details.locator(".evidence-translation").first
    expect(translation).to_contain_text("reaching 15,308 yuan, up 10.3%")
    assert translation.get_attribute("lang") == "en"
    expect(details.locator("button.cite")).to_have_attribute("data-cite-iri", INCOME)
    tab.shot("details-translation-en")

    # A count is a number, never "16 count".
    documents = BASE + f"id/report/{SHANXI}/fact/policy-documents-issued-2021"
    tab.open("/explore?" + urllib.parse.urlencode({"node": documents, "lang": "en"}))
    graph_ready(page)
    expect(details.locator(".fact-value")).to_have_text("16")
    tab.check()
    page.context.close()


def test_parallel_reader(browser: Browser, live_server: LiveServer) -> None:
    report = get_json(live_server.url + f"/api/report/{SHANXI}")
    assert report["translations"], "the Shanxi report has translated sentences"
    tab = new_tab(browser, live_server)
    page = tab.open(f"/reader/{SHANXI}?view=parallel&lang=en")
    page.wait_for_selector("#reader-text[data-ready='1']")
    english = page.locator("#reader-text .parallel-en[lang='en']:not(.muted)")
    shown = english.all_inner_texts()
    assert shown == [x["en"] for x in report["translations"]], "every translation, once, in the order of the text"
    first = report["translations"][0]
    row = page.locator(".parallel-row").filter(has_text=first["en"]).first
    assert row.locator(".parallel-zh").inner_text().strip() == report["text"][first["start"] : first["end"]].strip()
    expect(page.locator("#reader-head button.cite")).to_have_attribute("data-cite-iri", report["iri"])
    tab.shot("reader-parallel-en")
    # The toggle goes back to the Chinese text alone.
    page.locator(".parallel-toggle").click()
    expect(page.locator(".parallel-row")).to_have_count(0)
    assert "view=parallel" not in page.url
    tab.check()
    page.context.close()


# ---------------------------------------------------------------------------------- 3 language, errors


def test_id_pages_and_error_pages_in_the_chosen_language(browser: Browser, live_server: LiveServer) -> None:
    tab = new_tab(browser, live_server)
    page = tab.open("/id/person/liu-zhijie?lang=zh")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    expect(page.locator("main.resource h1")).to_contain_text("刘志杰")
    expect(page.locator("button.cite")).to_have_attribute("data-cite-iri", LIU)
    tab.shot("id-zh")
    page.locator(".lang-toggle [data-lang='en']").click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.locator("main.resource h1")).to_contain_text("Liu Zhijie")
    tab.shot("id-en")
    # Remembered by the server pages too: no ?lang= now comes up in English.
    tab.open("/")
    expect(page.locator("#reports-title")).to_have_text("Reports")

    # The scorecard, in Chinese only when Chinese is chosen.
    tab.open("/commitments?lang=zh")
    expect(page.locator("main.scorecard h1")).to_have_text("承诺与结果")
    expect(page.locator("main.scorecard .lede")).to_have_count(1)
    assert page.locator("main.scorecard .lede").get_attribute("lang") == "zh"

    for path in ("/id/person/nobody-at-all", "/reader/no-such-report", "/no/such/page"):
        response = page.goto(tab.base + path + "?lang=en")
        assert response is not None and response.status == 404, path
        expect(page.locator("main.error-page h1")).to_have_text("Nothing here")
        expect(page.locator("main.error-page form[action='/search'] input[name='q']")).to_be_visible()
        expect(page.locator(".mainnav a[href='/search']")).to_be_visible()
    tab.shot("404-en")
    page.goto(tab.base + "/reader/no-such-report?lang=zh")
    expect(page.locator("main.error-page h1")).to_have_text("此处没有内容")
    tab.shot("404-zh")
    tab.check(expected_errors=("404",))
    page.context.close()


# ---------------------------------------------------------------------------------- 4 many reports


def test_many_reports(browser: Browser, many: LiveServer) -> None:
    reports = get_json(many.url + "/api/reports")["reports"]
    assert len(reports) >= 4
    tab = new_tab(browser, many)
    page = tab.open("/?lang=en")
    expect(page.locator(".report-card")).to_have_count(len(reports))
    tab.shot("start-many-en")
    page.locator(".mainnav [data-nav='reader']").click()
    expect(page.locator(".report-card")).to_have_count(len(reports))
    for report in reports:
        tab.open(f"/reader/{report['id']}?lang=en")
        page.wait_for_selector("#reader-text[data-ready='1']")
        expect(page.locator("#reader-head h1")).to_have_text(report["title"]["en"])
        assert report["title"]["en"] in page.title()
    # The graph view starts on the newest report, whichever it is.
    tab.open("/explore?lang=en")
    graph_ready(page)
    expect(page.locator("#details")).to_have_attribute("data-iri", reports[0]["iri"])
    tab.check()
    page.context.close()


# ---------------------------------------------------------------------------------- 5 phone


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_phone_pages_fit(browser: Browser, live_server: LiveServer, lang: str) -> None:
    tab = new_tab(browser, live_server, PHONE)
    pages = {
        "start": f"/?lang={lang}",
        "explore": "/explore?" + urllib.parse.urlencode({"node": LIU, "lang": lang}),
        "reader": f"/reader/{SHANXI}?lang={lang}",
        "parallel": f"/reader/{SHANXI}?view=parallel&lang={lang}",
        "charts": f"/charts?lang={lang}",
        "orgchart": f"/orgchart?lang={lang}",
        "commitments": f"/commitments?lang={lang}",
        "id": f"/id/person/liu-zhijie?lang={lang}",
        "query": f"/query?lang={lang}",
    }
    for name, path in pages.items():
        page = tab.open(path)
        if name in ("explore", "reader", "parallel", "charts", "orgchart", "query"):
            page.wait_for_selector("#app[data-ready='1']")
        nav = page.locator(".mainnav")
        expect(nav).to_be_visible()
        box = nav.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (name, box)
        tab.no_horizontal_scroll(PHONE["width"])
        tab.shot(f"phone-{name}-{lang}")
    # The details panel is reachable: below the graph, scrolled to.
    page = tab.open(pages["explore"])
    graph_ready(page)
    details = page.locator("#details .details-title")
    details.scroll_into_view_if_needed()
    expect(details).to_be_in_viewport()
    tab.check()
    page.context.close()


@pytest.mark.parametrize("accept", ["application/json", "text/plain", "*/*"])
def test_unknown_pages_are_html_only_for_browsers(live_server: LiveServer, accept: str) -> None:
    request = urllib.request.Request(live_server.url + "/reader/no-such-report", headers={"Accept": accept})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 404
    expected = "text/plain" if accept == "text/plain" else "application/json"
    assert caught.value.headers.get_content_type() == expected


def test_charts_per_report_and_across_reports(browser: Browser, many: LiveServer) -> None:
    reports = get_json(many.url + "/api/reports")["reports"]
    facts = get_json(many.url + "/api/facts")["facts"]
    tab = new_tab(browser, many)
    page = tab.open("/charts?lang=en")
    page.wait_for_selector("#charts-body[data-charts]")
    choice = page.locator("select.report-choice")
    expect(choice.locator("option")).to_have_count(len(reports) + 1)
    # One axis per unit and magnitude: no bar chart puts values 1,000 times apart on one axis.
    spans = page.evaluate(
        """() => [...document.querySelectorAll('#charts-body .chart-card[data-unit] canvas')].map(c => {
                 const values = window.Chart.getChart(c).data.datasets[0].data.filter(v => v > 0);
                 return Math.max(...values) / Math.min(...values); })"""
    )
    assert spans and all(span < 1000 for span in spans), spans
    # An indicator stated for several years (across reports) is a line over those years.
    lines = page.locator("#charts-body .chart-card.trend")
    assert lines.count() >= 1
    kind = page.evaluate("() => window.Chart.getChart(document.querySelector('.chart-card.trend canvas')).config.type")
    assert kind == "line"
    tab.shot("charts-many-en")
    # One report: only its figures. The tooltip has the quote and its English translation.
    choice.select_option(SHANXI)
    assert f"report={SHANXI}" in page.url
    shown = page.evaluate(
        """() => [...document.querySelectorAll('#charts-body .chart-card[data-unit] canvas')]
                 .reduce((n, c) => n + window.Chart.getChart(c).data.datasets[0].data.length, 0)"""
    )
    assert shown == len([f for f in facts if f["report"].endswith("/" + SHANXI)])
    expect(page.locator("#chart-income h2")).to_have_text("Rural incomes in 2021")
    footer = page.evaluate(
        """() => { const chart = window.Chart.getChart(document.querySelector('#chart-income canvas'));
                   return chart.options.plugins.tooltip.callbacks.footer([{ dataIndex: 0 }]).join(' '); }"""
    )
    assert "15308元" in footer and "reaching 15,308 yuan" in footer, footer
    tab.shot("charts-one-report-en")
    tab.check()
    page.context.close()


def test_sparql_page_speaks_the_language_and_explains_errors(browser: Browser, live_server: LiveServer) -> None:
    tab = new_tab(browser, live_server)
    page = tab.open("/query?lang=zh")
    page.wait_for_selector("#app[data-ready='1']")
    query = page.evaluate("() => window.kgYasgui.getTab().getQuery()")
    assert 'LANG(?name) = "zh"' in query and "官员及其担任的职务" in query, query
    page.evaluate(
        "() => { const tab = window.kgYasgui.getTab(); tab.setQuery('SELECT * WHERE { ?s ?p }'); tab.query(); }"
    )
    error = page.locator(".yasr .sparql-error")
    expect(error).to_be_visible()
    expect(error.locator(".sparql-error-title")).to_contain_text("查询未能执行")
    text = error.locator(".sparql-error-message").inner_text()
    assert text and not text.lstrip().startswith("{"), text
    tab.shot("query-error-zh")
    tab.check(expected_errors=("400",))
    page.context.close()


def test_orgchart_says_when_posts_were_held(browser: Browser, many: LiveServer) -> None:
    issued = {r["issued"] for r in get_json(many.url + "/api/reports")["reports"]}
    chart = get_json(many.url + "/api/orgchart")
    stated = [p for p in chart["posts"] if p["held_on"]]
    assert stated and all(set(p["held_on"]) <= issued for p in stated)
    tab = new_tab(browser, many)
    page = tab.open("/orgchart?lang=en")
    page.wait_for_selector("#org-tree[data-ready='1']")
    post = stated[0]
    item = page.locator(f".org-post:has(a.post-link[data-iri='{post['iri']}'])").first
    expect(item.locator(".held-on")).to_contain_text("stated as held on")
    assert item.locator(".held-on time").all_inner_texts() == post["held_on"]
    tab.shot("orgchart-many-en")
    tab.check()
    page.context.close()


def test_start_page_is_also_json(many: LiveServer) -> None:
    request = urllib.request.Request(many.url + "/", headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        page = json.load(response)
    reports = get_json(many.url + "/api/reports")["reports"]
    facts = get_json(many.url + "/api/facts")["facts"]
    assert [r["id"] for r in page["reports"]] == [r["id"] for r in reports]
    assert page["facts"] == len(facts) and page["truncated"] is False
    for report in page["reports"]:
        assert report["facts"] == len([f for f in facts if f["report"] == report["iri"]])
        assert len({f["unit"] for f in report["figures"]}) == len(report["figures"])
