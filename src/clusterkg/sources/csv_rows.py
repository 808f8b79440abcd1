"""Reading one CSV file: UTF-8, the exact header, whole records, no control characters.

Every problem is a SourceError naming the file, the row (and the column where there is one)
and what to do; `read_rows` yields (line number, row) for the checks in `sources`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from ..errors import SourceError

Row = dict[str, str | None]
Record = tuple[int, list[str]]  # (row number, cells); the header is row 1


def read_rows(path: Path, header: list[str]) -> Iterator[tuple[int, Row]]:
    """(line number, row) for every data row; checks encoding, header and cell count."""
    if not path.is_file():
        raise SourceError(
            "file is missing", file=str(path), hint=f"create it with the header {','.join(header)}"
        )
    with open(path, encoding="utf-8-sig", newline="") as f:
        try:
            yield from _parse_rows(path, header, _records(path, f, header))
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"file is not UTF-8 ({exc.reason})",
                file=str(path),
                row=_first_bad_line(path),
                hint="save the file as UTF-8",
            ) from exc


def _parse_rows(path: Path, expected: list[str], records: Iterator[Record]) -> Iterator[tuple[int, Row]]:
    _, header = next(records, (1, []))
    _check_controls(path, 1, header, expected)
    if header != expected:
        raise SourceError(
            _header_problem(header, expected),
            file=str(path),
            row=1,
            hint=f"the header must be exactly: {','.join(expected)}",
        )
    for line, cells in records:
        if not cells or cells == [""]:
            continue
        if len(cells) != len(expected):
            raise SourceError(
                f"row has {len(cells)} cells but the header has {len(expected)}",
                file=str(path),
                row=line,
                hint="check for a missing or extra comma, or an unquoted comma in a cell",
            )
        _check_controls(path, line, cells, expected)
        yield line, {name: (cell.strip() or None) for name, cell in zip(expected, cells, strict=True)}


def _records(path: Path, f: TextIO, header: list[str]) -> Iterator[Record]:
    """(row number, cells) of every CSV record, the header being row 1; a CSV error names its row."""
    reader = csv.reader(f)
    line, end = 0, 0  # records read; physical line where the last one ended
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _csv_error(path, exc, line + 1, end + 1, header) from exc
        line, end = line + 1, reader.line_num
        yield line, cells


# C0 controls but tab, LF and CR, and DEL: invisible, and never meant in a cell (usually left over
# from a binary export or a copy); RDF would carry them on as \u0000 and the like.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_NAMES = (  # noqa: SIM905 - the C0 abbreviations, in code order
    "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
    "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US"
).split()


def _check_controls(path: Path, line: int, cells: list[str], names: list[str]) -> None:
    if not _CONTROL.search(",".join(cells)):  # one search per row; find the cell only on a hit
        return
    for index, cell in enumerate(cells):
        found = _CONTROL.search(cell)
        if found:
            code = ord(found.group())
            name = "DEL" if code == 0x7F else _CONTROL_NAMES[code]
            raise SourceError(
                f"cell contains the control character U+{code:04X} ({name}) at position {found.start() + 1}",
                file=str(path),
                row=line,
                column=names[index] if index < len(names) else f"#{index + 1}",
                hint="delete the character (control characters other than tab and line breaks are not "
                "allowed; they are invisible, usually left over from an export or a copy)",
            )


def _csv_error(path: Path, exc: csv.Error, row: int, start: int, header: list[str]) -> SourceError:
    """A CSV syntax error as a SourceError naming the row (and for a too-large cell, the column)."""
    limit = csv.field_size_limit()
    if "field larger than field limit" not in str(exc):
        return SourceError(
            f"not valid CSV: {exc}", file=str(path), row=row, hint=f"check the quotes of row {row}"
        )
    index, unclosed = _oversized_field(path, start, limit)
    column = None if index is None else (header[index] if index < len(header) else f"#{index + 1}")
    hint = f"a cell of more than {limit} characters; split it"
    if unclosed:
        hint = (
            f'check for an unclosed quote (") starting in row {row}; a cell holds at most {limit} characters'
        )
    return SourceError(
        f"cell is larger than the CSV field limit ({limit} characters)",
        file=str(path),
        row=row,
        column=column,
        hint=hint,
    )


def _oversized_field(path: Path, start: int, limit: int) -> tuple[int | None, bool]:
    """(index of the first cell longer than `limit` in the record starting on physical line `start`,
    whether that cell is quoted and runs over a line break, as after an unclosed quote)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        for _ in range(start - 1):
            f.readline()
        index, size, quoted, in_quotes, broken = 0, 0, False, False, False
        while chunk := f.read(1 << 16):
            for char in chunk:
                if char == '"' and (quoted or size == 0):  # a quote opens, closes or escapes
                    quoted, in_quotes = True, not in_quotes
                elif char == "," and not in_quotes:
                    index, size, quoted, broken = index + 1, 0, False, False
                elif char in "\r\n" and not in_quotes:
                    return None, False  # the record ended: no cell was too long after all
                else:
                    broken = broken or (in_quotes and char in "\r\n")
                    size += 1
                    if size > limit:
                        return index, broken
    return None, False


def _header_problem(header: list[str], expected: list[str]) -> str:
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    if missing:
        return f"header lacks column(s) {', '.join(missing)}"
    if extra:
        return f"header has unknown column(s) {', '.join(extra)}"
    return "header columns are in the wrong order"


def _first_bad_line(path: Path) -> int:
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1
