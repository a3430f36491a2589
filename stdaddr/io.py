"""Reading department files: encoding detection and tables read as text, never as numbers."""

from __future__ import annotations

import codecs
from pathlib import Path

from stdaddr.errors import DataError, InputError

__all__ = ["detect_encoding", "read_table"]

_SAMPLE = 1 << 16
# GBK and GB2312 files are read as GB18030, their superset, so rare characters still decode.
_CANDIDATES = ("gb18030", "big5", "utf_16", "cp1252")
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "ascii": "utf-8", "big5": "big5hkscs"}


def detect_encoding(path: str | Path) -> str:
    """The text encoding of a file: UTF-8 (with or without BOM), GB18030 (GBK), Big5, … .

    A BOM decides; otherwise a strict UTF-8 decode of the sample; otherwise charset-normalizer.
    """
    with open(path, "rb") as f:
        sample = f.read(_SAMPLE)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:  # a character cut by the end of the sample
            return "utf-8"
    from charset_normalizer import from_bytes

    # Department exports are Chinese: weigh only the encodings they come in, or short GBK files
    # pass for Korean.
    best = from_bytes(sample, cp_isolation=list(_CANDIDATES)).best()
    name = (best.encoding if best else "gb18030").lower().replace("-", "_")
    return _SUPERSETS.get(name, name)


def read_table(path: str | Path, *, encoding: str | None = None, sheet: str | int | None = 0):
    """Read a CSV/TSV, Excel or Parquet file as a DataFrame of strings (empty cells stay empty strings)."""
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise InputError(f'input file "{path}" does not exist')
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return pd.read_excel(path, sheet_name=sheet, dtype=str, keep_default_na=False)
    if suffix == ".parquet":
        return pd.read_parquet(path).astype("string").fillna("")
    if suffix not in (".csv", ".tsv", ".txt"):
        raise InputError(f'input file "{path}" has suffix "{suffix}"; expected .csv, .tsv, .txt, .xlsx or .parquet')
    enc = encoding or detect_encoding(path)
    sep = "\t" if suffix == ".tsv" else ","
    try:
        return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding=enc, encoding_errors="replace")
    except (ValueError, LookupError) as exc:
        raise DataError(f'cannot read "{path}" as {enc} {suffix}: {exc}') from exc
