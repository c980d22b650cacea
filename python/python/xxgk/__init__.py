"""xxgk (信息公开): Chinese government information-disclosure annual reports
(政府信息公开工作年度报告) into exact, checked data.

The parser is the Rust crate ``xxgk``; this package calls it and gives its results as plain Python
and pandas DataFrames. Numbers are exact: integers are ``int``, decimals ``decimal.Decimal``; a
blank cell is ``None``, never 0.

    >>> import xxgk
    >>> report = xxgk.parse("fixtures/000_500855b189a022d6.txt")
    >>> report["agency"], report["year"]
    ('宜春市统计局', 2020)
"""

from __future__ import annotations

import json
import os
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from ._xxgk import (
    SCHEMA_VERSION,
    BinaryInput,
    DamagedContainer,
    Empty,
    Error,
    NotAReport,
    ReadError,
    TimedOut,
    TooLarge,
    Unsupported,
    __version__,
    parse_files as _parse_files,
    parse_json as _parse_json,
)

__all__ = [
    "parse",
    "cells",
    "reports",
    "tables",
    "files_under",
    "read_database",
    "Error",
    "Empty",
    "TooLarge",
    "BinaryInput",
    "Unsupported",
    "DamagedContainer",
    "NotAReport",
    "TimedOut",
    "ReadError",
    "SCHEMA_VERSION",
    "__version__",
]

Source = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, Any]


def parse(
    source: Source,
    *,
    encoding: Optional[str] = None,
    format: Optional[str] = None,
) -> Dict[str, Any]:
    """Parses one report: a path, the bytes of a file, or a binary file object.

    Returns the record as ``xxgk parse`` prints it (the README's schema), as dicts and lists, with
    numbers exact (``int`` or ``decimal.Decimal``). ``encoding`` (``"gbk"``, ``"utf-16le"``, …)
    and ``format`` (``"text"``, ``"markdown"``, ``"html"``, ``"docx"``, ``"pdf"``) override
    detection. Raises a subclass of :class:`xxgk.Error` when the input is not a report
    (:class:`NotAReport`), is refused (:class:`Unsupported`), and so on.
    """
    name = None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, path = bytes(source), None
    elif isinstance(source, (str, os.PathLike)):
        data, path = None, os.fspath(source)
    elif hasattr(source, "read"):
        data = source.read()
        if isinstance(data, str):
            raise TypeError("open the file in binary mode ('rb'): xxgk detects the encoding itself")
        name = os.path.basename(getattr(source, "name", "") or "") or None
        path = None
    else:
        raise TypeError(f"parse() takes a path, bytes or a binary file object, not {type(source).__name__}")
    text = _parse_json(data, path, encoding, format, name)
    return json.loads(text, parse_float=Decimal)


def files_under(sources: Union[Source, Iterable[Source]]) -> List[str]:
    """The files named by ``sources`` (a path or several): folders are walked recursively, in
    sorted order."""
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    found: List[str] = []
    for source in sources:
        path = os.fspath(source)
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs.sort()
                found.extend(os.path.join(root, n) for n in sorted(names))
        else:
            found.append(path)
    return found


def _decimal(text: Optional[str]) -> Optional[Decimal]:
    return None if text is None else Decimal(text)


def tables(
    sources: Union[Source, Iterable[Source]],
    jobs: Optional[int] = None,
    *,
    max_size: Optional[int] = None,
) -> Tuple["pandas.DataFrame", "pandas.DataFrame"]:
    """Parses every file of ``sources`` in parallel (``jobs`` threads, default all cores; the
    interpreter is released meanwhile) and returns ``(reports, cells)``: :func:`reports` and
    :func:`cells` from one parse."""
    paths = files_under(sources)
    report_columns, cell_columns = _parse_files(paths, jobs, max_size)
    for name in [c for c in report_columns if c.endswith(("_numerator", "_denominator"))]:
        report_columns[name] = [_decimal(v) for v in report_columns[name]]
    cell_columns["value"] = [_decimal(v) for v in cell_columns["value"]]
    cell_columns["candidates"] = [[Decimal(c) for c in cs] for cs in cell_columns["candidates"]]
    integers = {"year", "line", "column", "page", "cells_found", "cells_expected", "errors", "warnings", "not_assessable"}
    floats = {d for d in report_columns if d.endswith("_rate") or d == "backlog"}
    return _frame(report_columns, integers, floats), _frame(cell_columns, integers, floats)


def _frame(columns: Dict[str, list], integers: set, floats: set) -> "pandas.DataFrame":
    """A DataFrame with the same dtypes whatever the rows (none included): nullable integers,
    floats, and objects (text, ``Decimal``, lists) with ``None`` for what is missing."""
    import pandas as pd

    def series(name: str, values: list) -> "pandas.Series":
        if name in integers:
            return pd.Series(values, dtype="Int64")
        if name in floats:
            return pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
        return pd.Series(values, dtype=object)

    return pd.DataFrame({name: series(name, values) for name, values in columns.items()})


def cells(sources: Union[Source, Iterable[Source]], jobs: Optional[int] = None) -> "pandas.DataFrame":
    """One row per cell of every report in ``sources`` (files, or folders walked recursively):
    file, agency, year, template, key, table, status, value (``Decimal``, or ``None`` unless the
    status is ``number``), raw, unit, line, column, candidates, evidence, page, box. Files that
    are not reports have no rows here; :func:`reports` lists them with their reason."""
    return tables(sources, jobs)[1]


def reports(sources: Union[Source, Iterable[Source]], jobs: Optional[int] = None) -> "pandas.DataFrame":
    """One row per file of ``sources``: status (``ok``, ``findings`` or ``failed``), the error kind
    and message of a failed one, format, encoding, template, year, agency, title, cells found and
    expected, errors, warnings, failed rules, rules not assessable, and each indicator with its
    exact numerator and denominator."""
    return tables(sources, jobs)[0]


def read_database(path: Union[str, "os.PathLike[str]"]) -> Dict[str, "pandas.DataFrame"]:
    """The tables of a database ``xxgk import`` wrote, as DataFrames: files, reports, cells,
    narrative, findings, indicators, report_indicators and sections (read-only)."""
    import pandas as pd

    uri = Path(path).resolve().as_uri() + "?mode=ro"
    with sqlite3.connect(uri, uri=True) as con:
        return {
            name: pd.read_sql_query(f"SELECT * FROM {name}", con)
            for name in [
                "files",
                "reports",
                "cells",
                "narrative",
                "findings",
                "indicators",
                "report_indicators",
                "sections",
            ]
        }
