// The reader: the full report text, paragraphs kept, with every quoted span of an entity or a
// fact highlighted and clickable. Spans may nest or overlap: the text is cut at every span
// boundary and each piece is attributed to the innermost (shortest) span covering it.
// The fragment #start-end scrolls to those characters and flashes them.

import { api } from "./api.js";
import { createDetails } from "./details.js";
import { h, append, clear, isPlainClick, prefersReducedMotion } from "./dom.js";
import { getLang, label, labelLang, onLangChange, otherLang, secondLabel, t } from "./i18n.js";
import { T, graphHref, loadTypeLabels, readerHref, typeColor, typeName, typeRank } from "./vocab.js";

function parseHash() {
  const match = location.hash.match(/^#(\d+)-(\d+)$/);
  return match ? { start: Number(match[1]), end: Number(match[2]) } : null;
}

function isFactType(type) {
  return type === T.fact;
}

/** Non-blank lines of the text, with their offsets: the paragraphs. */
function paragraphs(text) {
  const result = [];
  let offset = 0;
  for (const line of text.split("\n")) {
    const start = offset;
    const end = offset + line.length;
    offset = end + 1;
    if (line.trim()) result.push({ start, end });
  }
  return result;
}

function isHeading(text) {
  const trimmed = text.trim();
  return [...trimmed].length <= 20 && !/[。！？；，：、!?;,:]$/.test(trimmed) && !/^【/.test(trimmed);
}

export async function initReader(app) {
  const reportId = app.dataset.reportId;
  const baseIri = app.dataset.baseIri;
  const head = document.getElementById("reader-head");
  const textEl = document.getElementById("reader-text");
  const detailsEl = document.getElementById("details");
  let report = null;
  let highlights = [];
  let translations = [];
  let target = parseHash();
  let otherReports = [];
  let parallel = new URL(location.href).searchParams.get("view") === "parallel";

  const details = createDetails(detailsEl, {
    baseIri,
    reportId,
    onSelect: (iri) => selectSubject(iri, { scroll: true }),
    renderEmpty: renderOverview,
    renderBack: () =>
      h("button", { type: "button", class: "link-button back", onclick: () => selectSubject(null) }, t("details.back")),
  });

  function markActive(iri) {
    for (const el of textEl.querySelectorAll(".hl.active")) el.classList.remove("active");
    if (!iri) return [];
    const spans = [...textEl.querySelectorAll(".hl")].filter((el) => el.dataset.subject === iri);
    spans.forEach((el) => el.classList.add("active"));
    return spans;
  }

  function selectSubject(iri, { scroll = false } = {}) {
    const spans = markActive(iri);
    if (!iri) {
      details.showEmpty();
      return;
    }
    details.show(iri);
    if (scroll && spans.length) spans[0].scrollIntoView({ block: "center", behavior: prefersReducedMotion() ? "auto" : "smooth" });
  }

  function renderHead() {
    const second = secondLabel(report.title);
    const factCount = highlights.filter((x) => isFactType(x.type)).length;
    const toggle = h("input", { type: "checkbox", id: "toggle-highlights" });
    toggle.checked = !textEl.classList.contains("plain");
    toggle.addEventListener("change", () => textEl.classList.toggle("plain", !toggle.checked));
    append(clear(head), [
      h("h1", { class: "reader-title", lang: labelLang(report.title) }, label(report.title, report.iri)),
      second ? h("p", { class: "reader-second", lang: otherLang() }, second) : null,
      h(
        "p",
        { class: "reader-meta" },
        report.issued ? h("span", null, t("reader.issued"), ": ", h("time", { datetime: report.issued }, report.issued)) : null,
        h("a", { href: graphHref(report.iri) }, t("reader.openGraph")),
        report.translations?.length
          ? h(
              "a",
              {
                href: "?view=parallel",
                class: "parallel-toggle",
                onclick: (event) => {
                  if (!isPlainClick(event)) return;
                  event.preventDefault();
                  parallel = !parallel;
                  const url = new URL(location.href);
                  if (parallel) url.searchParams.set("view", "parallel");
                  else url.searchParams.delete("view");
                  history.replaceState(history.state, "", url);
                  renderHead();
                  renderText();
                },
              },
              parallel ? t("reader.chineseOnly") : t("reader.parallel"),
            )
          : null,
        h("button", { type: "button", class: "cite", dataset: { citeIri: report.iri } }, "Cite · 引用"),
      ),
      h(
        "div",
        { class: "reader-legend" },
        [...new Set(highlights.map((x) => x.type))]
          .filter((type) => type !== T.membership)
          .sort((a, b) => typeRank(a) - typeRank(b))
          .map((type) =>
            h("span", { class: `legend-sample hl ${isFactType(type) ? "hl-fact" : "hl-entity"}`, style: { "--c": typeColor(type) } }, typeName(type)),
          ),
        h("label", { class: "toggle" }, toggle, " ", t("reader.toggle")),
        h("span", { class: "muted" }, t("reader.summary", { h: highlights.length, e: highlights.length - factCount, f: factCount })),
      ),
      getLang() === "en" ? h("p", { class: "reader-note" }, t("reader.original")) : null,
    ]);
    if (otherReports.length) {
      head.append(
        h(
          "nav",
          { class: "other-reports" },
          h("span", { class: "muted" }, t("reader.others"), " "),
          otherReports.map((other) => h("a", { href: readerHref(other.id), lang: labelLang(other.title) }, label(other.title, other.iri), other.issued ? ` (${other.issued})` : "")),
        ),
      );
    }
  }

  function segmentElement(text, a, b, covering, inTarget) {
    if (!covering.length) {
      return inTarget ? h("span", { class: "target", dataset: { start: a, end: b } }, text) : document.createTextNode(text);
    }
    const ranked = [...covering].sort((x, y) => x.end - x.start - (y.end - y.start) || typeRank(x.type) - typeRank(y.type));
    const inner = ranked[0];
    const fact = isFactType(inner.type);
    const title = ranked
      .map((x) => `${label(x.label, x.subject)} · ${typeName(x.type)}`)
      .join("\n");
    return h(
      "span",
      {
        class: `hl ${fact ? "hl-fact" : "hl-entity"}${covering.length > 1 ? " nested" : ""}${inTarget ? " target" : ""}`,
        style: { "--c": typeColor(inner.type) },
        role: "button",
        tabindex: "0",
        title,
        dataset: { subject: inner.subject, start: inner.start, end: inner.end, type: inner.type, depth: covering.length },
      },
      text,
    );
  }

  function renderText() {
    const text = report.text;
    const fragment = document.createDocumentFragment();
    const points = new Set();
    for (const x of highlights) {
      points.add(x.start);
      points.add(x.end);
    }
    if (target) {
      points.add(target.start);
      points.add(target.end);
    }
    for (const para of paragraphs(text)) {
      const cuts = [para.start, ...[...points].filter((p) => p > para.start && p < para.end), para.end].sort((a, b) => a - b);
      const raw = text.slice(para.start, para.end);
      const inPara = highlights.filter((x) => x.start < para.end && x.end > para.start);
      const piece = (from, to, className) => {
        const p = h("p", { class: className, dataset: { start: from } });
        for (let i = 0; i < cuts.length - 1; i++) {
          const a = cuts[i];
          const b = cuts[i + 1];
          if (a === b || a < from || b > to) continue;
          const covering = inPara.filter((x) => x.start <= a && x.end >= b);
          const inTarget = !!target && a >= target.start && b <= target.end;
          p.append(segmentElement(text.slice(a, b), a, b, covering, inTarget));
        }
        return p;
      };
      if (!parallel) {
        fragment.append(piece(para.start, para.end, isHeading(raw) ? "subhead" : null));
        continue;
      }
      // Parallel: each translated sentence of the paragraph beside its English; the rest of the
      // paragraph in rows of its own, the English side saying it is not translated.
      const rows = [];
      let at = para.start;
      for (const sentence of translations.filter((x) => x.start >= para.start && x.end <= para.end)) {
        if (sentence.start > at) rows.push({ start: at, end: sentence.start, en: null });
        rows.push(sentence);
        at = sentence.end;
      }
      if (at < para.end) rows.push({ start: at, end: para.end, en: null });
      for (const row of rows) {
        if (!text.slice(row.start, row.end).trim()) continue;
        for (const cut of [row.start, row.end]) if (!cuts.includes(cut)) cuts.push(cut);
        cuts.sort((a, b) => a - b);
        fragment.append(
          h(
            "div",
            { class: "parallel-row" },
            piece(row.start, row.end, "parallel-zh"),
            row.en
              ? h("p", { class: "parallel-en", lang: "en" }, row.en)
              : h("p", { class: "parallel-en muted", lang: getLang() }, t("reader.untranslated")),
          ),
        );
      }
    }
    textEl.classList.toggle("parallel", parallel);
    clear(textEl).append(fragment);
    if (details.current) markActive(details.current);
  }

  function flashTarget({ select = true } = {}) {
    const targets = [...textEl.querySelectorAll(".target")];
    if (!targets.length) return;
    targets[0].scrollIntoView({ block: "center", behavior: prefersReducedMotion() ? "auto" : "smooth" });
    for (const el of targets) {
      el.classList.remove("flash");
      void el.offsetWidth; // restart the animation
      el.classList.add("flash");
    }
    if (select) {
      const exact = highlights
        .filter((x) => x.start === target.start && x.end === target.end)
        .sort((x, y) => typeRank(x.type) - typeRank(y.type))[0];
      if (exact && exact.subject !== details.current) selectSubject(exact.subject);
    }
  }

  function renderOverview(container) {
    if (!report) return;
    const facts = highlights.filter((x) => isFactType(x.type));
    const entities = highlights.filter((x) => !isFactType(x.type) && x.type !== T.membership && x.type !== T.report);
    const byType = new Map();
    for (const x of entities) {
      if (!byType.has(x.type)) byType.set(x.type, []);
      byType.get(x.type).push(x);
    }
    const item = (x) =>
      h(
        "li",
        null,
        h(
          "a",
          {
            href: `#${x.start}-${x.end}`,
            class: "index-link",
            lang: labelLang(x.label),
            dataset: { subject: x.subject },
            onclick: (event) => {
              if (!isPlainClick(event)) return;
              event.preventDefault();
              history.replaceState(history.state, "", `#${x.start}-${x.end}`);
              target = { start: x.start, end: x.end };
              renderText();
              flashTarget({ select: false });
              selectSubject(x.subject);
            },
          },
          h("span", { class: "dot", style: { background: typeColor(x.type) } }),
          label(x.label, x.subject),
        ),
      );
    container.append(
      h("h2", { class: "overview-title" }, t("reader.index")),
      h("p", { class: "muted" }, t("reader.summary", { h: highlights.length, e: highlights.length - facts.length, f: facts.length })),
    );
    if (facts.length) {
      container.append(
        h("section", { class: "index-group" }, h("h3", null, t("reader.facts"), h("span", { class: "count" }, String(facts.length))), h("ul", { class: "index-list" }, facts.map(item))),
      );
    }
    for (const [type, items] of [...byType.entries()].sort((a, b) => typeRank(a[0]) - typeRank(b[0]))) {
      container.append(
        h(
          "section",
          { class: "index-group" },
          h("h3", null, typeName(type), h("span", { class: "count" }, String(items.length))),
          h("ul", { class: "index-list" }, items.sort((a, b) => a.start - b.start).map(item)),
        ),
      );
    }
  }

  textEl.addEventListener("click", (event) => {
    const span = event.target.closest(".hl");
    if (!span || textEl.classList.contains("plain")) return;
    history.replaceState(history.state, "", `#${span.dataset.start}-${span.dataset.end}`);
    selectSubject(span.dataset.subject);
  });
  textEl.addEventListener("keydown", (event) => {
    if ((event.key === "Enter" || event.key === " ") && event.target.classList?.contains("hl")) {
      event.preventDefault();
      event.target.click();
    }
  });

  window.addEventListener("hashchange", () => {
    target = parseHash();
    if (!report) return;
    renderText();
    if (target) flashTarget();
  });

  onLangChange(() => {
    if (!report) return;
    renderHead();
    renderText();
    details.rerender();
  });

  // ---------------------------------------------------------------- start
  await loadTypeLabels();
  try {
    report = await api.report(reportId);
  } catch (error) {
    clear(textEl).append(h("p", { class: "error" }, error.status === 404 ? t("reader.notFound") : t("common.error", { msg: error.message })));
    details.showEmpty();
    return;
  }
  try {
    otherReports = ((await api.reports()).reports || []).filter((other) => other.id !== reportId);
  } catch {
    /* just this one */
  }
  translations = report.translations || [];
  highlights = (report.highlights || []).filter((x) => x.end > x.start && x.start >= 0 && x.end <= report.text.length);
  document.title = `${label(report.title, report.iri)} · CNKG`;
  document.querySelector(".mainnav [data-nav='reader']")?.setAttribute("aria-current", "page");
  renderHead();
  renderText();
  details.showEmpty();
  textEl.dataset.ready = "1";
  if (target) flashTarget();
}
