"""Build stdaddr/data/readings.tsv.gz: every name and alias of levels 0-3 with its readings, and
stdaddr/data/community_index.tsv.gz: every community nationwide by its name as addresses write it.

The table is derived by rule (``stdaddr.gazetteer.derive_readings``: short names, aliases, written
forms, former names) from the shipped ``divisions.tsv`` and ``history.tsv``, and shipped so that
loading the gazetteer reads it instead of deriving it. The community index is derived from
``communities.tsv.gz`` (``stdaddr.gazetteer.encoded_community_index``: committee words written as
社区/村, folded) for the same reason: deriving it costs about a second on first use. Run this after
changing those files or the rules; ``tests/test_gazetteer.py`` fails while a shipped table and the
rules disagree.

Run:  python data/build_readings.py
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

from stdaddr import gazetteer

DATA = Path(__file__).resolve().parent.parent / "stdaddr" / "data"


def main() -> None:
    lines = list(gazetteer.encode_readings(gazetteer.derived_from_shipped_files()))
    header = (
        "# folded name<TAB>readings 'code level kind parent stem' joined by '|'; see data/build_readings.py"
    )
    _write(gazetteer.READINGS_FILE, header, lines)
    index = ["\t".join(pair) for pair in gazetteer.encoded_community_index(gazetteer.load()._community_rows)]
    _write(gazetteer.COMMUNITY_INDEX_FILE, "# written name<TAB>community codes joined by ','", index)


def _write(name: str, header: str, lines: list[str]) -> None:
    text = "\n".join([header, *lines]) + "\n"
    # mtime 0: the same table gives the same bytes, so a rebuild shows in git only when the table changed.
    (DATA / name).write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{len(lines):,} names written to {DATA / name}", file=sys.stderr)


if __name__ == "__main__":
    main()
