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
