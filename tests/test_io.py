"""Reading department files: encodings, CSV faults bounded to their rows, positions that resume exactly,
Excel and Parquet as text; output formats by suffix."""

from __future__ import annotations

import datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from stdaddr.errors import ColumnError, InputError
from stdaddr.io import (
    MAX_LINE_BYTES,
    NULL_MARKERS,
    Position,
    address_columns,
    cell_text,
    check_encoding,
    column_index,
    detect_encoding,
    id_text,
    is_null_marker,
    join_address,
    number_marks,
    open_table,
    output_format,
    read_table,
)

ROWS = [["1", "浙江省温州市鹿城区五马街道解放街12号", "噪音"], ["2", "瓯海区娄桥街道古岸头村1组3号", "积水"]]


def _csv(rows, header=("id", "地址", "类型")) -> str:
    return "\n".join(",".join(r) for r in [list(header), *rows]) + "\n"


def _read_all(path, n=1000, **kwargs):
    reader = open_table(path, **kwargs)
    chunk = reader.read(reader.start, n)
    reader.close()
    return reader, chunk


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_detect_encoding_of_department_exports(tmp_path, encoding, expected):
    """UTF-8, UTF-8 with BOM and GBK/GB18030 files are told apart (GBK is read as its superset GB18030)."""
    path = tmp_path / "events.csv"
    path.write_bytes(_csv(ROWS * 3).encode(encoding))
    assert detect_encoding(path) == expected


def test_detect_encoding_looks_past_an_ascii_head(tmp_path):
    """A GBK file whose first 64 KiB are ASCII is still found to be GBK (samples spread over the file)."""
    ascii_rows = [[str(i), "No. 12 Jiefang Street", "x"] for i in range(4000)]
    path = tmp_path / "events.csv"
    path.write_bytes(_csv(ascii_rows + ROWS * 200).encode("gbk"))
    assert detect_encoding(path) == "gb18030"


@pytest.mark.parametrize("n_ascii", [250, 20_000])
def test_detect_encoding_decides_on_the_lines_with_non_ascii_bytes(tmp_path, n_ascii):
    """A GBK file of ASCII rows and a few Chinese ones is GBK, not cp1252: the ASCII rows say nothing."""
    ascii_rows = [[str(i), f"No.{i} Main Street", "x"] for i in range(n_ascii)]
    path = tmp_path / "events.csv"
    path.write_bytes(_csv(ascii_rows + ROWS[:1]).encode("gbk"))
    assert detect_encoding(path) == "gb18030"


def test_detect_encoding_finds_non_ascii_lines_the_samples_miss(tmp_path):
    """When the sampled blocks are all ASCII, the file is read on to its first lines with non-ASCII bytes."""
    head = [[str(i), "No. 12 Jiefang Street", "x"] for i in range(6000)]
    tail = [[str(i), "No. 14 Jiefang Street", "y"] for i in range(30_000)]
    path = tmp_path / "events.csv"
    path.write_bytes(_csv(head + ROWS + tail).encode("gbk"))
    assert detect_encoding(path) == "gb18030"


def test_detect_encoding_still_tells_big5_from_gbk(tmp_path):
    """Big5 byte pairs are valid GBK pairs too; the Big5 file is still Big5."""
    path = tmp_path / "events.csv"
    rows = [["1", "鹿城區五馬街道解放街12號", "噪音"]] * 3
    path.write_bytes(_csv(rows, header=("id", "地址", "類型")).encode("big5"))
    assert detect_encoding(path) == "big5hkscs"


def test_detect_encoding_reads_short_traditional_big5_as_big5(tmp_path):
    """溫州市鹿城區五馬街道解放街N號 in Big5: its traditional characters are common ones once folded, and
    read as GB18030 its header decodes to private-use characters (it was taken for GB18030 and garbled)."""
    path = tmp_path / "events.csv"
    rows = [[f"{i:03d}", f"溫州市鹿城區五馬街道解放街{i + 1}號", "備註"] for i in range(30)]
    path.write_bytes(_csv(rows, header=("編號", "地址", "備註")).encode("big5"))
    assert detect_encoding(path) == "big5hkscs"
    _, chunk = _read_all(path)
    assert chunk.rows[3][1] == "溫州市鹿城區五馬街道解放街4號"


@pytest.mark.parametrize(
    "names", [["鹿城区"], ["乐清市"], ["平阳县"], ["龙湾区", "洞头区"], ["苍南县", "龙港市"]]
)
def test_detect_encoding_takes_short_gbk_files_for_gbk_not_big5(tmp_path, names):
    """A few county names in GBK also decode as Big5 (to rare characters): GB18030 wins."""
    path = tmp_path / "events.csv"
    path.write_bytes(("id,addr\n" + "".join(f"{i},{n}\n" for i, n in enumerate(names))).encode("gbk"))
    assert detect_encoding(path) == "gb18030"
    _, chunk = _read_all(path)
    assert [r[1] for r in chunk.rows] == names


def test_detect_encoding_is_not_misled_by_one_long_line(tmp_path):
    """Samples that fall inside one long UTF-8 line (cut mid-character) do not vote: still UTF-8."""
    path = tmp_path / "events.csv"
    rows = [["1", "解放街12号", "n"], ["2", "解放街14号", "温州市鹿城区" * 60_000], ["3", "解放街16号", "n"]]
    path.write_bytes(_csv(rows, header=("id", "addr", "note")).encode("utf-8"))
    assert detect_encoding(path) == "utf-8"
    assert _read_all(path)[1].rows[2] == rows[2]


@pytest.mark.parametrize(("encoding", "expected"), [("utf-8", "utf-8"), ("gbk", "gb18030")])
@pytest.mark.parametrize("row_id", ["9", "99", "999"])
def test_detect_encoding_of_a_file_whose_only_chinese_is_in_a_line_too_long_to_read_whole(
    tmp_path, row_id, encoding, expected
):
    """A line over MAX_LINE_BYTES votes with its start, cut on a character boundary (whichever byte
    the read blocks end on)."""
    path = tmp_path / "events.csv"
    ascii_rows = [[str(i), "No. 12 Jiefang Street", "x"] for i in range(6000)]
    long_row = [[row_id, "解放街12号", "温州市鹿城区" * (MAX_LINE_BYTES // 12)]]
    path.write_bytes(_csv(ascii_rows + long_row + ascii_rows, header=("id", "addr", "note")).encode(encoding))
    assert detect_encoding(path) == expected


def test_detect_encoding_ignores_a_few_damaged_lines(tmp_path):
    """One line of stray bytes in a UTF-8 file does not make it GBK."""
    path = tmp_path / "events.csv"
    path.write_bytes(_csv(ROWS * 5).encode("utf-8") + b"9,\xff\xfe\xe9,x\n")
    assert detect_encoding(path) == "utf-8"


def test_check_encoding_reads_gbk_as_gb18030_and_rejects_unknown_names():
    """--encoding gbk reads as GB18030; an unknown name is an InputError listing examples."""
    assert check_encoding("GBK") == "gb18030"
    with pytest.raises(InputError, match=r'"latin9x".*gb18030'):
        check_encoding("latin9x")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_rows_come_out_as_written(tmp_path, encoding):
    """Columns from the header (BOM removed), every field as text, first line numbers per row."""
    path = tmp_path / "events.csv"
    path.write_bytes(_csv(ROWS).encode(encoding))
    reader, chunk = _read_all(path)
    assert reader.columns == ["id", "地址", "类型"]
    assert chunk.rows == ROWS
    assert chunk.faults == [None, None]
    assert chunk.lines == [2, 3]


def test_delimiter_is_sniffed_from_the_header(tmp_path):
    """Semicolon and tab separated exports are read without options."""
    path = tmp_path / "events.csv"
    path.write_text("id;地址\n1;解放街12号\n", encoding="utf-8")
    assert _read_all(path)[1].rows == [["1", "解放街12号"]]
    path.write_text("id\t地址\n1\t解放街12号\n", encoding="utf-8")
    assert _read_all(path)[1].rows == [["1", "解放街12号"]]


@pytest.mark.parametrize(
    ("hint", "delimiter", "bom"),
    [("sep=,", ",", b""), ('"sep=;"', ";", b""), ("SEP=|", "|", b"\xef\xbb\xbf"), ("sep=\t", "\t", b"")],
)
def test_excels_delimiter_hint_line_names_the_delimiter_and_is_no_row(tmp_path, hint, delimiter, bom):
    """Excel writes and reads a first line sep=; before the header: it is neither a title nor the header,
    and the rows keep their line numbers in the file."""
    path = tmp_path / "events.csv"
    body = f"{hint}\r\nid{delimiter}地址\r\n1{delimiter}解放街12号, 3幢\r\n"
    if delimiter == ",":
        body = body.replace("解放街12号, 3幢", '"解放街12号, 3幢"')
    path.write_bytes(bom + body.encode("utf-8"))
    reader, chunk = _read_all(path)
    assert reader.columns == ["id", "地址"]
    assert chunk.rows == [["1", "解放街12号, 3幢"]]
    assert chunk.lines == [3]


def test_quoted_fields_may_span_lines(tmp_path):
    """A quoted field with a line break is one row; the next row's line number follows it."""
    path = tmp_path / "events.csv"
    path.write_text('id,地址\n1,"解放街12号\n3幢"\n2,"a ""quoted"" word"\n', encoding="utf-8")
    _, chunk = _read_all(path)
    assert chunk.rows == [["1", "解放街12号\n3幢"], ["2", 'a "quoted" word']]
    assert chunk.lines == [2, 4]
    assert chunk.faults == [None, None]


def test_empty_fields_past_the_header_are_no_fault(tmp_path):
    """001,地址,备注,, under three names (a spreadsheet's export): the row is whole without them."""
    path = tmp_path / "events.csv"
    path.write_text("id,地址,备注\n001,解放街12号,积水,,\n002,解放街14号,,,x\n", encoding="utf-8")
    _, chunk = _read_all(path)
    assert chunk.rows == [["001", "解放街12号", "积水"], ["002", "解放街14号", ",,x"]]
    assert chunk.faults[0] is None and chunk.faults[1].status == "malformed_row"


def test_wrong_field_counts_are_marked_and_nothing_is_lost(tmp_path):
    """Missing fields are empty, extra fields are joined into the last column; both rows are malformed."""
    path = tmp_path / "events.csv"
    path.write_text("id,地址,类型\n1,解放街12号\n2,解放街,14号,积水\n", encoding="utf-8")
    _, chunk = _read_all(path)
    assert chunk.rows == [["1", "解放街12号", ""], ["2", "解放街", "14号,积水"]]
    assert [f.status for f in chunk.faults] == ["malformed_row", "malformed_row"]
    assert "line 2: 2 fields, expected 3" in chunk.faults[0].reason
    assert "4 fields, expected 3" in chunk.faults[1].reason
    assert not chunk.faults[0].readable


def test_an_unclosed_quote_costs_one_row_not_the_file(tmp_path):
    """A quote never closed is given up after max_record_lines lines: its line is malformed and the
    following lines are read as rows again."""
    body = ['1,"解放街12号,x'] + [f"{i},解放街{i}号,y" for i in range(2, 12)]
    path = tmp_path / "events.csv"
    path.write_text("id,地址,类型\n" + "\n".join(body) + "\n", encoding="utf-8")
    _, chunk = _read_all(path, max_record_lines=4)
    assert len(chunk.rows) == 11
    assert chunk.faults[0].status == "malformed_row"
    assert "not closed within 4 lines" in chunk.faults[0].reason
    assert chunk.faults[1:] == [None] * 10
    assert chunk.rows[5] == ["6", "解放街6号", "y"]


def test_an_unclosed_quote_at_the_end_of_the_file_is_marked(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text('id,地址\n1,解放街1号\n2,"解放街2号\n3,解放街3号\n', encoding="utf-8")
    _, chunk = _read_all(path)
    assert [r[0] for r in chunk.rows] == ["1", "2", "3"]
    assert chunk.faults[1].status == "malformed_row"
    assert "before the end of the file" in chunk.faults[1].reason


def test_a_stray_quote_closed_by_a_later_rows_quote_costs_one_row(tmp_path):
    """A quote opened by mistake and closed inside a later row's quoted field does not swallow the rows
    between: the record it would make is not well formed, so its first line is malformed and the
    following lines are rows again, one per line, in order."""
    path = tmp_path / "events.csv"
    text = 'id,addr,note\n1,A,ok\n2,"A,stray\n3,A,ok\n4,A,ok\n5,A,"quoted, note"\n6,A,ok\n7,"two\nlines",ok\n'
    path.write_text(text, encoding="utf-8")
    _, chunk = _read_all(path)
    assert [r[0] for r in chunk.rows] == ["1", "2", "3", "4", "5", "6", "7"]
    assert chunk.lines == [2, 3, 4, 5, 6, 7, 8]
    assert chunk.faults[1].status == "malformed_row"
    assert "line 3" in chunk.faults[1].reason and "line 6" in chunk.faults[1].reason
    assert chunk.faults[2:] == [None] * 5
    assert chunk.rows[4] == ["5", "A", "quoted, note"]
    assert chunk.rows[6] == ["7", "two\nlines", "ok"]


def test_a_multi_line_record_with_the_wrong_field_count_is_a_stray_quote(tmp_path):
    """A quote closed cleanly on a later line, but leaving a row of other than the header's width, is
    given up too; a multi-line cell with the right field count is kept."""
    path = tmp_path / "events.csv"
    path.write_text('id,addr,note\n1,"a\n2,b,c"\n3,"d\ne",f\n', encoding="utf-8")
    _, chunk = _read_all(path)
    assert [r[0] for r in chunk.rows] == ["1", "2", "3"]
    assert chunk.faults[0].status == "malformed_row"
    assert "2 fields, expected 3" in chunk.faults[0].reason
    assert chunk.faults[1:] == [None, None]
    assert chunk.rows[2] == ["3", "d\ne", "f"]


def test_a_well_quoted_multi_line_record_with_extra_fields_is_one_malformed_row(tmp_path):
    """A quoted note spanning two lines in a row with one unquoted comma too many is one row, marked
    malformed for its field count, with the note whole in its last column; no extra row appears."""
    path = tmp_path / "events.csv"
    path.write_text(
        'id,地址,备注\n1,鹿城区五马街道,解放街1号,"第一行\n第二行"\n2,瓯海区,n\n', encoding="utf-8"
    )
    _, chunk = _read_all(path)
    assert chunk.rows == [["1", "鹿城区五马街道", "解放街1号,第一行\n第二行"], ["2", "瓯海区", "n"]]
    assert chunk.faults[0].status == "malformed_row" and chunk.faults[1] is None
    assert chunk.faults[0].reason.startswith("line 2: 4 fields, expected 3")
    assert chunk.lines == [2, 4]


def test_line_ends_inside_a_quoted_cell_are_kept_as_written(tmp_path):
    """CRLF inside a quoted cell stays CRLF (and LF stays LF); the row's own line end is not kept."""
    path = tmp_path / "events.csv"
    path.write_bytes('id,地址,备注\r\n1,鹿城区五马街道,"a\r\nb"\r\n2,瓯海区,"c\nd"\n'.encode())
    _, chunk = _read_all(path)
    assert chunk.rows == [["1", "鹿城区五马街道", "a\r\nb"], ["2", "瓯海区", "c\nd"]]
    assert chunk.faults == [None, None]


def test_nul_bytes_and_undecodable_bytes_are_marked_but_readable(tmp_path):
    """NUL bytes are removed and bad bytes replaced (U+FFFD); such rows can still be geocoded."""
    path = tmp_path / "events.csv"
    path.write_bytes("id,地址\n1,解放街\x0012号\n".encode() + b"2,\xff\xfe" + "鹿城区\n".encode())
    _, chunk = _read_all(path, encoding="utf-8")
    assert chunk.rows == [["1", "解放街12号"], ["2", "\ufffd\ufffd鹿城区"]]
    assert [(f.status, f.readable) for f in chunk.faults] == [("malformed_row", True), ("bad_encoding", True)]
    assert "line 3" in chunk.faults[1].reason


@pytest.mark.parametrize(("file_encoding", "line_encoding"), [("gb18030", "utf-8"), ("utf-8", "gb18030")])
def test_a_line_in_the_other_encoding_of_chinese_is_read_in_it(tmp_path, file_encoding, line_encoding):
    """Two exports joined: a UTF-8 line in a GB18030 file (or the reverse) is read in its own encoding and
    marked bad_encoding, naming both; the file's own lines, and a line damaged in the file's encoding
    (a character cut short), are read as before. An encoding given is kept to: no line is read in another."""
    rows = [f"{i},浙江省温州市鹿城区五马街道解放街{i}号" for i in range(1, 30)]
    odd = "99,瑞安市安阳街道万松东路15号"
    path = tmp_path / "events.csv"
    cut = "98,龙湾区永中街道".encode(file_encoding) + "中".encode(file_encoding)[:-1] + b"\n"
    path.write_bytes(
        "\n".join(["id,地址", *rows[:10]]).encode(file_encoding)
        + b"\n"
        + odd.encode(line_encoding)
        + b"\n"
        + cut
        + "\n".join(rows[10:]).encode(file_encoding)
        + b"\n"
    )
    reader, chunk = _read_all(path)
    assert reader.encoding == file_encoding
    assert chunk.rows[:10] + chunk.rows[12:] == [row.split(",") for row in rows]
    assert chunk.rows[10] == odd.split(",")
    fault = chunk.faults[10]
    assert fault.status == "bad_encoding" and fault.readable
    assert f"in {line_encoding}, not in {file_encoding}" in fault.reason and "line 12" in fault.reason
    assert chunk.rows[11][1].startswith("龙湾区永中街道") and chunk.rows[11][1].endswith("\ufffd")
    assert "replaced with U+FFFD" in chunk.faults[11].reason
    assert chunk.faults[:10] == [None] * 10 and chunk.faults[12:] == [None] * 19
    _, given = _read_all(path, encoding=file_encoding)
    assert given.rows[10] != odd.split(",")  # read in the encoding given (mojibake or U+FFFD)
    assert given.faults[10] is None or "the line is in" not in given.faults[10].reason


def test_blank_lines_are_rows_with_an_empty_address(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("id,地址\n1,解放街1号\n\n2,解放街2号\n", encoding="utf-8")
    _, chunk = _read_all(path)
    assert chunk.rows == [["1", "解放街1号"], ["", ""], ["2", "解放街2号"]]
    assert chunk.faults[1].status == "empty_address"


def test_a_huge_line_is_cut_and_marked(tmp_path):
    """A line longer than MAX_LINE_BYTES is cut (memory stays bounded) and marked too_long."""
    path = tmp_path / "events.csv"
    path.write_bytes(b"id,note\n1," + b"x" * (MAX_LINE_BYTES + 10) + b"\n2,ok\n")
    _, chunk = _read_all(path)
    assert chunk.faults[0].status == "too_long"
    assert chunk.faults[0].reason.startswith(f"line 2: the line has {MAX_LINE_BYTES + 13:,} bytes")
    assert len(chunk.rows[0][1]) < MAX_LINE_BYTES
    assert chunk.rows[1] == ["2", "ok"]


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_reading_from_a_position_gives_the_same_chunks(tmp_path, size):
    """Chunks read one after another equal chunks read afresh from their start positions (resume)."""
    body = ['1,"a\nb"', "2,x", '3,"open', "4,y", "", "5,z", '6,"c,d"']
    path = tmp_path / "events.csv"
    path.write_text("id,v\n" + "\n".join(body) + "\n", encoding="utf-8")
    reader = open_table(path, max_record_lines=2)
    chunks, position = [], reader.start
    while (chunk := reader.read(position, size)) is not None:
        chunks.append(chunk)
        position = chunk.end
    fresh = open_table(path, max_record_lines=2)
    for chunk in reversed(chunks):
        again = fresh.read(chunk.start, size)
        assert (again.rows, again.faults, again.lines, again.end) == (
            chunk.rows,
            chunk.faults,
            chunk.lines,
            chunk.end,
        )
    _, whole = _read_all(path, max_record_lines=2)
    assert [r for c in chunks for r in c.rows] == whole.rows


def test_bad_inputs_are_input_errors(tmp_path):
    """Missing file, empty file, CR-only line ends and unknown suffixes name the problem."""
    with pytest.raises(InputError, match="does not exist"):
        open_table(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match="is empty"):
        open_table(tmp_path / "empty.csv")
    (tmp_path / "mac.csv").write_bytes(b"id,a\r1,b\r")
    with pytest.raises(InputError, match="CR only"):
        open_table(tmp_path / "mac.csv")
    (tmp_path / "events.dbf").write_bytes(b"x")
    with pytest.raises(InputError, match=r'"\.dbf".*\.csv.*\.xlsx.*\.parquet'):
        open_table(tmp_path / "events.dbf")


def test_a_directory_is_named_as_such(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        open_table(tmp_path)


def test_read_table_keeps_faulty_rows_with_their_faults_and_leaves_blank_lines_out(tmp_path):
    """Rows come with their lines and faults (as the batch reader finds them); a blank line is no row."""
    path = tmp_path / "base.csv"
    path.write_bytes("id;地址\n1;解放街12号\n\n2;解放街;14号\n".encode() + "3;人民路1号\n".encode("gbk"))
    table = read_table(path)
    assert table.frame.values.tolist()[:2] == [["1", "解放街12号"], ["2", "解放街;14号"]]
    assert table.lines == [2, 4, 5]
    assert [f and f.status for f in table.faults] == [None, "malformed_row", "bad_encoding"]
    assert table.name == f'"{path}"'


def test_null_markers_are_whole_cells_only():
    """NULL_MARKERS are compared stripped, NFKC and ASCII case-folded; a place named with one is no marker."""
    assert "null" in NULL_MARKERS and "不详" in NULL_MARKERS
    assert all(is_null_marker(m) for m in ("NULL", " N/A ", "#n/a", "Ｎｏｎｅ", "无", "-/-", "……"))
    assert not any(is_null_marker(t) for t in ("无锡市", "NULL路1号", "Nanjing", "", "  "))


def test_id_text_is_one_rule_for_every_format():
    import numpy as np
    import pandas as pd

    assert [id_text(v) for v in (pd.NA, pd.NaT, None, float("nan"), " ")] == [None] * 5
    assert [id_text(v) for v in ("007", np.int64(5), np.float32(3.0), 1e20, 7.5)] == [
        "007",
        "5",
        "3",
        "100000000000000000000",
        "7.5",
    ]


def test_column_index_lists_the_columns():
    """An unknown column is a ColumnError naming it and listing the columns."""
    assert column_index(["id", "地址"], "地址") == 1
    with pytest.raises(ColumnError, match=r"\"address\".*\['id', '地址'\]"):
        column_index(["id", "地址"], "address")


def test_a_column_named_twice_is_ambiguous_and_an_error_naming_both():
    """A repeated name (or two names equal without their spaces) does not pick the first silently."""
    with pytest.raises(
        ColumnError,
        match=r'column was "地址" but the input has 2 columns of that name \(columns 2 "地址", 3 "地址"\)',
    ):
        column_index(["id", "地址", "地址"], "地址")
    with pytest.raises(ColumnError, match=r'2 columns of that name \(columns 1 " 地址", 2 "地址 "\)'):
        column_index([" 地址", "地址 "], "地址")
    assert column_index([" 地址", "地址"], "地址") == 1


def test_excel_cells_are_text_and_trailing_blank_rows_are_dropped(tmp_path):
    """Numbers without .0, dates in ISO form; a blank row between data rows is a row, blank rows after
    the last one are not."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["学籍号", "家庭住址", "入学"])
    sheet.append([330302001, "解放街12号", datetime.date(2023, 9, 1)])
    sheet.append([None, None, None])
    sheet.append([2.5, "解放街14号", None])
    for _ in range(3):
        sheet.append([None, None, None])
    book.create_sheet("other").append(["a"])
    path = tmp_path / "students.xlsx"
    book.save(path)
    reader, chunk = _read_all(path)
    assert reader.columns == ["学籍号", "家庭住址", "入学"]
    assert chunk.rows == [["330302001", "解放街12号", "2023-09-01"], ["", "", ""], ["2.5", "解放街14号", ""]]
    assert chunk.faults[1].status == "empty_address"
    assert chunk.lines == [2, 3, 4]
    assert _read_all(path, sheet="other")[0].columns == ["a"]
    with pytest.raises(InputError, match=r"'nope'.*\['Sheet', 'other'\]"):
        open_table(path, sheet="nope")


def test_excel_cells_of_spaces_are_kept_and_reasons_name_rows(tmp_path):
    """A trailing cell of spaces is a value, not formatting; blank rows and wrong cell counts are
    reported as "row N: …", as CSV faults are "line N: …"."""
    import openpyxl

    book = openpyxl.Workbook()
    for values in (["id", " addr ", "note"], [1, "解放街12号", "  "], [None, None, None], [2, "a", "b", "c"]):
        book.active.append(values)
    path = tmp_path / "a.xlsx"
    book.save(path)
    reader, chunk = _read_all(path)
    assert reader.columns == ["id", " addr ", "note"]
    assert chunk.rows[0] == ["1", "解放街12号", "  "]
    assert [f.reason.split(":")[0] for f in chunk.faults[1:]] == ["row 3", "row 4"]
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("id,addr\n\n", encoding="utf-8")
    assert _read_all(csv_path)[1].faults[0].reason == "line 2: the line is blank"


def test_excel_rows_of_spaces_are_rows_and_only_empty_rows_end_the_sheet(tmp_path):
    """A row whose cells are spaces is a row with its values kept, also after the last row with
    text; only empty rows after the last non-empty row are left out."""
    import openpyxl

    book = openpyxl.Workbook()
    for values in (
        ["id", "地址", "备注"],
        [1, "鹿城区五马街道", "a"],
        [None, "   ", None],
        [3, "瓯海区", "c"],
        [None, None, "  "],
        [None, None, None],
    ):
        book.active.append(values)
    path = tmp_path / "a.xlsx"
    book.save(path)
    reader, chunk = _read_all(path)
    assert chunk.rows == [["1", "鹿城区五马街道", "a"], ["", "   ", ""], ["3", "瓯海区", "c"], ["", "", "  "]]
    assert chunk.faults == [None] * 4 and chunk.lines == [2, 3, 4, 5]


def test_excel_reads_resume_at_a_row(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    for i in range(10):
        book.active.append(["id", "addr"] if i == 0 else [i, f"解放街{i}号"])
    path = tmp_path / "a.xlsx"
    book.save(path)
    reader = open_table(path)
    first = reader.read(reader.start, 4)
    second = reader.read(first.end, 4)
    again = open_table(path).read(first.end, 4)
    assert [r[0] for r in second.rows] == ["5", "6", "7", "8"]
    assert again.rows == second.rows


def test_parquet_columns_are_text_and_positions_cross_row_groups(tmp_path):
    table = pa.table(
        {
            "id": pa.array(range(10), pa.int64()),
            "addr": [f"解放街{i}号" for i in range(10)],
            "x": [1.0, None, 2.5, 3, 4, 5, 6, 7, 8, 9],
        }
    )
    path = tmp_path / "events.parquet"
    pq.write_table(table, path, row_group_size=3)
    reader = open_table(path)
    assert reader.columns == ["id", "addr", "x"] and reader.total == 10
    chunk = reader.read(Position(4, 6), 4)
    assert chunk.rows == [
        ["4", "解放街4号", "4"],
        ["5", "解放街5号", "5"],
        ["6", "解放街6号", "6"],
        ["7", "解放街7号", "7"],
    ]
    assert reader.read(Position(0, 2), 3).rows[1] == ["1", "解放街1号", ""]
    assert reader.read(chunk.end, 5).rows[-1][0] == "9"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.csv", "csv"), ("a.parquet", "parquet"), ("a.geoparquet", "geoparquet"), ("a.GPKG", "gpkg")],
)
def test_output_format_from_suffix(name, fmt):
    assert output_format(name) == fmt


def test_output_format_errors_list_what_is_expected():
    with pytest.raises(InputError, match=r'"\.xlsx".*\.csv, \.parquet, \.geoparquet, \.gpkg'):
        output_format("out.xlsx")
    with pytest.raises(InputError, match=r'"shp".*csv, parquet, geoparquet, gpkg'):
        output_format("out.csv", "shp")


def test_a_big_whole_number_of_a_sheet_keeps_only_the_digits_its_float_holds():
    """An ID card number stored as a number: written in full, without digits the float makes up."""
    assert cell_text(3.303021980010113e17) == "330302198001011300"
    assert cell_text(2.0**53) == str(2**53)
    assert cell_text(12.0) == "12" and cell_text(0.5) == "0.5"


def test_a_list_of_addresses_without_a_header_loses_no_row(tmp_path):
    """A first line that reads as an address is data: its columns are named by position."""
    path = tmp_path / "list.csv"
    path.write_text("温州市鹿城区五马街道解放街12号\n瓯海区娄桥街道古岸头村1组3号\n", encoding="utf-8")
    reader, chunk = _read_all(path)
    assert not reader.header and reader.columns == ["column_1"]
    assert [r[0] for r in chunk.rows] == ["温州市鹿城区五马街道解放街12号", "瓯海区娄桥街道古岸头村1组3号"]
    assert chunk.lines == [1, 2]
    reader, chunk = _read_all(path, header=True)  # the caller decides
    assert reader.header and reader.columns == ["温州市鹿城区五马街道解放街12号"] and len(chunk.rows) == 1


@pytest.mark.parametrize("names", [("id", "地址", "类型"), ("工单号", "事发地址", "2024年鹿城区12345工单")])
def test_column_names_are_a_header(tmp_path, names):
    path = tmp_path / "t.csv"
    path.write_text(_csv(ROWS, header=names), encoding="utf-8")
    reader, chunk = _read_all(path)
    assert reader.header and reader.columns == list(names) and len(chunk.rows) == 2
    reader, chunk = _read_all(path, header=False)
    assert reader.columns == ["column_1", "column_2", "column_3"] and chunk.rows[0] == list(names)


def test_a_sheet_without_a_header_starts_at_row_1(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    for row in ROWS:
        book.active.append(row)
    path = tmp_path / "list.xlsx"
    book.save(path)
    reader, chunk = _read_all(path)
    assert not reader.header and reader.columns == ["column_1", "column_2", "column_3"]
    assert chunk.rows == ROWS and chunk.lines == [1, 2] and reader.total == 2


@pytest.mark.parametrize(
    "titles",
    [
        ["2024年鹿城区12345工单明细表,,"],
        ["2024年鹿城区12345工单明细表"],
        ["工单明细表", "填报单位：五马街道,,"],
        [",,"],
    ],
)
def test_title_rows_above_the_header_are_skipped_and_kept_for_the_summary(tmp_path, titles):
    path = tmp_path / "t.csv"
    path.write_text("\n".join(titles) + "\n" + _csv(ROWS), encoding="utf-8")
    reader, chunk = _read_all(path)
    assert reader.columns == ["id", "地址", "类型"] and chunk.rows == ROWS
    assert chunk.lines == [len(titles) + 2, len(titles) + 3]
    assert list(reader.titles) == [t.strip(",") for t in titles if t.strip(",")]


@pytest.mark.parametrize(
    ("first", "columns"),
    [
        ("地址,,", ["地址", "column_2", "column_3"]),  # a header naming one column is no title
        ("温州市鹿城区五马街道解放街12号,,", ["column_1", "column_2", "column_3"]),  # data, no header
    ],
)
def test_a_row_of_one_value_is_a_title_only_when_it_reads_as_one(tmp_path, first, columns):
    path = tmp_path / "t.csv"
    path.write_text(first + "\n" + "\n".join(",".join(r) for r in ROWS) + "\n", encoding="utf-8")
    reader, chunk = _read_all(path)
    assert reader.columns == columns and not reader.titles
    assert len(chunk.rows) == 2 + (columns[0] == "column_1")


def test_a_merged_title_row_of_a_sheet_is_skipped(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2024年工单明细"])
    sheet.merge_cells("A1:C1")
    sheet.append(["id", "地址", "类型"])
    for row in ROWS:
        sheet.append(row)
    path = tmp_path / "t.xlsx"
    book.save(path)
    reader, chunk = _read_all(path)
    assert reader.titles == ("2024年工单明细",) and reader.columns == ["id", "地址", "类型"]
    assert chunk.rows == ROWS and chunk.lines == [3, 4] and reader.total == 2


def test_cells_merged_down_a_column_of_a_sheet_are_every_rows_value(tmp_path):
    """A 区县 written once in a merged cell for its rows (as statistics sheets group them) is read on each
    row, also when reading resumes inside the range; a cell merged across a row only, or a range that
    starts in the header, fills nothing."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2024年工单明细"])
    sheet.merge_cells("A1:D1")
    sheet.append(["序号", "区县", "地址", "备注"])
    sheet.append([None, None, None, "补充"])  # the header's 序号 merged down into the first data row
    sheet.merge_cells("A2:A3")
    for i, (county, address) in enumerate(
        [
            ("鹿城区", "解放街12号"),
            (None, "解放街14号"),
            (None, "锦江路1号"),
            ("瓯海区", "东耕村3组8号"),
            (None, "梧田1号"),
        ]
    ):
        sheet.append([i + 1, county, address, "急" if i == 1 else None])
    sheet.merge_cells("B4:B6")
    sheet.merge_cells("B7:B8")
    sheet.merge_cells("C8:D8")
    path = tmp_path / "m.xlsx"
    book.save(path)
    reader, chunk = _read_all(path)
    assert reader.columns == ["序号", "区县", "地址", "备注"]
    assert [r[:2] for r in chunk.rows] == [
        ["", ""],
        ["1", "鹿城区"],
        ["2", "鹿城区"],
        ["3", "鹿城区"],
        ["4", "瓯海区"],
        ["5", "瓯海区"],
    ]
    assert [r[3] for r in chunk.rows] == ["补充", "", "急", "", "", ""]
    again = open_table(path)
    assert again.read(Position(6, 6), 2).rows == [
        ["3", "鹿城区", "锦江路1号", ""],
        ["4", "瓯海区", "东耕村3组8号", ""],
    ]


def test_cells_of_several_columns_join_into_one_address():
    marks = number_marks(["区县", "街路巷", "门牌号", "楼栋", "单元", "楼层", "室号"])
    assert marks == ("", "", "号", "幢", "单元", "层", "室")
    assert number_marks(["社区(村)", "村民小组", "门牌号"]) == ("", "组", "号")
    assert join_address(["篁庄村", "3", "5"], ("", "组", "号")) == "篁庄村 3组 5号"
    cells = ["鹿城区", "解放街", "12", "A", "二", "3", "301"]
    assert join_address(cells, marks) == "鹿城区 解放街 12号 A幢 二单元 3层 301室"
    # empty cells, NaN, None and placeholders are left out; a number with its mark keeps it
    assert (
        join_address([float("nan"), None, "不详", " 解放街 ", "12号"], ("", "", "", "", "号"))
        == "解放街 12号"
    )
    # a name a later cell repeats is said once; numbers are never dropped so
    assert join_address(["鹿城区", "温州市鹿城区解放街12号"]) == "温州市鹿城区解放街12号"
    # only divisions: a road inside a place's name is no repeat
    cells = ["鹿城区", "蝉街", "45号", "中国建设银行温州蝉街支行"]
    assert join_address(cells) == "鹿城区 蝉街 45号 中国建设银行温州蝉街支行"
    # a community anywhere, a road before its door
    # a place named after the divisions after the road and door repeats none of them
    cells = ["平阳县", "水头镇", "城中社区", "新城大道", "1号", "平阳县水头镇人民政府"]
    assert join_address(cells) == "平阳县 水头镇 城中社区 新城大道 1号 平阳县水头镇人民政府"
    cells = ["五马街道", "百里坊社区", "体育街", "百里坊社区体育街22号A幢"]
    assert join_address(cells) == "五马街道 百里坊社区体育街22号A幢"
    assert join_address(["茶山村", "茶山村茶山街4号"]) == "茶山村茶山街4号"
    assert join_address(["1", "解放街101号"]) == "1 解放街101号"
    assert join_address([None, ""]) == ""


@pytest.mark.parametrize("bad", [None, [], ["地址", "地址"], ["地址", 3.5], 5.0, True, [3, "3"]])
def test_address_columns_must_be_a_name_or_distinct_names(bad):
    with pytest.raises(InputError, match=r"column was .*; expected a column name or a list of distinct"):
        address_columns(bad)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_is_detected_with_or_without_its_bom(tmp_path, codec):
    """Excel's "Unicode text" is UTF-16; without a BOM its NUL bytes tell it (it was read as GB18030,
    every row then bad_encoding). A NUL byte in a UTF-8 row is no UTF-16."""
    path = tmp_path / "t.txt"
    path.write_bytes("编号\t地址\n1\t鹿城区解放街12号\n2\t瓯海区梧田街道\n".encode(codec))
    assert detect_encoding(path) == "utf-16"
    path.write_bytes("编号,地址\n1,鹿城区解放街12号\x00\n2,瓯海区梧田街道\n".encode())
    assert detect_encoding(path) == "utf-8"
