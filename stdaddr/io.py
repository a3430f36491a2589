"""Department files in, result files out: encodings, tables streamed in chunks, outputs in parts.

Reading never stops at a bad row. A CSV file is read line by line in binary, each line decoded on its
own (undecodable bytes become U+FFFD and the row is marked), quoted fields may span lines but a quote
left open is given up after :data:`MAX_RECORD_LINES` lines, and every row comes out with the fault
found in it, if any (:class:`Fault`). Reading is positioned by input byte offsets (:class:`Position`),
so a chunk read after a restart is the same chunk, byte for byte.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import decimal
import functools
import glob
import itertools
import math
import numbers
import os
import re
import unicodedata
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from stdaddr.errors import ColumnError, DataError, InputError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from stdaddr.models import Address

__all__ = [
    "CJK",
    "CsvOut",
    "csv_text",
    "NULL_MARKER_MAX",
    "MAX_RECORD_LINES",
    "MAX_LINE_BYTES",
    "INPUT_SUFFIXES",
    "OUTPUT_FORMATS",
    "Fault",
    "Position",
    "Chunk",
    "TableReader",
    "CsvOutput",
    "PartsOutput",
    "detect_encoding",
    "decode_line",
    "iter_lines",
    "iter_rows",
    "encoding_of_lines",
    "check_encoding",
    "check_output_encoding",
    "open_table",
    "reads_as_data",
    "writes_division",
    "read_table",
    "cell_text",
    "id_text",
    "is_missing",
    "inexact_id",
    "InexactNumber",
    "NULL_MARKERS",
    "is_null_marker",
    "address_columns",
    "number_marks",
    "join_address",
    "table_addresses",
    "row_address",
    "shown",
    "Table",
    "column_index",
    "output_format",
    "fsync_dir",
    "replace_atomically",
    "temp_beside",
]

_SAMPLE = 1 << 16
_SAMPLES = 4  # blocks read for detection: the head and three spread over the rest of the file
_STREAM_SAMPLE = 1 << 22  # bytes of a stream held back at most to detect its encoding
# GBK and GB2312 files are read as GB18030, their superset, so rare characters still decode.
_CANDIDATES = ("gb18030", "big5", "utf_16", "cp1252")
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "ascii": "utf-8", "big5": "big5hkscs"}
# Encodings a line-by-line reader can split on b"\n": ASCII-compatible, "\n" never inside a character.
_LINE_SAFE = ("utf-8", "utf-8-sig", "gb18030", "big5hkscs", "cp1252", "iso8859-1")

# A quoted field still open after this many physical lines is given up: the first line becomes a
# malformed row and reading starts again on the next line, so a stray quote costs a row, not the file.
MAX_RECORD_LINES = 100
# A physical line longer than this is cut (its row is marked too_long): memory stays bounded.
MAX_LINE_BYTES = 1 << 20
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
INPUT_SUFFIXES = (*TEXT_SUFFIXES, *EXCEL_SUFFIXES, ".parquet")
_DELIMITERS = (",", "\t", ";", "|")
# Excel's delimiter hint, a first line sep=, (or sep=; sep=| sep=TAB), quoted or not.
_SEPARATOR_HINT = re.compile(rb'"?sep=([,;|\t])"?[ \t]*\r?\n', re.IGNORECASE)
# A first-row cell is read as a possible address (not a column name) when its length is in this range.
_DATA_CELL_CHARS = (6, 300)
# Title rows above a header (a merged title cell, the unit that filled the form in) skipped at most.
_MAX_TITLE_ROWS = 3
# A title's words (明细表, 名单, 填报单位, 2024年…), or a value too long for a column name.
_TITLE = re.compile("表|明细|清单|台账|名单|汇总|统计|登记|导出|填报|单位|日期|时间|[0-9]{4}年|.{8}")
# A Chinese character: a value without one reads as no Chinese address.
CJK = re.compile("[\u3400-\u9fff\U00020000-\U0003ffff]")


class Fault(NamedTuple):
    """What is wrong with one input row: a batch status (``malformed_row``, ``bad_encoding``,
    ``too_long``, ``empty_address``) and a reason naming the line. ``readable`` rows can still be
    geocoded (their fields are where the header says); the others cannot.
    """

    status: str
    reason: str
    readable: bool


class Position(NamedTuple):
    """Where reading resumes: a byte offset and the 1-based line number there (CSV), or the row and
    its number (Excel: the sheet row; Parquet: the 0-based row, line = row + 2 as if it had a header)."""

    offset: int
    line: int


@dataclass(slots=True)
class Chunk:
    """Consecutive rows of a table: their fields (as many as the header has), their faults and their
    first input line, the position they start at and the one after them."""

    start: Position
    end: Position
    rows: list[list[str]]
    faults: list[Fault | None]
    lines: list[int]


class TableReader:
    """A table read in chunks. ``columns`` are the header's names, ``encoding`` the text encoding
    (None for Excel and Parquet), ``total`` the size progress is measured against, in ``unit``
    (bytes for text files, rows otherwise), ``start`` the position of the first data row, ``name``
    names the table in messages (the file, and the sheet of a workbook with several) and ``where`` is
    the word reasons number rows with: "line" (physical lines of a text file) or "row" (sheet rows).
    ``sheets`` are the sheets of a workbook (empty for other files) and ``sheet`` the one read.
    ``header`` is False for a table whose first row is data; its columns are then named by position
    (column_1, column_2, …). ``titles`` are the title rows above the header that were skipped
    (:func:`leading_titles`).
    """

    where: str = "row"
    sheets: tuple[str, ...] = ()
    sheet: str | None = None
    header: bool = True
    titles: tuple[str, ...] = ()
    name: str
    columns: list[str]
    encoding: str | None
    total: int | None
    unit: str
    start: Position
    format: str

    def read(self, position: Position, n_rows: int) -> Chunk | None:
        """Up to ``n_rows`` rows from ``position`` (None at the end). The same position always gives
        the same chunk, whatever was read before."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the file."""


def detect_encoding(path: str | Path) -> str:
    """The text encoding of a file: UTF-8 (with or without BOM), GB18030 (GBK), Big5, … .

    A BOM decides, and so do the NUL bytes of UTF-16 without one; otherwise the lines with non-ASCII bytes decide (ASCII lines read the same in every
    candidate), taken from samples of the head and of three places spread over the rest of the file, or
    from the first such lines of the file when the samples have none: see :func:`encoding_of_lines`.
    """
    with open(path, "rb") as f:
        head = f.read(_SAMPLE)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(head):
            return "utf-16"
        size = os.fstat(f.fileno()).st_size
        samples = [(0, head), *_spread_samples(f, size)]
        lines = [
            line
            for start, sample in samples
            for line in _whole_lines(sample, cut_start=start > 0, cut_end=start + len(sample) < size).split(
                b"\n"
            )
            if not line.isascii()
        ]
        if not lines and size > len(head):
            lines = _first_non_ascii_lines(f)
    return encoding_of_lines(lines)


def _utf16_without_bom(head: bytes) -> bool:
    """Whether text without a BOM is UTF-16: its ASCII characters (digits, commas, line ends) make NUL
    bytes, nearly all on one side of each byte pair; other encodings of text have none."""
    n = len(head) - len(head) % 2
    nuls = head.count(0, 0, n)
    if nuls < 8 or nuls < n // 20:
        return False
    even = head[0:n:2].count(0)
    return max(even, nuls - even) >= 0.9 * nuls


def encoding_of_lines(lines: Sequence[bytes]) -> str:
    """The encoding of some lines with non-ASCII bytes (no lines: UTF-8, which ASCII is).

    UTF-8 when most of them decode as UTF-8 (a few damaged lines do not decide; in another encoding
    nearly every line with Chinese fails); else GB18030 when nearly all decode as GB18030, unless they
    decode as Big5 too and read as more common Chinese that way (:func:`_common_hanzi`: nearly every
    Big5 byte pair is a valid GBK pair too, so both decode; department exports are mostly GBK, so
    GB18030 wins ties); else charset-normalizer on these lines alone (ASCII lines would make it take
    GBK for cp1252), weighing only the encodings Chinese department exports come in (left to itself
    it takes short GBK files for Korean).
    """
    good, bad = _decoded(lines, "utf-8")
    if bad == 0 or good > bad:
        return "utf-8"
    if _nearly_all(lines, "gb18030"):
        if _nearly_all(lines, "big5") and _common_hanzi(lines, "big5") > _common_hanzi(lines, "gb18030"):
            return "big5hkscs"
        return "gb18030"
    from charset_normalizer import from_bytes

    best = from_bytes(b"\n".join(lines), cp_isolation=list(_CANDIDATES)).best()
    return check_encoding(best.encoding if best else "gb18030")


def _common_hanzi(lines: Sequence[bytes], codec: str) -> int:
    """How many characters of ``lines`` decoded as ``codec`` are, in their simplified form, among the
    3,755 commonest Chinese characters (GB2312 level 1), less those that decode to the private use area.
    Text in the right encoding has many (traditional text too, folded: 溫州市鹿城區 has six); bytes of
    the other encoding decode to rare characters, and Big5 bytes read as GB18030 to private-use ones."""
    from stdaddr.text import fold_all  # not at import: the folding table is built on first use

    common = _gb2312_level1()
    decoded = [line.decode(codec, errors="replace") for line in lines]
    private = sum("\ue000" <= c <= "\uf8ff" for text in decoded for c in text)
    return sum(c in common for text in fold_all(decoded) for c in text) - private


@functools.cache
def _gb2312_level1() -> frozenset[str]:
    pairs = bytes(b for lead in range(0xB0, 0xD8) for trail in range(0xA1, 0xFF) for b in (lead, trail))
    return frozenset(pairs.decode("gb2312", errors="ignore")) - {"\ufffd"}


def _decoded(lines: Sequence[bytes], codec: str) -> tuple[int, int]:
    """How many of ``lines`` decode strictly as ``codec``, and how many do not."""
    good = 0
    for line in lines:
        try:
            line.decode(codec)
            good += 1
        except UnicodeDecodeError:
            pass
    return good, len(lines) - good


def _nearly_all(lines: Sequence[bytes], codec: str) -> bool:
    """Whether all of ``lines`` but a few damaged ones (at most one in ten) decode as ``codec``."""
    good, bad = _decoded(lines, codec)
    return good > 0 and bad * 10 <= len(lines)


def _first_non_ascii_lines(f: Any, limit: int = 1000) -> list[bytes]:
    """Up to ``limit`` lines with non-ASCII bytes from the start of the file, read in blocks (an ASCII
    file costs one pass). A line longer than :data:`MAX_LINE_BYTES` votes with its start, cut after its
    last ASCII byte (which ends a character in UTF-8, GBK and Big5 alike); the rest of it is skipped."""
    f.seek(0)
    lines: list[bytes] = []
    rest = b""
    skipping = False  # inside the rest of a line cut at MAX_LINE_BYTES
    while len(lines) < limit:
        block = f.read(_SAMPLE)
        if not block:
            break
        if skipping:
            end = block.find(b"\n")
            if end < 0:
                continue
            block, skipping = block[end + 1 :], False
        block = rest + block
        cut = block.rfind(b"\n") + 1
        if cut == 0 and len(block) <= MAX_LINE_BYTES:
            rest = block
            continue
        if cut == 0:
            block, rest, skipping = block[: len(block.rstrip(_NON_ASCII))], b"", True
        else:
            block, rest = block[:cut], block[cut:]
        if not block.isascii():
            lines.extend(line for line in block.split(b"\n") if not line.isascii())
    if rest and not rest.isascii():
        lines.append(rest)
    return lines[:limit]


_NON_ASCII = bytes(range(128, 256))


def _spread_samples(f: Any, size: int) -> list[tuple[int, bytes]]:
    """Blocks from three places spread over the file after its head, with their offsets."""
    if size <= _SAMPLE:
        return []
    out = []
    for k in range(1, _SAMPLES):
        start = _SAMPLE + (size - 2 * _SAMPLE) * k // (_SAMPLES - 1)
        f.seek(start)
        out.append((start, f.read(_SAMPLE)))
    return out


def _whole_lines(sample: bytes, *, cut_start: bool, cut_end: bool) -> bytes:
    """The sample without the partial lines at its ends (a block read mid-file cuts a character);
    nothing when it holds no whole line (a block inside one long line must not vote)."""
    start = sample.find(b"\n") + 1 if cut_start else 0
    end = sample.rfind(b"\n") if cut_end else len(sample)
    if (cut_start and start == 0) or end < start:
        return b""
    return sample[start:end]


def check_encoding(name: str) -> str:
    """The codec to read ``name`` with (GBK and GB2312 as GB18030, their superset), or InputError."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise InputError(
            f'encoding was "{name}"; expected a Python codec name such as "utf-8", "utf-8-sig", '
            '"gb18030", "gbk" or "big5"'
        ) from None
    return _SUPERSETS.get(codec, codec)


# Encodings a CSV output may be written in: byte-oriented, "\n" never inside a character (a file of
# lines, appended chunk by chunk, one BOM at most), and able to write Chinese.
OUTPUT_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950")


def check_output_encoding(name: str) -> str:
    """The codec a CSV output is written with, as named (a GBK output stays GBK), or InputError for an
    unknown codec or one outside :data:`OUTPUT_ENCODINGS` (UTF-16/32, single-byte codecs)."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        codec = None
    if codec not in OUTPUT_ENCODINGS:
        raise InputError(
            f'output encoding was "{name}"; expected one of {", ".join(OUTPUT_ENCODINGS)} (a CSV output '
            "is written as lines of Chinese text: UTF-16/32 and single-byte codecs such as latin-1 cannot be used)"
        )
    return codec


@dataclass(slots=True)
class Table:
    """A whole table read at once (a standard address base): ``frame`` holds the cells (text from CSV
    and Excel, the stored values from Parquet), ``lines`` the input line of each row (the header is
    line 1), ``faults`` what is wrong with each row (as :class:`TableReader` finds it; blank lines are
    left out) and ``name`` names the table in messages (the file, and the sheet of a workbook with several).
    """

    frame: pd.DataFrame
    lines: list[int]
    faults: list[Fault | None]
    name: str


def read_table(path: str | Path, *, encoding: str | None = None, sheet: str | int | None = 0) -> Table:
    """Read a CSV/TSV/TXT (encoding detected unless given), Excel or Parquet file whole.

    Text and Excel files are read by :func:`open_table`, so rows in a wrong encoding or with a wrong
    number of fields come with their faults rather than as mojibake or shifted columns. When most rows
    do not decode in an ``encoding`` the caller gave, the encoding is wrong, not the rows: DataError.
    """
    import pandas as pd

    file = Path(path)
    if file.suffix.lower() == ".parquet" and file.is_file():
        return _read_parquet(file)
    reader = open_table(file, encoding=encoding, sheet=sheet)
    rows: list[list[str]] = []
    lines: list[int] = []
    faults: list[Fault | None] = []
    try:
        for line, fields, fault in iter_rows(reader):
            if fault is not None and fault.status == "empty_address":
                continue  # a blank line is no row of a table read whole
            rows.append(fields)
            lines.append(line)
            faults.append(fault)
    finally:
        reader.close()
    if encoding is not None:
        _check_given_encoding(file, reader.encoding or encoding, faults)
    # A table read whole is looked up by column name, not written out: names without their spaces.
    frame = pd.DataFrame(rows, columns=[name.strip() for name in reader.columns], dtype=object)
    return Table(frame, lines, faults, reader.name)


def _check_given_encoding(path: Path, encoding: str, faults: list[Fault | None]) -> None:
    bad = [f for f in faults if f is not None and f.status == "bad_encoding"]
    if bad and len(bad) * 2 > len(faults):
        raise DataError(
            f'"{path}" is not in {encoding}: {len(bad):,} of {len(faults):,} rows do not decode (first: '
            f"{bad[0].reason}); leave the encoding out to have it detected, or name the right one"
        )


def _read_parquet(path: Path) -> Table:
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
        raise DataError(f'cannot read "{path}" as Parquet: {exc}') from exc
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1).reset_index(drop=True)
    return Table(frame, list(range(2, len(frame) + 2)), [None] * len(frame), f'"{path}"')


def open_table(
    path: str | Path,
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
    max_record_lines: int = MAX_RECORD_LINES,
    header: bool | None = None,
) -> TableReader:
    """A :class:`TableReader` for a CSV/TSV/TXT (encoding detected unless given), Excel (.xlsx) or Parquet file.

    The first row of a CSV or sheet holds the column names when ``header`` is True, and is data when it
    is False; None decides by :func:`reads_as_data` (a list of addresses without a header loses no
    row). A Parquet file always names its columns."""
    file = Path(path)
    if file.is_dir():
        raise InputError(f'input file "{path}" is a directory; expected a CSV, Excel or Parquet file')
    if not file.is_file():
        raise InputError(f'input file "{path}" does not exist')
    suffix = file.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return _TextReader(file, encoding=encoding, max_record_lines=max_record_lines, header=header)
    if suffix in EXCEL_SUFFIXES:
        return _ExcelReader(file, sheet, header)
    if suffix == ".parquet":
        return _ParquetReader(file)
    hint = "; save old .xls files as .xlsx" if suffix == ".xls" else ""
    raise InputError(
        f'input file "{path}" has suffix "{suffix}"; expected one of {", ".join(INPUT_SUFFIXES)}{hint}'
    )


def column_index(
    columns: Sequence[str], column: str, *, what: str = "the input", key: str = "column", loose: bool = True
) -> int:
    """The position of ``column`` among ``columns``, else (``loose``) of the column whose name it is
    without surrounding spaces (a header cell " 地址 "); ColumnError listing them when there is none,
    or naming them when there are several (a repeated name says nothing of which one is meant).
    ``key`` names the option in messages."""
    names = list(columns)
    found = [j for j, name in enumerate(names) if name == column]
    if not found and loose:
        found = [j for j, name in enumerate(names) if name.strip() == column.strip()]
    if len(found) == 1:
        return found[0]
    if found:
        repeated = ", ".join(f'{j + 1} "{names[j]}"' for j in found)
        raise ColumnError(
            f'{key} was "{column}" but {what} has {len(found)} columns of that name (columns {repeated}); '
            "rename them so that the name is used once"
        )
    raise ColumnError(f'{key} was "{column}" but {what} has the columns {names}')


class _Line(NamedTuple):
    """A physical line of a text file: its decoded text without the line end, its number, its fault,
    the offset after it and its line end as written ("\\r\\n", "\\n", or "" at the end of the file)."""

    text: str
    number: int
    fault: Fault | None
    after: int
    end: str


class _TextReader(TableReader):
    """CSV read as bytes, line by line: see the module docstring."""

    def __init__(self, path: Path, *, encoding: str | None, max_record_lines: int, header: bool | None):
        self.path = path
        self.name = f'"{path}"'
        self.format = "csv"
        self.where = "line"
        self.unit = "B"
        self.max_record_lines = max_record_lines
        size = path.stat().st_size
        self.total = size
        if size == 0:
            raise InputError(f'input file "{path}" is empty; expected a header row and data rows')
        self.encoding = check_encoding(encoding) if encoding else detect_encoding(path)
        self._codec = _line_codec(self.encoding, f'input file "{path}"')
        self._detected = not encoding  # (an encoding given is kept to, line by line)
        # A line may hold one field as long as the line (the csv module's default limit is 128 KiB).
        csv.field_size_limit(max(csv.field_size_limit(), 2 * MAX_LINE_BYTES))
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        head = self._file.read(_SAMPLE)
        if b"\n" not in head and b"\r" in head:
            raise InputError(
                f'input file "{path}" ends its lines with CR only; expected LF or CRLF line ends'
            )
        bom = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
        position: Position | None = Position(bom, 1)
        hint = _SEPARATOR_HINT.match(head, bom)
        if hint is not None:  # Excel's first line sep=; names the delimiter and is no row
            self.delimiter = hint[1].decode("ascii")
            position = Position(hint.end(), 2)
        elif path.suffix.lower() == ".tsv":
            self.delimiter = "\t"
        else:
            self.delimiter = _sniff_delimiter(head[bom:], self.encoding)
        head_rows: list[Chunk] = []
        while position is not None and len(head_rows) <= _MAX_TITLE_ROWS:
            row = self.read(position, 1, header=True)
            if row is None:
                break
            head_rows.append(row)
            position = row.end
        if not head_rows:  # a byte-order mark alone (Excel's "CSV UTF-8" of an empty sheet)
            raise InputError(f'input file "{path}" is empty; expected a header row and data rows')
        n_titles = leading_titles([r.rows[0] for r in head_rows])
        self.titles = tuple(_filled(r.rows[0])[0] for r in head_rows[:n_titles] if _filled(r.rows[0]))
        first = head_rows[n_titles]
        self.header = header if header is not None else not reads_as_data(first.rows[0])
        if self.header:
            self.columns = _header_names(first.rows[0], self.name)
            self.start = first.end
        else:
            self.columns = _position_names(len(first.rows[0]))
            self.start = first.start

    def close(self) -> None:
        self._file.close()

    def read(self, position: Position, n_rows: int, *, header: bool = False) -> Chunk | None:
        texts: list[str] = []
        faults: list[Fault | None] = []
        lines: list[int] = []
        end = position
        records = self._records(position, None if header else len(self.columns))
        for text, line, fault, after in records:
            texts.append(text)
            faults.append(fault)
            lines.append(line)
            end = after
            if len(texts) >= n_rows:
                break
        records.close()
        if not texts:
            return None
        rows = self._split(texts)
        if not header:
            width = len(self.columns)
            for i, fields in enumerate(rows):
                rows[i], faults[i] = _fit(fields, width, self.delimiter, faults[i], lines[i], texts[i])
        return Chunk(position, end, rows, faults, lines)

    def _split(self, texts: list[str]) -> list[list[str]]:
        """Fields of complete records: one csv pass, or record by record if the pass disagrees."""
        try:
            parsed = list(csv.reader(texts, delimiter=self.delimiter, strict=False))
            if len(parsed) == len(texts):
                return parsed
        except csv.Error:
            pass
        out = []
        for text in texts:
            try:
                out.append(next(csv.reader([text], delimiter=self.delimiter, strict=False), []))
            except csv.Error:
                out.append(text.split(self.delimiter))
        return out

    def _records(
        self, position: Position, width: int | None
    ) -> Generator[tuple[str, int, Fault | None, Position], None, None]:
        """Logical records from ``position``: (text, first line, fault, position after it).

        Lines of a record whose quote stays open for ``max_record_lines`` lines (or to the end of the
        file), or that closes into no well-formed record of ``width`` fields (a stray quote closed by
        the quote of a later row), are given back: the first line becomes a malformed row, reading
        restarts on the next.
        """
        f = self._file
        f.seek(position.offset)
        offset, line_no = position
        pending: list[_Line] = []  # lines read ahead
        while True:
            first = pending.pop(0) if pending else self._line(f, offset, line_no)
            if first is None:
                return
            text, first_line, fault, after, _ = first
            cut = fault is not None and fault.status == "too_long"
            if cut or not _opens_quote(text, self.delimiter, inside=False):
                yield text, first_line, fault, Position(after, first_line + 1)
                offset, line_no = after, first_line + 1
                continue
            group = [first]
            closed = False
            while len(group) < self.max_record_lines:
                nxt = pending.pop(0) if pending else self._line(f, group[-1][3], group[-1][1] + 1)
                if nxt is None:
                    break
                group.append(nxt)
                if not _opens_quote(nxt[0], self.delimiter, inside=True):
                    closed = True
                    break
            # Line ends inside quotes are part of the value: kept as written (CRLF or LF).
            joined = "".join(g[0] + g[4] for g in group[:-1]) + group[-1][0] if closed else ""
            misfit = _misfit(joined, self.delimiter, width) if closed else None
            if closed and misfit is None:
                faults = [g[2] for g in group if g[2] is not None]
                last = group[-1]
                yield joined, first_line, _worst(faults), Position(last[3], last[1] + 1)
                offset, line_no = last[3], last[1] + 1
                continue
            if misfit is not None:
                reason = (
                    f"line {first_line}: a quoted field opened here runs to line {group[-1][1]}, where "
                    f"{misfit}; read as a stray quote"
                )
            elif len(group) >= self.max_record_lines:
                reason = (
                    f"line {first_line}: a quoted field is not closed within {self.max_record_lines} lines"
                )
            else:
                reason = f"line {first_line}: a quoted field is not closed before the end of the file"
            yield text, first_line, Fault("malformed_row", reason, False), Position(after, first_line + 1)
            offset, line_no = after, first_line + 1
            pending = group[1:] + pending
            f.seek(pending[-1][3] if pending else after)

    def _line(self, f: Any, offset: int, line_no: int) -> _Line | None:
        """One physical line at ``offset`` (the file is positioned there): see :class:`_Line`."""
        raw = f.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return None
        size = len(raw)
        fault = None
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while True:  # skip the rest of the line without holding it
                more = f.readline(MAX_LINE_BYTES)
                size += len(more)
                if not more or more.endswith(b"\n"):
                    break
            raw = raw[:MAX_LINE_BYTES]
            fault = Fault(
                "too_long",
                f"line {line_no}: the line has {size:,} bytes; only its first {MAX_LINE_BYTES:,} were read",
                False,
            )
        body = raw.rstrip(b"\n").rstrip(b"\r")
        text, damage = decode_line(
            body, self._codec, line_no, encoding=self.encoding, other_encoding=self._detected
        )
        return _Line(text, line_no, fault or damage, offset + size, raw[len(body) :].decode("ascii"))


def decode_line(
    raw: bytes, codec: str, line_no: int, *, encoding: str | None = None, other_encoding: bool = True
) -> tuple[str, Fault | None]:
    """One line decoded on its own, and its fault: bytes that are not ``codec`` become U+FFFD
    (``bad_encoding``, naming the bytes and ``encoding``), NUL bytes are removed (``malformed_row``).

    With ``other_encoding`` (the file's encoding was detected, not given), a line in the other common
    encoding of Chinese (UTF-8 in a GB18030 file, GB18030 in a UTF-8 one: files of two exports joined) is
    read in it, and marked ``bad_encoding`` so: :func:`_other_encoding`.
    """
    fault = None
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        text = raw.decode(codec, errors="replace")
        fault = Fault(
            "bad_encoding",
            f"line {line_no}: bytes {raw[exc.start : exc.start + 4]!r} at byte {exc.start} are not "
            f"{encoding or codec}; replaced with U+FFFD",
            True,
        )
    # (a line of a UTF-8 file that decodes is UTF-8: no other reading is tried for it)
    if (
        other_encoding
        and (fault is not None or codec != "utf-8")
        and not raw.isascii()
        and (other := _other_encoding(raw, codec))
    ):
        text = other[0]
        fault = Fault(
            "bad_encoding",
            f"line {line_no}: the line is in {other[1]}, not in {encoding or codec} as the file is; read as "
            f"{other[1]}",
            True,
        )
    if "\x00" in text:
        text = text.replace("\x00", "")
        fault = fault or Fault("malformed_row", f"line {line_no}: NUL bytes removed", True)
    return text, fault


def _other_encoding(raw: bytes, codec: str) -> tuple[str, str] | None:
    """The line ``raw`` of a file in ``codec`` decoded in the other common encoding of
    Chinese, with that encoding's name, when it decodes there strictly and reads better: more of the
    commonest characters (:func:`_common_hanzi`). Chinese text in GB18030 is almost never valid UTF-8,
    so for most lines of a GB18030 file the UTF-8 decoding fails at their first character; UTF-8
    text read as GB18030 often decodes, into rare characters (浙江 -> 娴欐睙)."""
    other = "gb18030" if codec == "utf-8" else "utf-8"
    try:
        decoded = raw.decode(other)
    except UnicodeDecodeError:
        return None
    if _common_hanzi([raw], other) > _common_hanzi([raw], codec):
        return decoded, other
    return None


def iter_lines(
    stream: IO[bytes], *, encoding: str | None = None, name: str = "stdin"
) -> Iterator[tuple[int, str, Fault | None]]:
    """The lines of a byte stream (stdin), numbered from 1, without their line ends, each decoded on its
    own as the CSV reader decodes lines (:func:`decode_line`), with its fault.

    ``encoding`` is detected when not given, from the lines with non-ASCII bytes among the first
    ones (up to 1,000 such lines or 4 MiB, which are held back meanwhile): :func:`encoding_of_lines`.
    """
    lines = iter(stream)
    held: list[bytes] = []
    detected = encoding is None  # (an encoding given is kept to, line by line)
    if encoding is None:
        size = 0
        non_ascii: list[bytes] = []
        for raw in lines:
            held.append(raw)
            size += len(raw)
            if not raw.isascii():
                non_ascii.append(raw.rstrip(b"\r\n"))
            if len(non_ascii) >= 1000 or size >= _STREAM_SAMPLE:
                break
        bom = bool(held) and held[0].startswith(codecs.BOM_UTF8)
        encoding = "utf-8-sig" if bom else encoding_of_lines(non_ascii)
    encoding = check_encoding(encoding)
    codec = _line_codec(encoding, name)
    for n, raw in enumerate(itertools.chain(held, lines), start=1):
        if n == 1 and codec == "utf-8" and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        body = raw.rstrip(b"\n").rstrip(b"\r")
        yield (n, *decode_line(body, codec, n, encoding=encoding, other_encoding=detected))


def iter_rows(reader: TableReader, chunk_rows: int = 10_000) -> Iterator[tuple[int, list[str], Fault | None]]:
    """Every row of a table, in order: its first input line, its fields and its fault."""
    position = reader.start
    while (chunk := reader.read(position, chunk_rows)) is not None:
        yield from zip(chunk.lines, chunk.rows, chunk.faults, strict=True)
        position = chunk.end


def _line_codec(encoding: str, name: str) -> str:
    """The codec to decode one line of ``encoding`` with; InputError for encodings not split on b"\\n"."""
    if encoding not in _LINE_SAFE:
        raise InputError(
            f"{name} is encoded as {encoding}; it is read line by line and must be in one of "
            f"{', '.join(_LINE_SAFE)}: convert it first (iconv -f {encoding} -t utf-8), or pass --encoding "
            "if it was detected wrongly"
        )
    return "utf-8" if encoding == "utf-8-sig" else encoding


def _opens_quote(text: str, delimiter: str, *, inside: bool) -> bool:
    """Whether a quoted field is still open at the end of ``text`` (csv semantics: a quote opens a
    field only at its start; ``""`` inside quotes is a quote). ``inside``: the line starts within quotes."""
    if not inside and '"' not in text:
        return False
    i, n = 0, len(text)
    while i < n:
        j = text.find('"', i)
        if j < 0:
            return inside
        if inside:
            if j + 1 < n and text[j + 1] == '"':
                i = j + 2
                continue
            inside = False
        elif j == 0 or text[j - 1] == delimiter:
            inside = True
        i = j + 1
    return inside


def _misfit(record: str, delimiter: str, width: int | None) -> str | None:
    """Why a record of several lines is not one (None: it is): a quote closing where no field ends, or
    fewer fields than ``width``. A real multi-line cell is quoted cleanly and leaves the row its fields;
    a stray quote closed by a later row's quote rarely does either, and as it swallows the delimiters
    of the lines it spans, it leaves fewer fields, never more. A well-quoted record with more fields
    than the header is therefore one row, with a wrong field count (a malformed row, kept whole)."""
    try:
        fields = next(csv.reader([record], delimiter=delimiter, strict=True), [])
    except csv.Error:
        return "its closing quote is inside a field"
    if width is not None and len(fields) < width:
        return f"the row would have {len(fields)} fields, expected {width}"
    return None


def _worst(faults: list[Fault]) -> Fault | None:
    """The fault to report for a record of several lines: one that stops geocoding first."""
    if not faults:
        return None
    return min(faults, key=lambda f: f.readable)


def _fit(
    fields: list[str], width: int, delimiter: str, fault: Fault | None, line: int, text: str
) -> tuple[list[str], Fault | None]:
    """The fields made ``width`` long, and the row's fault: missing fields are empty, extra fields are
    joined into the last one (nothing is lost), and empty extra fields are dropped without a fault."""
    n = len(fields)
    if n == width:
        return fields, fault
    if n > width and not any(fields[width:]):
        # 001,地址,备注,, under three names: empty cells past the header (a spreadsheet's export) hold
        # nothing, and the row is whole without them.
        return fields[:width], fault
    if n == 0 and not text.strip():
        return [""] * width, fault or Fault("empty_address", f"line {line}: the line is blank", False)
    # A cut line or an open quote says more than the field count; a readable fault (NUL, encoding) says less.
    if fault is None or fault.readable:
        extra = "; the extra ones are kept in the last column" if n > width else ""
        fault = Fault(
            "malformed_row", f"line {line}: {n} field{'' if n == 1 else 's'}, expected {width}{extra}", False
        )
    if n < width:
        return fields + [""] * (width - n), fault
    return fields[: width - 1] + [delimiter.join(fields[width - 1 :])], fault


def _sniff_delimiter(head: bytes, encoding: str) -> str:
    """The delimiter of the header line: the most frequent of , TAB ; | outside quotes (default ,). The
    first line that holds one is taken for it (a title line above the header may hold none)."""
    codec = encoding if encoding != "utf-8-sig" else "utf-8"
    for line in head.split(b"\n")[: _MAX_TITLE_ROWS + 1]:
        outside = re.sub(r'"[^"]*"', "", line.decode(codec, errors="replace"))
        counts = {d: outside.count(d) for d in _DELIMITERS}
        best = max(_DELIMITERS, key=lambda d: counts[d])
        if counts[best]:
            return best
    return ","


def _filled(cells: Sequence[str]) -> list[str]:
    return [c.strip() for c in cells if c.strip()]


def leading_titles(rows: Sequence[Sequence[str]]) -> int:
    """How many of the first ``rows`` of a table are titles above its header: rows of at most one value
    (a merged title cell, 2024年鹿城区12345工单明细; 填报单位：…; blank rows) before the first row of two
    or more values, none of them an address. A table of one column has none."""
    for n, cells in enumerate(rows[: _MAX_TITLE_ROWS + 1]):
        filled = _filled(cells)
        if len(filled) >= 2:
            return n
        if filled and (_TITLE.search(filled[0]) is None or reads_as_data(filled)):
            return 0  # a header naming one column (地址,,), or data
    return 0


def reads_as_data(cells: Sequence[str]) -> bool:
    """Whether the first row of a table is data rather than its column names: one of its cells reads
    as an address, with a division written in it and a road, door, village group, building or room
    below (温州市鹿城区解放街1号). Column names (地址, 事发地址, 2024年鹿城区工单) never do."""
    from stdaddr.parsing import parse

    for cell in cells:
        value = cell.strip()
        if not _DATA_CELL_CHARS[0] <= len(value) <= _DATA_CELL_CHARS[1] or CJK.search(value) is None:
            continue
        a = parse(value)
        if writes_division(a) and (a.road and a.house_number or a.group or a.building or a.room):
            return True
    return False


def writes_division(a: Address) -> bool:
    """Whether the text parsed names a division (province to community) itself, not only by inference."""
    from stdaddr.models import DIVISION_FIELDS

    return any(getattr(a, f) for f in DIVISION_FIELDS if f not in a.inferred)


def _position_names(n: int) -> list[str]:
    """Names of the columns of a table without a header: column_1, column_2, …"""
    return [f"column_{j + 1}" for j in range(max(n, 1))]


def _header_names(fields: list[str], what: str = "the input") -> list[str]:
    """Header names as written (spaces kept: outputs repeat them), blanks named by position
    (column_3) as Excel shows them unnamed."""
    names = [name if name.strip() else f"column_{j + 1}" for j, name in enumerate(fields)]
    if not names:
        raise DataError(f"{what} has an empty header line; expected the column names on the first line")
    return names


# Cells that stand for "no address": database nulls, spreadsheet errors, dashes and the words forms
# use for "none / unknown / see the attachment", in the form is_null_marker compares (NFKC, stripped,
# ASCII lower-cased). Only whole cells: "无" alone is a placeholder, "无锡市" is a city.
NULL_MARKERS = frozenset(
    {
        *(
            "null",
            "none",
            "nil",
            "nan",
            "na",
            "n/a",
            "n.a.",
            "#n/a",
            "#null!",
            "#value!",
            "#ref!",
            "undefined",
        ),
        *(
            "unknown",
            "-",
            "--",
            "---",
            "—",
            "——",
            "/",
            "//",
            "\\",
            ".",
            "...",
            "?",
            "*",
            "x",
            "xx",
            "xxx",
            "0",
        ),
        *("无", "空", "暂无", "无地址", "没有", "没有地址", "不详", "地址不详", "未知", "地址未知", "不明"),
        *("地址不明", "不清楚", "未填", "未填写", "待定", "待补充", "待核实", "待查", "缺失", "略", "同上"),
        *("详见附件", "见附件", "详见备注", "见备注", "其他", "其它", "无详细地址", "空白"),
    }
)


# Texts this short may be a placeholder for no value (NULL, 不详, 无地址, -); longer ones never are.
NULL_MARKER_MAX = 12


def is_null_marker(text: str) -> bool:
    """Whether a cell's text only stands for "no value": one of :data:`NULL_MARKERS`, or nothing but
    punctuation and symbols ("-/-", "……", "＊＊").

    >>> is_null_marker(" NULL "), is_null_marker("Ｎ／Ａ"), is_null_marker("不详"), is_null_marker("—/—")
    (True, True, True, True)
    >>> is_null_marker("不详不详"), is_null_marker("无无"), is_null_marker("不详。"), is_null_marker("（无）")
    (True, True, True, True)
    >>> is_null_marker("无锡市"), is_null_marker("12号"), is_null_marker("")
    (False, False, False)
    """
    key = unicodedata.normalize("NFKC", text).strip()
    if not key:
        return False
    if len(key) <= _LONGEST_MARKER and (key.lower() if key.isascii() else key) in NULL_MARKERS:
        return True
    # 不详。, (无), 暂无！: a marker with the punctuation around it
    core = key.strip(_PUNCTUATION_AROUND)
    if core != key and core and len(core) <= _LONGEST_MARKER and core.lower() in NULL_MARKERS:
        return True
    for n in (2, 3):  # 不详不详, 无无无: a marker written again
        part = key[: len(key) // n]
        if part and key == part * n and len(part) <= _LONGEST_MARKER and part.lower() in NULL_MARKERS:
            return True
    return all(unicodedata.category(c)[0] in "PSZ" for c in key)


_LONGEST_MARKER = max(len(m) for m in NULL_MARKERS)
_PUNCTUATION_AROUND = "。.,，、;；!！?？()（）[]【】\"'“”‘’ "


# A column's header naming the level of the bare numbers in it: 门牌号 12 is 12号, 楼栋 3 is 3幢.
_NUMBER_MARKS = (
    (re.compile("门牌|门楼|号码"), "号"),
    (re.compile("楼栋|幢|栋|楼号"), "幢"),
    (re.compile("单元"), "单元"),
    (re.compile("村民小组|小组|^组$|组号|^组别$|^村组$"), "组"),
    (re.compile("楼层|层"), "层"),
    (re.compile("室|户号|房号|房间"), "室"),
)
# A number, a letter (A幢) or both, or a Chinese numeral (三单元), with nothing else.
_BARE_NUMBER = re.compile(
    "[A-Za-zＡ-Ｚａ-ｚ]?[0-9０-９]+(?:[-－][0-9０-９]+)?[A-Za-zＡ-Ｚａ-ｚ]?|[A-Za-zＡ-Ｚａ-ｚ]|[一二三四五六七八九十]{1,3}"
)


def address_columns(column: Any, *, key: str = "column") -> tuple[str, ...]:
    """The columns an address is read from: one name, or several in order (区县, 街道, 详细地址) whose
    cells :func:`join_address` joins. InputError for anything else; ``key`` names the option.

    >>> address_columns("地址"), address_columns(["区县", "详细地址"])
    (('地址',), ('区县', '详细地址'))
    """
    if _column_name(column):
        return (str(column),)  # a DataFrame's column 0 is named "0", as the id column's is
    if (
        isinstance(column, (list, tuple))
        and column
        and all(_column_name(c) for c in column)
        and len({str(c) for c in column}) == len(column)
    ):
        return tuple(str(c) for c in column)
    raise InputError(f"{key} was {column!r}; expected a column name or a list of distinct column names")


def _column_name(column: Any) -> bool:
    return isinstance(column, str) or (isinstance(column, int) and not isinstance(column, bool))


def number_marks(names: Sequence[str]) -> tuple[str, ...]:
    """Per column, the mark its bare numbers take from its header ("" for none): 门牌号 → 号, 楼栋 → 幢,
    单元 → 单元, 村民小组 → 组, 楼层 → 层, 室号 → 室.

    >>> number_marks(["街路巷", "门牌号", "楼栋", "单元", "室"])
    ('', '号', '幢', '单元', '室')
    """
    return tuple(next((mark for header, mark in _NUMBER_MARKS if header.search(n)), "") for n in names)


def table_addresses(df: Any, column: str | Sequence[str]) -> list[Any]:
    """The address of each row of a DataFrame: the values of ``column``, or of several columns joined
    (:func:`join_address`). ColumnError naming the table's columns for a column it lacks."""
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise InputError(f"the table was {shown(df)}; expected a pandas DataFrame")
    names = address_columns(column)
    have = {str(c): c for c in df.columns}
    for name in names:
        if name not in have:
            raise ColumnError(f'column was "{name}" but the table has the columns {list(have)}')
        if [str(c) for c in df.columns].count(name) > 1:
            raise ColumnError(
                f'the table has two or more columns named "{name}"; rename them so that one is the address'
            )
    if len(names) == 1:
        return list(df[have[names[0]]].tolist())
    join = row_address(names, range(len(names)))
    return [join(row) for row in zip(*(df[have[n]].tolist() for n in names), strict=True)]


def row_address(names: Sequence[str], positions: Sequence[int]) -> Callable[[Sequence[Any]], Any]:
    """The address of a row given as its cells: the cell at the one position, or the cells at several
    (``names`` are the table's column names) joined by :func:`join_address` with their columns' marks."""
    if len(positions) == 1:
        j = positions[0]
        return lambda cells: cells[j]
    marks = number_marks([names[j] for j in positions])
    return lambda cells: join_address([cells[j] for j in positions], marks)


def shown(value: Any) -> str:
    """A value as an error message repeats it: its repr, or its type when the repr is long."""
    text = repr(value)
    return text if len(text) <= 80 else f"a {type(value).__name__}"


def join_address(cells: Sequence[Any], marks: Sequence[str] = ()) -> str:
    """One address text from the cells of several columns, in order, separated by spaces.

    Empty cells and placeholders (NULL, 不详) are left out, and so is a cell that a later cell repeats with
    only divisions between them: a division (区县 鹿城区 before 详细地址 温州市鹿城区解放街12号, 社区 百里坊社区
    before 百里坊社区体育街22号), or a road followed there by its door (体育街 before 体育街22号); a road inside a
    place's name is no repeat (蝉街 before 中国建设银行温州蝉街支行), nor is a division named again by a place
    after the road and door (平阳县 … 新城大道 1号 平阳县水头镇人民政府). A bare number takes its column's mark
    (:func:`number_marks`), so that the parser reads the level the column holds.

    >>> join_address(["鹿城区", "五马街道", "解放街", "12", "3"], ("", "", "", "号", "幢"))
    '鹿城区 五马街道 解放街 12号 3幢'
    >>> join_address(["鹿城区", None, "温州市鹿城区解放街12号", "不详"])
    '温州市鹿城区解放街12号'
    """
    parts: list[str] = []
    for j, cell in enumerate(cells):
        text = " ".join(cell_text(cell).split()) if not is_missing(cell) else ""
        if not text or (len(text) <= NULL_MARKER_MAX and is_null_marker(text)):
            continue
        mark = marks[j] if j < len(marks) else ""
        if mark and _BARE_NUMBER.fullmatch(text):
            text += mark
        parts.append(text)
    kept = [p for i, p in enumerate(parts) if not _repeated_after(parts, i)]
    return " ".join(kept)


def _repeated_after(parts: list[str], i: int) -> bool:
    """Whether a later cell repeats cell ``i`` with nothing between them but divisions and cells it
    repeats too: a detail cell that writes the address from its divisions on. A place named after a division after the road and
    door (平阳县 … 新城大道 1号 平阳县水头镇人民政府) repeats nothing."""
    return any(
        _repeated_in(parts[i], parts[j])
        and all(_DIVISION_CELL.search(parts[m]) or _repeated_in(parts[m], parts[j]) for m in range(i + 1, j))
        for j in range(i + 1, len(parts))
    )


# A cell naming a division (瑞安市, 塘下镇, 五马街道, 百里坊社区, 茶山村): said once when a later cell holds it.
_DIVISION_CELL = re.compile(
    "[\u3400-\u9fff\U00020000-\U0003ffff](?:省|市|区|县|旗|盟|州|镇|乡|街道|地区|社区|村|居委会|村委会)$"
)
# What follows a road in a later cell that repeats it (体育街 before 体育街22号): its door.
_DOOR_AFTER = re.compile("[0-9０-９一二三四五六七八九十〇零]|$")


def _repeated_in(cell: str, later: str) -> bool:
    """Whether a later cell repeats ``cell``: a division anywhere in it, another name (a road) followed
    there by its door or nothing; a road inside a place's name is no repeat (蝉街 of 中国建设银行蝉街支行)."""
    at = later.find(cell)
    if at < 0 or CJK.search(cell) is None:
        return False  # a number (1 of 解放街101号) is never a repeat
    return _DIVISION_CELL.search(cell) is not None or _DOOR_AFTER.match(later, at + len(cell)) is not None


def id_text(value: Any) -> str | None:
    """A record id as text, the same for every input format (None: no id).

    Text is kept as it is (leading zeros and all; blank text is no id). Numbers a file stored as
    numbers are written as integers when they are whole: a float id is an integer id that went through
    a float column (pandas turns an integer column with a gap into float64), and beyond 2**53 it is
    written with the digits the float holds and zeros after them, as a spreadsheet's cell of it is (see
    :func:`cell_text`, :func:`inexact_id`): one id whichever format it came in. None, NaN, NA and NaT are no
    id.

    >>> id_text("007"), id_text(330302006001.0), id_text(2.0**60), id_text(7.5), id_text(float("nan"))
    ('007', '330302006001', '1152921504606847000', '7.5', None)
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, (bytes, bytearray)):
        return id_text(bytes(value).decode("utf-8", errors="replace"))
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return None
        if not number.is_integer():
            return repr(number)
        return str(int(number)) if abs(number) <= 2**53 else format(decimal.Decimal(repr(number)), "f")
    if is_missing(value):
        return None
    text = str(value)
    return text if text.strip() else None


class InexactNumber(str):
    """The text of a whole number beyond 2**53 that a spreadsheet stored as a float (330302198001011300):
    its last digits may not be the ones the source system wrote. Text in every other respect."""

    __slots__ = ()


def inexact_id(value: Any) -> bool:
    """Whether ``value`` is a whole float beyond 2**53, where a float no longer holds every integer, or
    the text a sheet's cell of one was read as (:class:`InexactNumber`): the id it gives may differ in
    its last digits from the one the source system wrote."""
    return isinstance(value, InexactNumber) or (
        isinstance(value, numbers.Real)
        and not isinstance(value, numbers.Integral)
        and math.isfinite(float(value))
        and abs(float(value)) > 2**53
    )


def is_missing(value: Any) -> bool:
    """Whether a scalar is a missing value: None, NaN, pandas' NA and NaT (NA's comparisons give NA)."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return True


def cell_text(value: Any) -> str:
    """A spreadsheet or Parquet value as text: integers without ``.0``, dates in ISO form (a datetime
    at midnight as a date), None as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if not value.is_integer():
            return repr(value)
        if abs(value) <= 2**53:
            return str(int(value))
        # A whole number beyond 2**53 (an ID card number stored as a number: 3.303021980010113e+17) is
        # written with the digits the float holds and zeros after them (330302198001011300), never as
        # 1.2e+18, nor with digits the float only makes up (330302198001011328).
        return InexactNumber(format(decimal.Decimal(repr(value)), "f"))
    if isinstance(value, datetime.datetime):
        # Excel stores dates as datetimes at midnight: write those as dates.
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def _cells(values: Sequence[Any]) -> list[str]:
    """A sheet row as text, without the empty cells after its last value (formatting, not data);
    cells of spaces are values and are kept."""
    cells = [cell_text(v) for v in values]
    while cells and not cells[-1]:
        cells.pop()
    return cells


class _ExcelReader(TableReader):
    """The first (or a named) sheet of an .xlsx file, streamed with openpyxl's read-only mode.

    Row 1 is the header. Empty rows between data rows are rows (empty addresses); empty rows after the
    last data row are formatting, not data, and are left out.
    """

    def __init__(self, path: Path, sheet: str | int | None, header: bool | None):
        import openpyxl

        self.path = path
        self.format = "xlsx"
        self.encoding = None
        self.unit = "rows"
        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise DataError(f'cannot read "{path}" as an Excel workbook: {exc}') from exc
        names = self._book.sheetnames
        if sheet is None or sheet == 0:
            self._sheet = self._book.worksheets[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool) and 0 <= sheet < len(names):
            self._sheet = self._book.worksheets[sheet]
        elif isinstance(sheet, str) and sheet in names:
            self._sheet = self._book[sheet]
        else:
            self._book.close()
            raise InputError(
                f'sheet was {sheet!r} but "{path}" has the sheets {names} (a name, or a number from 0)'
            )
        title = self._sheet.title
        self.sheets, self.sheet = tuple(names), title
        self.name = f'sheet "{title}" of "{path}"' if len(names) > 1 else f'"{path}"'
        first = next(self._sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
        if first is None:
            self._book.close()
            raise InputError(f"{self.name} is an empty sheet; expected a header row and data rows")
        head_rows = [
            _cells(values) for values in self._sheet.iter_rows(max_row=_MAX_TITLE_ROWS + 1, values_only=True)
        ]
        n_titles = leading_titles(head_rows)
        self.titles = tuple(_filled(cells)[0] for cells in head_rows[:n_titles] if _filled(cells))
        cells = head_rows[n_titles]
        self.header = header if header is not None else not reads_as_data(cells)
        self.columns = _header_names(cells, self.name) if self.header else _position_names(len(cells))
        row = n_titles + 1 + self.header  # the first data row
        self.start = Position(row, row)
        max_row = self._sheet.max_row
        self.total = max_row - self.start.offset + 1 if isinstance(max_row, int) else None
        self._iter: Iterator[tuple[Any, ...]] | None = None
        self._next = -1
        # Cells merged down a column (a 区县 written once for its rows) within the data rows: the value of a
        # range's top cell is every row's of it, as the sheet shows it.
        self._merged = [
            (top, col - 1, bottom)
            for top, col, bottom in _vertical_merges(self._sheet)
            if top >= self.start.offset and col <= len(self.columns)
        ]
        self._merged_values: dict[tuple[int, int], str] = {}
        self._merge_row = self._merge_next = 0
        self._merge_active: list[tuple[int, int, int]] = []

    def close(self) -> None:
        self._book.close()

    def read(self, position: Position, n_rows: int) -> Chunk | None:
        if self._iter is None or self._next != position.offset:
            self._iter = self._sheet.iter_rows(min_row=position.offset, values_only=True)
            self._next = position.offset
        width = len(self.columns)
        rows: list[list[str]] = []
        faults: list[Fault | None] = []
        lines: list[int] = []
        blanks: list[int] = []
        row_no = position.offset
        for values in self._iter:
            cells = _cells(values)
            if not cells:  # a row of spaces is a row of values; only empty rows may be formatting
                blanks.append(row_no)
                row_no += 1
                continue
            for b in blanks:  # blank rows count once data follows them
                rows.append([""] * width)
                faults.append(Fault("empty_address", f"row {b}: the row is blank", False))
                lines.append(b)
            blanks = []
            fault = None
            if len(cells) > width:
                fault = Fault(
                    "malformed_row",
                    f"row {row_no}: {len(cells)} cells, expected {width}; the extra ones are kept in the last column",
                    False,
                )
                cells = cells[: width - 1] + ["\t".join(cells[width - 1 :])]
            rows.append(cells + [""] * (width - len(cells)))
            if self._merged:
                self._fill_merged(row_no, rows[-1])
            faults.append(fault)
            lines.append(row_no)
            row_no += 1
            if len(rows) >= n_rows:
                break
        self._next = row_no
        if not rows:
            return None
        return Chunk(position, Position(row_no, row_no), rows, _without_nul(rows, faults, lines), lines)

    def _fill_merged(self, row_no: int, cells: list[str]) -> None:
        if row_no < self._merge_row:  # read again from an earlier row
            self._merge_next, self._merge_active = 0, []
        self._merge_row = row_no
        merged, k = self._merged, self._merge_next
        while k < len(merged) and merged[k][0] <= row_no:
            self._merge_active.append(merged[k])
            k += 1
        self._merge_next = k
        if not self._merge_active:
            return
        self._merge_active = [r for r in self._merge_active if r[2] >= row_no]
        for top, j, _ in self._merge_active:
            if row_no == top:
                self._merged_values[top, j] = cells[j]
            elif not cells[j]:
                if (top, j) not in self._merged_values:  # reading resumed inside the range
                    values = next(self._sheet.iter_rows(min_row=top, max_row=top, values_only=True), ())
                    above = _cells(values)
                    self._merged_values[top, j] = above[j] if j < len(above) else ""
                cells[j] = self._merged_values[top, j]


_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)\"")


def _vertical_merges(sheet: Any) -> list[tuple[int, int, int]]:
    """The ranges of a read-only sheet merged over more than one row, as (top row, first column, bottom
    row), 1-based. Read-only mode does not parse them: they are found in the sheet's XML after its cells
    (markup only: a cell's text is escaped), scanned once in blocks."""
    from openpyxl.utils.cell import column_index_from_string

    try:
        source = sheet._get_source()
    except Exception:  # not an openpyxl read-only sheet as known: cells are read as they are
        return []
    found: list[tuple[int, int, int]] = []
    tail = b""
    with source:
        while block := source.read(1 << 20):
            data = tail + block
            last = 0
            for m in _MERGE_REF.finditer(data):
                top, bottom = int(m[2]), int(m[4])
                if bottom > top:
                    found.append((top, column_index_from_string(m[1].decode("ascii")), bottom))
                last = m.end()
            tail = data[max(last, len(data) - 200) :]
    return sorted(set(found))


class _ParquetReader(TableReader):
    """A Parquet file read in batches; every column as text (``cell_text``)."""

    def __init__(self, path: Path):
        import pyarrow.parquet as pq

        self.path = path
        self.name = f'"{path}"'
        self.format = "parquet"
        self.encoding = None
        self.unit = "rows"
        try:
            self._file = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
            raise DataError(f'cannot read "{path}" as Parquet: {exc}') from exc
        self.columns = [str(name) for name in self._file.schema_arrow.names]
        self.total = self._file.metadata.num_rows
        self.start = Position(0, 2)
        self._buffer: list[list[str]] = []
        self._batches: Iterator[Any] | None = None
        self._next = -1

    def close(self) -> None:
        self._file.close()

    def _seek(self, row: int) -> None:
        meta = self._file.metadata
        first = 0
        group = 0
        while group < meta.num_row_groups and first + meta.row_group(group).num_rows <= row:
            first += meta.row_group(group).num_rows
            group += 1
        groups = list(range(group, meta.num_row_groups))
        self._batches = (
            iter(self._file.iter_batches(batch_size=8192, row_groups=groups)) if groups else iter(())
        )
        self._buffer = []
        skip = row - first
        while skip > 0:
            rows = self._next_rows()
            if rows is None:
                break
            self._buffer = rows[skip:]
            skip -= len(rows)
        self._next = row

    def _next_rows(self) -> list[list[str]] | None:
        assert self._batches is not None
        batch = next(self._batches, None)
        if batch is None:
            return None
        columns = [_text_column(batch.column(j)) for j in range(batch.num_columns)]
        return (
            [list(r) for r in zip(*columns, strict=True)] if columns else [[] for _ in range(batch.num_rows)]
        )

    def read(self, position: Position, n_rows: int) -> Chunk | None:
        if self._batches is None or self._next != position.offset:
            self._seek(position.offset)
        rows = self._buffer
        while len(rows) < n_rows:
            more = self._next_rows()
            if more is None:
                break
            rows.extend(more)
        rows, self._buffer = rows[:n_rows], rows[n_rows:]
        if not rows:
            return None
        end = position.offset + len(rows)
        self._next = end
        lines = list(range(position.offset + 2, end + 2))
        return Chunk(
            position, Position(end, end + 2), rows, _without_nul(rows, [None] * len(rows), lines), lines
        )


def _without_nul(rows: list[list[str]], faults: list[Fault | None], lines: list[int]) -> list[Fault | None]:
    """Cells of a sheet or Parquet file lose their NUL bytes, as a CSV's lines do, and so does the row's
    status: ``malformed_row`` (a NUL written out breaks the CSV readers of the output, such as COPY)."""
    for i, row in enumerate(rows):
        if any("\x00" in cell for cell in row):
            row[:] = [cell.replace("\x00", "") for cell in row]
            faults[i] = faults[i] or Fault("malformed_row", f"row {lines[i]}: NUL bytes removed", True)
    return faults


def _text_column(array: pa.Array) -> list[str]:
    import pyarrow as pa

    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return [v if v is not None else "" for v in array.to_pylist()]
    if pa.types.is_floating(array.type) or pa.types.is_temporal(array.type) or pa.types.is_binary(array.type):
        return [cell_text(v) for v in array.to_pylist()]
    try:
        texts = array.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return [cell_text(v) for v in array.to_pylist()]
    return [v if v is not None else "" for v in texts.to_pylist()]


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def temp_beside(path: Path, suffix: str = ".tmp") -> Path:
    """A fresh hidden file name in the folder of ``path`` (same file system, so a rename is atomic).
    Unlike ``tempfile.mkstemp`` the file is not created, so it gets the usual permissions."""
    import uuid

    return path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}{suffix}")


@contextlib.contextmanager
def output_lock(path: Path) -> Iterator[None]:
    """Hold the lock of an output for one run (``OUTPUT.lock`` beside it, released at the end).

    A second run writing the same output is refused: two runs would share its ``.partial`` file and
    checkpoint. While the lock is held no other run writes there, so hidden temporary files of the
    output that a killed run left behind are removed.
    """
    lock = path.with_name(path.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    held = False
    try:
        held = _try_lock(fd)
        if not held:
            raise InputError(
                f'another run is writing "{path}" (its lock "{lock}" is held); '
                "wait for it to end or choose another output"
            )
        for stale in path.parent.glob(f".{glob.escape(path.name)}.*"):
            if stale.is_file():
                stale.unlink(missing_ok=True)
        yield
    finally:
        if held:
            lock.unlink(missing_ok=True)
        os.close(fd)


def _try_lock(fd: int) -> bool:
    """Lock an open file without waiting (POSIX flock, or msvcrt on Windows); False when it is held."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def replace_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part."""
    tmp = temp_beside(path)
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


OUTPUT_FORMATS = ("csv", "parquet", "geoparquet", "gpkg")
_OUTPUT_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".geoparquet": "geoparquet", ".gpkg": "gpkg"}


def output_format(path: str | Path, fmt: str | None = None) -> str:
    """The output format: ``fmt`` if given, else from the suffix of ``path``; InputError otherwise."""
    if fmt is not None:
        if fmt not in OUTPUT_FORMATS:
            raise InputError(f'output format was "{fmt}"; expected one of {", ".join(OUTPUT_FORMATS)}')
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in _OUTPUT_SUFFIXES:
        raise InputError(
            f'output file "{path}" has suffix "{suffix}"; expected one of {", ".join(_OUTPUT_SUFFIXES)} '
            "(or name the format)"
        )
    return _OUTPUT_SUFFIXES[suffix]


class CsvOutput:
    """A CSV written to ``OUTPUT.partial`` chunk by chunk (each write fsynced) and renamed to ``OUTPUT``
    when complete, so the output path only ever holds a whole file. ``encoding`` is one of
    :data:`OUTPUT_ENCODINGS`; ``columns`` name the columns in errors."""

    def __init__(self, path: Path, *, encoding: str = "utf-8", columns: Sequence[str] = ()):
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self.columns = list(columns)  # names a column a character cannot be written in
        codec = check_output_encoding(encoding)
        self._bom = codec == "utf-8-sig"
        self.encoding = "utf-8" if self._bom else codec
        self._file: Any = None

    def start(self, columns: Sequence[str]) -> int:
        """Begin a new file with the header; returns its length in bytes."""
        self._file = open(self.partial, "wb")  # noqa: SIM115 - closed by finish()/close()
        return self.write([list(columns)], header=True)

    def resume(self, length: int) -> bool:
        """Continue a file written up to ``length`` bytes (cut anything after); False if there is none."""
        if not self.partial.exists() or self.partial.stat().st_size < length:
            return False
        self._file = open(self.partial, "r+b")  # noqa: SIM115
        self._file.truncate(length)
        self._file.seek(length)
        return True

    def write(
        self, rows: list[list[str]], *, header: bool = False, lines: Sequence[int] = (), where: str = "line"
    ) -> int:
        """Append rows, flush and fsync; returns the file's length. A character the encoding cannot
        write is a DataError naming it and its row (by ``where`` and ``lines``, the rows' input lines),
        never a silent "?"."""
        text = csv_text(rows)
        if self.encoding != "utf-8" and "\ufffd" in text:
            # U+FFFD stands for bytes the input could not decode (their rows are flagged bad_encoding): written
            # as "?" where the encoding has no such character (GBK out of a GBK file with one bad byte).
            text = text.replace("\ufffd", "?")
        try:
            data = text.encode(self.encoding)
        except UnicodeEncodeError:
            raise self._unwritable(rows, header, lines, where) from None
        if header and self._bom:
            data = codecs.BOM_UTF8 + data
        self._file.write(data)
        self._file.flush()
        os.fsync(self._file.fileno())
        return self._file.tell()

    def _unwritable(self, rows: list[list[str]], header: bool, lines: Sequence[int], where: str) -> DataError:
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                try:
                    cell.encode(self.encoding)
                except UnicodeEncodeError as exc:
                    char = cell[exc.start]
                    place = (
                        "the header"
                        if header
                        else (f"{where} {lines[i]}" if i < len(lines) else f"row {i + 1}")
                    )
                    column = f'"{self.columns[j]}"' if j < len(self.columns) else str(j + 1)
                    return DataError(
                        f'{place}: "{char}" (U+{ord(char):04X}) in column {column} cannot be written in '
                        f"{self.encoding}; choose an output encoding that has it (utf-8, utf-8-sig, gb18030)"
                    )
        return DataError(f"the rows cannot be written in {self.encoding}")

    def finish(self) -> None:
        self._file.close()
        os.replace(self.partial, self.path)
        fsync_dir(self.path.parent)

    def close(self) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()


# The time a GeoPackage says it was written (gpkg_contents.last_change), fixed: two runs on the same input
# write identical files.
FIXED_GPKG_DATE = {"OGR_CURRENT_DATE": "2000-01-01T00:00:00.000Z"}


class PartsOutput:
    """Parquet, GeoParquet or GeoPackage output: one Parquet part per chunk in ``OUTPUT.parts/``
    (each written atomically), assembled into ``OUTPUT`` when complete.

    ``point`` names the x and y columns the geometry is made of (GeoParquet, GeoPackage); ``crs``
    is their CRS (GCJ02 and BD09, which no file can state, are written without one).
    """

    def __init__(self, path: Path, fmt: str, *, point: tuple[str, str], crs: str, layer: str | None = None):
        self.path = path
        self.format = fmt
        self.parts = path.with_name(path.name + ".parts")
        self.point = point
        self.crs = crs
        self.layer = layer or path.stem

    def _part(self, k: int) -> Path:
        return self.parts / f"part-{k:06d}.parquet"

    def start(self) -> None:
        import shutil

        shutil.rmtree(self.parts, ignore_errors=True)
        self.parts.mkdir()  # in the output's folder, which is never created

    def resume(self, n_parts: int) -> bool:
        """Keep parts 0 .. n_parts-1 (False if one is missing) and delete any later ones."""
        if not all(self._part(k).exists() for k in range(n_parts)):
            return False
        for extra in self.parts.glob("part-*.parquet"):
            if int(extra.stem[5:]) >= n_parts:
                extra.unlink()
        return True

    def write(self, k: int, table: pa.Table) -> None:
        import pyarrow.parquet as pq

        part = self._part(k)
        tmp = part.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            pq.write_table(table, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, part)
        fsync_dir(self.parts)

    def finish(self, n_parts: int, empty: pa.Table) -> None:
        """Assemble parts 0 .. n_parts-1 into the output (``empty``, the schema, when there are none)."""
        import shutil

        # GDAL wants a GeoPackage to be named .gpkg.
        tmp = temp_beside(self.path, ".gpkg" if self.format == "gpkg" else ".tmp")
        try:
            tables = self._tables(n_parts) if n_parts else iter([empty])
            if self.format == "gpkg":
                self._write_gpkg(tmp, tables)
            else:
                self._write_parquet(tmp, tables)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fsync_dir(self.path.parent)
        shutil.rmtree(self.parts, ignore_errors=True)

    def _tables(self, n_parts: int) -> Iterator[pa.Table]:
        import pyarrow.parquet as pq

        for k in range(n_parts):
            yield pq.read_table(self._part(k))

    def _with_geometry(self, table: pa.Table) -> pa.Table:
        import numpy as np
        import pyarrow as pa
        import shapely

        x = table.column(self.point[0]).to_numpy(zero_copy_only=False)
        y = table.column(self.point[1]).to_numpy(zero_copy_only=False)
        ok = np.isfinite(x) & np.isfinite(y)
        wkb = np.full(len(x), None, dtype=object)
        wkb[ok] = shapely.to_wkb(shapely.points(x[ok], y[ok]))
        return table.append_column("geometry", pa.array(wkb, pa.binary()))

    def _write_parquet(self, path: Path, tables: Iterator[pa.Table]) -> None:
        import pyarrow.parquet as pq

        writer = None
        try:
            for table in tables:
                if self.format == "geoparquet":
                    table = self._with_geometry(table)
                    table = table.replace_schema_metadata(
                        {**(table.schema.metadata or {}), b"geo": self._geo_metadata()}
                    )
                if writer is None:
                    writer = pq.ParquetWriter(path, table.schema)
                writer.write_table(table)
        finally:
            if writer is not None:
                writer.close()

    def _geo_metadata(self) -> bytes:
        import json

        from stdaddr.crs import BD09, GCJ02

        column: dict[str, Any] = {"encoding": "WKB", "geometry_types": ["Point"]}
        # No CRS object can say GCJ-02 or BD-09: their files state none (null = unknown in GeoParquet).
        if self.crs in (GCJ02, BD09):
            column["crs"] = None
        else:
            import pyproj

            column["crs"] = pyproj.CRS(self.crs).to_json_dict()
        meta = {"version": "1.0.0", "primary_column": "geometry", "columns": {"geometry": column}}
        return json.dumps(meta).encode()

    def _write_gpkg(self, path: Path, tables: Iterator[pa.Table]) -> None:
        import warnings

        import pyogrio

        from stdaddr.crs import BD09, GCJ02

        crs = None if self.crs in (GCJ02, BD09) else self.crs
        # GeoPackage stores the time it was written; a fixed one makes a resumed run's file identical.
        previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
        pyogrio.set_gdal_config_options(FIXED_GPKG_DATE)
        try:
            with warnings.catch_warnings():
                # Without a CRS (GCJ-02, BD-09) pyogrio warns that the file will have none: that is the point.
                warnings.filterwarnings("ignore", message=".*crs.*was not provided", category=UserWarning)
                for k, table in enumerate(tables):
                    pyogrio.write_arrow(
                        self._with_geometry(table),
                        path,
                        layer=self.layer,
                        driver="GPKG",
                        geometry_name="geometry",
                        geometry_type="Point",
                        crs=crs,
                        append=k > 0,
                    )
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


class CsvOut:
    """A CSV writer to a text stream with LF line ends that also quotes a field holding a lone CR.

    The csv module quotes only the characters of its own line terminator: with LF, a field holding CR
    (甲\r乙, as old Mac text and some forms leave in a cell) is written bare, and readers end the row at
    it. Such a row is written with every field quoted; other rows as csv.writer writes them.
    """

    def __init__(self, f: IO[str]) -> None:
        self._plain = csv.writer(f, lineterminator="\n")
        self._quoted = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, row: Sequence[Any]) -> None:
        bare_cr = any(isinstance(v, str) and "\r" in v for v in row)
        (self._quoted if bare_cr else self._plain).writerow(row)

    def writerows(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(rows: Sequence[Sequence[Any]]) -> str:
    """``rows`` as CSV text with LF line ends, a field holding a lone CR quoted (see :class:`CsvOut`)."""
    import io as _io

    buffer = _io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    text = buffer.getvalue()
    if "\r" not in text:
        return text  # the common case: one pass in C
    buffer = _io.StringIO()
    CsvOut(buffer).writerows(rows)
    return buffer.getvalue()
