"""The records stored at build time (index/records_file.py, records.jsonl): a generic round trip of every
record of the bundled plans, the manifest's checksum, loads that extract nothing, an index of the earlier
format, incremental builds, and the duties table's maps (the same rows as a scan). Hashing embedder only."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from index import records_file
from index.build import build_index
from index.embedder import HashingEmbedder
from index.store import check_index, read_index
from ingest.deadlines import Deadline
from ingest.duties import extract_duties
from ingest.pipeline import collect_files, parse_files
from ingest.records import Record, duties_of, extract_records
from tracuu.errors import TracuuError

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def parsed():
    return parse_files(collect_files([REPO / "data" / "plans"]), 1200, 150, 20)


@pytest.fixture
def built(hashing_settings, plans_copy):
    report = build_index([plans_copy], hashing_settings, HashingEmbedder())
    return hashing_settings, plans_copy, report


def _by_doc(records) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in records:
        out.setdefault(r.doc_id, []).append(r)
    return out


# -- the file ------------------------------------------------------------------------------------------

def test_every_record_of_the_bundled_plans_round_trips(parsed):
    records = extract_records(parsed.documents, parsed.chunks)
    assert len(records) > 300 and any(r.duties for r in records)
    assert any(d.deadline and d.deadline.date for r in records for d in r.duties), "dates are in the test"
    assert records_file.loads(records_file.dumps(records)) == records


def test_a_field_added_to_a_record_round_trips_without_a_change_to_the_file_module(parsed):
    @dataclass(frozen=True)
    class Later(Record):  # what a developer may add: a date, a nested row, a tuple of them
        signed: date | None = None
        due: tuple[Deadline, ...] = field(default_factory=tuple)

    base = next(r for r in extract_records(parsed.documents, parsed.chunks) if r.duties)
    later = Later(**{f: getattr(base, f) for f in Record.__dataclass_fields__}, signed=date(2025, 11, 17),
                  due=(Deadline("yearly", "trước ngày 15/12 hằng năm", month=12, day=15),))
    back = records_file.decode(json.loads(json.dumps(records_file.encode(later))), Later)
    assert back == later and isinstance(back.duties[0], type(base.duties[0])) and back.signed == date(2025, 11, 17)


def test_records_per_document_are_those_of_the_whole_set(parsed):
    """extract_records reads each document with its own chunks: per document it gives the same records in
    the same order, and the duties table (one view of them) is the same rows in the same order."""
    whole = extract_records(parsed.documents, parsed.chunks)
    per_doc, kept = records_file.extract(parsed.documents, parsed.chunks)
    assert kept == 0 and len(per_doc) == len(whole)
    assert _by_doc(per_doc) == _by_doc(whole)
    assert duties_of(per_doc) == duties_of(whole) == extract_duties(parsed.documents, parsed.chunks)


# -- in the index ----------------------------------------------------------------------------------------

def test_the_manifest_lists_records_with_their_checksum(built):
    import hashlib

    settings, _, report = built
    stored = read_index(settings.index_dir)
    meta = stored.manifest["files"]["records.jsonl"]
    data = (stored.folder / "records.jsonl").read_bytes()
    assert meta == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert stored.manifest["records"] == report.records == len(stored.stored_records) > 300
    assert stored.manifest["records_format"] == records_file.FORMAT
    assert stored.manifest["records_rules"] == records_file.rules()
    assert stored.records == records_file.extract(stored.documents, stored.chunks)[0]
    ok, lines = check_index(settings.index_dir)
    assert ok and any(f"{report.records} bản ghi" in line and "records.jsonl" in line for line in lines)


def test_a_corrupt_records_file_is_named_by_the_load_and_the_doctor(built):
    settings = built[0]
    path = read_index(settings.index_dir).folder / "records.jsonl"
    data = bytearray(path.read_bytes())
    data[10] ^= 0x20
    path.write_bytes(bytes(data))
    with pytest.raises(TracuuError, match=r"records\.jsonl.*tracuu ingest --rebuild"):
        read_index(settings.index_dir)
    ok, lines = check_index(settings.index_dir)
    assert not ok and "records.jsonl" in lines[0]


def _no_extraction(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("records extracted after the index was built")

    monkeypatch.setattr("ingest.records.extract_records", refuse)
    monkeypatch.setattr("ingest.duties.extract_duties", refuse)


def test_a_loaded_index_answers_duties_without_extracting_records(built, monkeypatch, tmp_path):
    from assistant.answer import Assistant
    from index.search import Searcher
    from tests.fakes import ScriptedGenerator
    from tracuu import services
    from tracuu.web_duties import DutiesService

    settings = built[0]
    _no_extraction(monkeypatch)
    gen = ScriptedGenerator("không dùng")
    assistant = Assistant(Searcher(settings, HashingEmbedder()), lambda _: gen, settings)
    answer = assistant.answer("Sở Y tế có nhiệm vụ gì?")
    assert answer.mode == "duties" and not answer.refused and not gen.calls
    assert any("Sở Y tế" in c.section for c in answer.citations)
    assert assistant.answer("Những nhiệm vụ nào đến hạn trong tháng 12?").mode == "duties"
    rows = services.duty_rows(settings, agency="so y te")
    assert rows and {d.canonical for d in rows} == {"Sở Y tế"}

    class Runtime:
        pass

    runtime = Runtime()
    runtime.settings = settings
    assert DutiesService(runtime, tmp_path / "exports").find("so y te") == rows


def _as_earlier_version(settings) -> Path:
    """The current version rewritten as an earlier tracuu wrote it: no records.jsonl, no records fields."""
    pointer = Path(settings.index_dir) / "manifest.json"
    manifest = json.loads(pointer.read_text(encoding="utf-8"))
    folder = Path(settings.index_dir) / manifest["version"]
    (folder / "records.jsonl").unlink()
    for key in ("records", "records_format", "records_rules"):
        manifest.pop(key)
    manifest["files"].pop("records.jsonl")
    for path in (pointer, folder / "manifest.json"):
        path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return folder


def test_an_index_of_the_earlier_format_is_read_and_the_next_ingest_stores_its_records(built, caplog, monkeypatch):
    settings, plans, report = built
    _as_earlier_version(settings)
    stored = read_index(settings.index_dir)
    assert stored.stored_records is None
    with caplog.at_level(logging.WARNING, logger="tracuu.index"):
        assert len(stored.records) == report.records
    assert "chạy lại `tracuu ingest`" in caplog.text and "không cần --rebuild" in caplog.text  # the cheap way
    ok, lines = check_index(settings.index_dir)
    assert ok and any("chưa lưu bản ghi" in line and "chạy lại `tracuu ingest`" in line for line in lines)
    with monkeypatch.context() as m:  # the extraction on load is real: without it the old index cannot answer
        _no_extraction(m)
        with pytest.raises(AssertionError, match="records extracted"):
            read_index(settings.index_dir).records
    again = build_index([plans], settings, HashingEmbedder())
    assert not again.unchanged and again.embedded == 0 and again.records == report.records
    assert read_index(settings.index_dir).stored_records is not None


def test_records_of_other_rules_are_not_read_nor_reused(built):
    settings, plans, report = built
    pointer = Path(settings.index_dir) / "manifest.json"
    manifest = json.loads(pointer.read_text(encoding="utf-8"))
    for path in (pointer, Path(settings.index_dir) / manifest["version"] / "manifest.json"):
        path.write_text(json.dumps(dict(manifest, records_rules="other"), ensure_ascii=False), encoding="utf-8")
    assert read_index(settings.index_dir).stored_records is None
    again = build_index([plans], settings, HashingEmbedder())
    assert not again.unchanged and again.records_reused == 0 and again.records == report.records


def test_an_unchanged_document_keeps_its_records(built):
    settings, plans, report = built
    target = plans / "can-tho_nq-03-tu_2025.txt"
    text = target.read_text(encoding="utf-8")
    assert "Năm 2030: Đạt ít nhất 50%" in text
    target.write_text(text.replace("Năm 2030: Đạt ít nhất 50%", "Năm 2030: Đạt ít nhất 55%"), encoding="utf-8")
    before = _by_doc(read_index(settings.index_dir).records)
    again = build_index([plans], settings, HashingEmbedder())
    stored = read_index(settings.index_dir)
    changed = next(d.doc_id for d in stored.documents if d.file == target.name)
    assert again.records_reused == sum(len(v) for k, v in before.items() if k != changed) > 0
    assert stored.records == records_file.extract(stored.documents, stored.chunks)[0], "the same as from scratch"
    assert any("55%" in r.text for r in _by_doc(stored.records)[changed])
    assert not any("55%" in r.text for r in before[changed])


# -- the duties table's maps -------------------------------------------------------------------------------

@pytest.mark.parametrize("filters", [
    {}, {"agency": "so y te"}, {"agency": "CA TP"}, {"agency": "ngành y"}, {"plan": "vinh-yen"},
    {"plan": "can-tho", "agency": "công an"}, {"due_in": "2025-12"}, {"agency": "y tế", "due_before": "31/12/2025"},
    {"agency": "không có cơ quan này"},
])
def test_the_maps_give_the_rows_a_scan_gives(parsed, filters):
    from assistant.duties_table import duty_filter, filter_duties
    from index.record_maps import DutyTable
    from tracuu.services import filter_duty_rows

    records, _ = records_file.extract(parsed.documents, parsed.chunks)
    rows = duties_of(records)
    documents = {d.doc_id: d for d in parsed.documents}
    scanned = filter_duties(rows, duty_filter(rows, **filters), documents)
    assert filter_duty_rows(DutyTable(rows), documents, **filters) == scanned
    if filters.get("agency") == "so y te":
        assert 0 < len(scanned) < len(rows)


def test_a_plan_that_matches_nothing_names_the_plans(parsed):
    from index.record_maps import DutyTable
    from tracuu.services import filter_duty_rows

    table = DutyTable.of(records_file.extract(parsed.documents, parsed.chunks)[0])
    with pytest.raises(TracuuError, match="Không có kế hoạch nào khớp.*vinh-yen_kh-ubnd_2021.txt"):
        filter_duty_rows(table, {}, plan="ha-noi")


def test_the_duty_table_reads_only_the_records_that_give_work_and_equals_the_whole(tmp_path):
    from index.build import build_index
    from index.embedder import HashingEmbedder
    from index.record_maps import DutyTable
    from index.records_file import loads, loads_with_duties
    from index.store import read_index
    from tracuu.settings import REPO_ROOT, Settings

    settings = Settings.from_env(index_dir=tmp_path / "index")
    build_index([REPO_ROOT / "data" / "plans"], settings, HashingEmbedder())
    stored = read_index(settings.index_dir)
    every = loads(stored.records_data)
    some = loads_with_duties(stored.records_data)
    assert 0 < len(some) < len(every) and some == [r for r in every if r.duties]
    assert "stored_records" not in stored.__dict__  # nothing decoded yet
    assert stored.duty_table.rows == DutyTable.of(every).rows
    assert "stored_records" not in stored.__dict__  # the listing read only the rows that give work
