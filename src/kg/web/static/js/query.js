// The SPARQL page: YASGUI on our endpoint, and the canned queries of /api/queries as a list;
// each opens in its own tab and runs at once. ?canned=<name> opens one directly.

import "./topbar.js";
import { api } from "./api.js";
import { h, clear } from "./dom.js";
import { getLang, onLangChange, t } from "./i18n.js";

const endpoint = new URL("/sparql", location.href).href;
const listEl = document.getElementById("canned-list");
const filterEl = document.getElementById("canned-filter");
document.getElementById("endpoint-url").textContent = endpoint;

// The first tab's query, in the language of the page (names and post titles in that language).
function defaultQuery(lang = getLang()) {
  const comment =
    lang === "zh"
      ? "# 官员及其担任的职务。左侧有更多现成的问题。"
      : "# Officials and the posts they hold. Pick a ready-made question on the left for more.";
  return `PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>

${comment}
SELECT ?official ?name ?post ?title WHERE {
  ?official org:holds ?post ; skos:prefLabel ?name .
  ?post skos:prefLabel ?title .
  FILTER (LANG(?name) = "${lang}" && LANG(?title) = "${lang}")
}
ORDER BY ?name ?title
LIMIT 100`;
}

/** The endpoint's refusal ({"error": "…"}) as a sentence, not as a JSON dump. */
async function errorMessage(error) {
  let message;
  try {
    message = JSON.parse(error.text || "").error;
  } catch {
    message = error.text && !/^\s*[{<]/.test(error.text) ? error.text.trim() : null;
  }
  if (!message) return undefined;
  return h(
    "div",
    { class: "sparql-error", role: "alert" },
    h("p", { class: "sparql-error-title" }, t("query.refused")),
    h("p", { class: "sparql-error-message" }, message),
  );
}

function pick(labels) {
  if (!labels) return "";
  return labels[getLang()] || labels.en || labels.zh || "";
}

function createYasgui() {
  const Yasgui = window.Yasgui;
  if (!Yasgui) throw new Error("YASGUI did not load");
  // Offline and on our data only: no look-ups of prefix.cc or Linked Open Vocabularies.
  // Every tab's results area renders the endpoint's refusals (YASGUI reads Yasr.defaults for its tabs).
  if (Yasgui.Yasr?.defaults) Yasgui.Yasr.defaults.errorRenderers = [errorMessage];
  if (Yasgui.Yasqe?.defaults) Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"].filter((name) => Yasgui.Yasqe.Autocompleters?.[name]);
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
    persistenceId: "cnkg-yasgui",
    populateFromUrl: false,
    autofocus: false,
    yasqe: { prefixCcApi: null, value: defaultQuery() },
  });
  // Tabs saved by an earlier visit may point elsewhere: everything here queries this endpoint.
  for (const id of yasgui.persistentConfig.getTabs()) {
    const tab = yasgui.getTab(id);
    if (tab && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
  }
  return yasgui;
}

let yasgui = null;
let queries = [];

function openQuery(query) {
  if (!yasgui) return;
  const tab = yasgui.addTab(
    true,
    { name: pick(query.title) || query.name, yasqe: { value: query.sparql }, requestConfig: { endpoint, method: "POST" } },
    { avoidDuplicateTabs: true },
  );
  const active = tab || yasgui.getTab();
  if (active && active.getQuery() !== query.sparql) active.setQuery(query.sparql);
  if (active && active.getEndpoint() !== endpoint) active.setEndpoint(endpoint);
  const url = new URL(location.href);
  url.searchParams.set("canned", query.name);
  history.replaceState(null, "", url);
  for (const item of listEl.querySelectorAll(".canned-item")) item.classList.toggle("active", item.dataset.name === query.name);
  // Let the new tab draw its editor before running.
  setTimeout(() => active?.query().catch(() => {}), 0);
}

function renderList() {
  const needle = filterEl.value.trim().toLowerCase();
  clear(listEl);
  const shown = queries.filter((query) =>
    !needle ||
    [query.name, query.title?.zh, query.title?.en, query.description?.zh, query.description?.en].some((text) => (text || "").toLowerCase().includes(needle)),
  );
  for (const query of shown) {
    listEl.append(
      h(
        "li",
        { class: "canned-item", dataset: { name: query.name } },
        h(
          "button",
          { type: "button", class: "canned-open", title: query.name, onclick: () => openQuery(query) },
          h("span", { class: "canned-title" }, pick(query.title) || query.name),
          h("span", { class: "canned-desc" }, pick(query.description)),
          h("span", { class: "canned-run", "aria-hidden": "true" }, "▶ ", t("query.run")),
        ),
      ),
    );
  }
}

async function main() {
  try {
    yasgui = createYasgui();
    window.kgYasgui = yasgui;
  } catch (error) {
    document.getElementById("yasgui").append(h("p", { class: "error" }, t("common.error", { msg: error.message })));
  }
  try {
    queries = (await api.queries()).queries || [];
  } catch (error) {
    clear(listEl).append(h("li", { class: "error" }, t("common.error", { msg: error.message })));
    return;
  }
  renderList();
  filterEl.addEventListener("input", renderList);
  onLangChange((lang) => {
    renderList();
    // The untouched default query follows the language.
    const tab = yasgui?.getTab();
    const other = defaultQuery(lang === "zh" ? "en" : "zh");
    if (tab && tab.getQuery() === other) tab.setQuery(defaultQuery(lang));
  });
  const wanted = new URL(location.href).searchParams.get("canned");
  const query = queries.find((q) => q.name === wanted);
  if (query) openQuery(query);
  document.getElementById("app").dataset.ready = "1";
}

main();
