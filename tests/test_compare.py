"""stdaddr.compare: same / partial / different, with the finest common level and the fields."""

from __future__ import annotations

import pytest

from stdaddr.comparison import compare, name_similarity

CASES = [
    # same: one leaves out upper divisions, or writes numbers and markers differently
    ("鹿城区解放街12号", "浙江省温州市鹿城区解放街12号", "same", "house_number"),
    ("温州鹿城区解放街一百二十三号3-2-301", "解放街123号3幢2单元301室", "same", "room"),
    ("锦绣花园5幢", "鹿城区锦绣花园5幢", "same", "building"),
    ("鹿城区鞋都1路15号", "鹿城区鞋都一路15号", "same", "house_number"),  # a road's number in digits
    # partial: one is finer, or they share the compound but differ below it
    ("解放街12号锦绣花园3幢", "解放街12号锦绣花园3幢2单元501室", "partial", "building"),
    ("锦绣花园3幢1单元", "锦绣花园3幢2单元", "partial", "building"),
    ("解放街12号", "解放街12号锦绣花园", "partial", "house_number"),
    ("解放街9号", "解放街9-1号", "partial", "house_number"),
    ("福润雅居翠竹园", "福润雅居樟香园", "partial", None),
    ("解放街12号", "解放街14号", "partial", "road"),
    ("锦绣花园3幢2单元301室", "锦绣花园4幢2单元301室", "partial", "poi"),
    ("鹿城区", "鹿城区解放街12号", "partial", "county"),
    ("鹿城区", "鹿城区五马街道", "partial", "county"),
    # same: two texts naming the same divisions and nothing finer
    ("鹿城区五马街道", "鹿城区五马街道", "same", "town"),
    ("鹿城区", "鹿城区", "same", "county"),
    # ... or the same road and nothing finer on either side
    ("浙江省温州市鹿城区解放街", "鹿城区解放街", "same", "road"),
    ("鹿城区解放街", "鹿城区解放街12号", "partial", "road"),
    # different: contradicting divisions, roads, doors or compounds, or nothing in common
    ("鹿城区解放街12号", "龙湾区解放街12号", "different", None),
    ("解放街12号", "人民路12号", "different", None),
    ("鞋都四路15号", "鞋都一路15号", "different", None),  # roads numbered in a row
    # names sharing only a generic run (有限公司), or one inside the other on another road
    ("宏达广告有限公司", "新华电机厂有限公司", "different", None),
    ("解放街1号华联超市", "人民路5号华联超市广场店", "different", None),
    ("锦绣花园3幢", "阳光小区3幢", "different", None),
    # provinces and cities are compared where both texts write them
    ("杭州市解放路100号", "西安市解放路100号", "different", None),
    ("天津市河北区中山路100号", "河北省石家庄市中山路100号", "different", None),
    ("杭州市", "杭州市西湖区", "partial", None),
    ("浙江省", "浙江省杭州市", "partial", None),
    # a place on the road, or a part of the estate, is finer
    ("中华路", "中华路88号华联商厦", "partial", "road"),
    ("金地自在城一期", "金地自在城二期", "partial", None),
    ("翠苑一区3幢2单元301室", "翠苑二区3幢2单元301室", "partial", None),
    ("龙泽苑东区", "龙泽苑西区", "partial", None),
    ("杭州市第一人民医院", "杭州市第二人民医院", "different", None),  # two places numbered in a series
    ("成都市青羊区东城根上街88号", "青羊区东城根下街88号", "different", "county"),  # two halves of a street
    ("合山市河里镇甘林村1组", "合山市河里镇甘林村2组", "partial", "community"),
    # branches of a chain written in brackets, and compounds read as communities
    ("星巴克(国贸店)", "星巴克(三里屯店)", "different", None),
    ("麦当劳(王府井店)", "麦当劳王府井店", "same", "poi"),
    ("翠苑一区", "杭州市西湖区翠苑一区", "same", "poi"),
    ("杭州市西湖区翠苑一区3幢201室", "杭州市西湖区翠苑一区3幢202室", "partial", "building"),
    ("北京市朝阳区望京西园四区", "望京西园四区", "same", "poi"),  # 望京 read as the town on one side only
    # a direction on one side only, another floor, other groups, two doors of one lane
    ("鹿城区中山路5号", "鹿城区中山北路5号", "different", "county"),
    ("世纪大道100号环球金融中心57层", "世纪大道100号环球金融中心79层", "partial", "poi"),
    ("锦绣花园3幢", "锦绣花园3幢6层", "partial", "building"),
    ("建设北路二段8号3栋2单元5楼502号", "建设北路二段8号3-2-502", "same", "room"),  # the floor in the room
    ("河庄街道河庄村3组8号", "河庄街道河庄村2组8号", "partial", "community"),
    ("鹿城区五马巷3弄5号", "鹿城区五马巷3弄7号", "partial", "road"),
    ("愚园路1088弄5号", "愚园路1088弄", "partial", "house_number"),
    ("宝安区宝民2路88号", "深圳市宝安区新安街道宝民二路88号", "same", "house_number"),
    # two campuses of one body are two places; one campus with its body written short is one
    ("福州大学怡山校区", "福州大学旗山校区", "different", None),
    ("电子科技大学清水河校区", "电子科技大学沙河校区", "different", None),
    ("四川大学望江校区", "川大望江校区", "same", "poi"),
]


@pytest.mark.parametrize(("a", "b", "relation", "level"), CASES, ids=[f"{a}|{b}" for a, b, _, _ in CASES])
def test_relation_and_finest_common_level(a, b, relation, level):
    c = compare(a, b)
    assert (c.relation, c.level) == (relation, level), c.explanation


def test_the_relation_is_symmetric():
    for a, b, relation, _ in CASES:
        assert compare(b, a).relation == relation


def test_fields_explain_the_comparison():
    c = compare("锦绣花园3幢1单元", "锦绣花园3幢2单元501室")
    by = {f.field: f for f in c.fields}
    assert by["poi"].status == "agree" and by["poi"].similarity == 1.0
    assert (by["unit"].status, by["unit"].input, by["unit"].record) == ("differ", "1单元", "2单元")
    assert by["room"].status == "record_only"
    assert "different unit" in c.explanation


def test_values_that_are_not_text_are_different():
    assert compare(None, "解放街12号").relation == "different"
    assert compare("解放街12号", 12).explanation == "one of the values is not text"


def test_bytes_are_read_as_parse_reads_them():
    text = "浙江省温州市鹿城区解放街12号"
    for raw in (text.encode("utf-8"), text.encode("gbk"), bytearray(text.encode("utf-8"))):
        assert compare(raw, text).relation == "same"


def test_a_name_inside_another_counts_as_near():
    assert name_similarity("华腾新天地", "华腾新天地大厦") >= 0.9
    assert name_similarity("解放街", "人民路") == 0.0


@pytest.mark.parametrize(
    ("a", "b", "relation"),
    [
        ("河庄村2组8号", "瓯海区娄桥街道河庄村2组8号", "same"),
        ("河庄村2组8号", "河庄村2组12号", "partial"),
        ("河庄村2组8号", "河庄村3组8号", "partial"),
        ("纸源村19号", "纸源村21号", "partial"),
        ("锦绣花园3幢2单元501室", "锦绣小区3幢2单元501室", "same"),
    ],
)
def test_doors_of_one_village_compare_like_doors_of_one_road(a, b, relation):
    assert compare(a, b).relation == relation


@pytest.mark.parametrize(
    ("a", "b", "relation"),
    [
        ("成都高新区天府大道北段1700号", "成都高新技术产业开发区天府大道北段1700号", "same"),
        ("宁波市高新区院士路1号", "宁波国家高新区院士路1号", "same"),
        ("成都高新区天府大道1号", "西安高新区天府大道1号", "different"),
        ("成都高新区天府大道1号", "成都经开区天府大道1号", "different"),
    ],
)
def test_a_zone_written_short_and_in_full_is_one_zone(a, b, relation):
    """成都高新区 and 成都高新技术产业开发区, neither a unit of the gazetteer, were two towns."""
    assert compare(a, b).relation == compare(b, a).relation == relation


@pytest.mark.parametrize(
    ("a", "b", "relation"),
    [
        ("柳州市柳江区百朋镇下伦村板江屯", "柳州市柳江区百朋镇下伦村古都屯", "partial"),
        ("柳州市柳江区百朋镇下伦村板江屯", "柳州市柳江区百朋镇下伦村板江屯", "same"),
        ("柳州市柳江区百朋镇下伦村板江屯", "柳州市柳江区百朋镇下伦村", "partial"),
    ],
)
def test_natural_villages_of_one_village_are_two_places(a, b, relation):
    """下伦村板江屯 / 下伦村古都屯 were the same: the natural village was no field compared."""
    assert compare(a, b).relation == compare(b, a).relation == relation


@pytest.mark.parametrize(
    ("a", "b", "relation"),
    [
        ("北京市西城区西四北三条5号", "北京市西城区西四北四条5号", "different"),  # streets numbered apart
        ("洛阳市涧西区10号街坊5栋", "洛阳市涧西区11号街坊5栋", "different"),  # quarters numbered apart
        ("解放街24-1号", "解放街24号附1", "same"),  # a sub-door written with a dash
        ("成都市武侯区二环路南一段10号", "成都市武侯区南二环路一段10号", "same"),  # a ring road's side
    ],
)
def test_numbered_places_sub_doors_and_ring_roads(a, b, relation):
    assert compare(a, b).relation == relation
    assert compare(b, a).relation == relation


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("瑞安市塘下镇鲍三村2巷8号", "瑞安市塘下镇鲍四村2巷8号"),  # each village numbers its own lanes
        ("东莞市长安镇乌沙村5巷3号", "东莞市长安镇霄边村5巷3号"),
        ("瑞安市东门农贸市场A区3排7号", "瑞安市西门农贸市场A区3排7号"),  # each market its own rows
        ("杭州市第一人民医院", "杭州市人民医院"),  # a number in a series on one side only
        ("鹿城区实验小学", "鹿城区第二实验小学"),
        ("温州市第一中学", "温州市第十一中学"),
    ],
)
def test_numbered_lanes_of_two_places_and_one_sided_series_numbers_are_different(a, b):
    assert compare(a, b).relation == "different"


@pytest.mark.parametrize(
    ("a", "b", "relation"),
    [
        ("西城区桃园北头条5号", "西城区桃园北二条5号", "different"),  # 头条 is number one of the series
        ("江北区渝兴花园A组团3栋", "江北区渝兴花园B组团3栋", "partial"),  # two lettered parts of one estate
        ("渝兴花园A组团3栋1单元12-3", "渝兴花园A组团3栋1单元12楼3号", "same"),  # one flat written two ways
        ("阳光花园3幢1203室", "阳光花园3幢12层3室", "same"),
        ("阳光花园3幢1203室", "阳光花园3幢1204室", "partial"),
    ],
)
def test_numbered_and_lettered_parts_and_flats_written_two_ways(a, b, relation):
    assert compare(a, b).relation == relation
    assert compare(b, a).relation == relation
