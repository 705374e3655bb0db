// Charts of the reports' figures (Chart.js): per report (a chooser) or all of them; the latest
// disposable incomes first, then an indicator's values over time (lines, across reports), then one
// bar chart per unit and magnitude (bars sorted by value, coloured by kind: achieved, target,
// change, share). Amounts are shown as the report wrote them (kg.display, `shown` of /api/facts).

import { api, sparqlSelect } from "./api.js";
import { h, clear } from "./dom.js";
import { formatCompact, formatQuantity, getLang, onLangChange, t } from "./i18n.js";
import { NS, readerHref, valueTypeColor } from "./vocab.js";

const FONT = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Noto Sans", system-ui, sans-serif';
const VALUE_TYPES = ["actual", "target", "change", "share"];

// Chinese names of the facts' region, period, qualifier and agency: /api/facts has them in
// English only, so one SPARQL query fills them in (unless the API already sends *_zh).
const ZH_QUERY = `PREFIX kg: <${NS.kg}>
PREFIX skos: <${NS.skos}>
PREFIX qb: <${NS.qb}>
SELECT ?fact ?region ?period ?qualifier ?agency WHERE {
  ?fact a qb:Observation .
  OPTIONAL { ?fact kg:refArea/skos:prefLabel ?region FILTER (LANG(?region) = "zh") }
  OPTIONAL { ?fact kg:refPeriod/skos:prefLabel ?period FILTER (LANG(?period) = "zh") }
  OPTIONAL { ?fact kg:qualifier/skos:prefLabel ?qualifier FILTER (LANG(?qualifier) = "zh") }
  OPTIONAL { ?fact kg:leadAgency/skos:prefLabel ?agency FILTER (LANG(?agency) = "zh") }
}`;

function reportIdOf(fact) {
  return (fact.report || "").split("/").pop();
}

/** Lines of at most `width` characters: at spaces for English, anywhere for Chinese. */
function wrap(text, width) {
  const lines = [];
  if (!/[\u3400-\u9fff]/.test(text)) {
    let line = "";
    for (const word of text.split(/\s+/)) {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    if (line) lines.push(line);
    return lines;
  }
  const chars = [...text];
  for (let i = 0; i < chars.length; i += width) lines.push(chars.slice(i, i + width).join(""));
  return lines;
}

export async function initCharts(_app) {
  const body = document.getElementById("charts-body");
  const filters = document.getElementById("chart-filters");
  const Chart = window.Chart;
  if (!Chart) {
    clear(body).append(h("p", { class: "error" }, t("common.error", { msg: "Chart.js did not load" })));
    return;
  }
  Chart.defaults.font.family = FONT;
  Chart.defaults.color = "#3e4c59";

  let allFacts = [];
  let facts = [];
  let reports = [];
  let chosenReport = new URL(location.href).searchParams.get("report") || "";
  const shownTypes = new Set(VALUE_TYPES);
  const charts = [];
  let defaultRegion = null;

  try {
    allFacts = (await api.facts()).facts || [];
    reports = (await api.reports()).reports || [];
  } catch (error) {
    clear(body).append(h("p", { class: "error" }, t("common.error", { msg: error.message })));
    return;
  }
  if (!reports.some((r) => r.id === chosenReport)) chosenReport = reports.length > 1 ? "" : reports[0]?.id || "";
  const choose = () => (facts = chosenReport ? allFacts.filter((f) => reportIdOf(f) === chosenReport) : allFacts);
  choose();
  if (facts.length && !("region_zh" in facts[0])) {
    try {
      const rows = await sparqlSelect(ZH_QUERY);
      const zh = new Map(rows.map((row) => [row.fact.value, row]));
      for (const fact of facts) {
        const row = zh.get(fact.fact);
        if (!row) continue;
        fact.region_zh ??= row.region?.value;
        fact.period_zh ??= row.period?.value;
        fact.qualifier_zh ??= row.qualifier?.value;
        fact.agency_zh ??= row.agency?.value;
      }
    } catch {
      /* English names it is */
    }
  }
  const regionCounts = new Map();
  for (const fact of facts) regionCounts.set(fact.region_en, (regionCounts.get(fact.region_en) || 0) + 1);
  defaultRegion = [...regionCounts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];

  const zh = () => getLang() === "zh";
  const indicatorName = (f) => (zh() ? f.indicator_zh || f.indicator_en : f.indicator_en || f.indicator_zh);
  const regionName = (f) => (zh() ? f.region_zh || f.region_en : f.region_en);
  const periodName = (f) => (zh() ? f.period_zh || f.period_en : f.period_en);
  const qualifierName = (f) => (zh() ? f.qualifier_zh || f.qualifier_en : f.qualifier_en);
  const unitName = (f) => (zh() ? f.unit_zh || f.unit_en : f.unit_en || f.unit_zh);
  const unitTitle = (f) => (f.unit_en === "count" ? t("charts.counts") : t("charts.unitGroup", { unit: unitName(f) }));
  const quantity = (f) => {
    if (zh() && f.as_written) return f.as_written;
    const text = f.shown?.en || formatQuantity(f.value, f.unit_en, f.unit_zh);
    // "more than", "nearly", "about" bound the value; "all" (all of them reached it) does not.
    const qualifier = f.qualifier_en === "all" ? "" : qualifierName(f);
    if (f.qualifier_en === "more than half") return qualifier;
    return qualifier ? `${qualifier} ${text}` : text;
  };
  const barLabel = (f) => {
    const parts = [periodName(f)];
    if (f.region_en && f.region_en !== defaultRegion) parts.push(regionName(f));
    return zh() ? `${indicatorName(f)}(${parts.filter(Boolean).join(",")})` : `${indicatorName(f)} (${parts.filter(Boolean).join(", ")})`;
  };
  const shortLabel = (text, max = zh() ? 22 : 44) => ([...text].length > max ? [...text].slice(0, max - 1).join("") + "…" : text);
  const openFact = (f) => (location.href = readerHref(reportIdOf(f), f.start, f.end));

  const tooltip = (list) => ({
    callbacks: {
      title: (items) => barLabel(list[items[0].dataIndex]),
      label: (item) => {
        const f = list[item.dataIndex];
        return `${quantity(f)}${!zh() && f.as_written ? `  (${f.as_written})` : ""}`;
      },
      afterLabel: (item) => {
        const f = list[item.dataIndex];
        return [t(`vt.${f.value_type}`), periodName(f), regionName(f)].filter(Boolean).join(" · ");
      },
      footer: (items) => {
        const f = list[items[0].dataIndex];
        const note = f.shown?.[`note_${getLang()}`];
        return [
          ...(note ? [`${t("details.conversion")}: ${note}`] : []),
          ...wrap(`“${f.quote}”`, 30),
          ...(f.sentence_en ? wrap(f.sentence_en, 48) : []),
          t("charts.clickHint"),
        ];
      },
    },
    footerFont: { weight: "normal", size: 12 },
    footerColor: "#e4e7eb",
    padding: 10,
    boxPadding: 4,
  });

  // Draws each bar's value at its end: small bars stay readable.
  const valueLabels = (list, horizontal) => ({
    id: "valueLabels",
    afterDatasetsDraw(chart) {
      const { ctx } = chart;
      const meta = chart.getDatasetMeta(0);
      ctx.save();
      ctx.font = `600 11px ${FONT}`;
      ctx.fillStyle = "#1f2933";
      meta.data.forEach((bar, index) => {
        const text = quantity(list[index]);
        if (horizontal) {
          ctx.textAlign = "left";
          ctx.textBaseline = "middle";
          ctx.fillText(text, bar.x + 6, bar.y);
        } else {
          ctx.textAlign = "center";
          ctx.textBaseline = "bottom";
          ctx.fillText(text, bar.x, bar.y - 4);
        }
      });
      ctx.restore();
    },
  });

  function barChart(canvas, list, { horizontal = true, log = false, color, labelOf = (f) => regionName(f) || barLabel(f) } = {}) {
    const chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: list.map((f) => (horizontal ? shortLabel(barLabel(f)) : wrap(shortLabel(labelOf(f), 40), zh() ? 10 : 22))),
        datasets: [
          {
            data: list.map((f) => f.value),
            backgroundColor: list.map((f) => color || valueTypeColor(f.value_type)),
            borderRadius: 4,
            maxBarThickness: horizontal ? 26 : 70,
          },
        ],
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: { duration: 300 },
        layout: { padding: horizontal ? { right: 90 } : { top: 22 } },
        plugins: { legend: { display: false }, tooltip: tooltip(list) },
        scales: {
          [horizontal ? "x" : "y"]: {
            type: log ? "logarithmic" : "linear",
            beginAtZero: !log,
            grace: "8%",
            ticks: { callback: (value, _index, ticks) => formatCompact(Number(value), Math.max(...ticks.map((tick) => Math.abs(tick.value)))) },
            grid: { color: "#eef1f4" },
          },
          [horizontal ? "y" : "x"]: { grid: { display: false }, ticks: { autoSkip: false } },
        },
        onClick: (_event, elements) => {
          if (elements.length) openFact(list[elements[0].index]);
        },
        onHover: (event, elements) => {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
      },
      plugins: [valueLabels(list, horizontal)],
    });
    charts.push(chart);
    return chart;
  }

  function dataTable(list) {
    return h(
      "details",
      { class: "data-table" },
      h("summary", null, t("charts.table")),
      h(
        "table",
        null,
        h("thead", null, h("tr", null, ["colIndicator", "colValue", "colType", "colPeriod", "colRegion", "colQuote"].map((key) => h("th", null, t(`charts.${key}`))))),
        h(
          "tbody",
          null,
          list.map((f) =>
            h(
              "tr",
              null,
              h("td", null, indicatorName(f)),
              h("td", { class: "num" }, quantity(f)),
              h("td", null, t(`vt.${f.value_type}`)),
              h("td", null, periodName(f)),
              h("td", null, regionName(f)),
              h("td", { lang: "zh" }, h("a", { href: readerHref(reportIdOf(f), f.start, f.end) }, f.quote)),
            ),
          ),
        ),
      ),
    );
  }

  function incomeCard() {
    // Per-capita disposable income (province, and the areas lifted out of poverty) and its growth.
    const incomes = facts.filter((f) => /disposable income|可支配收入/i.test(`${f.indicator_en} ${f.indicator_zh}`) && /\/\d{4}$/.test(f.period || ""));
    const latest = incomes.filter((f) => /\/yuan$/.test(f.unit) && f.value_type === "actual").map((f) => f.period).sort().pop();
    const income = incomes.filter((f) => f.period === latest);
    const levels = income.filter((f) => /\/yuan$/.test(f.unit) && f.value_type === "actual").sort((a, b) => b.value - a.value);
    if (!levels.length) return null;
    const growth = income.filter((f) => /\/percent$/.test(f.unit) && f.value_type === "change");
    const key = (f) => `${f.indicator}|${f.region_en}|${f.qualifier_en || ""}`;
    const growthByKey = new Map(growth.map((f) => [key(f), f]));
    const orderedGrowth = [
      ...levels.map((f) => growthByKey.get(key(f))).filter(Boolean),
      ...growth.filter((f) => !levels.some((l) => key(l) === key(f))),
    ];
    const tiles = h(
      "div",
      { class: "stat-tiles" },
      levels.map((f) => {
        const g = growthByKey.get(key(f));
        return h(
          "a",
          { class: "stat-tile", href: readerHref(reportIdOf(f), f.start, f.end) },
          h("span", { class: "stat-label" }, regionName(f) !== indicatorName(f) ? regionName(f) : ""),
          h("span", { class: "stat-indicator" }, indicatorName(f)),
          h("span", { class: "stat-value" }, quantity(f)),
          g ? h("span", { class: "stat-growth" }, `▲ ${quantity(g)}`) : null,
        );
      }),
    );
    const levelCanvas = h("canvas", { "aria-label": t("charts.incomeLevel"), role: "img" });
    const growthCanvas = h("canvas", { "aria-label": t("charts.incomeGrowth"), role: "img" });
    const card = h(
      "section",
      { class: "chart-card featured", id: "chart-income" },
      h("h2", null, t("charts.income", { year: latest.split("/").pop() })),
      tiles,
      h(
        "div",
        { class: "chart-pair" },
        h("figure", null, h("figcaption", null, t("charts.incomeLevel")), h("div", { class: "chart-box", style: { height: "260px" } }, levelCanvas)),
        orderedGrowth.length
          ? h("figure", null, h("figcaption", null, t("charts.incomeGrowth")), h("div", { class: "chart-box", style: { height: "260px" } }, growthCanvas))
          : null,
      ),
      dataTable([...levels, ...orderedGrowth]),
    );
    // Several incomes of one region (urban and rural): the bar says which.
    const regions = [...levels, ...orderedGrowth].map(regionName);
    const labelOf = (f) => (regions.filter((r) => r === regionName(f)).length > 2 ? `${regionName(f)}: ${indicatorName(f)}` : regionName(f) || barLabel(f));
    return { card, draw: () => {
      barChart(levelCanvas, levels, { horizontal: false, color: valueTypeColor("actual"), labelOf });
      if (orderedGrowth.length) barChart(growthCanvas, orderedGrowth, { horizontal: false, color: valueTypeColor("change"), labelOf });
    } };
  }

  // One axis per unit and magnitude: a per-capita income (thousands of yuan) never shares an axis
  // with a province's output (hundreds of billions); a new chart starts 1,000 times below the top.
  function byMagnitude(list) {
    const sorted = [...list].sort((a, b) => b.value - a.value);
    const groups = [];
    for (const f of sorted) {
      const group = groups[groups.length - 1];
      if (group && (f.value <= 0 || group[0].value / f.value < 1000)) group.push(f);
      else groups.push([f]);
    }
    return groups;
  }

  function trendCards() {
    // An indicator stated for two or more years (in one report or across reports): a line.
    const series = new Map();
    for (const f of allFacts) {
      if (f.value_type !== "actual" || !/\/\d{4}$/.test(f.period || "")) continue;
      const key = `${f.indicator}|${f.region}|${f.unit}|${f.qualifier || ""}`;
      if (!series.has(key)) series.set(key, new Map());
      series.get(key).set(f.period, f); // one value per year: the latest report's statement wins
    }
    return [...series.values()]
      .map((points) => [...points.values()].sort((a, b) => a.period.localeCompare(b.period)))
      .filter((points) => points.length >= 2 && (!chosenReport || points.some((f) => reportIdOf(f) === chosenReport)))
      .map((points) => {
        const canvas = h("canvas", { role: "img", "aria-label": indicatorName(points[0]) });
        const card = h(
          "section",
          { class: "chart-card trend", dataset: { indicator: points[0].indicator } },
          h("header", { class: "chart-head" }, h("h2", null, `${indicatorName(points[0])} · ${regionName(points[0])}`), h("span", { class: "muted" }, t("charts.overTime"))),
          h("div", { class: "chart-box", style: { height: "240px" } }, canvas),
          dataTable(points),
        );
        const draw = () => {
          const chart = new Chart(canvas, {
            type: "line",
            data: { labels: points.map(periodName), datasets: [{ data: points.map((f) => f.value), borderColor: valueTypeColor("actual"), tension: 0.2 }] },
            options: {
              maintainAspectRatio: false,
              plugins: { legend: { display: false }, tooltip: tooltip(points) },
              scales: { y: { beginAtZero: false, title: { display: true, text: unitName(points[0]) }, ticks: { callback: (value, _i, ticks) => formatCompact(Number(value), Math.max(...ticks.map((tick) => Math.abs(tick.value)))) } } },
              onClick: (_event, elements) => {
                if (elements.length) openFact(points[elements[0].index]);
              },
            },
          });
          charts.push(chart);
        };
        return { card, draw };
      });
  }

  function unitCards() {
    const groups = new Map();
    for (const f of facts) {
      if (!shownTypes.has(f.value_type)) continue;
      if (!groups.has(f.unit)) groups.set(f.unit, []);
      groups.get(f.unit).push(f);
    }
    return [...groups.values()]
      .flatMap(byMagnitude)
      .sort((a, b) => b.length - a.length)
      .map((list) => {
        list.sort((a, b) => b.value - a.value);
        const positive = list.filter((f) => f.value > 0);
        const ratio = positive.length ? Math.max(...positive.map((f) => f.value)) / Math.min(...positive.map((f) => f.value)) : 1;
        const canLog = positive.length === list.length && ratio > 50;
        const canvas = h("canvas", { role: "img", "aria-label": t("charts.unitGroup", { unit: unitName(list[0]) }) });
        const box = h("div", { class: "chart-box", style: { height: `${Math.max(140, 34 * list.length + 60)}px` } }, canvas);
        let chart = null;
        const logToggle = canLog ? h("input", { type: "checkbox" }) : null;
        if (logToggle) {
          logToggle.addEventListener("change", () => {
            chart.destroy();
            charts.splice(charts.indexOf(chart), 1);
            chart = barChart(canvas, list, { log: logToggle.checked });
          });
        }
        const card = h(
          "section",
          { class: "chart-card", dataset: { unit: list[0].unit } },
          h(
            "header",
            { class: "chart-head" },
            h("h2", null, unitTitle(list[0])),
            h("span", { class: "muted" }, list.length === 1 ? t("charts.count1") : t("charts.count", { n: list.length })),
            logToggle ? h("label", { class: "toggle" }, logToggle, " ", t("charts.log")) : null,
          ),
          box,
          dataTable(list),
        );
        return { card, draw: () => (chart = barChart(canvas, list)) };
      });
  }

  function renderFilters() {
    clear(filters);
    if (reports.length > 1) {
      const select = h("select", { class: "report-choice", "aria-label": t("charts.report") });
      select.append(h("option", { value: "" }, t("charts.allReports")));
      for (const r of reports) select.append(h("option", { value: r.id }, `${zh() ? r.title.zh || r.title.en : r.title.en || r.title.zh} (${r.issued || r.id})`));
      select.value = chosenReport;
      select.addEventListener("change", () => {
        chosenReport = select.value;
        const url = new URL(location.href);
        if (chosenReport) url.searchParams.set("report", chosenReport);
        else url.searchParams.delete("report");
        history.replaceState(history.state, "", url);
        choose();
        renderFilters();
        render();
      });
      filters.append(h("label", { class: "chip" }, t("charts.report"), " ", select));
    }
    for (const type of VALUE_TYPES) {
      if (!facts.some((f) => f.value_type === type)) continue;
      const input = h("input", { type: "checkbox", dataset: { valueType: type } });
      input.checked = shownTypes.has(type);
      input.addEventListener("change", () => {
        if (input.checked) shownTypes.add(type);
        else shownTypes.delete(type);
        render();
      });
      filters.append(
        h(
          "label",
          { class: "chip" },
          input,
          h("span", { class: "swatch", style: { background: valueTypeColor(type) } }),
          t(`vt.${type}`),
          h("span", { class: "legend-count" }, String(facts.filter((f) => f.value_type === type).length)),
        ),
      );
    }
  }

  function render() {
    while (charts.length) charts.pop().destroy();
    clear(body);
    const parts = [];
    const income = incomeCard();
    if (income) parts.push(income);
    parts.push(...trendCards(), ...unitCards());
    if (!parts.length) {
      body.append(h("p", { class: "muted" }, t("charts.none")));
      return;
    }
    for (const part of parts) body.append(part.card);
    for (const part of parts) part.draw();
    body.dataset.charts = String(charts.length);
  }

  renderFilters();
  render();
  onLangChange(() => {
    renderFilters();
    render();
  });
}
