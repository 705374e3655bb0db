// What the explorer knows about the vocabulary: type colours and names, and readable names for
// the predicates of standard vocabularies that the data itself does not label.

import { api } from "./api.js";
import { label, localName, getLang } from "./i18n.js";

// The namespaces, the base IRI and the type ranking come from the server's Python definitions
// (kg.namespaces, kg.web.readmodels.types), written into every page by base.html.
const SHARED = JSON.parse(document.getElementById("kg-constants").textContent);

/** Namespace IRIs by prefix, as in the SPARQL endpoint's prefixes (kg, org, qb, skos, …). */
export const NS = SHARED.namespaces;
export const BASE_IRI = SHARED.base;
const KG = NS.kg;
const ORG = NS.org;
const QB = NS.qb;
const OA = NS.oa;
const SKOS = NS.skos;
const DCT = NS.dct;
const PROV = NS.prov;
const RDF = NS.rdf;
const RDFS = NS.rdfs;
const SDMXM = NS["sdmx-measure"];
const SDMXA = NS["sdmx-attribute"];
const FOAF = NS.foaf;

export const T = {
  official: KG + "Official",
  agency: KG + "Agency",
  post: ORG + "Post",
  program: KG + "Program",
  document: KG + "PolicyDocument",
  indicator: KG + "Indicator",
  region: KG + "Region",
  report: KG + "Report",
  fact: QB + "Observation",
  commitment: KG + "Commitment",
  qualitativeFact: KG + "QualitativeFact",
  programStatus: KG + "ProgramStatus",
  outcome: KG + "Outcome",
  membership: ORG + "Membership",
  dataset: QB + "DataSet",
  evidence: OA + "SpecificResource",
  quote: KG + "Quote",
  unit: KG + "Unit",
  period: KG + "Period",
  concept: SKOS + "Concept",
};

export const P = {
  type: RDF + "type",
  prefLabel: SKOS + "prefLabel",
  holds: ORG + "holds",
  heldBy: ORG + "heldBy",
  postIn: ORG + "postIn",
  obsValue: SDMXM + "obsValue",
  unit: SDMXA + "unitMeasure",
  asWritten: KG + "asWritten",
  indicator: KG + "indicator",
  period: KG + "refPeriod",
  area: KG + "refArea",
  valueType: KG + "valueType",
  qualifier: KG + "qualifier",
  wasDerivedFrom: PROV + "wasDerivedFrom",
};

const TYPE_INFO = {
  [T.official]: { color: "#e03131", zh: "官员", en: "Official" },
  [T.agency]: { color: "#1864ab", zh: "机构", en: "Agency" },
  [T.post]: { color: "#7048e8", zh: "职务", en: "Post" },
  [T.program]: { color: "#2b8a3e", zh: "项目或举措", en: "Program" },
  [T.document]: { color: "#c2255c", zh: "政策文件", en: "Policy document" },
  [T.indicator]: { color: "#0c8599", zh: "指标", en: "Indicator" },
  [T.region]: { color: "#5c940d", zh: "地区", en: "Region" },
  [T.fact]: { color: "#f59f00", zh: "数量事实", en: "Fact (figure)" },
  [T.commitment]: { color: "#d9480f", zh: "承诺", en: "Commitment" },
  [T.qualitativeFact]: { color: "#e8590c", zh: "定性事实", en: "Qualitative fact" },
  [T.outcome]: { color: "#37b24d", zh: "承诺结果", en: "Outcome" },
  [T.programStatus]: { color: "#8ce99a", zh: "项目状态", en: "Program status" },
  [T.report]: { color: "#343a40", zh: "报告", en: "Report" },
  [T.unit]: { color: "#66a80f", zh: "计量单位", en: "Unit of measure" },
  [T.period]: { color: "#4dabf7", zh: "时期", en: "Period" },
  [T.membership]: { color: "#b197fc", zh: "任职关系", en: "Membership" },
  [T.dataset]: { color: "#868e96", zh: "数据集", en: "Data set" },
  [T.concept]: { color: "#74c0fc", zh: "概念", en: "Concept" },
  [T.evidence]: { color: "#ced4da", zh: "原文出处", en: "Evidence" },
  [T.quote]: { color: "#ced4da", zh: "原文出处", en: "Evidence" },
};

const FALLBACK_COLORS = ["#f783ac", "#63e6be", "#ffa94d", "#a9e34b", "#9775fa", "#3bc9db", "#e599f7"];

/** Plumbing of the data model: hidden in the graph until the user ticks them. */
export const HIDDEN_BY_DEFAULT = new Set([T.evidence, T.quote, T.membership]);

export function isEvidenceType(type) {
  return type === T.evidence || type === T.quote;
}

let typeLabels = {};
let typeLabelsLoaded = null;

/** Labels of our classes from /api/types (loaded once). */
export function loadTypeLabels() {
  if (!typeLabelsLoaded) {
    typeLabelsLoaded = api
      .types()
      .then((data) => {
        for (const type of data.types || []) if (type.label && (type.label.zh || type.label.en)) typeLabels[type.iri] = type.label;
      })
      .catch(() => {});
  }
  return typeLabelsLoaded;
}

export function typeColor(type) {
  if (!type) return "#adb5bd";
  const info = TYPE_INFO[type];
  if (info) return info.color;
  let hash = 0;
  for (const char of type) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return FALLBACK_COLORS[Math.abs(hash) % FALLBACK_COLORS.length];
}

export function typeRank(type) {
  return SHARED.type_rank[type] ?? SHARED.unranked;
}

export function typeName(type, apiLabel) {
  if (!type) return getLang() === "zh" ? "其他" : "Other";
  const info = TYPE_INFO[type];
  // Our own names first: the ontology calls facts "Observation" and units "Unit of measure".
  if (info) return info[getLang()];
  return label(apiLabel && (apiLabel.zh || apiLabel.en) ? apiLabel : typeLabels[type], type);
}

const PREDICATES = {
  [RDF + "type"]: ["类型", "type"],
  [RDFS + "label"]: ["标签", "label"],
  [RDFS + "comment"]: ["说明", "comment"],
  [SKOS + "prefLabel"]: ["名称", "name"],
  [SKOS + "altLabel"]: ["别称", "also called"],
  [SKOS + "definition"]: ["定义", "definition"],
  [SKOS + "inScheme"]: ["所属词表", "in vocabulary"],
  [SKOS + "broader"]: ["上位概念", "broader"],
  [SKOS + "narrower"]: ["下位概念", "narrower"],
  [SKOS + "exactMatch"]: ["等同于", "same as"],
  [SKOS + "notation"]: ["代码", "code"],
  [FOAF + "name"]: ["姓名", "name"],
  [ORG + "holds"]: ["担任", "holds post"],
  [ORG + "heldBy"]: ["任职者", "held by"],
  [ORG + "postIn"]: ["所在机构", "post in"],
  [ORG + "member"]: ["成员", "member"],
  [ORG + "organization"]: ["机构", "organisation"],
  [ORG + "role"]: ["角色", "role"],
  [ORG + "subOrganizationOf"]: ["上级机构", "part of"],
  [ORG + "hasSubOrganization"]: ["下属机构", "has unit"],
  [ORG + "hasPost"]: ["设有职务", "has post"],
  [ORG + "hasMembership"]: ["任职", "membership"],
  [DCT + "title"]: ["标题", "title"],
  [DCT + "issued"]: ["发布日期", "issued"],
  [DCT + "created"]: ["创建时间", "created"],
  [DCT + "publisher"]: ["发布机构", "publisher"],
  [DCT + "source"]: ["来源", "source"],
  [DCT + "language"]: ["语言", "language"],
  [DCT + "bibliographicCitation"]: ["引用格式", "citation"],
  [PROV + "wasDerivedFrom"]: ["出处", "derived from"],
  [OA + "hasSource"]: ["来源文档", "source document"],
  [OA + "hasSelector"]: ["选择器", "selector"],
  [OA + "exact"]: ["引文", "quote"],
  [OA + "prefix"]: ["前文", "text before"],
  [OA + "suffix"]: ["后文", "text after"],
  [OA + "start"]: ["起始位置", "start"],
  [OA + "end"]: ["结束位置", "end"],
  [QB + "dataSet"]: ["数据集", "data set"],
  [QB + "structure"]: ["数据结构", "structure"],
  [SDMXM + "obsValue"]: ["数值", "value"],
  [SDMXA + "unitMeasure"]: ["单位", "unit"],
  [SDMXA + "unitMult"]: ["单位倍数(10 的幂)", "unit multiplier (power of 10)"],
};

// How an incoming link reads from the object's side ("X heldBy me" → "holds").
const INVERSE = {
  [ORG + "heldBy"]: ["担任职务", "holds post"],
  [ORG + "holds"]: ["任职者", "held by"],
  [ORG + "member"]: ["任职记录", "memberships"],
  [ORG + "postIn"]: ["设有职务", "posts"],
  [ORG + "subOrganizationOf"]: ["下属机构", "sub-units"],
  [ORG + "organization"]: ["任职记录", "memberships"],
  [ORG + "role"]: ["任职记录", "memberships"],
  [KG + "mentions"]: ["提及于", "mentioned in"],
  [KG + "indicator"]: ["相关数量事实", "facts"],
  [KG + "refArea"]: ["该地区的数量事实", "facts about this area"],
  [KG + "refPeriod"]: ["该时期的数量事实", "facts for this period"],
  [KG + "valueType"]: ["该类型的数量事实", "facts of this kind"],
  [KG + "qualifier"]: ["数量事实", "facts"],
  [KG + "leadAgency"]: ["牵头负责", "leads"],
  [KG + "statedBy"]: ["陈述", "stated"],
  [KG + "establishedBy"]: ["设立", "establishes"],
  [KG + "parentProgram"]: ["子项目", "sub-programs"],
  [KG + "relatedProgram"]: ["相关", "related to"],
  [KG + "post"]: ["任职记录", "memberships"],
  [KG + "agencyKind"]: ["该类机构", "agencies of this kind"],
  [KG + "programKind"]: ["该类项目", "programs of this kind"],
  [KG + "comparedWith"]: ["作为比较基期", "base period of"],
  [SDMXA + "unitMeasure"]: ["以此为单位的数量事实", "facts in this unit"],
  [DCT + "publisher"]: ["发布", "published"],
  [DCT + "source"]: ["数据集", "data sets"],
  [PROV + "wasDerivedFrom"]: ["据此得出", "source of"],
  [OA + "hasSource"]: ["引文", "quotes"],
  [QB + "dataSet"]: ["观测值", "observations"],
  [SKOS + "inScheme"]: ["词条", "concepts"],
  [SKOS + "broader"]: ["下位概念", "narrower"],
  [RDF + "type"]: ["实例", "instances"],
};

/** Links that only restate another one backwards (p → the predicate it inverts): one arrow is enough in the graph. */
export const REDUNDANT_INVERSES = {
  [ORG + "heldBy"]: ORG + "holds",
  [ORG + "hasSubOrganization"]: ORG + "subOrganizationOf",
  [ORG + "hasPost"]: ORG + "postIn",
  [ORG + "hasMembership"]: ORG + "member",
};

/** Details of the data model, shown folded away under "Technical details". */
export const TECHNICAL = new Set([
  RDF + "type",
  SKOS + "prefLabel",
  RDFS + "label",
  FOAF + "name",
  PROV + "wasDerivedFrom",
  KG + "curatedAt",
  KG + "sentenceStart",
  KG + "sentenceEnd",
  SDMXA + "unitMult",
  SKOS + "inScheme",
  QB + "dataSet",
  OA + "hasSelector",
  OA + "hasSource",
  DCT + "created",
]);

export const INCOMING_TECHNICAL = new Set([PROV + "wasDerivedFrom", OA + "hasSource", QB + "dataSet", DCT + "source", SKOS + "inScheme", RDF + "type"]);

export function predicateName(predicate, apiLabel, direction = "out") {
  const zh = getLang() === "zh";
  if (direction === "in") {
    const inverse = INVERSE[predicate];
    if (inverse) return zh ? inverse[0] : inverse[1];
    return `← ${predicateName(predicate, apiLabel, "out")}`;
  }
  if (apiLabel && (apiLabel.zh || apiLabel.en)) return label(apiLabel, predicate);
  const known = PREDICATES[predicate];
  if (known) return zh ? known[0] : known[1];
  return localName(predicate).replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/** Where a resource lives on this server: /id/… for ours, /resource?iri=… for anything else. */
export function resourcePath(iri, baseIri) {
  const base = (baseIri || BASE_IRI) + "id/";
  if (iri.startsWith(base)) return "/id/" + iri.slice(base.length);
  return `/resource?iri=${encodeURIComponent(iri)}`;
}

export function rdfPath(iri, baseIri, format = "ttl") {
  const path = resourcePath(iri, baseIri);
  return path + (path.includes("?") ? "&" : "?") + `format=${format}`;
}

export function graphHref(iri) {
  const url = new URL("/explore", location.origin);
  url.searchParams.set("node", iri);
  url.searchParams.set("lang", getLang());
  return url.pathname + url.search;
}

export function readerHref(reportId, start, end) {
  return `/reader/${encodeURIComponent(reportId)}?lang=${getLang()}` + (start !== undefined ? `#${start}-${end}` : "");
}

const VALUE_TYPE_COLORS = { actual: "#1971c2", target: "#e8590c", change: "#2f9e44", share: "#9c36b5" };

export function valueTypeColor(valueType) {
  return VALUE_TYPE_COLORS[valueType] || "#868e96";
}
