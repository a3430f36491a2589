"""The join configuration: which departments, their files and columns, the base, the grid, the outputs.

A TOML file (paths in it are relative to the file's folder)::

    [output]
    path = "joined.gpkg"

    [[departments]]
    name = "hotline_12345"
    file = "hotline_12345.csv"
    address_column = "事发地址"
    id_column = "工单号"          # optional: else the 1-based row number
    time_column = "受理时间"      # optional
    type_column = "诉求类型"      # optional

:func:`load_config` reads and checks it into a :class:`JoinConfig`; :meth:`JoinConfig.from_dict` does the
same for a mapping. Every mistake raises :class:`~stdaddr.errors.InputError` naming the key, the bad value
and what was expected; a column missing from a file is a :class:`~stdaddr.errors.ColumnError`, found
when the file is opened (:func:`check_columns`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stdaddr.errors import InputError

__all__ = [
    "DepartmentSpec",
    "BaseSpec",
    "GridSpec",
    "JoinConfig",
    "load_config",
    "check_columns",
    "OUTPUT_SUFFIX",
]

OUTPUT_SUFFIX = ".gpkg"
# Department names become values, file names and per-department column names (n_<name>) of the grid
# layer in GeoPackage and PostgreSQL, whose identifiers are at most 63 bytes: letters (any script),
# digits, "_" and "-".
_NAME = re.compile(r"[^\W][\w-]*")
_NAME_BYTES = 60
# Names whose count column n_<name> would be a fixed column of grid_cells (n_events, n_departments).
_RESERVED_NAMES = ("events", "departments")

_TOP_KEYS = ("output", "departments", "base", "grid", "postgis")
_OUTPUT_KEYS = ("path", "cache_dir", "pictures", "report", "map_departments")
_DEPARTMENT_KEYS = (
    "name",
    "file",
    "address_column",
    "id_column",
    "time_column",
    "time_format",
    "type_column",
    "encoding",
    "sheet",
)
_BASE_KEYS = ("path", "id_column", "address_column", "x_column", "y_column", "crs", "layer")
_GRID_KEYS = ("path", "code_column", "crs", "layer")
_POSTGIS_KEYS = ("url", "schema")


@dataclass(frozen=True, slots=True)
class DepartmentSpec:
    """One department's event file: where it is, which column holds the address, and optionally the
    event id, time (with its strptime format when automatic parsing should not guess) and type columns,
    the text encoding of a CSV and the sheet of an Excel workbook."""

    name: str
    file: Path
    address_column: str | tuple[str, ...]  # several: the cells joined in order (stdaddr.io.join_address)
    id_column: str | None = None
    time_column: str | None = None
    time_format: str | None = None
    type_column: str | None = None
    encoding: str | None = None
    sheet: str | int | None = None

    @property
    def columns(self) -> dict[str, str]:
        """The configured columns by key (``address_column`` … ``type_column``); the address columns
        beyond the first by their place in the list, from 0: ``address_column[1]``, ``[2]``…."""
        keys = ("address_column", "id_column", "time_column", "type_column")
        out = {k: getattr(self, k) for k in keys if getattr(self, k) is not None}
        if isinstance(self.address_column, tuple):
            out["address_column"] = self.address_column[0]
            out.update({f"address_column[{j}]": c for j, c in enumerate(self.address_column[1:], 1)})
        return out


@dataclass(frozen=True, slots=True)
class BaseSpec:
    """The standard address base: a file (an ``.npz`` index, or a table with its columns) or, with no
    ``path``, the embedded synthetic default (:func:`stdaddr.default.default_base`)."""

    path: Path | None = None
    id_column: str | None = None
    address_column: str | tuple[str, ...] | None = None
    x_column: str | None = None
    y_column: str | None = None
    crs: str | None = None
    layer: str | int | None = None


@dataclass(frozen=True, slots=True)
class GridSpec:
    """The grid layer: a file with its code column or, with no ``path``, the embedded default grid
    (only together with the embedded base, which it was made for)."""

    path: Path | None = None
    code_column: str | None = None
    crs: str | None = None
    layer: str | int | None = None


@dataclass(frozen=True, slots=True)
class JoinConfig:
    """A checked join configuration. ``grid`` is None when the configuration says ``grid = false``
    (then the events get no grid code and the cell layers are not written). ``source`` is the TOML
    file it was read from, if any."""

    departments: tuple[DepartmentSpec, ...]
    output: Path
    base: BaseSpec = BaseSpec()
    grid: GridSpec | None = GridSpec()
    cache_dir: Path | None = None
    pictures: bool = True
    report: bool = True
    map_departments: tuple[str, ...] | None = None
    postgis_url: str | None = None
    postgis_schema: str = "public"
    source: Path | None = None

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, root: str | Path = ".", source: Path | None = None
    ) -> JoinConfig:
        """Check a parsed configuration; relative paths are taken from ``root``."""
        folder = Path(root)
        where = f' in "{source}"' if source else ""
        if not isinstance(data, Mapping):
            raise InputError(f"the join configuration was {type(data).__name__}; expected a table (mapping)")
        _known(data, _TOP_KEYS, f"the configuration{where}")
        departments = _departments(data.get("departments"), folder, where)
        output = _table(data, "output", _OUTPUT_KEYS, where)
        base = _base(_table(data, "base", _BASE_KEYS, where), folder)
        grid = _grid(data.get("grid", {}), base, folder, where)
        postgis = _table(data, "postgis", _POSTGIS_KEYS, where)
        default_out = source.with_suffix(OUTPUT_SUFFIX) if source else folder / "stdaddr-join.gpkg"
        path = _path(output.get("path"), folder, "output.path") or default_out
        cache = _path(output.get("cache_dir"), folder, "output.cache_dir")
        names = [d.name for d in departments]
        return cls(
            departments=departments,
            output=check_output(path),
            base=base,
            grid=grid,
            cache_dir=cache,
            pictures=_bool(output.get("pictures", True), "output.pictures"),
            report=_bool(output.get("report", True), "output.report"),
            map_departments=_map_departments(output.get("map_departments"), names),
            postgis_url=_optional_str(postgis.get("url"), "postgis.url"),
            postgis_schema=check_identifier(postgis.get("schema", "public"), "postgis.schema"),
            source=source,
        )


def load_config(path: str | Path) -> JoinConfig:
    """Read and check a join configuration file (TOML); paths in it are relative to its folder."""
    file = Path(path)
    if not file.is_file():
        raise InputError(f'join configuration "{path}" does not exist; expected a TOML file')
    data = parse_toml(file.read_bytes(), file)
    return JoinConfig.from_dict(data, root=file.parent, source=file)


def parse_toml(data: bytes, file: Path) -> dict[str, Any]:
    """The TOML document in ``data``, or InputError with the parser's message (line and column)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f'join configuration "{file}" is not UTF-8 text ({exc}); save it as UTF-8') from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f'join configuration "{file}" is not valid TOML: {exc}') from None


def check_output(path: str | Path) -> Path:
    """The output path if it names a GeoPackage, else InputError."""
    out = Path(path)
    if out.suffix.lower() != OUTPUT_SUFFIX:
        raise InputError(f'output was "{path}"; expected a GeoPackage path ending in {OUTPUT_SUFFIX}')
    return out


def check_identifier(value: Any, key: str) -> str:
    """A PostgreSQL schema name: lower-case letters, digits and "_" (so it never needs quoting)."""
    if not isinstance(value, str) or not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", value):
        raise InputError(f'{key} was {value!r}; expected lower-case letters, digits and _ (e.g. "public")')
    return value


def check_columns(spec: DepartmentSpec, columns: Sequence[str]) -> None:
    """ColumnError when a configured column is not among the file's ``columns`` (listing them) or is
    there more than once (naming them), as for ``stdaddr geocode --column``."""
    from stdaddr.io import column_index

    what = f'the file "{spec.file.name}" of department "{spec.name}"'
    for key, column in spec.columns.items():
        column_index(columns, column, what=what, key=key, loose=key.startswith("address_column"))


def _known(table: Mapping[str, Any], keys: Sequence[str], what: str) -> None:
    unknown = [k for k in table if k not in keys]
    if unknown:
        raise InputError(f"{what} has the unknown key(s) {unknown}; expected some of {list(keys)}")


def _table(data: Mapping[str, Any], key: str, keys: Sequence[str], where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise InputError(f"{key} was {value!r}{where}; expected a table [{key}] with the keys {list(keys)}")
    _known(value, keys, f"[{key}]{where}")
    return value


def _departments(value: Any, folder: Path, where: str) -> tuple[DepartmentSpec, ...]:
    if not isinstance(value, list) or not value:
        raise InputError(
            f"departments was {value!r}{where}; expected one or more [[departments]] tables, each with "
            "name, file and address_column"
        )
    specs: list[DepartmentSpec] = []
    for k, entry in enumerate(value, 1):
        what = f"[[departments]] number {k}{where}"
        if not isinstance(entry, Mapping):
            raise InputError(f"{what} was {entry!r}; expected a table with name, file and address_column")
        _known(entry, _DEPARTMENT_KEYS, what)
        for key in ("name", "file", "address_column"):
            if key not in entry:
                named = f' (name = "{entry["name"]}")' if isinstance(entry.get("name"), str) else ""
                raise InputError(f"{what}{named} has no {key}; expected name, file and address_column")
        name = _department_name(entry["name"], what)
        # GeoPackage field names (n_<name>) and cache file names on some systems ignore case.
        same = next((s.name for s in specs if s.name.casefold() == name.casefold()), None)
        if same == name:
            raise InputError(f'department name "{name}" is used twice; expected one [[departments]] per name')
        if same is not None:
            raise InputError(
                f'department names "{same}" and "{name}" differ only in case; expected names that differ '
                "in more (their columns n_<name> in the GeoPackage would be one column)"
            )
        file = _path(entry["file"], folder, f"{name}.file")
        assert file is not None
        if not file.is_file():
            raise InputError(
                f'the file of department "{name}" was "{entry["file"]}" ({file.resolve()}), which does not exist'
            )
        address = _address_column(entry["address_column"], f"{name}.address_column")
        if address is None:
            raise InputError(f"{name}.address_column was None; expected a column name (text)")
        specs.append(
            DepartmentSpec(
                name=name,
                file=file,
                address_column=address,
                id_column=_column(entry.get("id_column"), f"{name}.id_column"),
                time_column=_column(entry.get("time_column"), f"{name}.time_column"),
                time_format=_time_format(entry.get("time_format"), f"{name}.time_format"),
                type_column=_column(entry.get("type_column"), f"{name}.type_column"),
                encoding=_encoding(entry.get("encoding"), f"{name}.encoding"),
                sheet=_sheet(entry.get("sheet"), f"{name}.sheet"),
            )
        )
    return tuple(specs)


def _department_name(value: Any, what: str) -> str:
    ok = isinstance(value, str) and _NAME.fullmatch(value) and len(value.encode()) <= _NAME_BYTES
    if not ok:
        raise InputError(
            f"the name of {what} was {value!r}; expected letters (any script), digits, _ and - "
            f'not starting with -, at most {_NAME_BYTES} bytes (e.g. "hotline_12345" or "消防")'
        )
    if value.casefold() in _RESERVED_NAMES:
        raise InputError(
            f'the name of {what} was "{value}"; its count column n_{value} would be the grid_cells column '
            f"n_{value.casefold()} of all departments: expected a name other than "
            f"{' or '.join(repr(n) for n in _RESERVED_NAMES)}"
        )
    return value


def _column(value: Any, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{key} was {value!r}; expected a column name (text)")
    return value


def _address_column(value: Any, key: str) -> str | tuple[str, ...] | None:
    """One address column, or a list of them (joined in order)."""
    if isinstance(value, list):
        from stdaddr.io import address_columns

        names = address_columns(value, key=key)
        for name in names:
            _column(name, key)
        return names
    return _column(value, key)


def _optional_str(value: Any, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{key} was {value!r}; expected text")
    return value


def _time_format(value: Any, key: str) -> str | None:
    text = _optional_str(value, key)
    if text is None:
        return None
    problem = "" if "%" in text else "no % directive"
    if not problem:
        from datetime import datetime

        try:  # a bad directive (%Q) fails here, before anything is geocoded
            sample = datetime(2024, 6, 1, 8, 30, 15)
            datetime.strptime(sample.strftime(text), text)
        except ValueError as exc:
            problem = str(exc)
    if problem:
        raise InputError(
            f'{key} was "{text}" ({problem}); expected a strptime format such as "%Y/%m/%d %H:%M"'
        )
    return text


def _encoding(value: Any, key: str) -> str | None:
    from stdaddr.io import check_encoding

    text = _optional_str(value, key)
    if text is None:
        return None
    try:
        check_encoding(text)
    except InputError as exc:
        raise InputError(f"{key}: {exc}") from None
    return text


def _sheet(value: Any, key: str) -> str | int | None:
    if (
        value is None
        or (isinstance(value, str) and value)
        or (isinstance(value, int) and not isinstance(value, bool))
    ):
        return value
    raise InputError(f"{key} was {value!r}; expected a sheet name or a 0-based sheet number")


def _bool(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"{key} was {value!r}; expected true or false")
    return value


def _path(value: Any, folder: Path, key: str) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{key} was {value!r}; expected a path (text)")
    path = Path(value).expanduser()
    return path if path.is_absolute() else folder / path


def _base(table: Mapping[str, Any], folder: Path) -> BaseSpec:
    if "path" not in table:
        if table:
            raise InputError(
                f"[base] has {sorted(table)} but no path; expected a path, or no [base] for the embedded one"
            )
        return BaseSpec()
    return BaseSpec(
        path=_path(table["path"], folder, "base.path"),
        id_column=_column(table.get("id_column"), "base.id_column"),
        address_column=_address_column(table.get("address_column"), "base.address_column"),
        x_column=_column(table.get("x_column"), "base.x_column"),
        y_column=_column(table.get("y_column"), "base.y_column"),
        crs=_optional_str(table.get("crs"), "base.crs"),
        layer=_sheet(table.get("layer"), "base.layer"),
    )


def _grid(value: Any, base: BaseSpec, folder: Path, where: str) -> GridSpec | None:
    if value is False:
        return None
    if not isinstance(value, Mapping):
        raise InputError(
            f"grid was {value!r}{where}; expected a table [grid] with the keys {list(_GRID_KEYS)} or false"
        )
    _known(value, _GRID_KEYS, f"[grid]{where}")
    if "path" not in value:
        if value:
            raise InputError(
                f"[grid] has {sorted(value)} but no path; expected a path, or no [grid] for the embedded one"
            )
        if base.path is not None:
            raise InputError(
                "[base] names a base file but there is no [grid]: the embedded grid covers only the embedded "
                "base; add a [grid] table with path and code_column, or grid = false"
            )
        return GridSpec()
    if "code_column" not in value:
        raise InputError(f'[grid] path "{value["path"]}" needs its code_column')
    return GridSpec(
        path=_path(value["path"], folder, "grid.path"),
        code_column=_column(value["code_column"], "grid.code_column"),
        crs=_optional_str(value.get("crs"), "grid.crs"),
        layer=_sheet(value.get("layer"), "grid.layer"),
    )


def _map_departments(value: Any, names: list[str]) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"output.map_departments was {value!r}; expected a list of department names")
    unknown = [v for v in value if v not in names]
    if unknown:
        raise InputError(
            f"output.map_departments names {unknown}, which are not departments; expected some of {names}"
        )
    return tuple(value)
