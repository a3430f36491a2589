"""Build stdaddr/data/readings.tsv.gz: every name and alias of levels 0-3 with its readings.

The table is derived by rule (``stdaddr.gazetteer.derive_readings``: short names, aliases, written
forms, former names) from the shipped ``divisions.tsv`` and ``history.tsv``, and shipped so that
loading the gazetteer reads it instead of deriving it. Run it after changing those files or the rules;
``tests/test_gazetteer.py`` fails while the shipped table and the rules disagree.

Run:  python data/build_readings.py
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

from stdaddr import gazetteer

OUT = Path(__file__).resolve().parent.parent / "stdaddr" / "data" / gazetteer.READINGS_FILE


def main() -> None:
    lines = list(gazetteer.encode_readings(gazetteer.derived_from_shipped_files()))
    header = (
        "# folded name<TAB>readings 'code level kind parent stem' joined by '|'; see data/build_readings.py"
    )
    text = "\n".join([header, *lines]) + "\n"
    # mtime 0: the same table gives the same bytes, so a rebuild shows in git only when the table changed.
    OUT.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{len(lines):,} names written to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
