// The Cite dialog of every page: a click on any <button class="cite" data-cite-iri="IRI"> (the
// facts table, search results, the details panel) fetches /api/cite?iri=… once and shows the
// citation in APA, Chicago, BibTeX, RIS and CSL-JSON, each with a copy button. The click is
// delegated from the document, so buttons added later (the details panel) work too. Every text
// goes in as a text node, never as HTML.

const FORMATS = [
  ["apa", "APA"],
  ["chicago", "Chicago"],
  ["bibtex", "BibTeX"],
  ["ris", "RIS"],
  ["csl-json", "CSL-JSON"],
];

const STRINGS = {
  title: { zh: "引用", en: "Cite" },
  close: { zh: "关闭", en: "Close" },
  copy: { zh: "复制", en: "Copy" },
  copied: { zh: "已复制", en: "Copied" },
  copyFailed: { zh: "无法复制:请选中文本后按 Ctrl+C", en: "Could not copy: select the text and press Ctrl+C" },
  loading: { zh: "加载中…", en: "Loading…" },
  failed: { zh: "无法生成引用:", en: "No citation: " },
  download: { zh: "下载", en: "Download" },
};

function uiLang() {
  return document.documentElement.lang.startsWith("zh") ? "zh" : "en";
}

function say(key) {
  return STRINGS[key][uiLang()];
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

let dialog = null;

// The dialog's own style sheet, so that it looks the same on every page that has Cite buttons.
function loadStyle() {
  if (document.querySelector("link[data-cite-style]")) return;
  document.head.append(el("link", { rel: "stylesheet", href: "/static/cite.css", "data-cite-style": "" }));
}

function theDialog() {
  if (dialog) return dialog;
  dialog = el("dialog", { class: "cite-dialog", "aria-labelledby": "cite-title" });
  const close = el("button", { type: "button", class: "cite-close", text: say("close") });
  close.addEventListener("click", () => dialog.close());
  dialog.append(
    el("header", {}, el("h2", { id: "cite-title", text: say("title") }), close),
    el("p", { class: "cite-what" }),
    el("div", { class: "cite-body", "aria-live": "polite" }),
  );
  // A click on the backdrop (outside the dialog's box) closes it, like Escape does.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  document.body.append(dialog);
  return dialog;
}

async function copy(text, button, area) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = say("copied");
    button.dataset.copied = "1";
  } catch {
    const range = document.createRange();
    range.selectNodeContents(area);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    button.textContent = say("copyFailed");
  }
}

function formatSection(name, title, text, iri) {
  const area = el("pre", { class: "cite-text", "data-format": name, lang: "zh", tabindex: "0" }, text);
  const button = el("button", { type: "button", class: "cite-copy", "data-format": name, text: say("copy") });
  button.addEventListener("click", () => copy(text, button, area));
  const href = `/api/cite?${new URLSearchParams({ iri, format: name })}`;
  const download = el("a", { href, class: "cite-download", download: "" }, say("download"));
  return el(
    "section",
    { class: "cite-format", "data-format": name },
    el("h3", {}, title, " ", button, " ", download),
    area,
  );
}

async function show(iri) {
  const box = theDialog();
  const body = box.querySelector(".cite-body");
  const what = box.querySelector(".cite-what");
  box.querySelector("#cite-title").textContent = say("title");
  box.querySelector(".cite-close").textContent = say("close");
  what.textContent = iri;
  body.replaceChildren(el("p", { class: "cite-loading", text: say("loading") }));
  box.dataset.ready = "0";
  if (!box.open) box.showModal();
  try {
    const response = await fetch(`/api/cite?${new URLSearchParams({ iri })}`, {
      headers: { Accept: "application/json" },
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
    const label = uiLang() === "zh" ? data.label_zh || data.label_en : data.label_en || data.label_zh;
    what.textContent = label || iri;
    body.replaceChildren(...FORMATS.map(([name, title]) => formatSection(name, title, data.formats[name], iri)));
  } catch (error) {
    body.replaceChildren(el("p", { class: "cite-error", role: "alert", text: say("failed") + error.message }));
  }
  box.dataset.ready = "1";
}

loadStyle();

document.addEventListener("click", (event) => {
  const button = event.target.closest?.("button.cite[data-cite-iri]");
  if (!button) return;
  event.preventDefault();
  show(button.dataset.citeIri);
});
