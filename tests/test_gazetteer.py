"""The shipped gazetteer: complete levels, short names, former names, and lazy loading."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from importlib import resources

import pytest

from stdaddr import gazetteer
from stdaddr.gazetteer import CODE_LENGTHS, FULL, HISTORIC, SHORT

# NBS 2023 统计用区划代码: provinces, prefecture-level codes, county-level codes, towns, communities.
NBS_2023_COUNTS = (31, 342, 2978, 41352, 620573)
# Timing targets (DESIGN "Loaded lazily: import stdaddr must stay fast"); asserted with a margin for slow CI.
IMPORT_TARGET_S = 0.3
FIRST_PARSE_TARGET_S = 2.0
TIMING_MARGIN = 3


def _data_lines(name: str) -> list[str]:
    path = resources.files("stdaddr").joinpath("data", name)
    if name.endswith(".gz"):
        with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
            text = f.read()
    else:
        text = path.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@pytest.fixture(scope="module")
def g() -> gazetteer.Gazetteer:
    return gazetteer.load()


@pytest.fixture(scope="module")
def division_rows() -> list[tuple[str, str]]:
    return [tuple(line.split("\t")) for line in _data_lines("divisions.tsv")]


@pytest.fixture(scope="module")
def community_rows() -> list[list[str]]:
    return [line.split("\t") for line in _data_lines("communities.tsv.gz")]


def test_shipped_files_hold_every_nbs_2023_unit(division_rows, community_rows):
    """The shipped files count 31 provinces, 342 prefecture codes, 2978 county codes, 41352 towns, 620573 communities."""
    raw = [sum(1 for code, _ in division_rows if len(code) == n) for n in CODE_LENGTHS[:4]]
    communities = sum((len(row) - 1) // 2 for row in community_rows)
    assert (*raw, communities) == NBS_2023_COUNTS


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_units_lists_every_address_level_unit_of_the_file(g, division_rows, level):
    """``units(level)`` yields every code of that length in the file except the non-address '-' rows."""
    n = CODE_LENGTHS[level]
    expected = {code: name for code, name in division_rows if len(code) == n and name != "-"}
    got = dict(g.units(level))
    assert got.keys() == expected.keys()
    assert len(expected) <= NBS_2023_COUNTS[level]
    county = dict(division_rows)
    for code, name in got.items():  # only towns listed with their county's name lose it
        if name != expected[code]:
            assert level == 3 and expected[code] == county[code[:6]] + name


def test_towns_listed_with_their_county_name_are_named_without_it(g, division_rows):
    """NBS lists about 90 towns as 当阳市河溶镇; their name is the town's own, zones keep the county's."""
    names = dict(division_rows)
    renamed = [c for c, nm in g.units(3) if nm != names[c]]
    assert 50 <= len(renamed) <= 120
    assert g.name("420582102") == "河溶镇"  # NBS: 当阳市河溶镇
    assert g.name("410928106") == "徐镇镇"  # NBS: 濮阳县徐镇镇 (镇 twice)
    assert g.name("120110403") == "东丽区经济技术开发区"  # a zone keeps it
    assert all(names[c].endswith(("镇", "乡", "街道")) for c in renamed)


def test_every_community_of_the_file_is_reachable_by_code(g, division_rows, community_rows):
    """Each of the 620573 communities is a child of its town, and the towns are the file's towns."""
    towns = [code for code, _ in division_rows if len(code) == 9]
    assert {row[0] for row in community_rows} == set(towns)
    children = [c for town in towns for c in g.children(town)]
    assert len(children) == len(set(children)) == NBS_2023_COUNTS[4]
    assert all(len(c) == 12 for c in children)


def test_every_key_of_a_community_opens_with_its_first_character(g, community_rows):
    """The community indexes derive keys by first character on first use: that holds only if no short
    name of a community opens otherwise than its name (one town in seven nationwide, ~90,000 names)."""
    names = [name for row in community_rows[::7] for name in row[2::2]]
    assert len(names) > 80_000
    folded = gazetteer.fold_all(names)
    keys = [(n, f, k) for n, f in zip(names, folded, strict=True) for k, _, _ in gazetteer._community_keys(n)]
    wrong = [n for n, f, k in keys if k[:1] != f[:1]]
    assert wrong == []


@pytest.mark.parametrize("parent", ["330302", "330302006", "110101", "410324", "441900", "330383"])
def test_a_community_index_finds_each_community_by_every_key_it_derives(g, parent):
    """The index of a county or town, derived bucket by bucket, holds every community under it under its
    official folded name, and each key found leads back to communities under the parent."""
    index = g.communities(parent)
    codes = [c for town in g._towns_under.get(parent, [parent]) for c in g.children(town)]
    assert len(codes) > 10 and all(len(c) == 12 for c in codes)
    for code in codes:
        assert code in {e.code for e in index.get(gazetteer.fold(g.name(code) or ""))}
    items = dict(index.items())
    assert all(e.code.startswith(parent) for entries in items.values() for e in entries)
    assert all(index.longest(k[:2]) >= len(k) for k in items if len(k) >= 2)
    assert "府前路" not in index and index.get("") == () and index.longest("") == 0


def test_units_under_lists_the_units_of_a_level_below_a_code(g, division_rows):
    names = dict(division_rows)
    for code, level in (("33", 1), ("33", 2), ("3303", 2), ("3303", 3), ("330302", 3), ("4419", 3)):
        n = CODE_LENGTHS[level]
        want = sorted((c, nm) for c, nm in names.items() if len(c) == n and c.startswith(code) and nm != "-")
        assert g.units_under(code, level) == want


def test_community_codes_have_names_and_paths(g):
    """A community code names its community and its path runs from the province down to it."""
    assert g.name("330302006045") == "墨池社区"
    assert g.path("330302006045") == ("33", "3303", "330302", "330302006", "330302006045")
    assert g.name("110101001001") == "多福巷社区居委会"


def test_non_address_levels_are_skipped_in_paths(g):
    """市辖区-like rows ('-') are no level: 东莞 towns sit under the city, 龙港 communities under the county."""
    assert g.name("441900") is None
    assert g.path("441900004") == ("44", "4419", "441900004")
    assert g.path("330383198001") == ("33", "3303", "330383", "330383198001")
    assert g.path("429004100") == ("42", "429004", "429004100")


def test_level_of_follows_code_length():
    """The level of a code is 0-4 by its length 2, 4, 6, 9, 12."""
    assert [gazetteer.level_of(c) for c in ("33", "3303", "330302", "330302006", "330302006045")] == [
        0,
        1,
        2,
        3,
        4,
    ]


def _codes(g, name: str, kind: int | None = None) -> set[str]:
    return {e.code for e in g.lookup(name) if kind is None or e.kind == kind}


@pytest.mark.parametrize(
    ("name", "code", "level"),
    [
        ("温州", "3303", 1),
        ("鹿城", "330302", 2),
        ("五马", "330302006", 3),
        ("广西", "45", 0),
        ("黔南", "5227", 1),
        ("黔南州", "5227", 1),
        ("楚雄", "5323", 1),
        ("楚雄州", "5323", 1),
        ("延边", "2224", 1),
        ("内蒙古", "15", 0),
        ("新疆", "65", 0),
        ("宁夏", "64", 0),
        ("西藏", "54", 0),
        ("瓯海", "330304", 2),
        # a farm, forest or prison a province runs, named with the province (city, 国营) first
        ("新曹农场", "320981400", 3),
        ("江心沙农场", "320614413", 3),
        ("惠东梁化林场", "441323450", 3),
        ("高山子监狱", "210782402", 3),
    ],
)
def test_short_names_resolve_to_their_unit(g, name, code, level):
    """A short name (温州 for 温州市, 黔南 for 黔南布依族苗族自治州) is a short-name reading of its unit."""
    entries = [e for e in g.lookup(name) if e.code == code]
    assert entries, f"{name} does not resolve to {code}: {g.lookup(name)}"
    assert all(e.kind == SHORT and e.level == level for e in entries)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("温州市", "3303"),
        ("鹿城区", "330302"),
        ("五马街道", "330302006"),
        ("广西壮族自治区", "45"),
        ("黔南布依族苗族自治州", "5227"),
    ],
)
def test_official_names_resolve_as_full_names(g, name, code):
    """An official name is a full-name reading of its unit."""
    assert code in _codes(g, name, FULL)


def test_short_names_function_strips_suffixes_and_ethnic_names():
    """``short_names`` gives 黔南 / 黔南州, 广西, 五马, and the written forms 多福巷社区 and 上桥村 of communities."""
    assert set(gazetteer.short_names("黔南布依族苗族自治州", 1)) == {"黔南", "黔南州"}
    assert gazetteer.short_names("广西壮族自治区", 0) == ["广西"]
    assert gazetteer.short_names("五马街道", 3) == ["五马"]
    assert "多福巷社区" in gazetteer.short_names("多福巷社区居委会", 4)
    assert "上桥村" in gazetteer.short_names("上桥村委会", 4)
    assert gazetteer.short_names("城区", 2) == []


def test_ambiguous_names_list_every_unit(g):
    """A county name used by several units (朝阳区, 江北区) resolves to each of them."""

    def counties(name: str) -> set[str]:
        return {e.code for e in g.lookup(name) if e.level == 2}

    assert counties("朝阳区") == {"110105", "220104"}
    assert counties("江北区") == {"330205", "500105"}


def test_history_dongtou_county_is_now_a_district(g):
    """洞头县 is a former name of 洞头区 330305."""
    entries = [e for e in g.lookup("洞头县") if e.kind == HISTORIC]
    assert [e.code for e in entries] == ["330305"]
    assert entries[0].level == 2


def test_history_longgang_town_became_a_county_level_city(g):
    """龙港镇 of 苍南县 is a former town now read as the county-level 龙港市 330383."""
    entries = [e for e in g.lookup("龙港镇") if e.kind == HISTORIC]
    assert len(entries) == 1
    e = entries[0]
    assert (e.code, e.level) == ("330383", 3)
    assert e.under("330327")  # it sat under 苍南县
    assert gazetteer.level_of(e.code) == 2


def test_history_lingkun_moved_from_longwan_to_dongtou(g):
    """灵昆街道 is now 330305002 under 洞头区, and is still found under its former county 龙湾区."""
    historic = [e for e in g.lookup("灵昆街道") if e.kind == HISTORIC]
    assert historic and all(e.code == "330305002" for e in historic)
    assert any(e.under("330303") for e in historic)
    assert g.path("330305002")[-2] == "330305"


@pytest.mark.parametrize(
    ("old", "code"),
    [
        ("綦江县", "500110"),
        ("崇文区", "110101"),
        ("宣武区", "110102"),
        ("江干区", "330102"),
        ("鄞县", "330212"),
    ],
)
def test_history_former_county_names_resolve_to_current_codes(g, old, code):
    """A former county name resolves to the current unit that took it over."""
    assert code in _codes(g, old, HISTORIC)


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return out.stdout.strip()


def test_the_nationwide_community_index_holds_every_community_under_its_written_name(g, community_rows):
    """Every community is in the nationwide index once, keyed by its name as addresses write it: the
    committee words of the official name (居委会, 村民委员会 …) become 社区 or 村 (社区村民委员会: 社区); a residents' committee
    named after an estate or former village (崂山三村居委会) or a 居 (八一居居委会) is written by that name."""
    committee = re.compile("(社区)?(?:居民委员会|居委会)$|(社区|村)?(?:村民委员会|村委会)$")

    def written(name: str) -> str:
        if name.endswith(("村居委会", "村居民委员会", "居居委会", "居居民委员会")):
            return name.removesuffix("居民委员会").removesuffix("居委会")
        return committee.sub(lambda m: "社区" if m.group(0).startswith(("社区", "居")) else "村", name)

    index = dict(gazetteer.encoded_community_index(g._community_rows))
    assert sum(len(codes.split(",")) for codes in index.values()) == NBS_2023_COUNTS[4]
    for row in community_rows[::50]:
        town = row[0]
        for code, name in zip(row[1::2], row[2::2], strict=True):
            assert town + code in g.communities_written(gazetteer.fold(written(name))), name


def test_written_forms_take_any_names_one_by_one_as_in_bulk():
    """The bulk rewrite gives each name's own written form, also for names holding its joining line break."""
    names = [
        "府前社区居委会",
        "府前居委会",
        "下垟村村民委员会",
        "溫州村委会",
        "新村",
        "崂山三村居委会",
        "府前\n居委会",
        "",
    ]
    assert gazetteer.written_forms(names) == [gazetteer.written_forms([n])[0] for n in names]
    assert gazetteer.written_forms(names)[:6] == [
        "府前社区",
        "府前社区",
        "下垟村",
        "温州村",
        "新村",
        "崂山三村",
    ]


def test_import_does_not_load_the_gazetteer():
    """``import stdaddr`` leaves the gazetteer module unimported."""
    out = _run(
        "import sys, stdaddr; print('stdaddr.gazetteer' in sys.modules, 'stdaddr.parse' in sys.modules)"
    )
    assert out == "False False"


def test_import_is_fast():
    """``import stdaddr`` takes under 0.3 s in a fresh process (asserted with a 3x margin)."""
    code = "import time; t = time.perf_counter(); import stdaddr; print(time.perf_counter() - t)"
    seconds = min(float(_run(code)) for _ in range(3))
    assert seconds < IMPORT_TARGET_S * TIMING_MARGIN, f"import took {seconds:.3f} s"


def test_first_parse_is_fast():
    """The first parse in a fresh process, gazetteer load included, takes under 2 s (asserted with a 3x margin)."""
    code = (
        "import time, stdaddr; t = time.perf_counter(); "
        "a = stdaddr.parse('温州鹿城区五马街道解放街123号'); print(time.perf_counter() - t, a.town_code)"
    )
    seconds, town = _run(code).split()
    assert town == "330302006"
    assert float(seconds) < FIRST_PARSE_TARGET_S * TIMING_MARGIN, f"first parse took {float(seconds):.3f} s"


def test_the_shipped_readings_table_is_what_the_rules_derive_from_the_shipped_divisions():
    """readings.tsv.gz equals derive_readings of divisions.tsv and history.tsv, line for line
    (rebuild it with ``python data/build_readings.py`` after changing either or the rules)."""
    derived = list(gazetteer.encode_readings(gazetteer.derived_from_shipped_files()))
    assert _data_lines(gazetteer.READINGS_FILE) == derived


def test_the_shipped_community_index_is_what_the_rules_derive_from_the_shipped_communities():
    """community_index.tsv.gz equals encoded_community_index of communities.tsv.gz, line for line
    (rebuild it with ``python data/build_readings.py`` after changing either or the rules)."""
    derived = [
        "\t".join(pair) for pair in gazetteer.encoded_community_index(gazetteer.load()._community_rows)
    ]
    assert _data_lines(gazetteer.COMMUNITY_INDEX_FILE) == derived


def test_a_gazetteer_without_the_community_index_derives_the_same_lookups():
    """Without the shipped index, communities are found by their written names all the same."""
    shipped = gazetteer.load()
    names, history = gazetteer._shipped_divisions()
    derived = gazetteer.Gazetteer(names, shipped._community_rows, history, dict(shipped._entries))
    for key in ("府前社区", "下垟村", "新村", "崂山三村", "五马街道", "没有这个社区"):
        assert derived.communities_written(key) == shipped.communities_written(key), key
    assert len(shipped.communities_written("新村")) > 100


def test_a_gazetteer_without_the_table_derives_the_same_readings():
    """Built from names, history and aliases alone, a gazetteer reads every name as the shipped one does."""
    shipped = gazetteer.load()
    names, history = gazetteer._shipped_divisions()
    derived = gazetteer.Gazetteer(names, {}, history, aliases=gazetteer.shipped_aliases())
    assert derived.index_keys() == shipped.index_keys()
    for key in ("温州", "五马街道", "洞头县", "龙港镇", "杨园街街道", "鹿城", "昆区"):
        assert [(e.code, e.level, e.kind, e.parent, e.stem) for e in derived.lookup(key)] == [
            (e.code, e.level, e.kind, e.parent, e.stem) for e in shipped.lookup(key)
        ]


def test_readings_encode_and_decode_to_the_same_entries():
    """A reading's code, level, kind, parent and stem survive the table's text form."""
    entries = {
        "龙港镇": [gazetteer.Entry("330383", 3, HISTORIC, "330327", 2), gazetteer.Entry("33", 0, FULL)]
    }
    (line,) = gazetteer.encode_readings(entries)
    key, _, raw = line.partition("\t")
    decoded = gazetteer.decode_readings(raw)
    assert key == "龙港镇"
    assert [(e.code, e.level, e.kind, e.parent, e.stem) for e in decoded] == [
        ("330383", 3, HISTORIC, "330327", 2),
        ("33", 0, FULL, "", 0),
    ]
