// Entry point of the explorer pages: starts the view named by <main data-view>.

import "./topbar.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

const app = document.getElementById("app");
const views = {
  explore: () => import("./explore.js").then((m) => m.initExplore(app)),
  reader: () => import("./reader.js").then((m) => m.initReader(app)),
  charts: () => import("./charts.js").then((m) => m.initCharts(app)),
  orgchart: () => import("./orgchart.js").then((m) => m.initOrgchart(app)),
};

const start = views[app?.dataset.view];
if (start) {
  start()
    .then(() => app.setAttribute("data-ready", "1"))
    .catch((error) => {
      app.prepend(h("p", { class: "error banner" }, t("common.error", { msg: error.message })));
      throw error;
    });
}
