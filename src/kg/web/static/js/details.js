// The details panel: everything known about one resource, readable — labels instead of IRIs,
// links in both directions, the source sentence with the quoted words marked, and links to the
// resource's own page and RDF.

import { api } from "./api.js";
import { h, clear, isPlainClick } from "./dom.js";
import { factName, formatNumber, formatQuantity, getLang, label, labelLang, localName, otherLang, secondLabel, t } from "./i18n.js";
import {
  INCOMING_TECHNICAL,
  NS,
  P,
  T,
  TECHNICAL,
  graphHref,
  loadTypeLabels,
  predicateName,
  rdfPath,
  readerHref,
  resourcePath,
  typeColor,
  typeName,
  typeRank,
} from "./vocab.js";

const KG = NS.kg;
const ORG = NS.org;
const DCT = NS.dct;
const SKOS = NS.skos;

const ORDER = [
  P.indicator, P.obsValue, P.unit, P.asWritten, P.valueType, P.period, P.area, P.qualifier, KG + "comparedWith",
  KG + "leadAgency", KG + "statedBy", KG + "establishedBy", KG + "parentProgram", KG + "relatedProgram",
  ORG + "holds", ORG + "heldBy", ORG + "postIn", ORG + "role", ORG + "member", ORG + "organization",
  ORG + "subOrganizationOf", KG + "agencyKind", KG + "programKind", KG + "post", KG + "attestedOn",
  DCT + "title", DCT + "issued", DCT + "publisher", DCT + "bibliographicCitation", DCT + "language",
  SKOS + "altLabel", SKOS + "definition", KG + "mentions",
];
const NUMERIC = /#(decimal|integer|double|float|int|long|short|nonNegativeInteger|positiveInteger)$/;
const LIMIT = 12;

function orderOf(predicate) {
  const index = ORDER.indexOf(predicate);
  return index < 0 ? ORDER.length : index;
}

/**
 * @param {HTMLElement} container
 * @param {object} options
 *   baseIri, reportId (the report shown on this page, if any),
 *   onSelect(iri) — a link to another resource was clicked,
 *   onExpand(iri) — optional: show an "Expand in graph" button,
 *   renderEmpty(container) — optional: what to show when nothing is selected.
 */
export function createDetails(container, options = {}) {
  let currentIri = null;
  let currentData = null;
  let token = 0;

  function entityLink(iri, labels, extraClass = "") {
    const text = label(labels, iri);
    return h(
      "a",
      {
        class: "entity-link " + extraClass,
        href: graphHref(iri),
        lang: labelLang(labels),
        title: secondLabel(labels) || null,
        dataset: { iri },
        onclick: (event) => {
          if (options.onSelect && isPlainClick(event)) {
            event.preventDefault();
            options.onSelect(iri);
          }
        },
      },
      text,
    );
  }

  function literal(value) {
    let text = value.value;
    if (value.datatype && NUMERIC.test(value.datatype) && text.trim() !== "" && !Number.isNaN(Number(text))) {
      text = formatNumber(Number(text), 6);
    }
    return h(
      "span",
      { class: "literal" + (text.length > 80 ? " long" : ""), lang: value.lang || null },
      text,
      value.lang ? h("small", { class: "lang-tag" }, value.lang) : null,
    );
  }

  function valueNode(value) {
    return value.type === "uri" ? entityLink(value.value, value.label) : literal(value);
  }

  function groupProperties(properties) {
    const groups = new Map();
    for (const property of properties) {
      const key = `${property.direction}|${property.predicate}`;
      if (!groups.has(key)) groups.set(key, { ...property, values: [] });
      groups.get(key).values.push(property.value);
    }
    const lang = getLang();
    for (const group of groups.values()) {
      // Literals in the chosen language first, then the rest, then links by label.
      group.values.sort((a, b) => {
        const rank = (v) => (v.type === "uri" ? 2 : v.lang === lang ? 0 : v.lang ? 1 : 0);
        return rank(a) - rank(b) || label(a.label, a.value).localeCompare(label(b.label, b.value));
      });
    }
    return [...groups.values()].sort(
      (a, b) =>
        orderOf(a.predicate) - orderOf(b.predicate) ||
        predicateName(a.predicate, a.predicate_label, a.direction).localeCompare(predicateName(b.predicate, b.predicate_label, b.direction)),
    );
  }

  function propertyList(groups) {
    const list = h("dl", { class: "props" });
    for (const group of groups) {
      const values = h("dd", null);
      const shown = group.values.slice(0, LIMIT);
      const items = shown.map((value) => h("span", { class: "prop-value" }, valueNode(value)));
      values.append(...items);
      if (group.values.length > LIMIT) {
        const more = h("button", { type: "button", class: "link-button" }, t("common.showAll", { n: group.values.length }));
        more.addEventListener("click", () => {
          more.remove();
          values.append(...group.values.slice(LIMIT).map((value) => h("span", { class: "prop-value" }, valueNode(value))));
        });
        values.append(more);
      }
      list.append(
        h("dt", { title: group.predicate, dataset: { predicate: group.predicate, direction: group.direction } },
          predicateName(group.predicate, group.predicate_label, group.direction)),
        values,
      );
    }
    return list;
  }

  let reportTitles = new Map();

  async function loadReportTitles() {
    try {
      const data = await api.reports();
      reportTitles = new Map(data.reports.map((report) => [report.id, report.title]));
    } catch {
      /* the English title from the evidence will do */
    }
  }

  function evidenceBlock(evidence) {
    const sentence = evidence.sentence || "";
    let start = evidence.start - evidence.sentence_start;
    let end = evidence.end - evidence.sentence_start;
    if (sentence.slice(start, end) !== evidence.quote) {
      const found = sentence.indexOf(evidence.quote);
      if (found >= 0) [start, end] = [found, found + evidence.quote.length];
    }
    const quote = h("blockquote", { class: "evidence-sentence", lang: "zh" });
    if (start >= 0 && end <= sentence.length && start < end) {
      quote.append(sentence.slice(0, start), h("mark", null, sentence.slice(start, end)), sentence.slice(end));
    } else {
      quote.append(sentence || evidence.quote);
    }
    const translation = evidence.sentence_en
      ? h("p", { class: "evidence-translation", lang: "en" }, h("span", { class: "muted" }, t("details.translation"), ": "), evidence.sentence_en)
      : null;
    const samePage = options.reportId && options.reportId === evidence.report_id;
    const href = samePage ? `#${evidence.start}-${evidence.end}` : readerHref(evidence.report_id, evidence.start, evidence.end);
    return h(
      "figure",
      { class: "evidence" },
      quote,
      translation,
      h(
        "figcaption",
        null,
        h("a", { class: "show-in-report", href, dataset: { start: evidence.start, end: evidence.end } }, t("details.showInReport"), " →"),
        reportTitles.has(evidence.report_id) || evidence.report_title
          ? h("span", { class: "muted" }, " · ", reportTitles.has(evidence.report_id) ? label(reportTitles.get(evidence.report_id)) : evidence.report_title)
          : null,
      ),
    );
  }

  function factCard(entity) {
    const first = (predicate) => entity.properties.find((p) => p.direction === "out" && p.predicate === predicate)?.value;
    const value = first(P.obsValue);
    if (!value) return null;
    const unit = first(P.unit);
    const asWritten = first(P.asWritten);
    const number = Number(value.value);
    // The amount as the report wrote it (kg.display, through the API); the conversion is ours, apart.
    const shown = entity.shown;
    const big = shown ? shown[getLang()] : formatQuantity(number, unit?.label?.en, unit?.label?.zh);
    const note = shown ? shown[`note_${getLang()}`] : null;
    const context = [first(P.indicator), first(P.period), first(P.area), first(P.valueType), first(P.qualifier)].filter(Boolean);
    return h(
      "section",
      { class: "fact-card" },
      h("div", { class: "fact-value" }, big),
      note ? h("div", { class: "fact-note" }, t("details.conversion"), ": ", note) : null,
      asWritten ? h("div", { class: "fact-written" }, t("details.asWritten"), ": ", h("span", { lang: "zh" }, asWritten.value)) : null,
      h("div", { class: "fact-context" }, context.map((v) => h("span", { class: "fact-part" }, valueNode(v)))),
    );
  }

  async function postsCard(entity) {
    const posts = entity.properties.filter((p) => p.direction === "out" && p.predicate === P.holds).map((p) => p.value);
    if (!posts.length) return null;
    let agencies = new Map();
    try {
      const chart = await api.orgchart();
      const agencyLabels = new Map(chart.agencies.map((a) => [a.iri, a.label]));
      agencies = new Map(chart.posts.map((p) => [p.iri, { iri: p.agency, label: agencyLabels.get(p.agency) }]));
    } catch {
      /* the posts alone are still useful */
    }
    return h(
      "section",
      { class: "posts-card" },
      h("h3", null, t("details.posts"), h("span", { class: "count" }, String(posts.length))),
      h(
        "ul",
        { class: "posts" },
        posts.map((post) => {
          const agency = agencies.get(post.value);
          return h(
            "li",
            { class: "post", dataset: { iri: post.value } },
            entityLink(post.value, post.label, "post-name"),
            agency && agency.iri ? h("span", { class: "post-agency" }, t("details.postIn"), " ", entityLink(agency.iri, agency.label)) : null,
          );
        }),
      ),
    );
  }

  function header(entity) {
    const types = [...entity.types]
      .filter((type) => typeRank(type.iri) < 30 || (type.label && (type.label.zh || type.label.en)))
      .sort((a, b) => typeRank(a.iri) - typeRank(b.iri));
    const chips = (types.length ? types : entity.types.slice(0, 1)).map((type) =>
      h("span", { class: "type-chip", style: { "--c": typeColor(type.iri) } }, typeName(type.iri, type.label)),
    );
    const isFact = entity.types.some((type) => type.iri === T.fact);
    const labels = isFact ? factName(entity.label) : entity.label;
    const second = secondLabel(labels);
    const actions = h("div", { class: "details-actions" });
    if (options.onExpand) {
      actions.append(
        h("button", { type: "button", class: "button primary", dataset: { action: "expand-selected" }, onclick: () => options.onExpand(entity.iri) }, t("details.expand")),
      );
    } else {
      actions.append(h("a", { class: "button primary", href: graphHref(entity.iri) }, t("details.openGraph")));
    }
    if (types.some((type) => type.iri === T.report) && options.reportId !== entity.iri.split("/").pop()) {
      actions.append(h("a", { class: "button", href: readerHref(entity.iri.split("/").pop()) }, t("details.readReport")));
    }
    actions.append(
      h("a", { class: "button", href: resourcePath(entity.iri, options.baseIri), target: "_blank", rel: "noopener" }, t("details.htmlPage")),
      h("a", { class: "button", href: rdfPath(entity.iri, options.baseIri), target: "_blank", rel: "noopener" }, t("details.turtle")),
      h("button", { type: "button", class: "cite", dataset: { citeIri: entity.iri } }, "Cite · 引用"),
    );
    return h(
      "header",
      { class: "details-head" },
      h("div", { class: "chips" }, chips),
      h("h2", { class: "details-title", lang: labelLang(labels) }, label(labels, entity.iri)),
      second ? h("p", { class: "details-second", lang: otherLang() }, second) : null,
      actions,
    );
  }

  async function render(entity) {
    const fragment = document.createDocumentFragment();
    if (options.renderBack) fragment.append(options.renderBack());
    fragment.append(header(entity));
    const isFact = entity.types.some((type) => type.iri === T.fact);
    if (isFact) {
      const card = factCard(entity);
      if (card) fragment.append(card);
    }
    const posts = await postsCard(entity);
    if (posts) fragment.append(posts);
    if (entity.evidence && entity.evidence.length) {
      const section = h("section", { class: "evidence-list" }, h("h3", null, t("details.evidence")));
      entity.evidence.slice(0, 3).forEach((evidence) => section.append(evidenceBlock(evidence)));
      if (entity.evidence.length > 3) {
        const more = h("button", { type: "button", class: "link-button" }, t("common.showAll", { n: entity.evidence.length }));
        more.addEventListener("click", () => {
          more.remove();
          entity.evidence.slice(3).forEach((evidence) => section.append(evidenceBlock(evidence)));
        });
        section.append(more);
      }
      fragment.append(section);
    }
    // An incoming link to something already listed as an outgoing value says nothing new
    // (a post "held by" this official, who "holds" it): list it once.
    const outValues = new Set(entity.properties.filter((p) => p.direction === "out" && p.value.type === "uri").map((p) => p.value.value));
    const groups = groupProperties(
      entity.properties.filter((p) => p.direction === "out" || p.value.type !== "uri" || !outValues.has(p.value.value)),
    );
    const technical = (g) => (g.direction === "out" ? TECHNICAL.has(g.predicate) : INCOMING_TECHNICAL.has(g.predicate));
    const out = groups.filter((g) => g.direction === "out" && !technical(g));
    const incoming = groups.filter((g) => g.direction === "in" && !technical(g));
    const tech = groups.filter(technical);
    fragment.append(
      h("section", { class: "props-section" }, h("h3", null, t("details.properties")), out.length ? propertyList(out) : h("p", { class: "muted" }, t("details.noProps"))),
    );
    if (incoming.length) {
      fragment.append(h("section", { class: "props-section incoming" }, h("h3", null, t("details.incoming")), propertyList(incoming)));
    }
    fragment.append(
      h(
        "details",
        { class: "technical" },
        h("summary", null, t("details.technical")),
        h("p", { class: "iri" }, h("code", null, entity.iri)),
        tech.length ? propertyList(tech) : null,
      ),
    );
    return fragment;
  }

  async function show(iri) {
    const mine = ++token;
    currentIri = iri;
    container.classList.add("busy");
    try {
      await loadTypeLabels();
      if (!reportTitles.size) await loadReportTitles();
      const entity = await api.entity(iri);
      if (mine !== token) return;
      currentData = entity;
      const content = await render(entity);
      if (mine !== token) return;
      clear(container).append(content);
      container.dataset.iri = iri;
      container.scrollTop = 0;
    } catch (error) {
      if (mine !== token) return;
      currentData = null;
      clear(container).append(
        options.renderBack ? options.renderBack() : "",
        h("p", { class: "error" }, error.status === 404 ? t("graph.empty", { iri: localName(iri) }) : t("common.error", { msg: error.message })),
      );
    } finally {
      if (mine === token) container.classList.remove("busy");
    }
  }

  function showEmpty() {
    token++;
    currentIri = null;
    currentData = null;
    delete container.dataset.iri;
    clear(container);
    if (options.renderEmpty) options.renderEmpty(container);
    else container.append(h("p", { class: "muted empty" }, t("details.empty")));
  }

  async function rerender() {
    if (currentData) {
      const mine = ++token;
      const content = await render(currentData);
      if (mine === token) clear(container).append(content);
    } else if (!currentIri) {
      showEmpty();
    }
  }

  return {
    show,
    showEmpty,
    rerender,
    get current() {
      return currentIri;
    },
  };
}
