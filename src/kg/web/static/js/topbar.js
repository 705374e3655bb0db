// The top bar on every page: the language toggle and the search box (answers as you type).

import { api } from "./api.js";
import { h, clear, debounce, isPlainClick } from "./dom.js";
import { applyStrings, getLang, label, labelLang, secondLabel, setLang, t } from "./i18n.js";
import { graphHref, loadTypeLabels, typeColor, typeName } from "./vocab.js";

let selectHandler = null;

/** Let the current view handle a chosen search result (the explorer opens it in place). */
export function onSearchSelect(fn) {
  selectHandler = fn;
}

function choose(result, event) {
  if (selectHandler && (!event || isPlainClick(event))) {
    event?.preventDefault();
    selectHandler(result.iri, result);
    return true;
  }
  return false;
}

function setupLanguage() {
  for (const button of document.querySelectorAll(".lang-toggle [data-lang]")) {
    button.addEventListener("click", () => setLang(button.dataset.lang));
  }
}

function setupNav() {
  const view = document.querySelector("main[data-view]")?.dataset.view;
  for (const link of document.querySelectorAll(".mainnav [data-nav]")) {
    if (link.dataset.nav === view) link.setAttribute("aria-current", "page");
  }
}

function setupSearch() {
  const input = document.getElementById("kg-search");
  const box = document.getElementById("kg-search-results");
  if (!input || !box) return;
  let results = [];
  let active = -1;
  let controller = null;
  let lastQuery = "";
  let shownQuery = null; // the query that the listed results answer
  let picked = false; // the user moved to a suggestion with the arrow keys: Enter opens it

  const close = () => {
    box.hidden = true;
    input.setAttribute("aria-expanded", "false");
    active = -1;
  };
  const open = () => {
    box.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };

  const message = (text) => {
    clear(box).append(h("div", { class: "search-message", text }));
    results = [];
    shownQuery = lastQuery;
    box.dataset.query = lastQuery;
    open();
  };

  const render = () => {
    clear(box);
    if (!results.length) {
      message(t("search.none", { q: lastQuery }));
      return;
    }
    results.forEach((result, index) => {
      const second = secondLabel(result.label);
      const item = h(
        "a",
        {
          class: "search-result" + (index === active ? " active" : ""),
          href: graphHref(result.iri),
          role: "option",
          id: `kg-search-option-${index}`,
          "aria-selected": String(index === active),
          dataset: { iri: result.iri },
          onclick: (event) => {
            if (choose(result, event)) {
              close();
              input.blur();
            }
          },
        },
        h(
          "span",
          { class: "type-chip", style: { "--c": typeColor(result.type) } },
          typeName(result.type, result.type_label),
        ),
        h("span", { class: "result-label", lang: labelLang(result.label) }, label(result.label, result.iri)),
        second ? h("span", { class: "result-second", lang: getLang() === "zh" ? "en" : "zh" }, second) : null,
      );
      box.append(item);
    });
    input.setAttribute("aria-activedescendant", active >= 0 ? `kg-search-option-${active}` : "");
    shownQuery = lastQuery;
    box.dataset.query = lastQuery;
    open();
  };

  const search = async () => {
    const query = input.value.trim();
    lastQuery = query;
    picked = false;
    if (!query) {
      close();
      return;
    }
    if ([...query].length < 2) {
      message(t("search.short"));
      return;
    }
    controller?.abort();
    controller = new AbortController();
    try {
      await loadTypeLabels();
      const data = await api.search(query, { signal: controller.signal });
      if (query !== lastQuery) return;
      results = data.results || [];
      active = -1;
      render();
    } catch (error) {
      if (error.name === "AbortError") return;
      message(t("search.error", { msg: error.message }));
    }
  };
  const run = debounce(search, 160);

  input.addEventListener("input", run);
  input.addEventListener("focus", () => {
    if (input.value.trim() && box.childElementCount) open();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!results.length) return;
      event.preventDefault();
      active = picked ? (active + (event.key === "ArrowDown" ? 1 : -1) + results.length) % results.length : event.key === "ArrowDown" ? 0 : results.length - 1;
      picked = true;
      render();
      box.querySelector(".active")?.scrollIntoView({ block: "nearest" });
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (!picked || input.value.trim() !== shownQuery) {
        // Enter on the words typed: the full-text search page (every kind of result, sentences too).
        const query = input.value.trim();
        if (query) location.href = `/search?${new URLSearchParams({ q: query, lang: getLang() })}`;
        return;
      }
      const go = () => {
        const result = results[active >= 0 ? active : 0];
        if (!result) return;
        close();
        if (!choose(result, null)) location.href = graphHref(result.iri);
        else input.blur();
      };
      // Typed faster than the debounce: answer this query first, then open its best match.
      if (input.value.trim() !== shownQuery) search().then(go);
      else go();
    } else if (event.key === "Escape") {
      close();
    }
  });
  // Clicks inside the list must not blur the input before the click lands.
  box.addEventListener("mousedown", (event) => event.preventDefault());
  input.addEventListener("blur", () => setTimeout(close, 120));
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (event.key === "/" && !typing && !target.closest?.(".CodeMirror")) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });
  window.addEventListener("kg:lang", () => {
    if (!box.hidden && results.length) render();
  });
}

applyStrings();
setupLanguage();
setupNav();
setupSearch();
