"""Event times as departments write them: ``2024-03-05 14:22``, ``2024/3/5``, ``2024年3月5日``, ``20240305``,
Unix seconds or milliseconds, Excel day numbers, ISO 8601 with an offset, and twelve-hour clocks as Chinese
exports write them (``2024/3/5 下午 2:22:31``, ``2024年3月5日上午9点30分``, ``2024-03-05 2:22 PM``).

:func:`parse_times` never drops or rejects a row: each value gets a time or NaT, and a status
(:data:`TIME_STATUSES`). Times are China local time without an offset: a value with a UTC offset
(``…+00:00``, ``…Z``) and Unix timestamps are converted to UTC+8. Day-first dates (``05/03/2024``)
are not guessed; name their format (``time_format = "%d/%m/%Y"``).

Only the distinct values are parsed (events repeat their dates), each format tried on a sample of
what is left before the whole of it, so a department's file costs one or two vectorised passes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["TIME_STATUSES", "FORMATS", "parse_times"]

#: ``parsed``: a time; ``empty``: the cell is empty; ``unparseable``: text that is not a time in any known
#: format (or a year outside 1900-2100); ``no_column``: the department has no time column.
TIME_STATUSES = ("parsed", "empty", "unparseable", "no_column")
PARSED, EMPTY, UNPARSEABLE, NO_COLUMN = range(4)

# strptime formats tried when none is configured (pandas "ISO8601" covers 2024-03-05, 2024-03-05 14:22,
# 2024-03-05T14:22:31.5, 2024/03/05 and 20240305); %m and %d also read 3 for 03.
FORMATS = (
    "ISO8601",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M:%S",
    "%Y年%m月%d日%H:%M",
    "%Y年%m月%d日%H时%M分%S秒",
    "%Y年%m月%d日%H时%M分",
    "%Y年%m月%d日 %H时%M分",
    "%Y年%m月%d日",
    "%Y年%m月%d号",
    "%Y年%m月",
    "%Y-%m",
    "%Y/%m",
    "%Y.%m",
)
_SAMPLE = 256
# A date or time written strictly in ISO 8601: 2024-06-01, 2024-06-01 08:00, 2024-06-01T08:00:00.5.
_ISO_TEXT = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_CHINA = np.timedelta64(8, "h")
_EXCEL_EPOCH = np.datetime64("1899-12-30", "ms")
_YEARS = (np.datetime64("1900-01-01", "ms"), np.datetime64("2101-01-01", "ms"))
# Digit strings by length: dates without separators, Unix timestamps, Excel day numbers (10000-99999 is
# 1927-2173).
_DIGIT_FORMATS = {6: "%Y%m", 8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"
# A date, then a clock with a part of the day (上午 9:30, 下午2点, 9:30 PM) or in 点 (9点30分).
_MERIDIEM = r"(?:上午|中午|下午|晚上|凌晨|早上|早晨|傍晚|AM|PM)"
_CLOCK = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?\s*(?P<before>" + _MERIDIEM + r")?\s*(\d{1,2})"
    r"(?:[:时点](\d{1,2})分?(?:[:分](\d{1,2})秒?)?|[时点](?P<half>半)?)?\s*(?P<after>" + _MERIDIEM + r")?$",
    re.IGNORECASE,
)
_AFTERNOON = ("下午", "晚上", "傍晚", "PM")


def parse_times(
    values: pa.Array | pa.ChunkedArray, *, fmt: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Times (``datetime64[ms]``, NaT where there is none) and status codes (indices into
    :data:`TIME_STATUSES`, int8) of text ``values``; ``fmt`` names the strptime format of the text (ISO
    8601 dates, as Excel's date cells are read, are read besides)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(values.cast(pa.string()).fill_null(""))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = (
            encoded.combine_chunks()
            if encoded.num_chunks
            else pa.array([], pa.dictionary(pa.int32(), pa.string()))
        )
    # Full-width digits and colons (２０２４－０３－０５) read as ASCII once NFKC-normalized.
    uniques = pc.utf8_trim_whitespace(pc.utf8_normalize(encoded.dictionary, "NFKC"))
    times, status = _parse_uniques(uniques, fmt)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    return times[indices], status[indices]


def _parse_uniques(uniques: pa.Array, fmt: str | None) -> tuple[np.ndarray, np.ndarray]:
    import pyarrow.compute as pc

    n = len(uniques)
    texts = uniques.to_pandas()
    times = np.full(n, np.datetime64("NaT"), dtype="datetime64[ms]")
    status = np.full(n, UNPARSEABLE, dtype=np.int8)
    empty = pc.equal(uniques, "").to_numpy(zero_copy_only=False)
    status[empty] = EMPTY
    todo = ~empty
    if fmt is not None:
        _apply(texts, todo, times, fmt)
        # An Excel date cell is written as an ISO date (2024-06-01 08:00:00) whatever the text cells' format:
        # only such text (pandas' "ISO8601" alone also reads 2024/6/1 8:05 and 20240601, which the format
        # configured must then refuse).
        _apply(texts, todo & _matches(uniques, _ISO_TEXT), times, "ISO8601")
    else:
        _numbers(uniques, texts, todo, times)
        _with_offset(uniques, texts, todo, times)
        _formats(
            _twelve_hour_clocks(texts, _matches(uniques, "(?i)" + _MERIDIEM + "|点|时") & todo), todo, times
        )
    ok = ~np.isnat(times) & (times >= _YEARS[0]) & (times < _YEARS[1])
    times[~ok] = np.datetime64("NaT")
    status[ok] = PARSED
    return times, status


def _matches(uniques: pa.Array, pattern: str) -> np.ndarray:
    """Which values match a regular expression (RE2, vectorised by Arrow)."""
    import pyarrow.compute as pc

    return pc.match_substring_regex(uniques, pattern).to_numpy(zero_copy_only=False)


def _apply(texts: pd.Series, todo: np.ndarray, times: np.ndarray, fmt: str) -> int:
    """Parse the ``todo`` values with ``fmt``; mark those parsed as done. Returns how many were."""
    import pandas as pd

    where = np.flatnonzero(todo)
    if not len(where):
        return 0
    parsed = pd.to_datetime(texts.iloc[where], format=fmt, errors="coerce").to_numpy(dtype="datetime64[ms]")
    hit = ~np.isnat(parsed)
    times[where[hit]] = parsed[hit]
    todo[where[hit]] = False
    return int(hit.sum())


def _numbers(uniques: pa.Array, texts: pd.Series, todo: np.ndarray, times: np.ndarray) -> None:
    """Digit strings: compact dates by length, Unix seconds (10 digits) and milliseconds (13), Excel
    day numbers (5 digits, optionally with a fraction of a day)."""
    import pyarrow.compute as pc

    digits = _matches(uniques, r"^\d+$") & todo
    lengths = pc.utf8_length(uniques).to_numpy(zero_copy_only=False)
    for length, fmt in _DIGIT_FORMATS.items():
        mask = digits & (lengths == length)
        if mask.any():
            _apply(texts, mask, times, fmt)
    for length, unit in ((10, "s"), (13, "ms")):
        where = np.flatnonzero(digits & (lengths == length))
        if len(where):
            times[where] = texts.iloc[where].astype("int64").to_numpy().astype(f"datetime64[{unit}]") + _CHINA
    excel = _matches(uniques, r"^\d{5}(?:\.\d+)?$") & todo
    if excel.any():
        days = texts[excel].astype("float64").to_numpy()
        times[excel] = _EXCEL_EPOCH + np.round(days * 86_400_000).astype("timedelta64[ms]")
    # Other digit strings (7 or 9 digits, ...) are no time in any format.
    todo[digits | excel] = False


def _with_offset(uniques: pa.Array, texts: pd.Series, todo: np.ndarray, times: np.ndarray) -> None:
    """ISO 8601 times with a UTC offset, in China time."""
    import pandas as pd

    where = np.flatnonzero(_matches(uniques, _OFFSET) & todo)
    if not len(where):
        return
    parsed = pd.to_datetime(texts.iloc[where], format="ISO8601", utc=True, errors="coerce")
    local = parsed.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None).to_numpy(dtype="datetime64[ms]")
    times[where] = local
    todo[where] = False


def _twelve_hour_clocks(texts: pd.Series, where: np.ndarray) -> pd.Series:
    """``texts`` with the values at ``where`` that write a clock with a part of the day or in 点 or 时 rewritten
    as ISO 8601 on the 24-hour clock (下午2:22 is 14:22, 上午12:05 is 00:05, 中午1点 is 13:00, 下午3点半 is
    15:30; 下午14点 is 14:00). A value that does not read as such a clock, or whose hour does not fit its
    part of the day (上午15点), is left as it was: no format reads it, and it is unparseable."""
    rows = np.flatnonzero(where)
    if not len(rows):
        return texts
    texts = texts.copy()
    for row in rows:
        clock = _CLOCK.match(texts.iat[row])
        if clock is None or (clock["before"] and clock["after"]):
            continue
        year, month, day, _, hour, minute, second, _, _ = clock.groups()
        minute = "30" if clock["half"] else minute
        part = (clock["before"] or clock["after"] or "").upper()
        h = int(hour)
        if h > 23 or part and h > 12 and part not in _AFTERNOON or part == "晚上" and h == 12:
            continue  # 上午15点; 晚上12点 is the midnight that ends the day: which date is meant is not guessed
        if part in _AFTERNOON and h < 12 or part == "中午" and h < 3:
            h += 12
        elif part not in _AFTERNOON and part not in ("", "中午") and h == 12:
            h = 0  # 上午12:05, 凌晨12点, 12:05 AM
        texts.iat[row] = (
            f"{year}-{int(month):02d}-{int(day):02d} {h:02d}:{int(minute or 0):02d}:{int(second or 0):02d}"
        )
    return texts


def _formats(texts: pd.Series, todo: np.ndarray, times: np.ndarray) -> None:
    """Try :data:`FORMATS` on what is left: each round picks the format that reads most of a sample of
    the remaining values and applies it to all of them, until no format reads any of the sample."""
    import pandas as pd

    untried = list(FORMATS)
    while todo.any() and untried:
        where = np.flatnonzero(todo)
        sample = texts.iloc[where[:: max(1, len(where) // _SAMPLE)][:_SAMPLE]]
        hits = {f: int(pd.to_datetime(sample, format=f, errors="coerce").notna().sum()) for f in untried}
        best = max(untried, key=lambda f: hits[f])
        if hits[best] == 0:
            return
        untried.remove(best)
        _apply(texts, todo, times, best)
