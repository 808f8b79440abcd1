"""Reading logical sources and evaluating references: the only module that knows JSONPath.

A record is whatever one iteration yields: a dict column -> str (CSV) or any
JSON value (JSONPath). An accessor turns a record into the non-null values of
one reference, as Python objects (str for CSV; str/int/float/bool for JSON).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import tarfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
from jsonpath_ng.ext import parse as jsonpath_parse

from ..errors import MappingError, SourceError
from .model import LogicalSource

Accessor = Callable[[Any], list[object]]
RecordReader = Callable[[Path, str], Iterable[Mapping[str, object]] | None]  # None: "read it yourself"

_STEP = r"(?:\.[A-Za-z_][A-Za-z0-9_]*|\['[^'\\]*'\])"
_SIMPLE_PATH = re.compile(r"\$|\$?(?:[A-Za-z_][A-Za-z0-9_]*|" + _STEP + ")" + _STEP + "*")
_PATH_STEP = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\['([^'\\]*)'\]")


def check_jsonpath(expression: str) -> str | None:
    """Why `expression` is not a valid JSONPath, or None when it is."""
    try:
        jsonpath_parse(expression)
    except (JsonPathParserError, JsonPathLexerError) as exc:
        return str(exc) or type(exc).__name__
    except Exception as exc:  # the parser raises assorted types on odd input
        return str(exc) or type(exc).__name__
    return None


def compile_reference(source: LogicalSource, reference: str, where: str) -> Accessor:
    """An accessor returning the non-null values of `reference` in a record."""
    if source.formulation == "csv":
        return _csv_accessor(reference, source.nulls, where)
    if _SIMPLE_PATH.fullmatch(reference):
        keys = tuple(a or b for a, b in _PATH_STEP.findall(reference.lstrip("$")))
        return _json_key_accessor(keys, reference, source.nulls, where)
    return _json_path_accessor(reference, source.nulls, where)


def _csv_accessor(column: str, nulls: frozenset[str], where: str) -> Accessor:
    def values(record: Mapping[str, object]) -> list[object]:
        try:
            value = record[column]
        except KeyError:
            raise MappingError(
                f"{where}: reference {column!r} is not a column of the source",
                hint=f"the columns are {', '.join(map(repr, record))}; fix the rml:reference",
            ) from None
        if value is None or value in nulls:
            return []
        return [value]

    return values


def _json_key_accessor(keys: tuple[str, ...], ref: str, nulls: frozenset[str], where: str) -> Accessor:
    def values(record: object) -> list[object]:
        value = record
        for key in keys:
            if not isinstance(value, dict):
                return []
            value = value.get(key)
        if value is None:
            return []
        if isinstance(value, list | dict):
            raise _non_scalar(where, ref)
        if value in nulls:
            return []
        return [value]

    return values


def _json_path_accessor(ref: str, nulls: frozenset[str], where: str) -> Accessor:
    problem = check_jsonpath(ref)
    if problem:
        raise MappingError(f"{where}: reference {ref!r} is not a valid JSONPath: {problem}", hint="fix it")
    expression = jsonpath_parse(ref)

    def values(record: object) -> list[object]:
        found: list[object] = []
        for match in expression.find(record):
            value = match.value
            if isinstance(value, list | dict):
                raise _non_scalar(where, ref)
            if value is None or value in nulls:
                continue
            found.append(value)
        return found

    return values


def _non_scalar(where: str, ref: str) -> MappingError:
    return MappingError(
        f"{where}: reference {ref!r} selects a JSON array or object, not a value",
        hint="select the values, e.g. append [*] to iterate over an array's items",
    )


def iterate_records(source: LogicalSource, read_records: RecordReader | None, where: str) -> Iterator[Any]:
    """The records of a logical source; CSV through `read_records` when given and it claims the file
    (a reader returns None for a file it does not own, such as a lookup table beside the mappings)."""
    if source.formulation == "csv" and read_records is not None:
        claimed = read_records(source.path, source.formulation_iri)
        if claimed is not None:
            yield from claimed
            return
    if not source.path.is_file():
        raise MappingError(
            f"{where}: source file {source.path} does not exist",
            hint="fix rml:path (relative paths are resolved against the mapping file's directory)",
        )
    with (
        _open_binary(source.path, source.compression) as raw,
        io.TextIOWrapper(raw, encoding=source.encoding, newline="") as stream,
    ):
        if source.formulation == "csv":
            yield from _read_csv(stream, source.path)
        else:
            yield from _read_json(stream, source)


@contextmanager
def _open_binary(path: Path, compression: str | None) -> Iterator[IO[bytes]]:
    """The bytes of a source file, decompressed (zip and tar: the first file inside)."""
    if compression == "gzip":
        with gzip.open(path, "rb") as unzipped:
            yield cast(IO[bytes], unzipped)
    elif compression == "zip":
        with zipfile.ZipFile(path) as archive:
            names = [info.filename for info in archive.infolist() if not info.is_dir()]
            with archive.open(names[0]) if names else io.BytesIO() as raw:
                yield raw
    elif compression in ("tarxz", "targz"):
        with tarfile.open(path, "r:*") as tar:
            member = next((m for m in tar.getmembers() if m.isfile()), None)
            extracted = tar.extractfile(member) if member is not None else None
            with extracted or io.BytesIO() as raw:
                yield raw
    else:
        with path.open("rb") as raw:
            yield raw


def _read_csv(stream: IO[str], path: Path) -> Iterator[dict[str, str]]:
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
        if header is None:
            return
        width = len(header)
        for row in reader:
            if len(row) != width:
                if not row:
                    continue
                raise SourceError(
                    f"has {len(row)} cells where the header has {width}",
                    file=str(path),
                    row=reader.line_num,
                    hint="every row of a CSV file needs one cell per header column",
                )
            yield dict(zip(header, row, strict=True))
    except (csv.Error, UnicodeDecodeError) as exc:
        raise SourceError(f"is not valid CSV: {exc}", file=str(path), hint="fix the file") from exc


def _read_json(stream: IO[str], source: LogicalSource) -> Iterator[object]:
    try:
        document = json.load(stream)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceError(f"is not valid JSON: {exc}", file=str(source.path), hint="fix the file") from exc
    iterator = jsonpath_parse(source.iterator or "$")
    for match in iterator.find(document):
        yield match.value
