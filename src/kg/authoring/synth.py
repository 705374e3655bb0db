"""``kg synth``: realistic curated data for many reports, for scale tests and benchmarks only.

Each synthetic report is a province's annual rural-revitalization news article: its text is
generated together with its curated file, so every quote resolves (with ``occurrence`` where a
phrase repeats). Agencies, officials, indicators and programs come from shared pools, so the
same entity appears in many reports under one IRI, as in real data. Values follow plausible
distributions: money log-normal between 1e6 and 1e11 yuan, growth rates around 6 %, counts
log-normal.
"""

from __future__ import annotations

import math
import random
import shutil
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from kg.config import VOCABULARIES_DIR

PROVINCES = [
    ("hebei", "河北", "Hebei"),
    ("shanxi", "山西", "Shanxi"),
    ("henan", "河南", "Henan"),
    ("shaanxi", "陕西", "Shaanxi"),
    ("gansu", "甘肃", "Gansu"),
    ("hunan", "湖南", "Hunan"),
    ("hubei", "湖北", "Hubei"),
    ("sichuan", "四川", "Sichuan"),
    ("guizhou", "贵州", "Guizhou"),
    ("yunnan", "云南", "Yunnan"),
    ("anhui", "安徽", "Anhui"),
    ("jiangxi", "江西", "Jiangxi"),
]
DEPARTMENTS = [
    ("agriculture-department", "农业农村厅", "Department of Agriculture and Rural Affairs", "head", "厅长"),
    ("rural-revitalization-bureau", "乡村振兴局", "Rural Revitalization Bureau", "head", "局长"),
    ("finance-department", "财政厅", "Department of Finance", "head", "厅长"),
    ("water-resources-department", "水利厅", "Department of Water Resources", "head", "厅长"),
    ("natural-resources-department", "自然资源厅", "Department of Natural Resources", "head", "厅长"),
    ("commerce-department", "商务厅", "Department of Commerce", "head", "厅长"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国志强明华文军丽敏伟芳海燕宏亮春雷玉红晓东"
PINYIN = {
    "王": "Wang",
    "李": "Li",
    "张": "Zhang",
    "刘": "Liu",
    "陈": "Chen",
    "杨": "Yang",
    "赵": "Zhao",
    "黄": "Huang",
    "周": "Zhou",
    "吴": "Wu",
    "徐": "Xu",
    "孙": "Sun",
    "胡": "Hu",
    "朱": "Zhu",
    "高": "Gao",
    "林": "Lin",
    "何": "He",
    "郭": "Guo",
    "马": "Ma",
    "罗": "Luo",
    "建": "jian",
    "国": "guo",
    "志": "zhi",
    "强": "qiang",
    "明": "ming",
    "华": "hua",
    "文": "wen",
    "军": "jun",
    "丽": "li",
    "敏": "min",
    "伟": "wei",
    "芳": "fang",
    "海": "hai",
    "燕": "yan",
    "宏": "hong",
    "亮": "liang",
    "春": "chun",
    "雷": "lei",
    "玉": "yu",
    "红": "hong",
    "晓": "xiao",
    "东": "dong",
}
# (id, zh, en, unit id, unit symbol, kind of value)
INDICATORS = [
    (
        "primary-industry-value-added",
        "第一产业增加值",
        "Value added of the primary sector (agriculture, forestry, animal husbandry, fishery)",
        "yuan",
        "亿元",
        "money",
    ),
    (
        "rural-per-capita-disposable-income",
        "农村居民人均可支配收入",
        "Rural residents' per-capita disposable income",
        "yuan",
        "元",
        "income",
    ),
]
SUBJECTS = [
    "衔接补助资金",
    "产业发展资金",
    "小额信贷",
    "农业保险保费补贴",
    "高标准农田建设投资",
    "农村公路建设投资",
    "农村供水工程投资",
    "乡村旅游收入",
    "农产品加工业营业收入",
    "农村电商销售额",
    "光伏扶贫收益",
    "村集体经济收入",
    "易地搬迁后续扶持资金",
    "农机购置补贴",
    "耕地地力保护补贴",
    "特色产业贷款",
    "农业产业化龙头企业销售收入",
    "农民专业合作社收入",
    "设施农业投资",
    "冷链物流投资",
    "农产品出口额",
    "数字乡村建设投资",
    "人居环境整治投入",
    "农村危房改造资金",
    "职业技能培训补贴",
]
COUNT_SUBJECTS = [
    ("脱贫劳动力务工就业人数", "person", "人"),
    ("驻村第一书记人数", "person", "名"),
    ("培育龙头企业数", "enterprise", "家"),
    ("新建高标准农田面积", "mu", "亩"),
    ("新增设施农业面积", "mu", "亩"),
    ("创建示范村数", "count", "个"),
    ("入库项目数", "count", "个"),
    ("受益脱贫户数", "household", "户"),
    ("认定家庭农场数", "enterprise", "家"),
    ("培训高素质农民人数", "person", "人"),
    ("建成冷库数", "count", "个"),
    ("发布地方标准数", "item", "项"),
    ("派驻工作队数", "team", "支"),
    ("改造农村户厕数", "household", "户"),
    ("创建星级文明户数", "household", "户"),
]
PROGRAM_WORDS = [
    ("土豆革命", "Potato Revolution", "campaign"),
    ("百日攻坚", "Hundred-day drive", "campaign"),
    ("防止返贫动态监测", "Dynamic monitoring against relapse into poverty", "mechanism"),
    ("消费帮扶", "Consumption-based assistance", "support-measure"),
    ("以工代赈", "Work-for-relief", "support-measure"),
    ("数字乡村", "Digital countryside", "engineering-program"),
    ("农村道路通畅", "Rural road access", "engineering-program"),
    ("供水保障", "Water supply security", "engineering-program"),
    ("清洁能源建设", "Clean energy construction", "engineering-program"),
    ("特色产业集群", "Featured industry cluster", "industry-cluster"),
    ("区域公用品牌", "Regional public brand", "brand"),
    ("乡村建设行动", "Rural construction campaign", "campaign"),
    ("人居环境整治", "Living environment improvement", "campaign"),
    ("劳务品牌", "Labour service brand", "brand"),
    ("示范县创建", "Demonstration county creation", "demonstration"),
    ("产业园区", "Industrial park", "facility"),
    ("追溯平台", "Traceability platform", "facility"),
    ("驻村帮扶", "Village-based assistance", "mechanism"),
    ("考核评价", "Assessment and evaluation", "mechanism"),
    ("冷链物流", "Cold-chain logistics", "engineering-program"),
]


def _yaml() -> YAML:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.allow_unicode = True
    return yaml


@dataclass
class TextBuilder:
    """Builds a report text and records where each quote was placed, to compute occurrences."""

    parts: list[str] = field(default_factory=list)
    length: int = 0

    def add(self, text: str) -> int:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start

    def text(self) -> str:
        return "".join(self.parts)


def _evidence(text: str, quote: str, start: int) -> dict[str, Any]:
    """The quote, with the occurrence that is the one placed at ``start`` when it repeats."""
    before = 0
    position = text.find(quote)
    while position != -1 and position < start:
        before += 1
        position = text.find(quote, position + 1)
    evidence: dict[str, Any] = {"quote": quote}
    if text.count(quote) > 1:
        evidence["occurrence"] = before + 1
    return evidence


def _amount(rng: random.Random, kind: str) -> tuple[str, str]:
    """A plausible amount: (as written without unit, unit symbol)."""
    if kind == "money":
        value = math.exp(rng.uniform(math.log(0.5), math.log(900)))
        return f"{value:.2f}", "亿元"
    if kind == "income":
        return str(rng.randint(9000, 26000)), "元"
    if kind == "growth":
        return f"{max(0.1, rng.gauss(6.5, 3)):.1f}", "%"
    value = math.exp(rng.uniform(math.log(5), math.log(200000)))
    if value > 20000:
        return f"{value / 10000:.2f}万", ""
    return str(int(value)), ""


def synth_report(index: int, rng: random.Random) -> tuple[str, dict[str, Any]]:
    province_id, province_zh, province_en = PROVINCES[index % len(PROVINCES)]
    year = 2018 + (index // len(PROVINCES)) % 7
    report_id = f"synth-{index:05d}"
    text = TextBuilder()
    agencies: list[dict[str, Any]] = []
    officials: list[dict[str, Any]] = []
    facts: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    programs: list[dict[str, Any]] = []
    placed: list[tuple[dict[str, Any], str, int]] = []  # (entry, quote, start)

    government_zh = f"{province_zh}省人民政府"
    title_zh = f"{province_zh}省{year}年巩固拓展脱贫攻坚成果和乡村振兴工作综述(第{index}号)"
    text.add(f"{title_zh}\n\n来源:")
    start = text.add(government_zh)
    text.add(f"网 发布时间:{year + 1}-03-1{index % 10}\n\n")
    government = {
        "id": f"{province_id}-provincial-government",
        "label": {"zh": government_zh, "en": f"{province_en} Provincial People's Government"},
        "kind": "government",
    }
    agencies.append(government)
    placed.append((government, government_zh, start))

    chosen_departments = rng.sample(DEPARTMENTS, 4)
    for dept_id, dept_zh, dept_en, role, title in chosen_departments:
        agency_zh = f"{province_zh}省{dept_zh}"
        agency = {
            "id": f"{province_id}-{dept_id}",
            "label": {"zh": agency_zh, "en": f"{province_en} Provincial {dept_en}"},
            "kind": "government",
            "parent": government["id"],
        }
        agencies.append(agency)
        person_seed = zlib.crc32(f"{province_id}/{dept_id}".encode()) % 10_000
        surname = SURNAMES[person_seed % len(SURNAMES)]
        given = GIVEN[(person_seed // 7) % len(GIVEN)] + GIVEN[(person_seed // 13) % len(GIVEN)]
        name = surname + given
        name_en = f"{PINYIN[surname]} {PINYIN[given[0]].capitalize()}{PINYIN[given[1]]}"
        post_zh = f"{agency_zh}{title}"
        text.add("  ")
        start_agency = text.add(agency_zh)
        text.add(title)
        start_name = text.add(name)
        text.add("表示,将坚决守住不发生规模性返贫底线,全面推进乡村振兴。\n\n")
        placed.append((agency, agency_zh, start_agency))
        person_id = f"{province_id}-{dept_id}-head"
        post: dict[str, Any] = {
            "id": f"head-of-{province_id}-{dept_id}",
            "label": {"zh": post_zh, "en": f"Head of the {province_en} Provincial {dept_en}"},
            "role": role,
            "agency": agency["id"],
        }
        official = {
            "id": person_id,
            "label": {"zh": name, "en": name_en},
            "posts": [post],
        }
        officials.append(official)
        placed.append((official, name, start_name))
        placed.append((post, post_zh, start_agency))

    region = {"id": province_id, "quote": None}
    subjects = rng.sample(SUBJECTS, 18)
    count_subjects = rng.sample(COUNT_SUBJECTS, 12)
    program_picks = rng.sample(PROGRAM_WORDS, 14)

    def indicator(ident: str, zh: str, en: str, start: int) -> None:
        entry = {"id": ident, "label": {"zh": zh, "en": en}}
        indicators.append(entry)
        placed.append((entry, zh, start))

    for number, (ident, zh, en, unit, _symbol, kind) in enumerate(INDICATORS):
        amount, written = _amount(rng, kind)
        growth, _ = _amount(rng, "growth")
        text.add(f"  {year}年,全省")
        start_zh = text.add(zh)
        text.add("达到")
        start_amount = text.add(f"{amount}{written}")
        text.add(",增长")
        start_growth = text.add(f"{growth}%")
        text.add("。\n\n")
        indicator(ident, zh, en, start_zh)
        for value_type, amount_text, unit_id, at in (
            ("actual", f"{amount}{written}", unit, start_amount),
            ("change", f"{growth}%", "percent", start_growth),
        ):
            fact = {
                "id": f"{ident}-{value_type}-{number}",
                "indicator": ident,
                "type": value_type,
                "period": str(year),
                "region": province_id,
                "amount": amount_text,
                "unit": unit_id,
            }
            if value_type == "change":
                fact["compared_with"] = str(year - 1)
            facts.append(fact)
            placed.append((fact, amount_text, at))

    for number, subject in enumerate(subjects):
        ident = f"synth-money-{SUBJECTS.index(subject):03d}"
        amount, written = _amount(rng, "money")
        text.add("  全省")
        start_zh = text.add(subject)
        target = number % 4 == 3
        text.add("力争达到" if target else "累计达到")
        start_amount = text.add(f"{amount}{written}")
        text.add("以上。" if number % 5 == 0 else "。")
        text.add("\n\n" if number % 3 == 2 else "")
        indicator(ident, subject, f"{subject} (synthetic indicator {SUBJECTS.index(subject)})", start_zh)
        fact = {
            "id": f"{ident}-{number}",
            "indicator": ident,
            "type": "target" if target else "actual",
            "period": "cumulative" if not target else str(year + 1),
            "region": province_id,
            "amount": f"{amount}{written}",
            "unit": "yuan",
        }
        if number % 5 == 0:
            fact["qualifier"] = "more-than"
        if target:
            fact["agency"] = agencies[1]["id"]
            fact["stated_by"] = officials[0]["id"]
        facts.append(fact)
        placed.append((fact, f"{amount}{written}", start_amount))

    for number, (subject, unit, symbol) in enumerate(count_subjects):
        ident = f"synth-count-{COUNT_SUBJECTS.index((subject, unit, symbol)):03d}"
        amount, _ = _amount(rng, "count")
        text.add("  ")
        start_zh = text.add(subject)
        text.add("为")
        start_amount = text.add(f"{amount}{symbol}")
        text.add("。\n\n")
        indicator(
            ident, subject, f"{subject} (synthetic count {COUNT_SUBJECTS.index((subject, unit, symbol))})", start_zh
        )
        fact = {
            "id": f"{ident}-{number}",
            "indicator": ident,
            "type": "actual",
            "period": str(year),
            "region": province_id,
            "amount": f"{amount}{symbol}",
            "unit": unit,
        }
        facts.append(fact)
        placed.append((fact, f"{amount}{symbol}", start_amount))

    for number, (zh, en, kind) in enumerate(program_picks):
        name = f"{province_zh}{zh}"
        text.add("  深入实施“")
        start_program = text.add(name)
        text.add("”。")
        text.add("\n\n" if number % 4 == 3 else "")
        program = {
            "id": f"{province_id}-{PROGRAM_WORDS.index((zh, en, kind)):03d}",
            "label": {"zh": name, "en": f"{province_en} {en}"},
            "kind": kind,
            "lead": agencies[1 + number % 4]["id"],
        }
        programs.append(program)
        placed.append((program, name, start_program))

    start_region = text.add("  全省")
    text.add("乡村振兴实现良好开局。\n\n网站地图\n")
    full = text.text()
    region["quote"] = "全省"
    placed.append((region, "全省", start_region))
    for entry, quote, at in placed:
        entry.update(_evidence(full, quote, at))

    document = {
        "report": {
            "id": report_id,
            "text": "source.txt",
            "title": {"zh": title_zh, "en": f"{province_en} rural revitalization in {year} (synthetic report {index})"},
            "issued": f"{year + 1}-03-1{index % 10}",
            "publisher": government["id"],
            **_evidence(full, title_zh, 0),
        },
        "agencies": agencies,
        "officials": officials,
        "programs": programs,
        "regions": [region],
        "indicators": indicators,
        "facts": facts,
    }
    return full, document


def synth_regions() -> str:
    lines = [
        "@prefix kg: <https://w3id.org/cnkg/ontology#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix r: <https://w3id.org/cnkg/id/region/> .",
        "",
    ]
    for ident, zh, en in PROVINCES:
        if ident == "shanxi":
            continue
        lines.append(
            f"r:{ident} a kg:Region ; skos:broader r:china ;\n"
            "    skos:inScheme <https://w3id.org/cnkg/id/scheme/regions> ;\n"
            f'    skos:prefLabel "{zh}省"@zh , "{en} Province"@en ;\n'
            f'    skos:definition "中国的省份(合成数据)。"@zh , "A province of China (synthetic data)."@en .'
        )
    return "\n".join(lines) + "\n"


def synth(count: int, out: Path, seed: int = 2022, progress: Callable[[str], None] | None = None) -> None:
    """Write ``count`` synthetic reports plus the shared vocabularies under ``out``."""
    import datetime as dt

    rng = random.Random(seed)
    vocabularies = out / "vocabularies"
    if vocabularies.exists():
        shutil.rmtree(vocabularies)
    shutil.copytree(VOCABULARIES_DIR, vocabularies)
    (vocabularies / "regions-synthetic.ttl").write_text(synth_regions(), encoding="utf-8")
    yaml = _yaml()
    for index in range(count):
        text, document = synth_report(index, rng)
        folder = out / "reports" / document["report"]["id"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "source.txt").write_text(text, encoding="utf-8")
        document["report"]["issued"] = dt.date.fromisoformat(document["report"]["issued"])
        with (folder / "report.yaml").open("w", encoding="utf-8") as handle:
            handle.write("# Synthetic report written by `kg synth` for scale tests; not real data.\n")
            yaml.dump(document, handle)
        if progress and (index + 1) % max(1, count // 20) == 0:
            progress(f"wrote {index + 1}/{count} synthetic reports")
