// The organisation chart: agencies nested by parent, each with its posts and their holders.
// Clicking an official marks all of his or her posts and shows them in the details panel.

import { api } from "./api.js";
import { createDetails } from "./details.js";
import { h, clear, isPlainClick } from "./dom.js";
import { getLang, label, labelLang, onLangChange, otherLang, secondLabel, t } from "./i18n.js";
import { T, graphHref, loadTypeLabels, typeColor } from "./vocab.js";

const KINDS = {
  party: { zh: "党委", en: "Party" },
  government: { zh: "政府", en: "Government" },
  zone: { zh: "园区", en: "Zone" },
  society: { zh: "社会组织", en: "Society" },
};

export async function initOrgchart(app) {
  const baseIri = app.dataset.baseIri;
  const treeEl = document.getElementById("org-tree");
  const officialsEl = document.getElementById("officials");
  const root = document.getElementById("orgchart");
  let selected = new URL(location.href).searchParams.get("node");

  const details = createDetails(document.getElementById("details"), {
    baseIri,
    onSelect: (iri) => select(iri),
    renderEmpty: (container) => container.append(h("p", { class: "muted empty" }, t("org.hint"))),
  });

  function select(iri, { updateUrl = true } = {}) {
    selected = iri;
    for (const el of root.querySelectorAll(".selected")) el.classList.remove("selected");
    for (const el of root.querySelectorAll(".holder-of")) el.classList.remove("holder-of");
    for (const el of root.querySelectorAll("[data-iri]")) {
      if (el.dataset.iri === iri) el.classList.add("selected");
    }
    for (const el of root.querySelectorAll("[data-holder]")) {
      if (el.dataset.holder === iri) el.classList.add("holder-of");
    }
    details.show(iri);
    if (updateUrl) {
      const url = new URL(location.href);
      url.searchParams.set("node", iri);
      history.replaceState(null, "", url);
    }
  }

  const link = (iri, labels, cls) =>
    h(
      "a",
      {
        class: cls,
        href: graphHref(iri),
        lang: labelLang(labels),
        title: secondLabel(labels) || null,
        dataset: { iri },
        onclick: (event) => {
          if (!isPlainClick(event)) return;
          event.preventDefault();
          select(iri);
        },
      },
      label(labels, iri),
    );

  let data;
  await loadTypeLabels();
  try {
    data = await api.orgchart();
  } catch (error) {
    clear(treeEl).append(h("p", { class: "error" }, t("common.error", { msg: error.message })));
    return;
  }

  function render() {
    const agencies = new Map(data.agencies.map((a) => [a.iri, a]));
    const children = new Map();
    const roots = [];
    for (const agency of data.agencies) {
      if (agency.parent && agencies.has(agency.parent)) {
        if (!children.has(agency.parent)) children.set(agency.parent, []);
        children.get(agency.parent).push(agency);
      } else {
        roots.push(agency);
      }
    }
    const postsByAgency = new Map();
    for (const post of data.posts) {
      if (!postsByAgency.has(post.agency)) postsByAgency.set(post.agency, []);
      postsByAgency.get(post.agency).push(post);
    }
    const byLabel = (a, b) => label(a.label, a.iri).localeCompare(label(b.label, b.iri), getLang() === "zh" ? "zh-CN" : "en");
    const KIND_ORDER = ["party", "government", "zone", "society"];
    const kindRank = (a) => (KIND_ORDER.includes(a.kind) ? KIND_ORDER.indexOf(a.kind) : KIND_ORDER.length);
    const byKind = (a, b) => kindRank(a) - kindRank(b) || byLabel(a, b);

    // Officials, with their posts.
    const officials = new Map();
    for (const post of data.posts) {
      if (!post.holder) continue;
      if (!officials.has(post.holder)) officials.set(post.holder, { iri: post.holder, label: post.holder_label, posts: [] });
      officials.get(post.holder).posts.push(post);
    }
    clear(officialsEl);
    if (officials.size) {
      officialsEl.append(
        h("h2", null, t("org.officials")),
        h(
          "div",
          { class: "official-list" },
          [...officials.values()].sort(byLabel).map((official) =>
            h(
              "button",
              { type: "button", class: "official-chip", dataset: { iri: official.iri }, onclick: () => select(official.iri) },
              h("span", { class: "dot", style: { background: typeColor(T.official) } }),
              h("span", { class: "official-name", lang: labelLang(official.label) }, label(official.label, official.iri)),
              secondLabel(official.label) ? h("span", { class: "official-second", lang: otherLang() }, secondLabel(official.label)) : null,
              h("span", { class: "count" }, official.posts.length === 1 ? t("org.posts1") : t("org.posts", { n: official.posts.length })),
            ),
          ),
        ),
      );
    }

    function postItem(post) {
      return h(
        "li",
        { class: "org-post", dataset: { holder: post.holder || "" } },
        h("span", { class: "dot", style: { background: typeColor(T.post) } }),
        link(post.iri, post.label, "post-link"),
        post.holder
          ? h("span", { class: "post-holder" }, "\u00a0— ", link(post.holder, post.holder_label, "holder-link"))
          : h("span", { class: "muted" }, " ", t("org.vacant")),
        post.held_on?.length
          ? h(
              "span",
              { class: "held-on muted" },
              " · ",
              t("org.heldOn"),
              " ",
              post.held_on.map((date, i) => [i ? ", " : "", h("time", { datetime: date }, date)]).flat(),
            )
          : null,
      );
    }

    function agencyNode(agency) {
      const kind = KINDS[agency.kind];
      const second = secondLabel(agency.label);
      const posts = (postsByAgency.get(agency.iri) || []).sort(byLabel);
      const kids = (children.get(agency.iri) || []).sort(byKind);
      return h(
        "li",
        { class: "org-node" },
        h(
          "div",
          { class: `agency-card kind-${agency.kind || "other"}`, dataset: { iri: agency.iri } },
          h(
            "div",
            { class: "agency-head" },
            kind ? h("span", { class: "kind-badge" }, kind[getLang()]) : null,
            link(agency.iri, agency.label, "agency-link"),
          ),
          second ? h("div", { class: "agency-second", lang: otherLang() }, second) : null,
          posts.length ? h("ul", { class: "org-posts" }, posts.map(postItem)) : null,
        ),
        kids.length ? h("ul", { class: "org-children" }, kids.map(agencyNode)) : null,
      );
    }

    clear(treeEl);
    if (!roots.length) {
      treeEl.append(h("p", { class: "muted" }, t("org.empty")));
    } else {
      treeEl.append(h("ul", { class: "org-roots" }, roots.sort(byKind).map(agencyNode)));
    }
    const orphanPosts = data.posts.filter((p) => !agencies.has(p.agency));
    if (orphanPosts.length) treeEl.append(h("ul", { class: "org-posts orphan" }, orphanPosts.map(postItem)));
    treeEl.dataset.ready = "1";
  }

  render();
  if (selected) select(selected, { updateUrl: false });
  else details.showEmpty();

  onLangChange(() => {
    render();
    if (selected) select(selected, { updateUrl: false });
    else details.rerender();
  });
}
