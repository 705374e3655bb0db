// The interface language (中文 / English): chosen by ?lang=, remembered in localStorage, and
// applied to every element with data-i18n (text), data-i18n-placeholder or data-i18n-title.

const STORAGE_KEY = "cnkg.lang";
const LANGS = ["zh", "en"];

const STRINGS = {
  "nav.start": { zh: "首页", en: "Start" },
  "nav.explore": { zh: "探索", en: "Explore" },
  "nav.reader": { zh: "报告原文", en: "Reports" },
  "nav.facts": { zh: "数据", en: "Facts" },
  "nav.search": { zh: "搜索", en: "Search" },
  "nav.charts": { zh: "图表", en: "Charts" },
  "nav.orgchart": { zh: "机构", en: "Organisation" },
  "nav.commitments": { zh: "承诺", en: "Commitments" },
  "nav.query": { zh: "SPARQL 查询", en: "SPARQL" },
  "search.placeholder": { zh: "搜索人物、机构、指标…(如 刘志杰、马铃薯)", en: "Search people, agencies, figures… (e.g. Liu Zhijie, potato)" },
  "search.none": { zh: "没有找到“{q}”", en: "Nothing found for “{q}”" },
  "search.short": { zh: "请至少输入两个字", en: "Type at least two characters" },
  "search.error": { zh: "搜索出错:{msg}", en: "Search failed: {msg}" },
  "common.loading": { zh: "加载中…", en: "Loading…" },
  "common.error": { zh: "出错了:{msg}", en: "Something went wrong: {msg}" },
  "common.showAll": { zh: "显示全部({n})", en: "Show all ({n})" },
  "graph.expand": { zh: "展开", en: "Expand" },
  "graph.fit": { zh: "适应窗口", en: "Fit" },
  "graph.layout": { zh: "重新布局", en: "Re-arrange" },
  "graph.reset": { zh: "重置", en: "Reset" },
  "graph.png": { zh: "导出 PNG", en: "PNG" },
  "graph.legend": { zh: "显示类型:", en: "Show:" },
  "graph.hint": { zh: "单击节点查看详情 · 双击节点展开", en: "Click a node for details · double-click to expand it" },
  "graph.stats": { zh: "{n} 个节点 · {e} 条关系", en: "{n} nodes · {e} links" },
  "graph.hiddenCount": { zh: "(另有 {n} 个已隐藏)", en: "({n} hidden)" },
  "graph.empty": { zh: "未找到该节点:{iri}", en: "Nothing is known about {iri}" },
  "graph.noReports": { zh: "尚未载入任何报告", en: "No report is loaded yet" },
  "graph.noNeighbours": { zh: "没有更多关联", en: "No further links" },
  "details.empty": { zh: "在图中单击一个节点,或用上方搜索框查找。", en: "Click a node in the graph, or use the search box above." },
  "details.expand": { zh: "在图中展开", en: "Expand in graph" },
  "details.openGraph": { zh: "在关系图中打开", en: "Open in graph" },
  "details.readReport": { zh: "阅读报告原文", en: "Read the report" },
  "details.htmlPage": { zh: "网页", en: "Web page" },
  "details.turtle": { zh: "RDF (Turtle)", en: "RDF (Turtle)" },
  "details.evidence": { zh: "原文出处", en: "Source text" },
  "details.translation": { zh: "英文译文", en: "English" },
  "details.conversion": { zh: "换算", en: "Converted" },
  "details.showInReport": { zh: "在报告中查看", en: "Show in report" },
  "details.properties": { zh: "属性", en: "Properties" },
  "details.incoming": { zh: "被引用", en: "Linked from" },
  "details.technical": { zh: "技术细节", en: "Technical details" },
  "details.posts": { zh: "职务", en: "Posts" },
  "details.postIn": { zh: "所在机构", en: "in" },
  "details.back": { zh: "← 返回报告概览", en: "← Back to the report overview" },
  "details.noProps": { zh: "没有属性", en: "No properties" },
  "details.fact": { zh: "数量事实", en: "Quantitative fact" },
  "details.asWritten": { zh: "原文写法", en: "as written" },
  "reader.parallel": { zh: "中英对照", en: "Chinese | English side by side" },
  "reader.chineseOnly": { zh: "只看中文原文", en: "Chinese text only" },
  "reader.untranslated": { zh: "(此句尚无英文译文)", en: "(no English translation of this passage yet)" },
  "reader.issued": { zh: "发布日期", en: "Issued" },
  "reader.highlights": { zh: "高亮", en: "Highlights" },
  "reader.toggle": { zh: "显示高亮", en: "Show highlights" },
  "reader.entities": { zh: "实体", en: "Entities" },
  "reader.facts": { zh: "数量事实", en: "Facts" },
  "reader.index": { zh: "本报告涉及", en: "In this report" },
  "reader.summary": { zh: "共 {h} 处标注:{e} 个实体,{f} 个数量事实。单击高亮文字查看详情。", en: "{h} marked passages: {e} entities and {f} facts. Click highlighted text for details." },
  "reader.notFound": { zh: "找不到该报告", en: "Report not found" },
  "reader.others": { zh: "其他报告:", en: "Other reports:" },
  "reader.openGraph": { zh: "在关系图中查看报告", en: "See the report in the graph" },
  "reader.original": { zh: "报告原文为中文。将鼠标悬停在高亮处可查看英文名称。", en: "The report is in Chinese. Hover a highlight to see its English name; click it for details in English." },
  "charts.title": { zh: "报告中的数字", en: "Figures in the reports" },
  "charts.lede": { zh: "报告引用的每个数字,按单位与数量级分组,数字按原文写法。悬停查看原句及英文译文,单击在原文中阅读。", en: "Every number quoted in the reports, as written, grouped by unit and magnitude. Hover a bar for the original sentence and its English; click it to read it in context." },
  "charts.income": { zh: "{year}年农村居民收入", en: "Rural incomes in {year}" },
  "charts.overTime": { zh: "历年数值(各报告)", en: "over the years (all reports)" },
  "charts.report": { zh: "报告:", en: "Report:" },
  "charts.allReports": { zh: "全部报告", en: "All reports" },
  "charts.incomeLevel": { zh: "人均可支配收入(元)", en: "Per-capita disposable income (yuan)" },
  "charts.incomeGrowth": { zh: "比上年增长(%)", en: "Growth on the previous year (%)" },
  "charts.unitGroup": { zh: "单位:{unit}", en: "Unit: {unit}" },
  "charts.counts": { zh: "个数", en: "Counts" },
  "charts.count": { zh: "{n} 个数字", en: "{n} figures" },
  "charts.count1": { zh: "1 个数字", en: "1 figure" },
  "charts.table": { zh: "数据表", en: "Data table" },
  "charts.log": { zh: "对数坐标", en: "Log scale" },
  "charts.none": { zh: "没有符合条件的数字", en: "No figures match the filter" },
  "charts.colIndicator": { zh: "指标", en: "Indicator" },
  "charts.colValue": { zh: "数值", en: "Value" },
  "charts.colType": { zh: "类型", en: "Type" },
  "charts.colPeriod": { zh: "时期", en: "Period" },
  "charts.colRegion": { zh: "地区", en: "Region" },
  "charts.colQuote": { zh: "原文", en: "Quote" },
  "charts.clickHint": { zh: "单击在原文中查看", en: "Click to read in the report" },
  "org.title": { zh: "机构、职务与官员", en: "Agencies, posts and officials" },
  "org.lede": { zh: "报告中提到的机构、职务及任职官员(附所载报告日期)。单击官员查看其全部职务。", en: "Who holds which post in which agency, as stated in the reports (with the dates of the reports that say so). Click an official to see all of his or her posts." },
  "org.heldOn": { zh: "报告所载任职日期:", en: "stated as held on" },
  "org.officials": { zh: "官员", en: "Officials" },
  "org.posts": { zh: "{n} 个职务", en: "{n} posts" },
  "org.posts1": { zh: "1 个职务", en: "1 post" },
  "org.vacant": { zh: "(未提及任职者)", en: "(holder not named)" },
  "org.hint": { zh: "单击机构、职务或官员查看详情。", en: "Click an agency, a post or an official for details." },
  "org.empty": { zh: "尚无机构数据", en: "No agencies yet" },
  "query.title": { zh: "现成的问题", en: "Ready-made questions" },
  "query.lede": { zh: "选择一个问题:它会在新标签页中打开并立即运行。之后可以修改 SPARQL 再次运行(Ctrl+Enter)。", en: "Pick a question: it opens in a new tab and runs at once. You can then edit the SPARQL and run it again (Ctrl+Enter)." },
  "query.filter": { zh: "筛选…", en: "Filter…" },
  "query.endpoint": { zh: "查询端点", en: "Endpoint" },
  "query.refused": { zh: "查询未能执行:", en: "The query could not be run:" },
  "query.run": { zh: "运行", en: "Run" },
  "vt.actual": { zh: "实绩", en: "Achieved" },
  "vt.target": { zh: "目标", en: "Target" },
  "vt.change": { zh: "变化", en: "Change" },
  "vt.share": { zh: "占比", en: "Share" },
};

// The server renders some pages itself (start page, /id/ pages, errors): it reads this cookie.
const COOKIE = "cnkg_lang";

function remember(lang) {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    /* private mode: the URL still carries it */
  }
  document.cookie = `${COOKIE}=${lang}; path=/; max-age=31536000; SameSite=Lax`;
}

function readStored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function initialLang() {
  const fromUrl = new URLSearchParams(location.search).get("lang");
  if (LANGS.includes(fromUrl)) {
    remember(fromUrl);
    return fromUrl;
  }
  const stored = readStored();
  const lang = LANGS.includes(stored) ? stored : (navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en";
  remember(lang);
  return lang;
}

let current = initialLang();

export function getLang() {
  return current;
}

export function otherLang() {
  return current === "zh" ? "en" : "zh";
}

export function setLang(lang) {
  if (!LANGS.includes(lang) || lang === current) return;
  current = lang;
  remember(lang);
  const url = new URL(location.href);
  url.searchParams.set("lang", lang);
  if (serverRendered()) {
    location.replace(url); // the server writes this page's words: ask it again in the other language
    return;
  }
  history.replaceState(history.state, "", url);
  applyStrings();
  window.dispatchEvent(new CustomEvent("kg:lang", { detail: { lang } }));
}

/** A page whose text the server wrote in one language (every page but the explorer's views). */
export function serverRendered() {
  return !document.getElementById("app");
}

export function onLangChange(fn) {
  window.addEventListener("kg:lang", () => fn(current));
}

/** The interface string `key` in the current language, with {name} placeholders filled in. */
export function t(key, vars) {
  const entry = STRINGS[key];
  let text = entry ? entry[current] ?? entry.en : key;
  if (vars) for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}

/** The last segment of an IRI, readable: a fallback when a resource has no label. */
export function localName(iri) {
  if (!iri) return "";
  let name = iri.replace(/[#/]+$/, "");
  name = name.slice(Math.max(name.lastIndexOf("#"), name.lastIndexOf("/")) + 1);
  try {
    name = decodeURIComponent(name);
  } catch {
    /* keep as is */
  }
  return name.replace(/[-_]+/g, " ");
}

// Chinese labels of facts are built as "指标(2021,actual):15308元": say "(2021年,实绩)".
const FACT_LABEL_ZH = /^(.*)\(([^,()]+),(actual|target|change|share)\)([:：].*)$/s;
const KIND_ZH = { actual: "实绩", target: "目标", change: "变化", share: "占比" };
const PERIOD_ZH = {
  "five-years": "五年间",
  unspecified: "时期未说明",
  "since-last-year": "去年以来",
  cumulative: "累计",
  "transition-period": "过渡期",
};

function polishZh(text) {
  const match = FACT_LABEL_ZH.exec(text);
  if (!match) return text;
  const [, name, period, kind, rest] = match;
  const periodZh = /^\d{4}$/.test(period) ? `${period}年` : PERIOD_ZH[period] || period;
  return `${name}(${periodZh},${KIND_ZH[kind]})${rest}`;
}

/** A {zh, en} label in the current language, else the other one, else the IRI's local name. */
export function label(labels, iri) {
  if (labels) {
    if (labels[current]) return current === "zh" ? polishZh(labels.zh) : labels[current];
    const other = labels[otherLang()];
    if (other) return other;
  }
  return localName(iri);
}

/** The label in the other language, if there is one and it differs. */
export function secondLabel(labels) {
  if (!labels) return "";
  const main = labels[current];
  const other = current === "en" ? labels.zh && polishZh(labels.zh) : labels.en;
  return main && other && other !== main ? other : "";
}

/** The language tag of the label that label() returns, for the lang attribute. */
export function labelLang(labels) {
  if (labels && labels[current]) return current;
  if (labels && labels[otherLang()]) return otherLang();
  return "en";
}

export function formatNumber(value, digits = 2) {
  if (value === null || value === undefined || Number.isNaN(value)) return "";
  return new Intl.NumberFormat(current === "zh" ? "zh-CN" : "en", { maximumFractionDigits: digits }).format(value);
}

/** Short numbers for chart axes: 1.2亿 / 3.4万 in Chinese, 1.2 bn / 3.4 m in English; `scale`
 * (the axis maximum) picks one divisor for the whole axis. */
export function formatCompact(value, scale = value) {
  const abs = Math.abs(scale);
  if (value === 0) return "0";
  if (current === "zh") {
    if (abs >= 1e8) return `${formatNumber(value / 1e8, 2)}亿`;
    if (abs >= 1e4) return `${formatNumber(value / 1e4, 2)}万`;
    return formatNumber(value);
  }
  if (abs >= 1e9) return `${formatNumber(value / 1e9, 2)} bn`;
  if (abs >= 1e6) return `${formatNumber(value / 1e6, 2)} m`;
  return formatNumber(value);
}

const UNIT_SHORT = {
  "yuan (CNY)": { en: "yuan", zh: "元" },
  percent: { en: "%", zh: "%" },
  count: { en: "", zh: "个" },
  persons: { en: "people", zh: "人" },
};

/** "15,308 yuan" / "10.3%" from a normalised value and the unit's labels. */
export function formatQuantity(value, unitEn, unitZh) {
  const short = UNIT_SHORT[unitEn];
  const plainEn = (unitEn || "").replace(/\s*\(.*\)$/, "");
  const unit = short ? short[current] : current === "zh" ? unitZh || plainEn : plainEn || unitZh || "";
  let number = formatNumber(value);
  if (current === "en" && Math.abs(value) >= 1e6) {
    number = Math.abs(value) >= 1e9 ? `${formatNumber(value / 1e9, 2)} billion` : `${formatNumber(value / 1e6, 2)} million`;
  }
  if (unit === "%") return `${number}%`;
  if (current === "zh") return `${number}${unit}`;
  return unit ? `${number} ${unit}` : number;
}

/** A fact's label without its "(period, kind): amount" tail: the indicator's name. */
export function factName(labels) {
  const strip = (text) => (text || "").replace(/\s*[:：][^:：]*$/, "").replace(/\s*[(（][^()（）]*[)）]\s*$/, "");
  if (!labels) return labels;
  const out = {};
  for (const [lang, text] of Object.entries(labels)) out[lang] = strip(text) || text;
  return out;
}

export function applyStrings(root = document) {
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const button of root.querySelectorAll(".lang-toggle [data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === current));
  }
}
