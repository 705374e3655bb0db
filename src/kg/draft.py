"""Draft the curated data file of a new report from its text (``kg draft REPORT.txt``).

The draft has the sections of ``docs/curation.md`` filled with every candidate found by rules
over the text: quantities (Arabic and Chinese numerals, multipliers, units, qualifiers, changes,
shares, periods, targets), agencies, officials and their posts, documents in 《》, programs and
slogans in “”, regions. Each candidate is quoted from the text, with ``occurrence:`` when the
quote is not unique, so the draft compiles once its ``en: TODO`` labels are filled in; every
fact has its normalised ``value:``. Numerals that are not drafted as facts are listed under
``not_facts`` with a guessed reason.

Candidates are matched against what the graph already knows (every ``reports/*/report.yaml``
under the data directory): the same label or alias keeps the known id and labels (``# known``).
A new entity gets a provisional id made from its Chinese label (``agency-3f2a9c``: the same
label gives the same id in every draft) and ``# new``; the analyst renames it.

The rules are heuristics: the draft is a proposal to check line by line, not curated data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from kg import curated
from kg.curated import CurationFailed
from kg.namespaces import ID, KG
from kg.numbers import CHINESE_DIGITS, PERCENT_PREFIX, AmountError, read_numeral, scan_numerals
from kg.source import SourceText

TODO_LABEL = "TODO"
TITLE_REPEATS = "the title repeats a figure stated in the text"
COUNTER_REASON = "a count in "
SECTION_ORDER = ("agencies", "officials", "documents", "programs", "regions", "indicators", "facts")
ID_PREFIX = {
    "agencies": "agency",
    "officials": "official",
    "posts": "post",
    "documents": "document",
    "programs": "program",
    "indicators": "indicator",
}

# -- characters and words -------------------------------------------------------------------------

CJK_RANGE = "\u4e00-\u9fff〇"
CJK = re.compile(f"[{CJK_RANGE}]")
CLAUSE_DELIMITERS = set(",，;；。!！?？:：\n()（）【】“”《》、")
SENTENCE_DELIMITERS = set("。!！?？;；\n")

AGENCY_SUFFIXES = sorted(
    [
        "人民代表大会", "人民政府", "委员会", "办公室", "领导小组", "农高区", "高新区", "开发区", "红十字会",
        "政府", "人大", "政协", "红会", "中心", "厅", "局", "办", "委", "部", "会", "院", "处",
    ],
    key=len,
    reverse=True,
)  # fmt: skip
CENTRAL_AGENCIES = ("中共中央", "党中央", "国务院", "中央农办", "农业农村部", "财政部", "全国人大", "全国政协")
LEVELS = "省市县"
# 全省, 我省, 各县 … are regions, not the start of an agency name.
NOT_BEFORE_LEVEL = set("全我本各该外跨出入进邻分两多")
# A suffix followed by one of these is part of another word: 部门, 会议, 省部级, 委员, 院士, 部署 …
NOT_AFTER_SUFFIX = set("级门议员士校理事法学面分署")
# Words that end like an agency name but are not one: 布局, 社会, 全部 …
NOT_AGENCY_ENDINGS = (
    "布局", "格局", "大局", "全局", "开局", "结局", "当局", "全部", "干部", "内部", "局部", "外部",
    "社会", "机会", "体会", "大会", "都会", "西部", "东部", "中部", "北部", "南部",
)  # fmt: skip
AGENCY_BREAKS = (
    "会同", "联合", "关于", "召开", "印发", "出台", "发布", "组织", "牵头", "表示", "介绍", "获悉", "支持",
    "负责", "党组", "党委", "书记", "主任", "厅长", "局长", "县长", "市长", "省长", "部长", "总书记",
    "委员", "副", "在", "对", "向", "将", "要", "把", "为", "从", "是", "的", "与", "及", "等", "已",
)  # fmt: skip

ROLE_WORDS = sorted(
    [
        "党组书记", "党委书记", "总书记", "副书记", "书记", "副主任", "主任", "副厅长", "厅长", "副局长",
        "局长", "副部长", "部长", "副省长", "省长", "副市长", "市长", "副县长", "县长", "副区长", "区长",
        "镇长", "乡长", "负责人", "处长", "科长", "院长", "站长", "所长", "会长", "主席", "秘书长",
        "总农艺师", "总经济师", "党组成员",
    ],
    key=len,
    reverse=True,
)  # fmt: skip
# What may follow a name after a title (王振华在发布会上说, 刘文斌\n) and what makes a speaker
SAYING = ("表示", "说", "告诉", "指出", "介绍", "强调", "认为", "称", "谈到", "谈起", "坦言", "透露", "这样说")
SPEECH_VERBS = (*SAYING, "在", "同志", "等")
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦"
    "戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑"
    "迟邝习郜"
)

# Quantities -----------------------------------------------------------------------------------
# Counters written after a number that have no unit in units.ttl yet (and compounds like 人次 that
# start with one that has): such a number is not drafted as a fact with a wrong unit but listed
# under not_facts, saying which unit to add.
OTHER_COUNTERS = sorted(
    ["公里", "千米", "平方米", "公顷", "万吨", "吨", "斤", "公斤", "千克", "所", "座", "条", "辆", "台", "头",
     "只", "场", "批", "种", "处", "套", "间", "张", "件", "份", "篇", "棵", "株", "栋", "口", "眼", "期",
     "人次", "户次", "亩次", "元/人", "元/亩"],
    key=len,
    reverse=True,
)  # fmt: skip
PERSON_NOUNS = ("劳动力", "人口", "农民", "群众", "居民", "人员", "学生", "职工", "劳动者", "工人", "干部", "党员",
                "创业者", "专家", "队员", "书记", "人才", "农户成员")  # fmt: skip
QUALIFIERS_BEFORE = [
    ("接近", "nearly"), ("将近", "nearly"), ("近", "nearly"), ("大约", "about"), ("约", "about"),
    ("超过", "more-than"), ("突破", "more-than"), ("不低于", "more-than"), ("不少于", "more-than"),
    ("逾", "more-than"), ("超", "more-than"),
]  # fmt: skip
QUALIFIERS_AFTER = [("以上", "more-than"), ("左右", "about"), ("多", "more-than"), ("余", "more-than")]
CHANGE_WORDS = ("增长", "增加", "提高", "提升", "下降", "减少", "降低", "上升", "回落", "增", "降", "多", "少")
SHARE_WORDS = ("占", "比例", "比重", "占比")
# Words that make a number a plan: 力争, 预期目标是, 计划创建 (not 年度实施计划, 倍增计划)
TARGET_WORDS = re.compile(
    r"力争|预期目标|目标是|目标为|预计|确保|拟(?=[新建创实开完])|"
    r"计划(?=实施|创建|新建|改造|完成|投资|安排|开展|建设|推进|培育|打造|新增|争取)"
)
# After 累计发放37.22亿元, a clause that goes on with a verb is still 累计: 惠及7.6万脱贫户
CONTINUATIONS = ("惠及", "覆盖", "带动", "帮助", "受益", "涉及", "其中", "占", "共", "合计", "总计")
LIGHT_VERBS = (
    "达到", "达", "完成", "实现", "为", "共", "累计", "共计", "稳定在", "控制在", "有", "是", "在", "的", "安排",
    "投入", "发放", "跨上", "迈上", "占到", "占",
)  # fmt: skip
SUBJECT_VERBS = (
    "实现", "完成", "达到", "达", "突破", "稳定在", "控制在", "增长", "增加", "提高", "下降", "为", "是", "有", "共",
    "累计", "全部", "纳入", "开展", "惠及", "覆盖", "进入", "开工", "获得", "得到", "超过", "占", "比", "同比", "安排",
    "投入", "发放", "培育", "完成了", "跨上", "迈上",
)  # fmt: skip
LEADING_NOISE = ("其中", "全年", "同时", "共", "并", "还", "已", "再", "均", "总计", "合计", "此外", "另外", "截至",
                 "年底", "年末", "底")  # fmt: skip
NOUN_STOPS = ("和", "与", "及", "等", "的", "以上", "左右", "全部", "实现", "纳入", "开展", "惠及", "覆盖", "开工",
              "得到", "获得", "参与", "受益", "完成", "达到", "增长", "增加", "提升", "稳定", "其中", "分别", "划分",
              "实施", "进入", "发展", "参加", "通过", "完成", "在", "共")  # fmt: skip

PERIOD_MARKERS = re.compile(
    r"(?<![比较])(?:(?P<since>去年以来)|(?P<last>去年一年|过去的一年|过去一年|去年|上年|上一年)|(?P<this>今年|本年|(?<!年)下半年)"
    r"|(?P<next>明年)|(?P<cumulative>累计)|(?<!\d)(?P<year>(?:19|20)\d{2})年(?!\d{1,2}月\d)"
    r"|(?P<progress>(?<!年)(?:上半年|前三季度|[一二三四]季度|(?<!\d)\d{1,2}[—–\-~至到]\d{1,2}月)))"
)
# Cues of the report's own year that report progress, not plans: 上半年, 1—6月, 一季度
PROGRESS = re.compile(r"上半年|季度|月$")
DATE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日|\d{1,2}月(?=份|底|初|中旬|上旬|下旬)"
    r"|\d{1,2}[—–\-~至到]\d{1,2}月"
)
YEAR = re.compile(r"(?:19|20)\d{2}年|[〇零一二三四五六七八九]{4}年")


def is_cjk(ch: str) -> bool:
    return bool(ch) and bool(CJK.match(ch))


def short_hash(text: str, size: int = 6) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:size]


def number(value: Decimal) -> int | float:
    """A YAML number equal to ``value`` (compile compares ``Decimal(str(value))``)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


# -- vocabularies and the known graph ----------------------------------------------------------


@dataclass
class Vocabulary:
    ids: dict[str, set[str]] = field(default_factory=dict)  # kind -> slugs
    labels: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # kind -> slug -> zh labels
    symbol_unit: dict[str, str] = field(default_factory=dict)  # 元 -> yuan
    unit_symbols: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, data_dir: Path) -> Vocabulary:
        vocab = cls()
        prefix = str(ID)
        for path in sorted((data_dir / "vocabularies").glob("*.ttl")):
            graph = Graph()
            graph.parse(path, format="turtle")
            for subject in set(graph.subjects()):
                if not isinstance(subject, URIRef) or not str(subject).startswith(prefix):
                    continue
                kind, _, slug = str(subject)[len(prefix) :].partition("/")
                if not slug or kind == "scheme":
                    continue
                vocab.ids.setdefault(kind, set()).add(slug)
                names = [
                    str(o)
                    for p in (SKOS.prefLabel, SKOS.altLabel)
                    for o in graph.objects(subject, p)
                    if getattr(o, "language", None) == "zh"
                ]
                vocab.labels.setdefault(kind, {})[slug] = names
                for symbol in graph.objects(subject, KG.chineseSymbol):
                    vocab.symbol_unit[str(symbol)] = slug
                    vocab.unit_symbols.setdefault(slug, []).append(str(symbol))
        return vocab

    def has(self, kind: str, slug: str) -> bool:
        return slug in self.ids.get(kind, set())

    def pick(self, kind: str, *choices: str) -> str | None:
        return next((c for c in choices if self.has(kind, c)), None)


@dataclass
class KnownEntity:
    section: str
    id: str
    data: dict[str, Any]
    path: Path

    def labels(self, lang: str = "zh") -> list[str]:
        return entity_labels(self.data, lang)


def entity_labels(data: dict[str, Any], lang: str = "zh") -> list[str]:
    names: list[str] = []
    for key in ("label", "alt"):
        value = data.get(key)
        if isinstance(value, dict):
            value = value.get(lang)
        if isinstance(value, str):
            names.append(value)
        elif isinstance(value, list):
            names.extend(str(v) for v in value)
    return [n.strip() for n in names if n and n.strip() and n.strip() != TODO_LABEL]


class KnownGraph:
    """Labels and aliases of every entity curated under ``data_dir/reports``, by section."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self.data_dir = data_dir or Path()
        self.by_label: dict[str, dict[str, KnownEntity]] = {}
        self.by_id: dict[str, KnownEntity] = {}

    @classmethod
    def load(cls, data_dir: Path) -> KnownGraph:
        known = cls(data_dir)
        for path in sorted((data_dir / "reports").glob("*/report.yaml")):
            for section, data in _curated_entries(path):
                entity = KnownEntity(section, str(data["id"]), data, path)
                known.by_id.setdefault(entity.id, entity)
                for name in entity.labels():
                    known.by_label.setdefault(section, {}).setdefault(name, entity)
        return known

    def find(self, section: str, *names: str) -> KnownEntity | None:
        table = self.by_label.get(section, {})
        return next((table[n] for n in names if n in table), None)


def _curated_entries(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(section, fields) of every labelled entry of one curated file; posts as section 'posts'."""
    try:
        report = curated.load(path)
        for section, items in report.items.items():
            for item in items:
                if section != "facts" and "id" in item.data:
                    yield section, item.data
        return
    except CurationFailed as failed:
        # A file being edited (or a draft with TODOs): take what can be read, say so.
        print(f"kg draft: {path} does not load cleanly ({len(failed.errors)} problem(s)); "
              "matching against what it has", file=sys.stderr)  # fmt: skip
    except Exception as problem:  # malformed YAML
        print(f"kg draft: skipping {path}: {problem}", file=sys.stderr)
        return
    document = YAML(typ="rt").load(path.read_text(encoding="utf-8")) or {}
    for section in ("agencies", "officials", "documents", "programs", "indicators"):
        for node in document.get(section) or []:
            if isinstance(node, dict) and "id" in node:
                yield section, dict(node)
                if section == "officials":
                    for post in node.get("posts") or []:
                        if isinstance(post, dict) and "id" in post:
                            yield "posts", {**post, "holder": node["id"]}


# -- candidates ---------------------------------------------------------------------------------


@dataclass
class Mention:
    start: int
    end: int
    text: str


@dataclass
class Entity:
    section: str
    label: str  # Chinese label
    mention: Mention  # the occurrence quoted
    fields: dict[str, Any] = field(default_factory=dict)  # kind, parent, type, issuer, role, agency …
    alt: list[str] = field(default_factory=list)
    known: KnownEntity | None = None
    id: str = ""
    comments: dict[str, str] = field(default_factory=dict)  # field -> end-of-line comment
    posts: list[Entity] = field(default_factory=list)
    en: str = TODO_LABEL


@dataclass
class Quantity:
    start: int  # the amount as written: text[start:end]
    end: int
    value: Decimal
    unit: str
    numerals: list[tuple[int, int]]  # the scanned numerals it covers
    span_end: int  # after the qualifier written after the amount
    qualifier: str | None = None
    qualifier_start: int | None = None
    change: bool = False
    comments: dict[str, str] = field(default_factory=dict)


@dataclass
class Fact:
    quantity: Quantity
    type: str
    period: str
    region: str
    indicator: Entity
    compared_with: str | None = None
    label_span: tuple[int, int] | None = None
    agency: Entity | None = None
    stated_by: Entity | None = None
    comments: dict[str, str] = field(default_factory=dict)


# -- the drafter ------------------------------------------------------------------------------------


class Drafter:
    def __init__(self, text: str, report_id: str, text_name: str, vocab: Vocabulary, known: KnownGraph):
        self.source = SourceText(text)
        self.text = self.source.text
        self.report_id = report_id
        self.text_name = text_name
        self.vocab = vocab
        self.known = known
        self.entities: dict[str, list[Entity]] = {s: [] for s in (*SECTION_ORDER, "posts")}
        self.regions: dict[str, Mention] = {}
        self.facts: list[Fact] = []
        self.not_facts: list[tuple[str, str, int | None]] = []
        self.protected = self._protected_spans()
        self.agency_mentions: list[tuple[Mention, Entity]] = []
        self.speakers: list[tuple[int, int, Entity]] = []  # (start, end, official) of "X表示" …

    # -- text helpers ------------------------------------------------------------------------

    def _protected_spans(self) -> list[tuple[int, int, str]]:
        """Names in “” and titles in 《》: (start, end, kind) including the marks."""
        spans = [(m.start(), m.end(), "quote") for m in re.finditer(r"“[^“”\n。，,；;！!？?]{1,20}”", self.text)]
        spans += [(m.start(), m.end(), "title") for m in re.finditer(r"《[^《》\n]{1,100}》", self.text)]
        return sorted(spans)

    def inside(self, start: int, end: int, kind: str | None = None) -> tuple[int, int, str] | None:
        for span in self.protected:
            if span[0] <= start and end <= span[1] and (kind is None or span[2] == kind):
                return span
        return None

    def bounds(self, position: int, delimiters: set[str]) -> tuple[int, int]:
        start = position
        while start > 0 and self.text[start - 1] not in delimiters:
            start -= 1
        while start < position and self.text[start] in " \t\u3000":
            start += 1
        end = position
        while end < len(self.text) and self.text[end] not in delimiters:
            end += 1
        return start, end

    def sentence(self, position: int) -> tuple[int, int]:
        return self.bounds(position, SENTENCE_DELIMITERS)

    def paragraph(self, position: int) -> tuple[int, int]:
        return self.bounds(position, {"\n"})

    def occurrence(self, quote: str, start: int) -> int | None:
        starts = self.source.occurrences(quote)
        return None if len(starts) <= 1 else starts.index(start) + 1

    # -- header --------------------------------------------------------------------------------

    def title(self) -> Mention:
        offset = 0
        for line in self.text.split("\n"):
            if line.strip():
                break
            offset += len(line) + 1
        line = self.text[offset:].split("\n", 1)[0]
        match = re.match(r"\s*(?:【[^】]*】\s*)?(?:[(（][^)）]*[)）]\s*)?", line)
        skip = match.end() if match and match.end() < len(line.rstrip()) else 0
        title = line[skip:].strip()
        start = offset + line.index(title)
        return Mention(start, start + len(title), title)

    def issued(self) -> tuple[dt.date, str | None]:
        head = "\n".join(self.text.split("\n")[:8])
        patterns = [
            r"发布(?:时间|日期)[:：]\s*(\d{4})[-年./](\d{1,2})[-月./](\d{1,2})",
            r"(\d{4})-(\d{1,2})-(\d{1,2})",
            r"(\d{4})年(\d{1,2})月(\d{1,2})日",
        ]
        for pattern in patterns:
            match = re.search(pattern, head)
            if match:
                try:
                    return dt.date(*(int(g) for g in match.groups())), None
                except ValueError:
                    continue
        match = re.search(r"(\d{4})-(\d{2})-(\d{2})", self.report_id)
        if match:
            return dt.date(*(int(g) for g in match.groups())), "check: the date is read from the report id"
        return dt.date.today(), "check: no date found in the text; today's date"

    def source_name(self) -> Mention | None:
        match = re.search(r"来源[:：]\s*([^\s　]+)", self.text)
        if not match:
            return None
        name = re.sub(r"(?:官方网站|官网|网站|网)$", "", match.group(1))
        return Mention(match.start(1), match.start(1) + len(name), name) if name else None

    # -- places and regions --------------------------------------------------------------------

    def find_places(self, publisher: Mention | None, title: Mention) -> None:
        """Province, city and county names of the report: for 省农业农村厅 -> 山西省农业农村厅."""
        self.places: dict[str, str] = {}  # level char -> full name (山西省)
        self.place_names: set[str] = set()  # every place prefix an agency name may start with
        region_names = self.vocab.labels.get("region", {})
        for names in region_names.values():
            for name in names:
                if len(name) >= 3 and name[-1] in LEVELS:
                    self.place_names.update({name, name[:-1]})
        head = " ".join(m.text for m in (publisher, title) if m)
        for match in re.finditer(
            rf"([{CJK_RANGE}]{{2}})([省市县])(?=人民政府|委|政府|人大|政协|[^{CJK_RANGE}]|$)", head
        ):
            if not set(match.group(1)) & set("年月日的在和与及"):
                self.place_names.update({match.group(0), match.group(1)})
        for name in sorted(self.place_names, key=len, reverse=True):
            if name[-1] in LEVELS and name in self.text:
                level = name[-1]
                # the report's own province/city/county: the one in its publisher or title, else the most mentioned
                score = (name in head, self.text.count(name[:-1]))
                best = self.places.get(level)
                if best is None or score > (best in head, self.text.count(best[:-1])):
                    self.places[level] = name

    def region_of_name(self, name: str) -> str | None:
        for slug, names in self.vocab.labels.get("region", {}).items():
            for label in names:
                if len(label) >= 2 and (name == label or (label[-1] in LEVELS and name == label[:-1])):
                    return slug
        return None

    def default_region(self) -> str:
        for level in "县市省":
            place = self.places.get(level)
            if place and self.region_of_name(place):
                return str(self.region_of_name(place))
        counts = {slug: len(self.source.occurrences(m.text)) for slug, m in self.regions.items()}
        if counts:
            return max(counts, key=lambda s: counts[s])
        return "china" if self.vocab.has("region", "china") else sorted(self.vocab.ids.get("region", {"china"}))[0]

    def region_words(self) -> list[tuple[str, str]]:
        """(word, region id) pairs to look for in the text, longest first."""
        words: dict[str, str] = {}
        self.alt_region_words: set[str] = set()
        for slug, names in self.vocab.labels.get("region", {}).items():
            for index, name in enumerate(names):
                if len(name) >= 2:
                    words.setdefault(name, slug)
                    if index > 0:
                        self.alt_region_words.add(name)
                    if name[-1] in LEVELS and len(name) >= 3:
                        words.setdefault(name[:-1], slug)
                    # 山西脱贫地区 -> 脱贫地区 when the text is about 山西
                    for place in self.place_names:
                        if len(place) >= 2 and name.startswith(place) and len(name) - len(place) >= 3:
                            words.setdefault(name[len(place) :], slug)
        for level, word_level in (("省", "省"), ("市", "市"), ("县", "县")):
            place = self.places.get(level)
            slug = self.region_of_name(place) if place else None
            if slug:
                for prefix in ("全", "我", "本"):
                    words.setdefault(prefix + word_level, slug)
        if self.vocab.has("region", "china"):
            words.setdefault("全国", "china")
        return sorted(words.items(), key=lambda kv: len(kv[0]), reverse=True)

    def find_regions(self) -> None:
        self.region_mentions: list[tuple[int, int, str]] = []
        self.region_word_list = self.region_words()
        taken: list[tuple[int, int]] = []
        for word, slug in self.region_word_list:
            for start in self.source.occurrences(word):
                end = start + len(word)
                if any(s < end and start < e for s, e in taken):
                    continue
                taken.append((start, end))
                self.region_mentions.append((start, end, slug))
        self.region_mentions.sort()
        # quote a region by its name rather than an alias (全省 rather than 三晋)
        for start, end, slug in sorted(
            self.region_mentions, key=lambda m: (self.text[m[0] : m[1]] in self.alt_region_words, m[0])
        ):
            self.regions.setdefault(slug, Mention(start, end, self.text[start:end]))

    # -- agencies ------------------------------------------------------------------------------

    def _agency_end(self, body_start: int) -> int | None:
        best = None
        limit = min(len(self.text), body_start + 14)
        position = body_start
        while position < limit:
            ch = self.text[position]
            # 平遥县第十八届人民代表大会: a session number inside the name
            session = re.match(rf"第[{CHINESE_DIGITS}]+届", self.text[position : position + 8])
            if session and self.text.startswith("人民代表大会", position + session.end()):
                position += session.end()
                limit += session.end()
                continue
            if not is_cjk(ch) or ch in CHINESE_DIGITS:
                break
            if position > body_start and any(self.text.startswith(w, position) for w in AGENCY_BREAKS):
                break
            if ch == "和" and position > body_start and self._starts_agency(position + 1):
                break
            for suffix in AGENCY_SUFFIXES:
                if self.text.startswith(suffix, position):
                    end = position + len(suffix)
                    if end < len(self.text) and self.text[end] in NOT_AFTER_SUFFIX:
                        continue
                    if len(suffix) == 1 and self.text[max(body_start, end - 2) : end] in NOT_AGENCY_ENDINGS:
                        continue
                    best = end
                    break
            position += 1
        return best

    def _starts_agency(self, position: int) -> bool:
        rest = self.text[position : position + 8]
        return (
            rest[:1] in LEVELS or rest.startswith(("中共", "国家")) or any(rest.startswith(p) for p in self.place_names)
        )

    def _agency_starts(self) -> Iterator[tuple[int, int]]:
        """(start, body start) of every place where an agency name may begin."""
        text = self.text
        for position in range(len(text)):
            if text.startswith(("中共", "国家"), position):
                if not text.startswith("国家级", position):
                    yield position, position + 2
                continue
            place = next(
                (p for p in sorted(self.place_names, key=len, reverse=True) if text.startswith(p, position)), None
            )
            if place:
                yield position, position + len(place)
                continue
            if text[position] in LEVELS and (position == 0 or text[position - 1] not in NOT_BEFORE_LEVEL):
                yield position, position + 1

    def find_agencies(self) -> None:
        found: list[Mention] = []
        for name in CENTRAL_AGENCIES:
            found += [Mention(s, s + len(name), name) for s in self.source.occurrences(name)]
        covered_until = -1
        for start, body_start in self._agency_starts():
            if start < covered_until or any(m.start <= start < m.end for m in found):
                continue
            end = self._agency_end(body_start)
            if end is None:
                continue
            name = self.text[start:end]
            short_ok = len(name) >= 2 and name[0] in LEVELS and name[1:] in ("委", "政府")
            if len(name) < 3 and not short_ok:
                continue
            if name.startswith(("中共", "国家")) and end - body_start < 2:
                continue
            found.append(Mention(start, end, name))
            covered_until = end
        for mention in sorted(found, key=lambda m: m.start):
            entity = self.agency(mention)
            self.agency_mentions.append((mention, entity))

    def expand(self, name: str) -> str:
        """省农业农村厅 -> 山西省农业农村厅, 省委 -> 中共山西省委 when the report's province is known."""
        if name and name[0] in LEVELS and name[0] in self.places:
            name = self.places[name[0]] + name[1:]
        for place in sorted(self.place_names, key=len, reverse=True):
            if name.startswith(place) and place[-1] in LEVELS:
                rest = name[len(place) :]
                if rest.startswith("委"):
                    return "中共" + name
                if rest == "政府":
                    return place + "人民政府"
                break
        return name

    def known_match(self, section: str, name: str, full: str) -> KnownEntity | None:
        found = self.known.find(section, full)
        if found or full == name:
            return found
        found = self.known.find(section, name)
        if found is None:
            return None
        # an abbreviation (省委) is only the known one if that one is of this report's place
        place = self.places.get(name[0], "")
        stem = place[:-1] if place else ""
        if not stem or any(stem in label for label in found.labels()):
            return found
        return None

    def add_entity(
        self, section: str, label: str, mention: Mention, known: KnownEntity | None, alias: bool = True, **fields: Any
    ) -> Entity:
        """The entity with this label (or known id) in the draft, created or extended with ``mention``
        (whose words become an alias unless ``alias`` is false: 习近平总书记 implies 中共中央)."""
        for entity in self.entities[section]:
            if (known and entity.known and entity.known.id == known.id) or entity.label == label or label in entity.alt:
                if alias and mention.text != entity.label and mention.text not in entity.alt and not entity.known:
                    entity.alt.append(mention.text)
                if len(mention.text) > len(entity.mention.text) and section == "agencies":
                    entity.mention = mention
                return entity
        entity = Entity(section, label, mention, dict(fields), known=known)
        if alias and not known and mention.text != label:
            entity.alt.append(mention.text)
        self.entities[section].append(entity)
        return entity

    def agency(self, mention: Mention) -> Entity:
        name = mention.text
        full = re.sub(rf"第[{CHINESE_DIGITS}]+届", "", self.expand(name))  # the congress, not its session
        known = self.known_match("agencies", name, full)
        kind = self.agency_kind(full)
        return self.add_entity("agencies", full, mention, known, kind=kind)

    def agency_kind(self, name: str) -> str:
        stripped = name
        for place in sorted(self.place_names, key=len, reverse=True):
            if stripped.startswith(place):
                stripped = stripped[len(place) :]
                break
        if name.startswith(("中共", "中国共产党", "党中央")) or re.match(r"^[省市县]?委", stripped):
            kind = "party"
        elif name.endswith(("农高区", "高新区", "开发区")):
            kind = "zone"
        elif name.endswith(("红会", "红十字会", "协会", "学会", "商会", "联合会")):
            kind = "society"
        else:
            kind = "government"
        return self.vocab.pick("agency-kind", kind, "government") or kind

    def agency_at(self, end: int) -> tuple[Mention, Entity] | None:
        return next(((m, e) for m, e in self.agency_mentions if m.end == end), None)

    def agency_parents(self) -> None:
        """parent: the agency whose name begins this one's (省财政厅 of 省财政厅农业农村处), else the
        government (or party committee) of its place (山西省人民政府 of 山西省农业农村厅)."""
        agencies = self.entities["agencies"]
        for entity in agencies:
            if entity.known or "parent" in entity.fields:
                continue
            label = entity.label
            parents = [
                a for a in agencies if a is not entity and len(a.label) < len(label) and label.startswith(a.label)
            ]
            if parents:
                entity.fields["parent"] = max(parents, key=lambda a: len(a.label))
                continue
            place = next((p for p in sorted(self.place_names, key=len, reverse=True) if label.startswith(p)), "")
            if not place or label in (place + "人民政府", place + "政府", place + "委", "中共" + place + "委"):
                continue
            if "政协" in label or "人大" in label:
                continue
            if entity.fields.get("kind") == "party":
                candidates = ("中共" + place + "委", place + "委")
            else:
                candidates = (place + "人民政府", place + "政府")
            parent = next((a for a in agencies if a.label in candidates or set(a.alt) & set(candidates)), None)
            if parent and parent is not entity:
                entity.fields["parent"] = parent

    # -- officials -----------------------------------------------------------------------------

    def _name_after(self, position: int) -> str | None:
        text = self.text
        if position < len(text) and text[position] in " \u3000":
            position += 1
        for size in (2, 3):
            name = text[position : position + size]
            if len(name) < size or not all(is_cjk(c) and c not in CHINESE_DIGITS for c in name):
                continue
            if name[0] not in SURNAMES or any(w in name for w in ("书记", "主任", "局长", "厅长")):
                continue
            after = text[position + size : position + size + 3]
            if not after or after[0] in CLAUSE_DELIMITERS or after[0] in " \u3000" or after.startswith(SPEECH_VERBS):
                return name
        return None

    def _name_before(self, position: int) -> str | None:
        for name in self.known.by_label.get("officials", {}):
            if position >= len(name) and self.text[position - len(name) : position] == name:
                return name
        for size in (3, 2):
            name = self.text[position - size : position]
            if len(name) == size and name[0] in SURNAMES and all(is_cjk(c) for c in name):
                return name
        return None

    def role_id(self, role: str) -> tuple[str, str | None]:
        """The roles.ttl id of a title, and a comment when it is an approximation."""
        labels = self.vocab.labels.get("role", {})
        for slug, names in labels.items():
            for name in names:
                if role in re.split(r"[、,，/]", name):
                    return slug, None
        if role.startswith("副") or role in ("党组成员", "总农艺师", "总经济师"):
            return self.vocab.pick(
                "role", "official"
            ) or "official", f"check: {role} has no role of its own in roles.ttl"
        if role == "总书记":
            return self.vocab.pick("role", "general-secretary", "official") or "official", None
        if role.endswith("书记"):
            return self.vocab.pick("role", "party-secretary", "official") or "official", None
        if role.endswith("主任"):
            return self.vocab.pick("role", "director", "official") or "official", None
        if role.endswith("长"):
            return self.vocab.pick("role", "head", "official") or "official", None
        return self.vocab.pick("role", "official") or "official", f"check: {role} has no role of its own in roles.ttl"

    def _role_ending(self, end: int) -> str | None:
        return next((r for r in ROLE_WORDS if end >= len(r) and self.text[end - len(r) : end] == r), None)

    def find_officials(self) -> None:
        text = self.text
        taken: list[tuple[int, int]] = []
        position = 0
        while position < len(text):
            role = next((r for r in ROLE_WORDS if text.startswith(r, position)), None)
            if role is None:
                position += 1
                continue
            role_end = position + len(role)
            name = self._name_after(role_end)
            if role == "总书记" and self.agency_at(position) is None:
                name_before = self._name_before(position)
                if name_before:
                    self.official_with_chain(
                        name_before, position - len(name_before), [(None, role, position, role_end)]
                    )
                position = role_end
                continue
            if name is None:
                position = role_end
                continue
            chain = self._chain(position, role)
            name_start = role_end + (1 if text[role_end] in " \u3000" else 0)
            official = self.official_with_chain(name, name_start, chain)
            taken.append((name_start, name_start + len(name)))
            if text.startswith(SAYING, name_start + len(name)):
                self.speakers.append((chain[0][2], name_start + len(name), official))
            position = role_end
        # later mentions: 张玉宏表示, 张玉宏说, “…”张玉宏这样说
        for official in self.entities["officials"]:
            for start in self.source.occurrences(official.label):
                end = start + len(official.label)
                if text.startswith(SAYING, end) and not any(s <= start < e for s, e in taken):
                    self.speakers.append((start, end, official))

    def _chain(self, role_start: int, role: str) -> list[tuple[Mention | None, str, int, int]]:
        """[(agency mention or None, role, role start, role end)] of 省委农办主任、省农业农村厅党组书记、厅长."""
        chain: list[tuple[Mention | None, str, int, int]] = []
        start, current = role_start, role
        while True:
            agency = self.agency_at(start)
            chain.insert(0, (agency[0] if agency else None, current, start, start + len(current)))
            left = agency[0].start if agency else start
            if left == 0 or self.text[left - 1] != "、":
                break
            previous = self._role_ending(left - 1)
            if previous is None:
                break
            start, current = left - 1 - len(previous), previous
        return chain

    def official_with_chain(
        self, name: str, name_start: int, chain: list[tuple[Mention | None, str, int, int]]
    ) -> Entity:
        known = self.known.find("officials", name)
        official = self.add_entity("officials", name, Mention(name_start, name_start + len(name), name), known)
        current_agency: Mention | None = None
        for index, (agency_mention, role, role_start, role_end) in enumerate(chain):
            if agency_mention is not None:
                current_agency = agency_mention
            agency = self.post_agency(current_agency, role, official, name_start)
            if agency is None:
                continue
            if agency_mention is not None:
                quote = Mention(agency_mention.start, role_end, self.text[agency_mention.start : role_end])
            elif index == len(chain) - 1 and name_start < role_start:
                quote = Mention(name_start, role_end, self.text[name_start:role_end])
            elif index == len(chain) - 1:
                quote = Mention(role_start, name_start + len(name), self.text[role_start : name_start + len(name)])
            else:
                quote = Mention(role_start, role_end, role)
            written = (current_agency.text if current_agency else agency.label) + role
            if role == "总书记" and current_agency is None:
                written = agency.label + role
            role_slug, comment = self.role_id(role)
            known_post = self.known.find("posts", written, self.expand(written))
            if any(p.label == written for p in official.posts):
                continue
            post = Entity("posts", written, quote, {"role": role_slug, "agency": agency}, known=known_post)
            if comment:
                post.comments["role"] = comment
            official.posts.append(post)
        return official

    def post_agency(self, mention: Mention | None, role: str, official: Entity, at: int) -> Entity | None:
        if mention is not None:
            return next(e for m, e in self.agency_mentions if m is mention)
        if role == "总书记":
            # 习近平总书记: the General Secretary of the CPC Central Committee, implied
            quote = Mention(at, at + len(official.label) + len(role), official.label + role)
            known = self.known.find("agencies", "中共中央")
            return self.add_entity(
                "agencies", "中共中央", quote, known, alias=False, kind=self.vocab.pick("agency-kind", "party")
            )
        level = {"省长": "省", "市长": "市", "县长": "县", "副省长": "省", "副市长": "市", "副县长": "县"}.get(role)
        if level:
            for entity in self.entities["agencies"]:
                if entity.label in (self.places.get(level, "?") + "人民政府", level + "人民政府"):
                    return entity
        return None

    # -- documents and programs ---------------------------------------------------------------------

    def document_type(self, title: str) -> str:
        rules = [
            (("实施意见",), "implementation-opinions"),
            (("实施方案", "行动方案", "工作方案", "方案"), "implementation-plan"),
            (("一号文件",), "central-document"),
            (("规划体系", "规划", "纲要", "计划"), "plan"),
            (("标准",), "standard"),
        ]
        stripped = re.sub(r"[(（][^)）]*[)）]$", "", title)
        for endings, slug in rules:
            if stripped.endswith(endings) and self.vocab.has("document-type", slug):
                return slug
        return self.vocab.pick("document-type", "policy-document") or "policy-document"

    def find_documents(self) -> None:
        text = self.text
        aliases: dict[str, str] = {}
        for match in re.finditer(r"《([^《》\n]+)》[(（]以下简称《([^《》\n]+)》[)）]", text):
            aliases[match.group(2)] = match.group(1)
        for start, end, kind in self.protected:
            if kind != "title":
                continue
            title = text[start + 1 : end - 1]
            if title in aliases:
                continue
            mention = Mention(start, end, text[start:end])
            known = self.known.find("documents", title)
            entity = self.add_entity("documents", title, mention, known, type=self.document_type(title))
            if entity.mention is not mention:
                continue
            if mention.text != "《" + title + "》":
                entity.alt = [a for a in entity.alt if a != mention.text]
            entity.alt = [a for a in entity.alt if a != mention.text]
            for alias, full in aliases.items():
                if full == title and alias not in entity.alt:
                    entity.alt.append(alias)
            issuer = next((e for m, e in self.agency_mentions if m.start == start + 1), None)
            if issuer:
                entity.fields["issuer"] = issuer
        # 中央一号文件
        for match in re.finditer(rf"中央[{CHINESE_DIGITS}\d]+号文件", text):
            if self.inside(match.start(), match.end()):
                continue
            mention = Mention(match.start(), match.end(), match.group())
            entity = self.add_entity(
                "documents", match.group(), mention, self.known.find("documents", match.group()),
                type=self.document_type(match.group()),
            )  # fmt: skip
            issuer = next((e for e in self.entities["agencies"] if e.label in ("中共中央", "党中央")), None)
            if issuer and "issuer" not in entity.fields:
                entity.fields["issuer"] = issuer
        # counted groups: 等16个重要政策文件, 38项贯彻落实意见或实施方案
        doc_noun = rf"[{CJK_RANGE}]{{0,10}}?(?:政策文件|文件|意见|方案|规划|办法|标准|条例)"
        for match in re.finditer(rf"(等)?(\d+)(个|项|份|件)({doc_noun})(?![{CJK_RANGE}])", text):
            noun = match.group(4)
            label = f"{noun}({match.group(2)}{match.group(3)})"
            mention = Mention(match.start(), match.end(), match.group())
            group = self.add_entity("documents", label, mention, self.known.find("documents", label), alias=False,
                                    type=self.vocab.pick("document-type", "policy-document"))  # fmt: skip
            if match.group(1):  # the documents named just before 等 are part of the group
                position = match.start()
                while position > 0 and text[position - 1] == "》":
                    span = next((s for s in self.protected if s[1] == position and s[2] == "title"), None)
                    if span is None:
                        break
                    member = next((d for d in self.entities["documents"] if d.mention.start == span[0]), None)
                    if member and member is not group:
                        member.fields["part_of"] = group
                    position = span[0]
        # 纳入年度实施计划, 发布地方标准, 制定“1 1 18”农业农村现代化规划体系
        verbs = "纳入|制定|印发|出台|发布|编制|修订|出台了"
        for match in re.finditer(
            rf"(?:{verbs})[{CJK_RANGE}]{{0,2}}?((?:“[^“”\n]{{1,20}}”)?[{CJK_RANGE}]{{0,10}}?(?:实施计划|规划体系|标准))",
            text,
        ):
            start = match.start(1)
            label = match.group(1)
            if not label or self.inside(start, match.end(1), "title") or label[0] in CHINESE_DIGITS:
                continue
            if label.startswith("全省") or label.startswith("全县"):
                start += 2
                label = label[2:]
            mention = Mention(start, start + len(label), label)
            self.add_entity("documents", label, mention, self.known.find("documents", label), alias=False,
                            type=self.document_type(label))  # fmt: skip

    def program_kind(self, name: str, following: str = "") -> str:
        rules = [
            (("品牌",), "brand"),
            (("专项行动", "行动", "革命", "攻坚", "活动", "攻坚年", "计划"), "campaign"),
            (("工程",), "engineering-program"),
            (("机制", "体制", "体系"), "mechanism"),
            (("产业集群", "集群", "产业"), "industry-cluster"),
            (("示范县", "示范村", "示范区", "示范基地", "示范", "强镇"), "demonstration"),
            (("项目",), "project-family"),
            (("平台", "基地", "园区", "产业园", "中心", "实验室", "工作站"), "facility"),
        ]
        name = name.strip("“”")
        for endings, slug in rules:
            if (name.endswith(endings) or following.startswith(endings)) and self.vocab.has("program-kind", slug):
                return slug
        return self.vocab.pick("program-kind", "policy-principle") or "policy-principle"

    def members(self, group: Entity, end: int) -> None:
        """The named members listed just before a group (农村道路通畅、供水保障…五大工程): programs
        whose parent is the group."""
        text = self.text
        if text[end - 1 : end] == "等":
            end -= 1
        start, _ = self.bounds(end - 1, CLAUSE_DELIMITERS - {"、"}) if end > 0 else (0, 0)
        items = re.split("[、和及与]", text[start:end])
        if len(items) < 2:
            return
        position = start
        verbs = r"^(?:重点|协调|统筹|全力|持续|加快|大力|积极)?(?:实施|推动|推进|开展|建设|抓好|打造|发展)"
        for item in items:
            item_start = position
            position += len(item) + 1
            verb = re.match(verbs, item)
            if verb and len(item) - verb.end() >= 2:
                item, item_start = item[verb.end() :], item_start + verb.end()
            if not 2 <= len(item) <= 12 or not all(is_cjk(c) for c in item) or any(c in CHINESE_DIGITS for c in item):
                continue
            mention = Mention(item_start, item_start + len(item), item)
            member = self.add_entity(
                "programs", item, mention, self.known.find("programs", item), kind=group.fields.get("kind")
            )
            if member is not group and not member.known:
                member.fields.setdefault("parent", group)

    def find_programs(self) -> None:
        text = self.text
        document_spans = [(d.mention.start, d.mention.end) for d in self.entities["documents"]]
        for start, end, kind in self.protected:
            if kind != "quote" or any(s <= start < e for s, e in document_spans):
                continue
            name = text[start:end]
            following = text[end : end + 8]
            doc_following = re.match(
                rf"[^\\W\\d的_]{{0,10}}?(?:规划体系|规划|实施方案|方案|意见)(?![{CJK_RANGE}])", following
            )
            if doc_following:
                label = name + doc_following.group()
                mention = Mention(start, end + len(doc_following.group()), label)
                self.add_entity("documents", label, mention, self.known.find("documents", label),
                                type=self.document_type(label))  # fmt: skip
                continue
            # “晋”字号农产品品牌, “六乱”整治百日攻坚专项行动: the name goes on to its noun
            extended = re.match(rf"[{CJK_RANGE}]{{0,12}}?(?:品牌|专项行动|行动|活动|工程)", following)
            if extended and (len(name) <= 4 or text[end : end + 1] not in "的"):
                label = name + extended.group()
                mention = Mention(start, end + len(extended.group()), label)
            else:
                label, mention = name, Mention(start, end, name)
            known = self.known.find("programs", label, name, name.strip("“”"))
            self.add_entity("programs", label, mention, known, kind=self.program_kind(label, following))
        # 五大工程, 十大产业集群 (the count is a fact as well)
        suffix = r"(?:工程|行动|产业集群|集群|任务|专项|计划|产业)"
        for match in re.finditer(rf"(?<!第)([三四五六七八九十]{{1,2}})大([{CJK_RANGE}]{{0,8}}?{suffix})", text):
            if self.inside(match.start(), match.end()):
                continue
            label = match.group()
            mention = Mention(match.start(), match.end(), label)
            group = self.add_entity(
                "programs", label, mention, self.known.find("programs", label), kind=self.program_kind(label)
            )
            self.members(group, match.start())
        # 健全…机制, 实施乡村建设行动, 叫响…品牌, 创建4个乡村振兴示范县
        verbs = "实施|开展|推进|推动|启动|创建|打造|健全|完善|落实|建立|构建|强化|叫响|建设"
        nouns = r"专项行动|行动|工程|计划|机制|品牌|平台|示范县|示范村|示范区|示范基地|产业园|强镇"
        pattern = rf"(?:{verbs})(?:\d+(?:个|家|项))?([{CJK_RANGE}]{{2,20}}?(?:{nouns}))(?![{CJK_RANGE}]*?(?:{nouns}))"
        for match in re.finditer(pattern, text):
            label = match.group(1)
            start = match.start(1)
            while (verb := re.match(verbs, label)) and len(label) - verb.end() >= 4:
                label, start = label[verb.end() :], start + verb.end()
            if self.inside(start, match.end(1)) or any(c in CHINESE_DIGITS for c in label[:2]):
                continue
            if any(e.label == label for e in self.entities["programs"]):
                continue
            mention = Mention(start, start + len(label), label)
            self.add_entity(
                "programs", label, mention, self.known.find("programs", label), kind=self.program_kind(label)
            )

    # -- quantities -----------------------------------------------------------------------------

    def unit_after(self, position: int) -> tuple[str, str] | None:
        """(symbol, unit id) of the unit symbol written at ``position``."""
        for symbol in sorted(self.vocab.symbol_unit, key=len, reverse=True):
            if symbol != PERCENT_PREFIX and self.text.startswith(symbol, position):
                return symbol, self.vocab.symbol_unit[symbol]
        return None

    def noun_unit(self, position: int) -> tuple[str, str | None]:
        """Unit of a number written without one (7.6万脱贫户, 159万脱贫劳动力), and a comment."""
        counter = next((c for c in OTHER_COUNTERS if self.text.startswith(c, position)), None)
        if counter:
            return self.vocab.pick("unit", "count") or "count", f"check: unit {counter} is not in units.ttl"
        noun = self.noun_after(position)
        if "户" in noun[:6] and self.vocab.has("unit", "household"):
            return "household", None
        if any(p in noun[:8] for p in PERSON_NOUNS) and self.vocab.has("unit", "person"):
            return "person", None
        return self.vocab.pick("unit", "count") or "count", "check: no unit written; count assumed"

    def noun_after(self, position: int) -> str:
        end = position
        while end < len(self.text) and is_cjk(self.text[end]) and end - position < 14:
            stop = next((w for w in NOUN_STOPS if self.text.startswith(w, end)), None)
            if stop and end > position and not (stop == "实施" and self.text[end - 1] in "或和及与"):
                break
            end += 1
        return self.text[position:end]

    def find_quantities(self) -> tuple[list[Quantity], dict[tuple[int, int], str]]:
        """Every quantity drafted as a fact, and the reason each other numeral is not one."""
        text = self.text
        numerals = scan_numerals(text)
        quantities: list[Quantity] = []
        skipped: dict[tuple[int, int], str] = {}
        consumed: set[int] = set()
        for index, (start, end, numeral) in enumerate(numerals):
            if index in consumed:
                continue
            # 百分之十五: the scan sees 百 and 十五
            if numeral == "百" and text.startswith("分之", end) and index + 1 < len(numerals):
                nxt = numerals[index + 1]
                if nxt[0] == end + 2 and not nxt[2][0].isdigit():
                    consumed.add(index + 1)
                    reason = self.skip_reason(start, nxt[1], nxt[2])
                    if reason:
                        skipped[(start, end)] = skipped[(nxt[0], nxt[1])] = reason
                        continue
                    try:
                        value = read_numeral(nxt[2])
                    except AmountError:
                        skipped[(start, end)] = skipped[(nxt[0], nxt[1])] = "not a number"
                        continue
                    quantities.append(
                        Quantity(start, nxt[1], value, "percent", [(start, end), (nxt[0], nxt[1])], nxt[1])
                    )
                    continue
            quantity = self.quantity(start, end, numeral)
            if isinstance(quantity, Quantity):
                quantities.append(quantity)
            else:
                skipped[(start, end)] = quantity
        for quantity in quantities:
            self.qualify(quantity)
        return quantities, skipped

    def skip_reason(self, start: int, end: int, numeral: str) -> str | None:
        text = self.text
        span = self.inside(start, end)
        if span:
            inner = text[span[0] + 1 : span[1] - 1]
            if span[2] == "title":
                return f"part of the title of 《{inner}》 (a document)"
            return f"part of the name “{inner}” (a program or slogan)"
        for match in DATE.finditer(text, max(0, start - 12), min(len(text), end + 12)):
            if match.start() <= start and end <= match.end():
                return "a date, not a quantity"
        for match in YEAR.finditer(text, max(0, start - 6), min(len(text), end + 2)):
            if match.start() <= start and end <= match.end():
                return "a calendar year; recorded as the period of the facts it dates"
        if start > 0 and text[start - 1] == "第":
            return "an ordinal (第…)"
        if text.startswith("届", end) or (start > 0 and text[start - 1] == "届"):
            return "the number of a session (届/次), not a quantity"
        if numeral == "百" and text.startswith("分点", end):
            return "“percentage point”, the unit of a change"
        if not numeral[0].isdigit():
            if numeral == "半" and text.startswith("年", end):
                return "half a year (上半年, 下半年), a time"
            if text.startswith("年", end):
                return "a span of years, not a separate quantity"
            if start > 0 and text[start - 1] in "（(" and text.startswith(("）", ")"), end):
                return "a list number"
            if text.startswith("、", end) and (start == 0 or text[start - 1] == "\n"):
                return "a list number"
        return None

    def quantity(self, start: int, end: int, numeral: str) -> Quantity | str:
        text = self.text
        reason = self.skip_reason(start, end, numeral)
        if reason:
            return reason
        arabic = numeral[0].isdigit()
        if numeral == "一半":
            return Quantity(start, end, Decimal(50), "percent", [(start, end)], end)
        try:
            value = read_numeral(numeral)
        except AmountError:
            return "not a number on its own (a word or a set phrase)"
        comments: dict[str, str] = {}
        approx = next((w for w in ("余", "多") if arabic and text.startswith(w, end)), None)
        after = end + (1 if approx else 0)
        counter = next((c for c in OTHER_COUNTERS if text.startswith(c, after)), None)
        if counter:
            return f"{COUNTER_REASON}{counter}: the unit is not in units.ttl yet (add it, then make this a fact)"
        # 七成, 三成以上: tenths (not 成立, 成果 …)
        if text.startswith("成", after) and 0 < value < 10:
            following = text[after + 1 : after + 3]
            if not is_cjk(following[:1] or "。") or following in ("以上", "左右"):
                return Quantity(start, after + 1, value * 10, "percent", [(start, end)], after + 1)
        if not arabic:
            if text.startswith("大", end) and value >= 3 and is_cjk(text[end + 1 : end + 2]):
                return Quantity(start, end, value, "count", [(start, end)], end)
            unit = self.unit_after(end)
            if unit is None or value == 1 or unit[1] == "year":
                return "not a quantity (a word or a set phrase with a numeral)"
            if numeral[-1] in "万亿千百" and len(numeral) == 1:
                return "not a quantity (a word or a set phrase with a numeral)"
            return Quantity(start, end + len(unit[0]), value, unit[1], [(start, end)], end + len(unit[0]))
        # Arabic numerals
        if text.startswith("个百分点", end):
            comments["unit"] = "check: percentage points"
            return Quantity(start, end, value, self.vocab.pick("unit", "percent") or "percent", [(start, end)],
                            end + 4, change=True, comments=comments)  # fmt: skip
        unit = self.unit_after(after)
        if unit is not None and not approx:
            if unit[1] == "year" and value >= 1900:
                return "a calendar year; recorded as the period of the facts it dates"
            return Quantity(start, after + len(unit[0]), value, unit[1], [(start, end)], after + len(unit[0]))
        slug, comment = (unit[1], None) if unit else self.noun_unit(after)
        if comment:
            comments["unit"] = comment
        quantity = Quantity(start, end, value, slug, [(start, end)], after + (len(unit[0]) if unit else 0))
        quantity.comments = comments
        if approx:
            quantity.qualifier, quantity.qualifier_start = "more-than", end
        return quantity

    def qualify(self, q: Quantity) -> None:
        text = self.text
        if q.qualifier is None:
            for word, slug in QUALIFIERS_AFTER:
                if word in ("多", "余"):
                    continue
                if text.startswith(word, q.span_end):
                    slug = "more-than-half" if text[q.start : q.end] == "一半" and word == "以上" else slug
                    q.qualifier, q.qualifier_start = slug, q.span_end
                    q.span_end += len(word)
                    break
        if q.qualifier is None:
            for word, slug in QUALIFIERS_BEFORE:
                if text[max(0, q.start - len(word)) : q.start] == word:
                    q.qualifier, q.qualifier_start = slug, q.start - len(word)
                    break
        if q.qualifier and not self.vocab.has("qualifier", q.qualifier):
            q.qualifier = None
        # 12065个项目全部开工
        clause_end = self.bounds(q.end, CLAUSE_DELIMITERS - {"(", ")", "（", "）"})[1]
        if (
            q.qualifier is None
            and "全部" in text[q.end : min(clause_end, q.end + 10)]
            and self.vocab.has("qualifier", "all")
        ):
            q.qualifier = "all"

    # -- facts ----------------------------------------------------------------------------------

    def vocabulary_periods(self) -> list[tuple[re.Pattern[str], str]]:
        """Markers of the non-year periods of periods.ttl by their Chinese labels: 五年间 (also 五年
        before a number: 五年三次), 过渡期. 累计 and 去年以来 are read by PERIOD_MARKERS."""
        markers = []
        for slug, names in self.vocab.labels.get("period", {}).items():
            if slug.isdigit() or slug in ("unspecified", "cumulative", "since-last-year"):
                continue
            for name in names:
                pattern = re.escape(name)
                if name.endswith("间"):
                    pattern += rf"|{re.escape(name[:-1])}(?=[{CHINESE_DIGITS}\d])"
                markers.append((re.compile(pattern), slug))
        return markers

    def period_markers(self, start: int, end: int, cumulative: bool = True) -> list[tuple[int, str, str]]:
        """(position, period id, cue) of the time expressions in text[start:end]."""
        found = []
        for pattern, slug in self.period_patterns:
            for match in pattern.finditer(self.text, start, min(len(self.text), end + 1)):
                if match.end() <= end and not self.inside(match.start(), match.end()):
                    found.append((match.start(), slug, match.group()))
        for match in PERIOD_MARKERS.finditer(self.text, start, end):
            if self.inside(match.start(), match.end()):
                continue
            kind = match.lastgroup or ""
            cue = match.group()
            if kind == "since":
                period = "since-last-year"
            elif kind == "last":
                period = str(self.year - 1)
            elif kind in ("this", "progress"):
                period = str(self.year)
            elif kind == "next":
                period = str(self.year + 1)
            elif kind == "cumulative":
                if not cumulative:
                    continue
                period = "cumulative"
            else:
                period = match.group("year")
            found.append((match.start(), period, cue))
        return sorted(found)

    def headers(self) -> list[tuple[int, int]]:
        """Short lines without a full stop after the title: section headings (一、2022年工作回顾)."""
        spans, offset = [], 0
        for number, line in enumerate(self.text.split("\n")):
            stripped = line.strip()
            if number > 0 and stripped and "。" not in stripped and len(stripped) <= 30 and offset > self.title_end:
                spans.append((offset, offset + len(line)))
            offset += len(line) + 1
        return spans

    def period_of(self, q: Quantity) -> tuple[str, str]:
        sentence_start, _ = self.sentence(q.start)
        markers = self.period_markers(sentence_start, q.start)
        clause_start, _ = self.bounds(q.start, CLAUSE_DELIMITERS - {"、"})
        continues = self.text.startswith(CONTINUATIONS, clause_start)
        markers = [m for m in markers if m[1] != "cumulative" or m[0] >= clause_start or continues]
        if markers:
            _, period, cue = markers[-1]
        else:
            paragraph_start, _ = self.paragraph(q.start)
            markers = self.period_markers(paragraph_start, sentence_start, cumulative=False)
            if markers:
                _, period, cue = markers[-1]
            else:
                markers = []
                for heading in reversed([h for h in self.header_spans if h[1] <= q.start]):
                    markers = [m for m in self.period_markers(*heading, cumulative=False) if m[1] != "since-last-year"]
                    if markers:
                        break
                if not markers:
                    return "unspecified", ""
                _, period, cue = markers[-1]
        if not self.vocab.has("period", period):
            return "unspecified", f"check: {cue} is not a period of periods.ttl"
        return period, cue

    def fact_type(self, q: Quantity, period: str, cue: str = "") -> tuple[str, str | None, str]:
        """(type, compared_with, cue)."""
        text = self.text
        clause_start, _ = self.bounds(q.start, CLAUSE_DELIMITERS)
        before = text[
            clause_start : q.qualifier_start
            if q.qualifier_start is not None and q.qualifier_start < q.start
            else q.start
        ]
        sentence_start, _ = self.sentence(q.start)
        sentence_before = text[sentence_start : q.start]
        compared = None
        base = re.search(r"比(?:(\d{4})年|上年|去年|上一年)|同比", before)
        if base:
            compared = base.group(1) or (str(int(period) - 1) if period.isdigit() else None)
        change = (
            q.change
            or before.endswith(CHANGE_WORDS)
            or bool(re.search(r"比(?:\d{4}年|上年|去年|上一年)[多少增减]", before))
        )
        if change and compared is None and period.isdigit():
            compared = str(int(period) - 1)
        if compared and not self.vocab.has("period", compared):
            compared = None
        # the report's year is planned (今年将…), unless the text reports progress in it (上半年, 已完成)
        progress = bool(PROGRESS.search(cue)) or "已" in text[clause_start : q.start]
        future = period.isdigit() and (int(period) > self.year or (int(period) == self.year and not progress))
        past = period.isdigit() and int(period) < self.year
        if future or (not past and not progress and TARGET_WORDS.search(sentence_before)):
            return "target", compared if change else None, "future"
        if q.unit == "percent" and (any(w in before for w in SHARE_WORDS) or text[q.start : q.end] == "一半"):
            return "share", None, "占"
        if change:
            return "change", compared, "增长"
        return "actual", None, ""

    def region_of(self, q: Quantity) -> str:
        sentence_start, _ = self.sentence(q.start)
        clause_start, _ = self.bounds(q.start, CLAUSE_DELIMITERS)
        best = None
        for start, end, slug in self.region_mentions:
            if sentence_start <= start and end <= q.start:
                words_before = self.text[max(sentence_start, start - 3) : start]
                if re.search(r"(高于|低于|比|超过|于)$", words_before):
                    continue
                # a region in an earlier clause counts only as the subject of the sentence
                if start >= clause_start or start - sentence_start <= 6:
                    best = slug
        return best or self.default_region_id

    def indicator_label(self, q: Quantity, own_clause_only: bool = False) -> tuple[str, int] | None:
        """The words naming what is counted, and where they are."""
        text = self.text
        clause_start, clause_end = self.bounds(q.start, CLAUSE_DELIMITERS)
        # 五大工程, 十大产业集群: the name counts
        if text.startswith("大", q.end) and not text[q.start].isdigit():
            match = re.match(rf"大[{CJK_RANGE}]{{0,10}}?(?:工程|行动|产业集群|集群|任务|专项|计划|产业)", text[q.end :])
            if match:
                return text[q.start : q.end + match.end()], q.start
        # amount + noun: 16个重要政策文件, 7.6万脱贫户, 117个县 (not 1286.87亿元 or 8.1%)
        if q.unit not in ("yuan", "percent") and q.span_end < clause_end and is_cjk(text[q.span_end]):
            noun = self.noun_after(q.span_end)
            if noun:
                return noun, q.span_end
        # noun + amount in the amount's clause: 入库项目261个, 去年一年培育链主骨干企业164家
        start = q.qualifier_start if q.qualifier_start is not None and q.qualifier_start < q.start else q.start
        label, where = self.clean_subject(clause_start, start, own_clause=True)
        if label or own_clause_only:
            return (label, where) if label else None
        # the subject of an earlier clause: 全省第一产业增加值实现历史性突破,完成1286.87亿元
        sentence_start, _ = self.sentence(q.start)
        position = clause_start
        while position > sentence_start:
            previous_start, _ = self.bounds(position - 1, CLAUSE_DELIMITERS)
            segment = text[previous_start : position - 1]
            if any(c.isdigit() for c in segment) and not re.fullmatch(r"(?:19|20)\d{2}年", segment):
                break
            label, where = self.clean_subject(previous_start, position - 1, own_clause=False)
            if label:
                return label, where
            position = previous_start
        return None

    def clean_subject(self, start: int, end: int, own_clause: bool) -> tuple[str, int]:
        text = self.text
        noise = (*LEADING_NOISE, *(w for w, _ in self.region_word_list))
        changed = True
        while changed and start < end:
            changed = False
            marker = PERIOD_MARKERS.match(text, start, end)
            if marker and marker.end() > start:
                start, changed = marker.end(), True
                continue
            for word in noise:
                if text.startswith(word, start) and start + len(word) <= end:
                    start, changed = start + len(word), True
                    break
            match = re.match(r"在|对|将|要|由|从|比(?:\d{4}年|上年|去年)|同比", text[start:end])
            if match and match.end():
                start, changed = start + match.end(), True
        segment = text[start:end]
        masked = segment.replace("增加值", "增加\0")
        if own_clause:
            trailing = "|".join(
                re.escape(w)
                for w in sorted(
                    {*LIGHT_VERBS, *CHANGE_WORDS, *(w for w, _ in QUALIFIERS_BEFORE)}, key=len, reverse=True
                )
            )
            label = re.sub(rf"(?:{trailing}|比(?:\d{{4}}年|上年|去年)|同比)+$", "", masked).replace("\0", "值")
            if label in SUBJECT_VERBS:
                label = ""
        else:
            cut = len(masked)
            for verb in SUBJECT_VERBS:
                found = masked.find(verb, 1)
                if found != -1 and found < cut:
                    cut = found
            label = masked[:cut].replace("\0", "值")
        label = label.strip("的和及与、 ")
        if len(label) < 2 or not all(is_cjk(c) or c in "()（）·" for c in label):
            return "", start
        return label, start

    def find_facts(self) -> None:
        quantities, skipped = self.find_quantities()
        title = self.title_mention
        kept: list[Quantity] = []
        for q in quantities:
            amount = self.text[q.start : q.end]
            if title.start <= q.start < title.end and len(self.source.occurrences(amount)) > 1:
                for numeral in q.numerals:
                    skipped[numeral] = TITLE_REPEATS
                continue
            kept.append(q)
        self.skipped = skipped
        previous: Fact | None = None
        for q in kept:
            period, period_cue = self.period_of(q)
            kind, compared, _ = self.fact_type(q, period, period_cue)
            if kind == "target" and period == "unspecified" and self.vocab.has("period", str(self.year)):
                period, period_cue = str(self.year), "check: a plan with no year; the report's year assumed"
            region = self.region_of(q)
            same_sentence = previous is not None and self.sentence(previous.quantity.start) == self.sentence(q.start)
            label = self.indicator_label(q, own_clause_only=compared is not None or kind == "change")
            if label is None and same_sentence and previous is not None:
                indicator, label_span = previous.indicator, None  # 增长8.1%: the same measure, the same region
                region = previous.region
            else:
                label = label or self.indicator_label(q)
                if label is None:
                    clause = self.bounds(q.start, CLAUSE_DELIMITERS)
                    label = (self.text[clause[0] : clause[1]], clause[0])
                name, where = label
                indicator, label_span = self.indicator(name, where), (where, where + len(name))
            fact = Fact(q, kind, period, region, indicator, compared, label_span)
            if period_cue:
                fact.comments["period"] = period_cue
            self.attribute(fact)
            self.facts.append(fact)
            previous = fact
        self.separate_duplicates()

    def indicator(self, name: str, where: int) -> Entity:
        mention = Mention(where, where + len(name), name)
        return self.add_entity("indicators", name, mention, self.known.find("indicators", name))

    def separate_duplicates(self) -> None:
        """Two facts with the same indicator, period, region and type would break Data Cube IC-12:
        the later one gets an indicator of its own, named by its quote."""
        seen: set[tuple[str, str, str, str]] = set()
        for fact in self.facts:
            key = (fact.indicator.label, fact.period, fact.region, fact.type)
            if key in seen:
                start, end = self.fact_quote_span(fact)
                name = self.text[start:end]
                fact.indicator = Entity("indicators", name, Mention(start, end, name))
                self.entities["indicators"].append(fact.indicator)
                key = (name, fact.period, fact.region, fact.type)
            seen.add(key)

    def attribute(self, fact: Fact) -> None:
        """stated_by: an official speaking in the sentence, or opening the paragraph; agency: theirs,
        or the agency the sentence starts with."""
        q = fact.quantity
        sentence_start, sentence_end = self.sentence(q.start)
        paragraph_start, _ = self.paragraph(q.start)
        speaker = next((o for s, _, o in self.speakers if sentence_start <= s < sentence_end), None)
        if speaker is None:
            first_sentence = self.sentence(paragraph_start)
            speaker = next(
                (
                    o
                    for s, _, o in self.speakers
                    if paragraph_start <= s < first_sentence[1] and s - paragraph_start < 40
                ),
                None,
            )
        if speaker is not None and speaker.posts:
            fact.stated_by = speaker
            fact.agency = speaker.posts[-1].fields["agency"]
            return
        lead = self.text[sentence_start : sentence_start + 20]
        for mention, agency in self.agency_mentions:
            if mention.start == sentence_start + (len(lead) - len(lead.lstrip())):
                fact.agency = agency
                return

    def fact_quote_span(self, fact: Fact) -> tuple[int, int]:
        q = fact.quantity
        start = q.qualifier_start if q.qualifier_start is not None and q.qualifier_start < q.start else q.start
        return start, q.span_end

    # -- not facts ----------------------------------------------------------------------------------

    def collect_not_facts(self) -> None:
        """Each numeral that is not a fact, as a short phrase around it with a guessed reason. A
        phrase covers all its occurrences, unless one holds a fact's numeral: then occurrence: N."""
        text = self.text
        fact_numerals = {n for f in self.facts for n in f.quantity.numerals}
        windows: list[list[Any]] = []
        for (start, end), reason in sorted(self.skipped.items()):
            if (start, end) in fact_numerals:
                continue
            if reason == TITLE_REPEATS:
                lo, hi = start, end
            elif reason.startswith(COUNTER_REASON):  # 386公里, 3600余人次
                counter = reason[len(COUNTER_REASON) :].split(":")[0]
                lo, hi = start, text.index(counter, end) + len(counter)
            else:
                lo, hi = self.not_fact_window(start, end)
            if windows and lo < windows[-1][1] and windows[-1][2] == reason and not self.inside(lo, hi):
                windows[-1][1] = max(windows[-1][1], hi)
            else:
                windows.append([lo, hi, reason])
        entries: dict[str, tuple[str, list[int]]] = {}
        for lo, hi, reason in windows:
            entries.setdefault(text[lo:hi], (reason, []))[1].append(lo)
        for phrase, (reason, starts) in entries.items():
            occurrences = self.source.occurrences(phrase)
            clash = any(s <= n[0] < s + len(phrase) for s in occurrences for n in fact_numerals)
            if clash:
                for start in sorted(set(starts)):
                    self.not_facts.append((phrase, reason, occurrences.index(start) + 1))
            else:
                self.not_facts.append((phrase, reason, None))

    def not_fact_window(self, start: int, end: int) -> tuple[int, int]:
        text = self.text
        span = self.inside(start, end)
        if span:
            return span[0] + 1, span[1] - 1
        for pattern in (DATE, YEAR):
            for match in pattern.finditer(text, max(0, start - 12), min(len(text), end + 12)):
                if match.start() <= start and end <= match.end():
                    return match.start(), match.end()
        if text.startswith("百分点", start):
            return start, start + 3
        lo = start - 1 if start > 0 and is_cjk(text[start - 1]) else start
        hi = end + 1 if end < len(text) and is_cjk(text[end]) else end
        if hi - lo == end - start:  # 一、 （二）
            lo = start - 1 if start > 0 and not text[start - 1].isspace() else start
            hi = end + 1 if end < len(text) and not text[end].isspace() else end
        return lo, hi

    # -- run -------------------------------------------------------------------------------------

    def run(self) -> CommentedMap:
        self.title_mention = self.title()
        self.title_end = self.title_mention.end
        self.issued_date, issued_comment = self.issued()
        self.year = self.issued_date.year
        source_name = self.source_name()
        self.find_places(source_name, self.title_mention)
        self.find_regions()
        self.default_region_id = self.default_region()
        self.find_agencies()
        publisher = self.publisher(source_name)
        self.agency_parents()
        self.find_officials()
        self.find_documents()
        self.find_programs()
        self.header_spans = self.headers()
        self.period_patterns = self.vocabulary_periods()
        self.find_facts()
        self.collect_not_facts()
        self.assign_ids()
        return self.document(publisher, issued_comment)

    def publisher(self, source_name: Mention | None) -> Entity:
        agencies = self.entities["agencies"]
        if source_name is not None:
            for mention, entity in self.agency_mentions:
                if mention.start == source_name.start:
                    return entity
            full = self.expand(source_name.text)
            known = self.known_match("agencies", source_name.text, full)
            kind = self.agency_kind(full)
            entity = self.add_entity("agencies", full, source_name, known, kind=kind)
            self.agency_mentions.append((source_name, entity))
            return entity
        for entity in agencies:
            if entity.label.endswith("政府"):
                return entity
        if agencies:
            return agencies[0]
        title = self.title_mention
        entity = Entity("agencies", TODO_LABEL, title, {"kind": self.vocab.pick("agency-kind", "government")})
        entity.comments["label"] = "no agency found in the text: name the publisher"
        agencies.append(entity)
        return entity

    def assign_ids(self) -> None:
        used: set[str] = set()
        for section in (*SECTION_ORDER, "posts"):
            entities = self.entities[section]
            if section == "officials":
                entities = entities + [p for o in entities for p in o.posts]
            for entity in entities:
                if entity.id:
                    continue
                if entity.known:
                    entity.id = entity.known.id
                    entity.en = self.known_label(entity.known, "en") or TODO_LABEL
                else:
                    base = f"{ID_PREFIX[entity.section]}-{short_hash(entity.label)}"
                    ident, size = base, 6
                    while ident in used:
                        size += 2
                        ident = f"{ID_PREFIX[entity.section]}-{short_hash(entity.label, size)}"
                    entity.id = ident
                used.add(entity.id)

    @staticmethod
    def known_label(known: KnownEntity, lang: str) -> str | None:
        label = known.data.get("label")
        if isinstance(label, dict):
            value = label.get(lang)
            return str(value) if value else None
        return None

    # -- YAML ------------------------------------------------------------------------------------

    def label_map(self, entity: Entity) -> CommentedMap:
        zh = entity.label
        if entity.known:
            zh = self.known_label(entity.known, "zh") or zh
        label = CommentedMap([("zh", zh), ("en", entity.en)])
        label.fa.set_flow_style()
        return label

    def alt_map(self, entity: Entity) -> CommentedMap | None:
        if entity.known:
            alt = entity.known.data.get("alt")
            if not alt:
                return None
            result = CommentedMap()
            for lang, names in dict(alt).items():
                seq = CommentedSeq(list(names) if isinstance(names, list) else [names])
                seq.fa.set_flow_style()
                result[lang] = seq
            result.fa.set_flow_style()
            return result
        names = [a for a in dict.fromkeys(entity.alt) if a != entity.label]
        if not names:
            return None
        seq = CommentedSeq(names)
        seq.fa.set_flow_style()
        result = CommentedMap([("zh", seq)])
        result.fa.set_flow_style()
        return result

    def entry(self, entity: Entity, fields: Iterable[tuple[str, Any]]) -> CommentedMap:
        node = CommentedMap()
        node["id"] = entity.id
        node["label"] = self.label_map(entity)
        alt = self.alt_map(entity)
        if alt is not None:
            node["alt"] = alt
        for name, value in fields:
            if value is not None:
                node[name] = value
        quote, occurrence = self.entity_quote(entity)
        node["quote"] = quote
        if occurrence is not None:
            node["occurrence"] = occurrence
        if entity.known:
            where = self.shown_path(entity.known.path)
            node.yaml_add_eol_comment(f"known ({where})", "id")
        else:
            node.yaml_add_eol_comment("new", "id")
        for name, comment in entity.comments.items():
            if name in node:
                node.yaml_add_eol_comment(comment, name)
        return node

    def shown_path(self, path: Path) -> str:
        """data/reports/<id>/report.yaml: the known file, relative to the data directory's parent."""
        try:
            return path.resolve().relative_to(self.known.data_dir.resolve().parent).as_posix()
        except ValueError:
            return str(path)

    def entity_quote(self, entity: Entity) -> tuple[str, int | None]:
        mention = entity.mention
        quote = mention.text
        return quote, self.occurrence(quote, mention.start)

    def document(self, publisher: Entity, issued_comment: str | None) -> CommentedMap:
        doc = CommentedMap()
        report = CommentedMap()
        title = self.title_mention
        report["id"] = self.report_id
        report["text"] = self.text_name
        label = CommentedMap([("zh", title.text), ("en", TODO_LABEL)])
        label.fa.set_flow_style()
        report["title"] = label
        report["issued"] = self.issued_date
        if issued_comment:
            report.yaml_add_eol_comment(issued_comment, "issued")
        report["publisher"] = publisher.id
        quote, occurrence = title.text, self.occurrence(title.text, title.start)
        report["quote"] = quote
        if occurrence is not None:
            report["occurrence"] = occurrence
        doc["report"] = report
        known_ids = self.known_ids()

        agencies = CommentedSeq()
        for entity in self.entities["agencies"]:
            parent = entity.fields.get("parent")
            known_parent = entity.known.data.get("parent") if entity.known else None
            parent_id = parent.id if isinstance(parent, Entity) else None
            if known_parent and str(known_parent) in known_ids["agencies"]:
                parent_id = str(known_parent)
            kind = (
                str(entity.known.data.get("kind"))
                if entity.known and entity.known.data.get("kind")
                else entity.fields.get("kind")
            )
            agencies.append(self.entry(entity, [("kind", kind), ("parent", parent_id)]))
        doc["agencies"] = agencies

        officials = CommentedSeq()
        for official in self.entities["officials"]:
            if not official.posts:
                continue
            node = self.entry(official, [])
            posts = CommentedSeq()
            for post in official.posts:
                agency = post.fields["agency"]
                posts.append(self.entry(post, [("role", post.fields["role"]), ("agency", agency.id)]))
            node["posts"] = posts
            officials.append(node)
        if officials:
            doc["officials"] = officials

        documents = CommentedSeq()
        for entity in self.entities["documents"]:
            issuer = entity.fields.get("issuer")
            part_of = entity.fields.get("part_of")
            doc_type = entity.fields.get("type")
            if entity.known:
                doc_type = str(entity.known.data.get("type") or doc_type)
            documents.append(
                self.entry(
                    entity,
                    [
                        ("type", doc_type),
                        ("issuer", issuer.id if isinstance(issuer, Entity) else None),
                        ("part_of", part_of.id if isinstance(part_of, Entity) else None),
                    ],
                )
            )
        if documents:
            doc["documents"] = documents

        programs = CommentedSeq()
        for entity in self.entities["programs"]:
            kind = entity.fields.get("kind")
            if entity.known and entity.known.data.get("kind"):
                kind = str(entity.known.data["kind"])
            parent = entity.fields.get("parent")
            parent_id = parent.id if isinstance(parent, Entity) else None
            known_parent = entity.known.data.get("parent") if entity.known else None
            if known_parent and str(known_parent) in known_ids["programs"]:
                parent_id = str(known_parent)
            programs.append(self.entry(entity, [("kind", kind), ("parent", parent_id)]))
        if programs:
            doc["programs"] = programs

        regions = CommentedSeq()
        used_regions = {f.region for f in self.facts} | set(self.regions)
        for slug in sorted(used_regions, key=lambda s: self.regions[s].start if s in self.regions else 10**9):
            node = CommentedMap()
            node["id"] = slug
            if slug in self.regions:
                mention = self.regions[slug]
                node["quote"] = mention.text
                occurrence = self.occurrence(mention.text, mention.start)
            else:
                # the report's region is not named in the text as such: quote the title
                node["quote"] = title.text
                occurrence = self.occurrence(title.text, title.start)
                node.yaml_add_eol_comment("check: the region is not named in the text", "quote")
            if occurrence is not None:
                node["occurrence"] = occurrence
            regions.append(node)
        if regions:
            doc["regions"] = regions

        indicators = CommentedSeq()
        for entity in self.entities["indicators"]:
            if any(f.indicator is entity for f in self.facts):
                indicators.append(self.entry(entity, []))
        if indicators:
            doc["indicators"] = indicators

        facts = CommentedSeq()
        for index, fact in enumerate(self.facts, start=1):
            facts.append(self.fact_entry(fact, index))
        if facts:
            doc["facts"] = facts

        if self.not_facts:
            not_facts = CommentedSeq()
            for phrase, reason, occurrence in self.not_facts:
                node = CommentedMap([("text", phrase)])
                if occurrence is not None:
                    node["occurrence"] = occurrence
                node["reason"] = reason
                not_facts.append(node)
            doc["not_facts"] = not_facts
        self.comment_sections(doc)
        return doc

    def known_ids(self) -> dict[str, set[str]]:
        return {section: {e.id for e in entities} for section, entities in self.entities.items()}

    def fact_entry(self, fact: Fact, index: int) -> CommentedMap:
        q = fact.quantity
        node = CommentedMap()
        node["id"] = f"fact-{index:02d}"
        node["indicator"] = fact.indicator.id
        node["type"] = fact.type
        node["period"] = DoubleQuotedScalarString(fact.period) if fact.period.isdigit() else fact.period
        node["region"] = fact.region
        node["amount"] = self.text[q.start : q.end]
        node["value"] = number(q.value)
        node["unit"] = q.unit
        if q.qualifier:
            node["qualifier"] = q.qualifier
        if fact.compared_with:
            node["compared_with"] = DoubleQuotedScalarString(fact.compared_with)
        if fact.agency is not None:
            node["agency"] = fact.agency.id
        if fact.stated_by is not None:
            node["stated_by"] = fact.stated_by.id
        start, end = self.fact_quote_span(fact)
        quote, occurrence = self.fact_quote(fact, start, end)
        node["quote"] = quote
        if occurrence is not None:
            node["occurrence"] = occurrence
        for name, comment in {**q.comments, **fact.comments}.items():
            if name in node and comment:
                node.yaml_add_eol_comment(comment, name)
        return node

    def fact_quote(self, fact: Fact, start: int, end: int) -> tuple[str, int | None]:
        """A unique quote around the amount, in which the amount's first occurrence is this one:
        the words naming it and the amount (入库项目261个, 16个重要政策文件), else its clause."""
        q = fact.quantity
        amount = self.text[q.start : q.end]
        clause_start, clause_end = self.bounds(start, CLAUSE_DELIMITERS)
        wide_start, wide_end = self.bounds(start, CLAUSE_DELIMITERS - {"、"})
        label = fact.label_span
        if label and label[0] >= start:
            lo = start
        elif label and label[1] <= start and start - label[1] <= 4 and label[1] - label[0] <= 16:
            lo = label[0]
        elif start - clause_start <= 10:
            lo = clause_start
        else:
            lo = start - 4
        while lo > 0 and (self.text[lo - 1].isdigit() or self.text[lo - 1] == ".") and lo < start:
            lo -= 1  # 1.08万户2.71万人, not 08万户2.71万人
        if label and label[0] >= start and label[0] - end <= 1 and label[1] - end <= 14:
            hi = label[1]
        elif lo == start:
            hi = min(clause_end, end + 6)
        else:
            hi = end
        candidates = [(lo, hi), (min(lo, clause_start), hi), (lo, max(hi, clause_end)), (min(lo, wide_start), hi),
                      (min(lo, wide_start), max(hi, wide_end))]  # fmt: skip
        for a, b in candidates:
            quote = self.text[a:b]
            if len(self.source.occurrences(quote)) == 1 and self.text.find(amount, a) == q.start:
                return quote, None
        for a, b in candidates:
            if self.text.find(amount, a) == q.start:
                quote = self.text[a:b]
                return quote, self.occurrence(quote, a)
        quote = self.text[start:end]
        return quote, self.occurrence(quote, start)

    def comment_sections(self, doc: CommentedMap) -> None:
        rule = "-" * 93
        for key in doc:
            if key != "report":
                doc.yaml_set_comment_before_after_key(key, before="\n" + rule)


def default_report_id(path: Path) -> str:
    stem = path.parent.name if path.stem in ("source", "text", "report") else path.stem
    slug = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", stem).lower()).strip("-")
    return slug or "new-report"


HEADER = """Draft of the curated data of report {id}, written by `kg draft` from {name} on {today}.
Format: docs/curation.md. Every candidate was found automatically: check each one against the
text, delete what is wrong, add what is missing, and replace every `en: TODO` (kg build refuses
TODO labels). `# known`: the id and labels of an entity already in the graph (data/reports);
`# new`: a provisional id made from the Chinese label: rename it to an English slug.
Values are normalised numbers (value: 12500 for 1.25万元); `# check:` marks a guess."""


def draft_report(path: Path, data_dir: Path, report_id: str | None = None) -> str:
    """The YAML text of a draft of the curated data file for the report text at ``path``."""
    text = path.read_text(encoding="utf-8")
    ident = report_id or default_report_id(path)
    vocab = Vocabulary.load(data_dir)
    known = KnownGraph.load(data_dir)
    drafter = Drafter(text, ident, path.name, vocab, known)
    doc = drafter.run()
    doc.yaml_set_start_comment(HEADER.format(id=ident, name=path.name, today=dt.date.today().isoformat()))
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()
