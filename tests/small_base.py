"""A small standard address base built from (id, address, lon, lat) rows, shared by the tests."""

from __future__ import annotations

import pandas as pd

from stdaddr.base import AddressBase


def frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "addr", "lon", "lat"])


def build_base(rows: list[tuple], **kwargs) -> AddressBase:
    return AddressBase.from_dataframe(
        frame(rows), id_column="id", address_column="addr", x_column="lon", y_column="lat", **kwargs
    )


def workbook_with_cover(path, sheet: str, rows: list[list[str]]) -> None:
    """An .xlsx whose first sheet is its instructions (填表说明) and whose data (``rows``, header first)
    is on the sheet ``sheet``, as departments send them."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "填表说明"
    book.active.append(["请按格式填写"])
    data = book.create_sheet(sheet)
    for row in rows:
        data.append(row)
    book.save(path)
