"""Exceptions raised by stdaddr.

Errors are for programmer and data-setup mistakes; batch functions never raise for one bad record
but report a per-row status instead. Every message repeats the bad value and lists what was expected.

    StdaddrError
    ├── DataError            a base, grid or gazetteer file that cannot be used as it is
    │   └── ColumnError      a named column is missing (also a KeyError)
    ├── CRSError             a missing, unknown or mismatched coordinate reference system (also a ValueError)
    └── InputError           a bad argument value (also a ValueError)

    StdaddrWarning           something works but not as well as it could (a UserWarning)
"""

from __future__ import annotations

__all__ = ["StdaddrError", "DataError", "ColumnError", "CRSError", "InputError", "StdaddrWarning"]


class StdaddrError(Exception):
    """Base class of every exception raised on purpose by stdaddr."""


class DataError(StdaddrError):
    """A base, grid or gazetteer file or table that cannot be used as it is."""


class ColumnError(DataError, KeyError):
    """A column named by the caller is not in the table."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class CRSError(StdaddrError, ValueError):
    """A coordinate reference system is missing, unknown or does not match the data."""


class InputError(StdaddrError, ValueError):
    """An argument value outside what the function accepts."""


class StdaddrWarning(UserWarning):
    """Something works, but not as well as it could: an index built by another version of the parser."""
