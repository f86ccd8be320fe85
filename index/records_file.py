"""The records of an index (ingest/records.py) stored at build time as `records.jsonl`, one JSON object per
Record, so that no reader extracts them again. The file is written and read generically over the dataclass
fields (nested Duty and Deadline rows, dates as ISO strings, tuples as lists): a field added to Record, Duty
or Deadline is stored and read back without a change here.

    data = dumps(records)                      # bytes of records.jsonl
    loads(data) == records                     # True
    records = extract(documents, chunks, previous)   # per document; unchanged documents keep their records
    manifest_fields(records)                   # {"records": n, "records_format": 1, "records_rules": "…"}

Records depend on the extraction rules (the code and data of ingest/), not only on the documents: the
manifest stores a fingerprint of them (`records_rules`), and records made by other rules are not reused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

FORMAT = 1  # how records.jsonl is written (the manifest's `records_format`)
NAME = "records.jsonl"


# -- one value <-> JSON ------------------------------------------------------------------------------

def encode(value):
    """A record (or any value in it) as plain JSON values, field by field."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (tuple, list, set, frozenset)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


def decode(value, hint):
    """A JSON value back into the type `hint` (a dataclass, a date, a tuple of them, an optional one …)."""
    return _decoder(hint)(value)


def _identity(value):
    return value


@lru_cache(maxsize=None)
def _decoder(hint):
    """The function that decodes JSON values of type `hint`, made once per type (a library's tens of
    thousands of records are read without asking the type hints again for each value)."""
    if _is_plain(hint):
        return _identity
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        choices = [(a, _decoder(a)) for a in args if a is not type(None)]

        def union(value):
            if value is None:
                return None
            return next((d for a, d in choices if _fits(value, a)), choices[0][1])(value)
        return union
    if origin in (tuple, list, set, frozenset):
        if origin is tuple and args and args[-1] is not Ellipsis:
            each = [_decoder(a) for a in args]
            return lambda value: None if value is None else tuple(d(v) for v, d in zip(value, each, strict=True))
        item = _decoder(args[0] if args else typing.Any)
        if item is _identity:
            return lambda value: None if value is None else origin(value)
        return lambda value: None if value is None else origin(item(v) for v in value)
    if origin is dict:
        item = _decoder(args[1] if args else typing.Any)
        return lambda value: None if value is None else {k: item(v) for k, v in value.items()}
    if dataclasses.is_dataclass(hint):
        # only the fields JSON does not give as they are get converted (most are plain strings and numbers)
        converted = tuple((name, _decoder(h)) for name, h in _hints(hint).items() if not _is_plain(h))

        def instance(value):
            if value is None:
                return None
            kw = dict(value)
            for name, decode in converted:
                if name in kw:
                    kw[name] = decode(kw[name])
            return hint(**kw)
        return instance
    if hint in (date, datetime):
        return lambda value: None if value is None else hint.fromisoformat(value)
    return _identity


@lru_cache(maxsize=None)
def _is_plain(hint) -> bool:
    """A type JSON gives as it is (str, int, float, bool, or one of them or None): no conversion."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return all(a is type(None) or a in _PLAIN for a in typing.get_args(hint))
    return hint in _PLAIN


_PLAIN = (str, int, float, bool, typing.Any)


def _fits(value, hint) -> bool:
    """Whether a JSON value can be the type `hint` (to choose within a union)."""
    origin = typing.get_origin(hint) or hint
    if dataclasses.is_dataclass(origin):
        return isinstance(value, dict)
    if origin in (tuple, list, set, frozenset):
        return isinstance(value, list)
    if origin in (date, datetime):
        return isinstance(value, str)
    if origin is dict:
        return isinstance(value, dict)
    return not isinstance(origin, type) or isinstance(value, origin)


@lru_cache(maxsize=None)
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


# -- the file ------------------------------------------------------------------------------------------

def dumps(records) -> bytes:
    return "".join(json.dumps(encode(r), ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def loads(data: bytes) -> list:
    """The records of a records.jsonl; ValueError or TypeError when it is not one."""
    from ingest.records import Record

    text = data.decode("utf-8")
    if text and not text.endswith("\n"):
        raise ValueError("truncated")  # every row is written with its newline: a cut file ends without one
    return [decode(json.loads(line), Record) for line in text.splitlines() if line.strip()]


def loads_with_duties(data: bytes) -> list:
    """The records of a records.jsonl that give someone work (their "duties" list is not empty)."""
    from ingest.records import Record

    return [decode(json.loads(line), Record) for line in data.split(b"\n")  # only those lines are decoded
            if line.strip() and b'"duties": []' not in line]


@lru_cache(maxsize=1)
def rules() -> str:
    """A fingerprint of the extraction rules: the code and data files of ingest/ (read once per process)."""
    import ingest

    root = Path(ingest.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def manifest_fields(records) -> dict:
    return {"records": len(records), "records_format": FORMAT, "records_rules": rules()}


def stored_are_current(manifest: dict) -> bool:
    """Whether the records a manifest lists were written in this format by the current rules."""
    return manifest.get("records_format") == FORMAT and manifest.get("records_rules") == rules()


# how to store them: an ingest of the same files writes current records and keeps every vector (--rebuild,
# which embeds everything again, is not needed for it)
HOW_TO_STORE = ("chạy lại `tracuu ingest` với các tệp, thư mục đã lập chỉ mục để lưu chúng "
                "(vectơ được dùng lại, không cần --rebuild)")


def why_not_stored(manifest: dict) -> str:
    """Why an index carries no usable records (for the note printed when they are extracted on load)."""
    if NAME not in (manifest.get("files") or {}) and "records_format" not in manifest:
        return "chỉ mục được xây bởi phiên bản trước, chưa lưu bản ghi"
    return "bản ghi lưu trong chỉ mục được lập theo quy tắc trích xuất khác mã hiện tại"


# -- extraction, per document ----------------------------------------------------------------------------

def extract(documents, chunks, previous=None) -> tuple[list, int]:
    """(every record of these documents, how many were kept from `previous`): document by document, in
    the documents' order. A document whose text and passages are those of the previous index (a loaded
    StoredIndex whose stored records are current) keeps its stored records; the others are extracted.
    ingest.records.extract_records reads each document with its own chunks only, so this equals it up to
    the order (it lists every document's preamble bases before the items; here each document's
    records stand together)."""
    from ingest.records import extract_records

    by_doc: dict[str, list] = {}
    for c in chunks:
        by_doc.setdefault(c.doc_id, []).append(c)
    old = _previous_by_doc(previous)
    out, kept = [], 0
    for doc in documents:
        mine = by_doc.get(doc.doc_id, [])
        before = old.get(doc.doc_id)
        if before is not None and before[0] == doc and before[1] == mine:
            out += before[2]
            kept += len(before[2])
        else:
            out += extract_records([doc], mine)
    return out, kept


def _previous_by_doc(previous) -> dict[str, tuple]:
    """doc_id -> (Document, its chunks, its records) of a previous index with current stored records."""
    records = getattr(previous, "stored_records", None)
    if records is None:
        return {}
    docs = {d.doc_id: d for d in previous.documents}
    out = {d: (doc, [], []) for d, doc in docs.items()}
    for c in previous.chunks:
        out[c.doc_id][1].append(c)
    for r in records:
        if r.doc_id in out:
            out[r.doc_id][2].append(r)
    return out
