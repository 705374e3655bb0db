// The graph view: one entity and its neighbours (Cytoscape.js + fcose), expanded on demand,
// coloured and filtered by type, with the details panel beside it.

import { api } from "./api.js";
import { createDetails } from "./details.js";
import { h, append, clear, prefersReducedMotion } from "./dom.js";
import { factName, formatQuantity, getLang, label, localName, onLangChange, secondLabel, t } from "./i18n.js";
import { onSearchSelect } from "./topbar.js";
import { HIDDEN_BY_DEFAULT, REDUNDANT_INVERSES, T, loadTypeLabels, predicateName, typeColor, typeName, typeRank } from "./vocab.js";

const FONT = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Noto Sans", system-ui, sans-serif';

const SHAPES = {
  [T.official]: "ellipse",
  [T.agency]: "round-hexagon",
  [T.post]: "round-diamond",
  [T.program]: "round-octagon",
  [T.document]: "cut-rectangle",
  [T.indicator]: "round-triangle",
  [T.region]: "round-pentagon",
  [T.fact]: "round-rectangle",
  [T.report]: "rectangle",
};

const STYLE = [
  {
    selector: "node",
    style: {
      "background-color": "data(color)",
      shape: "data(shape)",
      label: "data(label)",
      width: 24,
      height: 24,
      "font-family": FONT,
      "font-size": 11,
      color: "#1f2933",
      "text-wrap": "wrap",
      "text-max-width": 140,
      "text-valign": "bottom",
      "text-margin-y": 5,
      "text-background-color": "#ffffff",
      "text-background-opacity": 0.85,
      "text-background-padding": 2,
      "text-background-shape": "roundrectangle",
      "min-zoomed-font-size": 7,
      "border-width": 2,
      "border-color": "#ffffff",
      "transition-property": "opacity, border-width",
      "transition-duration": 150,
    },
  },
  { selector: "node.fact", style: { width: 30, height: 20, "font-weight": 600 } },
  { selector: "node.root", style: { width: 38, height: 38, "font-size": 13, "font-weight": 700 } },
  { selector: "node.expanded", style: { "border-color": "#1f2933", "border-width": 2, "border-style": "double" } },
  { selector: "node:selected", style: { "border-color": "#0b5cad", "border-width": 5, "border-style": "solid", "z-index": 10 } },
  { selector: "node.hidden", style: { display: "none" } },
  {
    selector: "edge",
    style: {
      width: 1.5,
      "curve-style": "bezier",
      "line-color": "#b8c2cc",
      "target-arrow-color": "#b8c2cc",
      "target-arrow-shape": "triangle",
      "arrow-scale": 0.9,
      label: "data(label)",
      "font-family": FONT,
      "font-size": 9,
      color: "#52606d",
      "text-rotation": "autorotate",
      "text-background-color": "#ffffff",
      "text-background-opacity": 0.9,
      "text-background-padding": 1,
      "min-zoomed-font-size": 7,
    },
  },
  // Crowded graphs: edge labels only on the selected node's links (and never dozens at once).
  { selector: "edge.quiet", style: { label: "" } },
  { selector: "edge.quiet.hl", style: { label: "data(label)" } },
  { selector: "edge.crowd", style: { label: "" } },
  { selector: "edge.hl", style: { "line-color": "#0b5cad", "target-arrow-color": "#0b5cad", width: 2.5, color: "#0b5cad", "z-index": 9 } },
  { selector: ".faded", style: { opacity: 0.28 } },
];

function truncate(text, max) {
  const chars = [...text];
  return chars.length > max ? chars.slice(0, max - 1).join("") + "…" : text;
}

function isFact(raw) {
  return raw.value !== undefined && raw.value !== null;
}

function nodeText(raw) {
  const full = label(raw.label, raw.id);
  if (isFact(raw)) {
    const quantity = getLang() === "zh" && raw.as_written ? raw.as_written : formatQuantity(raw.value, raw.unit, null);
    return `${quantity}\n${truncate(label(factName(raw.label), raw.id), getLang() === "zh" ? 18 : 34)}`;
  }
  if (!raw.label || !(raw.label.zh || raw.label.en)) return truncate(`${typeName(raw.type)}: ${localName(raw.id)}`, 34);
  return truncate(full, getLang() === "zh" ? 16 : 34);
}

export async function initExplore(app) {
  const cytoscape = window.cytoscape;
  const cyEl = document.getElementById("cy");
  const message = document.getElementById("graph-message");
  if (!cytoscape) {
    message.hidden = false;
    message.textContent = t("common.error", { msg: "cytoscape.js did not load" });
    return;
  }
  if (window.cytoscapeFcose && !cytoscape.__kgFcose) {
    cytoscape.use(window.cytoscapeFcose);
    cytoscape.__kgFcose = true;
  }
  const baseIri = app.dataset.baseIri;
  const tip = document.getElementById("graph-tip");
  const stats = document.getElementById("graph-stats");
  const legendItems = document.getElementById("legend-items");

  const state = { root: null, selected: null, expanded: new Set(), hidden: new Set(HIDDEN_BY_DEFAULT) };
  const cy = cytoscape({
    container: cyEl,
    elements: [],
    style: STYLE,
    minZoom: 0.1,
    maxZoom: 3,
    boxSelectionEnabled: false,
    selectionType: "single",
  });
  window.kgExplorer = { cy, state, select: (iri) => select(iri), expand: (iri) => expand(iri) };

  const details = createDetails(document.getElementById("details"), {
    baseIri,
    onSelect: (iri) => focus(iri),
    onExpand: (iri) => expand(iri, { keepSelection: true }),
  });

  function showMessage(text) {
    message.hidden = !text;
    message.textContent = text || "";
  }

  function nodeData(raw) {
    return {
      id: raw.id,
      type: raw.type || "",
      color: typeColor(raw.type),
      shape: SHAPES[raw.type] || "ellipse",
      label: nodeText(raw),
      raw,
    };
  }

  function edgeData(raw) {
    return {
      id: raw.id,
      source: raw.source,
      target: raw.target,
      predicate: raw.predicate,
      label: predicateName(raw.predicate, raw.label),
      raw,
    };
  }

  function updateStats() {
    const visible = cy.nodes().not(".hidden");
    const hiddenCount = cy.nodes().length - visible.length;
    cy.edges().toggleClass("quiet", visible.edgesWith(visible).length > 30);
    stats.textContent =
      t("graph.stats", { n: visible.length, e: visible.edgesWith(visible).length }) +
      (hiddenCount ? " " + t("graph.hiddenCount", { n: hiddenCount }) : "");
    cyEl.dataset.nodes = String(cy.nodes().length);
    cyEl.dataset.visible = String(visible.length);
  }

  function applyFilter() {
    cy.batch(() => {
      cy.nodes().forEach((node) => {
        const keep = node.id() === state.root || node.id() === state.selected;
        node.toggleClass("hidden", !keep && state.hidden.has(node.data("type")));
      });
    });
    updateStats();
  }

  function updateLegend() {
    const counts = new Map();
    cy.nodes().forEach((node) => counts.set(node.data("type"), (counts.get(node.data("type")) || 0) + 1));
    const types = [...counts.keys()].sort((a, b) => typeRank(a) - typeRank(b) || typeName(a).localeCompare(typeName(b)));
    clear(legendItems);
    for (const type of types) {
      const input = h("input", { type: "checkbox", dataset: { type } });
      input.checked = !state.hidden.has(type);
      input.addEventListener("change", () => {
        if (input.checked) state.hidden.delete(type);
        else state.hidden.add(type);
        applyFilter();
        runLayout(false);
      });
      legendItems.append(
        h(
          "label",
          { class: "legend-item", title: type || null },
          input,
          h("span", { class: "swatch", style: { background: typeColor(type) } }),
          h("span", { class: "legend-name" }, typeName(type)),
          h("span", { class: "legend-count" }, String(counts.get(type))),
        ),
      );
    }
  }

  let currentLayout = null;
  function runLayout(randomize) {
    currentLayout?.stop();
    const nodes = cy.nodes().not(".hidden");
    if (!nodes.length) return;
    const eles = nodes.union(nodes.edgesWith(nodes));
    const clampZoom = () => {
      cy.fit(eles, 50);
      if (cy.zoom() > 1.4) {
        cy.zoom(1.4);
        cy.center(eles);
      }
      cyEl.dataset.layout = "done";
    };
    if (nodes.length === 1) {
      nodes.position({ x: 0, y: 0 });
      clampZoom();
      return;
    }
    cyEl.dataset.layout = "running";
    currentLayout = eles.layout({
      name: window.cytoscapeFcose ? "fcose" : "cose",
      quality: randomize ? "default" : "proof",
      randomize,
      animate: !randomize && !prefersReducedMotion(),
      animationDuration: 450,
      fit: false,
      padding: 50,
      nodeDimensionsIncludeLabels: true,
      packComponents: false,
      nodeRepulsion: () => 9000,
      idealEdgeLength: () => 110,
      edgeElasticity: () => 0.45,
      nodeSeparation: 90,
      stop: clampZoom,
    });
    currentLayout.run();
  }

  function highlight(node) {
    cy.batch(() => {
      cy.elements().removeClass("faded hl crowd");
      if (!node || node.empty()) return;
      const hood = node.closedNeighborhood();
      if (cy.nodes().not(".hidden").length > 6) cy.elements().not(hood).addClass("faded");
      const edges = node.connectedEdges();
      edges.addClass("hl");
      if (edges.length > 20) edges.addClass("crowd");
    });
  }

  function setUrl(iri, mode) {
    const url = new URL(location.href);
    url.searchParams.set("node", iri);
    url.searchParams.set("lang", getLang());
    url.hash = "";
    if (mode === "push") history.pushState({ node: iri }, "", url);
    else history.replaceState({ node: iri }, "", url);
  }

  function select(iri, { updateUrl = true } = {}) {
    state.selected = iri;
    const node = cy.getElementById(iri);
    cy.$("node:selected").not(node).unselect();
    if (node.nonempty()) {
      if (node.hasClass("hidden")) {
        node.removeClass("hidden");
        updateStats();
      }
      node.select();
    }
    highlight(node);
    details.show(iri);
    if (updateUrl) setUrl(iri, "replace");
  }

  async function expand(iri, { keepSelection = false, randomize = false } = {}) {
    showMessage("");
    let data;
    try {
      data = await api.neighbours(iri);
    } catch (error) {
      showMessage(t("common.error", { msg: error.message }));
      return 0;
    }
    const anchor = cy.getElementById(iri);
    const origin = anchor.nonempty() ? { ...anchor.position() } : { x: 0, y: 0 };
    let added = 0;
    cy.batch(() => {
      for (const raw of data.nodes) {
        if (cy.getElementById(raw.id).nonempty()) continue;
        const angle = Math.random() * 2 * Math.PI;
        cy.add({
          group: "nodes",
          data: nodeData(raw),
          classes: isFact(raw) ? "fact" : "",
          position: { x: origin.x + 80 * Math.cos(angle), y: origin.y + 80 * Math.sin(angle) },
        });
        added++;
      }
      for (const raw of data.edges) {
        if (cy.getElementById(raw.id).nonempty()) continue;
        if (cy.getElementById(raw.source).empty() || cy.getElementById(raw.target).empty()) continue;
        cy.add({ group: "edges", data: edgeData(raw) });
      }
    });
    cy.edges().forEach((edge) => {
      const inverse = REDUNDANT_INVERSES[edge.data("predicate")];
      if (inverse && cy.getElementById(`${edge.data("target")}|${inverse}|${edge.data("source")}`).nonempty()) edge.remove();
    });
    state.expanded.add(iri);
    cy.getElementById(iri).addClass("expanded");
    applyFilter();
    updateLegend();
    if (added || randomize) runLayout(randomize);
    else showMessage(t("graph.noNeighbours"));
    if (added === 0) setTimeout(() => showMessage(""), 2000);
    if (keepSelection && state.selected) highlight(cy.getElementById(state.selected));
    return added;
  }

  async function loadRoot(iri, { push = false } = {}) {
    currentLayout?.stop();
    cy.elements().remove();
    state.expanded.clear();
    state.root = iri;
    state.selected = iri;
    await expand(iri, { randomize: true });
    const root = cy.getElementById(iri);
    root.addClass("root");
    if (push) setUrl(iri, "push");
    select(iri, { updateUrl: !push });
    if (root.nonempty() && !root.data("type") && cy.edges().length === 0) showMessage(t("graph.empty", { iri }));
  }

  /** A link in the details panel: select the node, adding it (with its neighbours) if needed. */
  async function focus(iri) {
    if (cy.getElementById(iri).empty()) await expand(iri);
    select(iri);
    const node = cy.getElementById(iri);
    if (node.nonempty()) cy.animate({ center: { eles: node }, duration: prefersReducedMotion() ? 0 : 300 });
  }

  // ---------------------------------------------------------------- events
  cy.on("tap", "node", (event) => select(event.target.id()));
  cy.on("dbltap", "node", (event) => {
    select(event.target.id());
    expand(event.target.id(), { keepSelection: true });
  });
  cy.on("tap", (event) => {
    if (event.target === cy) highlight(null);
  });
  cy.on("mouseover", "node, edge", (event) => {
    const element = event.target;
    const raw = element.data("raw");
    clear(tip);
    if (element.isNode()) {
      const second = secondLabel(raw.label);
      append(tip, [
        h("strong", null, label(raw.label, raw.id)),
        second ? h("div", { class: "tip-second" }, second) : null,
        h("div", { class: "tip-type" }, typeName(raw.type)),
      ]);
    } else {
      tip.append(h("strong", null, element.data("label")));
    }
    const position = event.renderedPosition || element.renderedMidpoint?.() || { x: 0, y: 0 };
    tip.style.left = `${position.x + 14}px`;
    tip.style.top = `${position.y + 14}px`;
    tip.hidden = false;
    cyEl.style.cursor = "pointer";
  });
  cy.on("mouseout", "node, edge", () => {
    tip.hidden = true;
    cyEl.style.cursor = "";
  });
  cy.on("pan zoom", () => (tip.hidden = true));

  document.querySelector(".graph-pane .toolbar").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "fit") {
      cy.animate({ fit: { eles: cy.elements().not(".hidden"), padding: 40 }, duration: 250 });
    } else if (action === "zoom-in" || action === "zoom-out") {
      const factor = action === "zoom-in" ? 1.3 : 1 / 1.3;
      cy.animate({ zoom: { level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }, duration: 150 });
    } else if (action === "layout") {
      runLayout(true);
    } else if (action === "expand") {
      if (state.selected) expand(state.selected, { keepSelection: true });
    } else if (action === "reset") {
      if (state.root) loadRoot(state.root);
    } else if (action === "png") {
      const blob = cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff", maxWidth: 5000, maxHeight: 5000 });
      const url = URL.createObjectURL(blob);
      const link = h("a", { href: url, download: `cnkg-graph-${localName(state.selected || state.root || "graph").replace(/\s+/g, "-")}.png` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 5000);
    }
  });

  onSearchSelect((iri) => loadRoot(iri, { push: true }));

  window.addEventListener("popstate", () => {
    const iri = new URL(location.href).searchParams.get("node");
    if (iri && iri !== state.selected) {
      if (cy.getElementById(iri).nonempty()) select(iri, { updateUrl: false });
      else loadRoot(iri);
    }
  });

  onLangChange(() => {
    cy.batch(() => {
      cy.nodes().forEach((node) => node.data("label", nodeText(node.data("raw"))));
      cy.edges().forEach((edge) => edge.data("label", predicateName(edge.data("predicate"), edge.data("raw").label)));
    });
    updateLegend();
    updateStats();
    details.rerender();
  });

  // ---------------------------------------------------------------- start
  await loadTypeLabels();
  // Where the user came from (?node=), else the newest report: never a person picked by us.
  let start = new URL(location.href).searchParams.get("node");
  if (!start) {
    const reports = await api.reports();
    if (!reports.reports.length) {
      showMessage(t("graph.noReports"));
      return;
    }
    start = reports.reports[0].iri;
  }
  await loadRoot(start);
}
