"""The analyst pages in a real browser (Debian's Chromium via Playwright) on the fixture corpus
(tests/corpus.py: analyst_corpus): an analyst's tasks on /facts and /search, the Cite dialog, and
the downloads. Screenshots of both pages in both languages, on a desktop and a phone, go to
tests/artifacts/. Every page must stay on 127.0.0.1 and log no console error."""

from __future__ import annotations

import csv
import io
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

from conftest import CHROMIUM  # noqa: E402

if not CHROMIUM.exists():
    pytest.skip("needs Debian's Chromium at /usr/bin/chromium (make chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect  # noqa: E402

from conftest import AFTER_TEST, ARTIFACTS, DESKTOP, ONTOLOGY, PHONE, LiveServer, start_server  # noqa: E402
from corpus import analyst_corpus  # noqa: E402
from kg.build import build  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("analyst-browser")
    build(analyst_corpus(root / "data"), ONTOLOGY, root / "build")
    live = start_server(root / "build", "--timeout", "10")
    yield live
    live.stop()


def open_tab(browser: Browser, server: LiveServer, request: pytest.FixtureRequest, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport, locale="en-US", accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))

    def check() -> None:
        outside = [u for u in requests if urllib.parse.urlparse(u).hostname not in ("127.0.0.1", None)]
        assert not outside, f"requests left 127.0.0.1: {outside}"
        assert not errors, errors
        context.close()

    request.node.stash[AFTER_TEST] = check
    return tab


@pytest.fixture()
def page(browser: Browser, server: LiveServer, request: pytest.FixtureRequest) -> Page:
    return open_tab(browser, server, request, DESKTOP)


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"analyst-{name}.png"))


def test_2022_targets_and_who_is_responsible(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/facts?lang=en")
    page.locator(".facet[data-facet='value_type'] a[data-value='target']").click()
    page.locator(".facet[data-facet='period'] a[data-value='2022']").click()
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query["value_type"] == ["target"] and query["period"] == ["2022"]
    shown = page.locator("#shown")
    total = int(shown.get_attribute("data-total") or "0")
    assert total > 0
    expect(shown).to_have_text(f"rows 1–{total} of {total} (all)")
    rows = page.locator("table.facts-table tbody tr")
    expect(rows).to_have_count(total)
    expect(page.locator("th a[data-sort='agency']")).to_have_text("Responsible agency")
    agencies = rows.locator("td.agency").all_inner_texts()
    assert any("Rural Revitalization Bureau" in a for a in agencies)
    body = page.locator("table.facts-table").inner_text()
    assert "^^" not in body and "xsd:" not in body
    # Numbers as written: "100" for 100个 (never "100 count"), the Chinese amount beside it.
    row = rows.filter(has_text="Demonstration bases for rural specialty industries created")
    expect(row.locator("td.amount")).to_contain_text("100")
    expect(row.locator("td.amount")).not_to_contain_text("count")
    expect(row.locator("td.amount [lang='zh']")).to_have_text("100个")
    expect(row.locator("td.quote .translation")).to_contain_text("demonstration bases for rural specialty industries")
    shot(page, "facts-en-desktop")

    # Sort by amount, largest first: the URL keeps the filters and says the sort.
    page.locator("th a[data-sort='amount']").click()
    page.locator("th a[data-sort='amount']").click()
    assert "sort=-value" in page.url and "value_type=target" in page.url
    expect(page.locator("th[aria-sort='descending'] a[data-sort='amount']")).to_be_visible()

    # The quote opens the reader at its offsets.
    first = rows.first
    href = first.locator("a.open-quote").get_attribute("href") or ""
    assert href.startswith("/reader/") and "#" in href


def test_paging_says_which_rows_and_keeps_the_view(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/facts?lang=en&size=25")
    shown = page.locator("#shown")
    total = int(shown.get_attribute("data-total") or "0")
    assert total > 25
    expect(shown).to_have_text(f"rows 1–25 of {total:,}")
    page.locator(".pager a[rel='next']").click()
    expect(shown).to_have_text(f"rows 26–50 of {total:,}")
    assert "page=2" in page.url and "size=25" in page.url


def test_all_facts_about_employment_by_the_text_filter(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/facts?lang=en")
    page.locator("form.analyst-filter input[name='q']").fill("employment")
    page.locator("form.analyst-filter button[type='submit']").click()
    assert "q=employment" in page.url
    rows = page.locator("table.facts-table tbody tr")
    assert rows.count() > 0
    for text in rows.all_inner_texts():
        assert "employment" in text.lower() or "就业" in text


def test_download_csv_has_a_bom_and_the_filtered_rows(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/facts?lang=en&value_type=target&size=5")
    total = int(page.locator("#shown").get_attribute("data-total") or "0")
    assert total > 5  # more rows than the page holds: the download has them all
    with page.expect_download() as download_info:
        page.locator("a[data-download='csv']").click()
    data = Path(download_info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == total
    assert {r["value_type"] for r in rows} == {"https://w3id.org/cnkg/id/value-type/target"}


def test_cite_a_fact_from_the_table(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/facts?lang=en&value_type=target&period=2022")
    row = page.locator("tr", has_text="Demonstration bases for rural specialty industries created")
    row.locator("button.cite").click()
    dialog = page.locator("dialog.cite-dialog[data-ready='1']")
    expect(dialog).to_be_visible()
    apa = dialog.locator("pre.cite-text[data-format='apa']")
    expect(apa).to_contain_text("100个乡村特色产业示范基地")  # the quote
    expect(apa).to_contain_text("demonstration bases for rural specialty industries")  # its translation
    for name in ("chicago", "bibtex", "ris", "csl-json"):
        expect(dialog.locator(f"pre.cite-text[data-format='{name}']")).not_to_be_empty()
    dialog.locator("button.cite-copy[data-format='apa']").click()
    expect(dialog.locator("button.cite-copy[data-format='apa']")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == apa.inner_text()
    shot(page, "cite-en-desktop")
    page.keyboard.press("Escape")
    expect(page.locator("dialog.cite-dialog")).not_to_be_visible()


@pytest.mark.parametrize(
    ("words", "group", "expected"),
    [
        ("industry support", "sentences", "industries"),
        ("money", "facts", "funds"),
        ("billion", "facts", "billion"),
        ("target 2022", "facts", "target"),
        ("employment", "programs", "Employment"),
    ],
)
def test_search_finds_what_analysts_ask_for(
    page: Page, server: LiveServer, words: str, group: str, expected: str
) -> None:
    page.goto(server.url + "/search?" + urllib.parse.urlencode({"q": words, "lang": "en"}))
    section = page.locator(f".search-group[data-kind='{group}']")
    assert int(section.get_attribute("data-total") or "0") > 0
    expect(section.locator("mark").first).to_be_visible()
    expect(section.locator("li").first).to_contain_text(expected, ignore_case=True)


def test_search_groups_show_all_and_cite(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/search?q=%E4%BA%A7%E4%B8%9A&lang=en")  # 产业
    facts = page.locator(".search-group[data-kind='facts']")
    total = int(facts.get_attribute("data-total") or "0")
    expect(facts.locator("li")).to_have_count(5)
    expect(facts.locator("a.show-all")).to_have_text(f"show all {total} →")
    shot(page, "search-en-desktop")
    facts.locator("a.show-all").click()
    assert "kind=facts" in page.url
    expect(page.locator(".search-group[data-kind='facts'] li")).to_have_count(total)
    page.locator(".search-group li button.cite").first.click()
    expect(page.locator("dialog.cite-dialog[data-ready='1'] pre[data-format='apa']")).to_contain_text("Retrieved")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_screenshots_in_both_languages(
    browser: Browser,
    server: LiveServer,
    request: pytest.FixtureRequest,
    lang: str,
    device: str,
    viewport: dict[str, int],
) -> None:
    tab = open_tab(browser, server, request, viewport)
    tab.goto(server.url + f"/facts?lang={lang}&value_type=target")
    expect(tab.locator("html")).to_have_attribute("lang", re.compile(f"^{lang}"))
    expect(tab.locator("#shown")).to_contain_text("20")
    shot(tab, f"facts-{lang}-{device}")
    tab.locator("button.cite").first.click()
    expect(tab.locator("dialog.cite-dialog[data-ready='1'] pre[data-format='apa']")).to_be_visible()
    expect(tab.locator("dialog.cite-dialog h2")).to_have_text("引用" if lang == "zh" else "Cite")
    shot(tab, f"cite-{lang}-{device}")
    tab.keyboard.press("Escape")
    tab.goto(
        server.url + "/search?" + urllib.parse.urlencode({"q": "产业" if lang == "zh" else "industry", "lang": lang})
    )
    expect(tab.locator(".search-group").first).to_be_visible()
    shot(tab, f"search-{lang}-{device}")


def test_the_language_toggle_reloads_the_page_in_that_language(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/facts?value_type=target&lang=zh")
    expect(page.locator("#shown")).to_contain_text("共 20 行")
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^zh"))
    page.locator(".lang-toggle [data-lang='en']").click()
    expect(page.locator("#shown")).to_have_text("rows 1–20 of 20 (all)")
    assert "value_type=target" in page.url and "lang=en" in page.url
    expect(page.locator("th a[data-sort='agency']")).to_have_text("Responsible agency")


def test_chinese_search_page(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/search?lang=zh&q=" + urllib.parse.quote("马铃薯"))
    expect(page.locator("#shown")).to_contain_text("“马铃薯”共")
    hits = page.locator(".search-group li mark")
    expect(hits.first).to_have_text("马铃薯")
    expect(page.locator(".search-group[data-kind='facts'] h2")).to_contain_text("事实")


def test_cite_buttons_added_later_open_the_dialog_too(page: Page, server: LiveServer) -> None:
    """As the details panel adds its buttons after the page has loaded: the click is delegated."""
    page.goto(server.url + "/search?q=x&lang=en")
    page.evaluate(
        """() => { const b = document.createElement("button");
                   b.className = "cite"; b.id = "late"; b.textContent = "Cite";
                   b.dataset.citeIri = "https://w3id.org/cnkg/id/person/zhang-yuhong";
                   document.querySelector("main").append(b); }"""
    )
    page.locator("#late").click()
    dialog = page.locator("dialog.cite-dialog[data-ready='1']")
    expect(dialog.locator(".cite-what")).to_have_text("Zhang Yuhong")
    expect(dialog.locator("pre[data-format='bibtex']")).to_contain_text("@misc{cnkg-person-zhang-yuhong")


def test_a_bad_view_says_why_and_the_way_back(browser: Browser, server: LiveServer) -> None:
    context = browser.new_context(viewport=DESKTOP)
    tab = context.new_page()
    tab.goto(server.url + "/facts?lang=en&region=atlantis")  # a 400 logs a console error: own context
    expect(tab.locator("[role='alert']")).to_contain_text("no region 'atlantis' among the facts")
    shot(tab, "facts-bad-view-en-desktop")
    tab.locator("main a[href='/facts?lang=en']").click()
    expect(tab.locator("#shown")).to_contain_text("rows 1–50 of")
    context.close()


def test_analyst_tasks_from_the_start_page(page: Page, server: LiveServer) -> None:
    """Each task one or two clicks from `/`: this year's targets and who is responsible, the money
    of the year before and where it is stated, facts by topic through the search box."""
    page.goto(server.url + "/?lang=en")
    page.locator(".question[href^='/facts?value_type=target']").click()
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert page.url.startswith(server.url + "/facts?") and query["value_type"] == ["target"], page.url
    rows = page.locator("table.facts-table tbody tr")
    expect(rows.first).to_be_visible()
    expect(page.locator("th a[data-sort='agency']")).to_have_text("Responsible agency")
    assert any(text.strip() and text.strip() != "—" for text in rows.locator("td.agency").all_inner_texts())
    chip = page.locator(".chip", has_text="target")
    expect(chip).to_be_visible()

    page.goto(server.url + "/?lang=en")
    page.locator(".question[href^='/facts?unit=yuan']").click()
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query["unit"] == ["yuan"], page.url
    expect(rows.first).to_be_visible()
    amounts = rows.locator("td.amount").all_inner_texts()
    assert amounts and all("yuan" in a for a in amounts), amounts[:5]
    href = rows.first.locator("a.open-quote").get_attribute("href") or ""
    assert href.startswith("/reader/") and "#" in href  # where it is stated

    page.goto(server.url + "/?lang=en")
    page.locator("#kg-search").fill("industry support")
    page.locator("#kg-search").press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    assert urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["q"] == ["industry support"]
    expect(page.locator(".search-group").first).to_be_visible()
    expect(page.locator(".search-group li mark").first).to_be_visible()
    shot(page, "from-start-search-en-desktop")
