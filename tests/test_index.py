"""Index build / load / search round trip, atomic swap, manifest checks, incremental re-ingest,
filters, and diacritic-free questions — with the hashing test embedder, and with the real e5 model."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time

import numpy as np
import pytest

from assistant import retrieve
from index.build import build_index
from index.embedder import HashingEmbedder
from index.search import Filters, Searcher
from index.store import read_index
from tracuu.errors import TracuuError


def _build(settings, folder, **kw):
    return build_index([folder], settings, HashingEmbedder(), **kw)


def test_round_trip(hashing_settings, plans_copy):
    report = _build(hashing_settings, plans_copy)
    assert report.documents == 5 and report.chunks > 300 and report.embedded == report.chunks
    stored = read_index(hashing_settings.index_dir)
    manifest = stored.manifest
    assert manifest["format_version"] == 1 and manifest["dim"] == 256
    assert set(manifest["documents"]) == {p.name for p in plans_copy.glob("*.txt")}
    assert len(stored.vectors) == len(stored.chunks) == report.chunks
    assert "records.jsonl" in manifest["files"] and len(stored.records) == manifest["records"] == report.records > 300
    hits = Searcher(hashing_settings, HashingEmbedder()).search("Sở Y tế phải làm gì?", k=5).hits
    assert hits[0].chunk.agency in ("Sở Y tế", "Trạm y tế")


def test_unchanged_reingest_changes_nothing(hashing_settings, plans_copy):
    _build(hashing_settings, plans_copy)
    before = (hashing_settings.index_dir / "manifest.json").read_text()
    report = _build(hashing_settings, plans_copy)
    assert report.unchanged and report.embedded == 0 and report.records_reused == report.records > 0
    assert (hashing_settings.index_dir / "manifest.json").read_text() == before


def test_changed_and_removed_files(hashing_settings, plans_copy):
    _build(hashing_settings, plans_copy)
    target = plans_copy / "can-tho_nq-03-tu_2025.txt"
    target.write_text(target.read_text(encoding="utf-8") + "\nNăm 2031: Đạt 60% xã, phường không ma túy.\n", encoding="utf-8")
    (plans_copy / "vinh-yen_kh-ubnd_2021.txt").unlink()
    report = _build(hashing_settings, plans_copy)
    assert report.updated == ["can-tho_nq-03-tu_2025.txt"]
    assert report.removed == ["vinh-yen_kh-ubnd_2021.txt"]
    assert 0 < report.embedded < 10, "only the changed passages are embedded again"
    stored = read_index(hashing_settings.index_dir)
    assert {d.file for d in stored.documents} == {p.name for p in plans_copy.glob("*.txt")}
    assert not any(c.doc_id.startswith("vinh-yen") for c in stored.chunks)
    assert any("Năm 2031" in c.text for c in stored.chunks)


def test_bad_file_is_skipped_and_index_kept(hashing_settings, plans_copy):
    _build(hashing_settings, plans_copy)
    (plans_copy / "hong.pdf").write_bytes(b"not a pdf at all")
    report = _build(hashing_settings, plans_copy)
    assert [s.file for s in report.skipped] == ["hong.pdf"]
    assert read_index(hashing_settings.index_dir).manifest["chunks"] == report.chunks


def test_manifest_mismatch_says_what_to_run(hashing_settings, plans_copy):
    _build(hashing_settings, plans_copy)
    other = hashing_settings.with_(chunk_chars=800)
    with pytest.raises(TracuuError, match="tracuu ingest --rebuild"):
        Searcher(other, HashingEmbedder()).search("Sở Y tế")
    with pytest.raises(TracuuError, match="--rebuild"):
        build_index([plans_copy], other, HashingEmbedder())
    assert build_index([plans_copy], other, HashingEmbedder(), rebuild=True).chunks > 0


def test_a_changed_heading_re_embeds_the_passages_under_it(hashing_settings, tmp_path):
    """The points of a clause keep their section path and text (and chunk id) when the clause's lead-in
    sentence changes, but that sentence is embedded with them: they are embedded again."""
    folder = tmp_path / "luat"
    folder.mkdir()
    law = folder / "luat.txt"
    body = ("LUẬT THỬ\n\nĐiều 1. Quy định chung\n\n1. Quy trình gồm các bước sau đây:\n\na) Tiếp nhận hồ sơ;\n\n"
            "b) Trả kết quả.\n\n2. Luật này có hiệu lực từ ngày ký.\n")
    law.write_text(body, encoding="utf-8")
    first = _build(hashing_settings, folder)
    law.write_text(body.replace("Quy trình gồm", "Thủ tục gồm"), encoding="utf-8")
    report = _build(hashing_settings, folder)
    assert report.updated == ["luat.txt"]
    assert report.embedded == 2 and report.reused == first.chunks - 2


def test_index_embedded_from_an_older_passage_text_is_rebuilt(hashing_settings, plans_copy):
    """An index written before passage_text carried the headings (its manifest has no "passage_text")
    holds vectors of another text: searching it or adding to it says to rebuild."""
    from index import store

    _build(hashing_settings, plans_copy)
    pointer = hashing_settings.index_dir / "manifest.json"
    manifest = json.loads(pointer.read_text(encoding="utf-8"))
    assert manifest["passage_text"] == store.PASSAGE_TEXT
    del manifest["passage_text"]
    pointer.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(TracuuError, match="passage_text.*tracuu ingest --rebuild"):
        Searcher(hashing_settings, HashingEmbedder()).search("Sở Y tế")
    with pytest.raises(TracuuError, match="--rebuild"):
        _build(hashing_settings, plans_copy)
    assert _build(hashing_settings, plans_copy, rebuild=True).embedded > 0


def test_missing_index_says_what_to_run(hashing_settings):
    with pytest.raises(TracuuError, match="tracuu ingest"):
        Searcher(hashing_settings, HashingEmbedder()).search("Sở Y tế")


class SlowEmbedder(HashingEmbedder):
    """Embeds slowly, so that a build can be killed halfway through."""

    def embed_documents(self, texts):
        time.sleep(30)
        return super().embed_documents(texts)


def _slow_build(settings, folder):
    build_index([folder], settings, SlowEmbedder())


def test_killed_build_leaves_old_index(hashing_settings, plans_copy):
    _build(hashing_settings, plans_copy)
    before = read_index(hashing_settings.index_dir)
    (plans_copy / "moi.txt").write_text("KẾ HOẠCH\n\nI. MỤC ĐÍCH\n\n1. Sở Y tế tổ chức khám sàng lọc.\n", encoding="utf-8")
    proc = multiprocessing.get_context("fork").Process(target=_slow_build, args=(hashing_settings, plans_copy))
    proc.start()
    time.sleep(3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    after = read_index(hashing_settings.index_dir)
    assert [c.chunk_id for c in after.chunks] == [c.chunk_id for c in before.chunks]
    assert Searcher(hashing_settings, HashingEmbedder()).search("Sở Y tế").hits


def test_interrupted_write_leaves_old_index(hashing_settings, plans_copy, monkeypatch):
    _build(hashing_settings, plans_copy)
    before = (hashing_settings.index_dir / "manifest.json").read_text()
    import index.store as store

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "_write_jsonl", boom)
    (plans_copy / "moi.txt").write_text("KẾ HOẠCH\n\n1. Sở Y tế tổ chức khám sàng lọc.\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        _build(hashing_settings, plans_copy)
    assert (hashing_settings.index_dir / "manifest.json").read_text() == before
    assert not [p for p in hashing_settings.index_dir.parent.iterdir() if ".tmp-" in p.name]


def test_filters(hashing_settings, plans_copy):
    _build(hashing_settings, plans_copy)
    s = Searcher(hashing_settings, HashingEmbedder())
    only = s.search("nhiệm vụ", k=50, filters=Filters(docs=("tan-hung-hai-phong_kh-ubnd_2025.txt",))).hits
    assert only and {h.document.file for h in only} == {"tan-hung-hai-phong_kh-ubnd_2025.txt"}
    assert {h.document.year for h in s.search("nhiệm vụ", k=50, filters=Filters(year=2021)).hits} == {2021}
    assert {h.document.doc_id for h in s.search("nhiệm vụ", k=50, filters=Filters(locality="can tho")).hits} <= {
        "can-tho_kh-153-ubnd_2025", "can-tho_nq-03-tu_2025"}
    agency = s.search("kiểm tra", k=50, filters=Filters(agency="y tế")).hits
    assert agency and all("y tế" in h.chunk.agency.lower() for h in agency)


def test_preferred_passages_come_first_by_tier(hashing_settings, plans_copy):
    _build(hashing_settings, plans_copy)
    s = Searcher(hashing_settings, HashingEmbedder())
    plain = s.search("nhiệm vụ", k=30).hits
    low, high = {plain[0].chunk.chunk_id, plain[1].chunk.chunk_id}, plain[-1].chunk.chunk_id
    tiers = lambda c: 2 if c.chunk_id == high else int(c.chunk_id in low)  # noqa: E731
    hits = s.search("nhiệm vụ", k=30, prefer=tiers).hits
    assert [h.chunk.chunk_id for h in hits[:3]] == [high, plain[0].chunk.chunk_id, plain[1].chunk.chunk_id]
    assert [h.agency_match for h in hits[:4]] == [True, True, True, False]
    flat = s.search("nhiệm vụ", k=30, prefer=lambda c: c.chunk_id in low | {high}).hits  # a yes/no preference
    assert [h.chunk.chunk_id for h in flat[:3]] == [plain[0].chunk.chunk_id, plain[1].chunk.chunk_id, high]


@pytest.mark.parametrize("question,docs", [
    ("nhiệm vụ của phường Tân Hưng", {"tan-hung-hai-phong_kh-ubnd_2025"}),
    ("nhiem vu o vinh yen", {"vinh-yen_kh-ubnd_2021"}),
    ("Cần Thơ và Nam Định giao nhiệm vụ gì", {"can-tho_kh-153-ubnd_2025", "can-tho_nq-03-tu_2025", "nam-dinh_kh-kl132_2025"}),
])
def test_a_named_place_limits_the_search_to_its_plans(hashing_settings, plans_copy, question, docs):
    _build(hashing_settings, plans_copy)
    s = Searcher(hashing_settings, HashingEmbedder())
    assert {h.document.doc_id for h in retrieve.search(s, question, k=50).hits} <= docs
    chosen = retrieve.search(s, question, k=50, filters=Filters(docs=("can-tho_kh-153-ubnd_2025.txt",))).hits
    assert {h.document.file for h in chosen} == {"can-tho_kh-153-ubnd_2025.txt"}, "the user's plan filter wins"
    assert len({h.document.doc_id for h in retrieve.search(s, "nhiệm vụ", k=50).hits}) > 3, "no place named: every plan"


# -- with the real e5 model -------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("question", [
    "Sở Y tế phải làm gì?", "so y te phai lam gi", "Sở Y tê phải lam gì", "SỞ Y TẾ PHẢI LÀM GÌ?",
    "So Y Te phai lam gi?",
])
def test_agency_question_finds_every_health_section(runtime, question):
    result = retrieve.search(runtime.searcher, question, k=12)
    agencies = [h.chunk.agency for h in result.hits if h.agency_match]
    sections = [h.chunk.section for h in result.hits]
    assert result.sectors == {"Y tế"}
    assert sum(s.startswith("IV. Phân công nhiệm vụ › 3. Sở Y tế") for s in sections) == 4
    # the body named comes first; Trạm y tế is another body of its sector, not Sở Y tế
    assert agencies.count("Sở Y tế") >= 6 and "Trạm y tế" not in agencies
    assert result.relevance >= 0.9


@pytest.mark.slow
@pytest.mark.parametrize("question,expected", [
    ("cong an phuong co nhiem vu gi", "1. Công an phường"),
    ("Chỉ tiêu xã, phường không ma túy năm 2026 của Cần Thơ", "Mục tiêu cụ thể"),
    ("thoi han gui ke hoach ve UBND thanh pho Can Tho", "IV. Tổ chức thực hiện"),
])
def test_diacritic_free_and_typed_questions(runtime, question, expected):
    hits = retrieve.search(runtime.searcher, question, k=5).hits
    assert any(expected in h.chunk.section for h in hits), [h.chunk.section for h in hits]


@pytest.mark.slow
@pytest.mark.parametrize("question", [
    "Tỉnh Lâm Đồng có kế hoạch gì về ma túy?",
    "Ngân sách cho Sở Y tế là bao nhiêu tỷ đồng?",
    "Thành phố Đà Nẵng giao Sở Y tế làm gì?",
])
def test_relevance_is_low_when_the_plans_do_not_say(runtime, question):
    assert retrieve.search(runtime.searcher, question, k=5).relevance < 0.75


@pytest.mark.slow
def test_search_cli_json_contract(runtime, capsys):
    from tracuu.cli import main

    assert main(["search", "--json", "-k", "3", "Sở Y tế phải làm gì?"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["query"] == "Sở Y tế phải làm gì?" and len(out["hits"]) == 3
    types = {"rank": int, "chunk_id": str, "doc_id": str, "file": str, "title": str, "section": str,
             "text": str, "score": float}
    for rank, hit in enumerate(out["hits"], 1):
        assert hit["rank"] == rank
        for key, typ in types.items():
            assert isinstance(hit[key], typ), key
        assert hit["number"] is None or isinstance(hit["number"], str)
        assert hit["agency"] is None or isinstance(hit["agency"], str)


def test_embedding_reports_progress_in_steps():
    from index.build import EMBED_STEP, embed_with_progress

    lines: list[str] = []
    texts = [f"đoạn số {i} về phòng, chống ma túy" for i in range(2 * EMBED_STEP + 5)]
    vectors = embed_with_progress(HashingEmbedder(), texts, lines.append)
    assert vectors.shape[0] == len(texts)
    assert np.allclose(vectors, HashingEmbedder().embed_documents(texts))
    assert lines[0] == f"đang tạo vector: 0/{len(texts)} đoạn"
    assert [ln.split(" (")[0] for ln in lines[1:]] == [
        f"đang tạo vector: {n}/{len(texts)} đoạn" for n in (EMBED_STEP, 2 * EMBED_STEP, len(texts))]
    assert "còn khoảng" in lines[1] and lines[-1].endswith("(100%)")


class _DyingEmbedder(HashingEmbedder):
    """The hashing embedder, killed (an exception, as a SIGKILL would stop it) at its Nth batch."""

    def __init__(self, dies_at: int):
        super().__init__()
        self.calls, self.dies_at = 0, dies_at

    def embed_documents(self, texts):
        self.calls += 1
        if self.calls == self.dies_at:
            raise KeyboardInterrupt("killed mid-build")
        return super().embed_documents(texts)


def test_a_killed_build_resumes_from_the_vectors_it_made(tmp_path):
    """An ingest stopped after two steps of vectors re-embeds only what it had not done; the index it
    then writes is the one an uninterrupted build writes, and the cache is gone."""
    from index.build import EMBED_STEP
    from index.vector_cache import FOLDER
    from tests.conftest import PLANS
    from tracuu.settings import Settings

    settings = Settings.from_env(index_dir=tmp_path / "index")
    dying = _DyingEmbedder(dies_at=3)
    with pytest.raises(KeyboardInterrupt):
        build_index([PLANS], settings, dying)
    assert (tmp_path / "index" / FOLDER).is_dir()
    counting = _DyingEmbedder(dies_at=-1)
    report = build_index([PLANS], settings, counting)
    assert report.resumed == 2 * EMBED_STEP and report.embedded == report.chunks - 2 * EMBED_STEP
    assert not (tmp_path / "index" / FOLDER).exists()
    fresh = Settings.from_env(index_dir=tmp_path / "fresh")
    build_index([PLANS], fresh, HashingEmbedder())
    a, b = read_index(settings.index_dir), read_index(fresh.index_dir)
    assert [c.chunk_id for c in a.chunks] == [c.chunk_id for c in b.chunks]
    assert np.allclose(a.vectors, b.vectors)


def test_a_running_searcher_swaps_to_a_version_another_writer_made(tmp_path, monkeypatch):
    """A process holding the index (an API, the web) sees a plan another process ingested without a
    restart; a search that holds the old version keeps it whole; a broken new version leaves the old."""
    import index.search as search_module
    from tests.conftest import PLANS
    from tracuu.settings import Settings

    monkeypatch.setattr(search_module, "FRESH_SECONDS", 0.0)
    settings = Settings.from_env(index_dir=tmp_path / "index")
    first = PLANS / "vinh-yen_kh-ubnd_2021.txt"
    build_index([first], settings, HashingEmbedder())
    running = Searcher(settings, HashingEmbedder())
    held = running.index
    assert {d.file for d in held.documents} == {first.name}
    other = tmp_path / "upload"
    other.mkdir()
    (other / "can-tho_kh-153-ubnd_2025.txt").write_text((PLANS / "can-tho_kh-153-ubnd_2025.txt").read_text("utf-8"), "utf-8")
    build_index([other], settings, HashingEmbedder())  # as `tracuu ingest` in another process would
    fresh = running.index
    assert fresh is not held and {d.file for d in fresh.documents} == {first.name, "can-tho_kh-153-ubnd_2025.txt"}
    assert len(held.chunks) < len(fresh.chunks) and held.faiss.ntotal == len(held.chunks)  # the old one whole
    hits = running.search("Kế hoạch 153 thành phố Cần Thơ", k=3).hits
    assert hits[0].document.file == "can-tho_kh-153-ubnd_2025.txt"
    assert running.bm25 is fresh.bm25
    # a pointer to a version that cannot be read: the one in use stays
    pointer = tmp_path / "index" / "manifest.json"
    manifest = json.loads(pointer.read_text("utf-8"))
    pointer.write_text(json.dumps({**manifest, "version": "v-20990101-000000-1-abcdef"}), "utf-8")
    assert running.index is fresh


def test_filters_by_issuer_level_kind_and_dates(tmp_path):
    """The library's filters, on the documents' own header fields: each one narrows the search to the
    documents it names, a year-only date counts as its whole year, and bad values say what to write."""
    from tests.conftest import PLANS
    from tracuu import services
    from tracuu.settings import Settings

    settings = Settings.from_env(index_dir=tmp_path / "index")
    build_index([PLANS], settings, HashingEmbedder())
    searcher = Searcher(settings, HashingEmbedder())

    def files(**given):
        hits = searcher.search("phòng chống ma túy", k=200, filters=services.filters(**given)).hits
        return {h.document.file for h in hits}

    assert files(issuer="thanh uy") == {"can-tho_nq-03-tu_2025.txt"}
    assert files(level="xã") == {"tan-hung-hai-phong_kh-ubnd_2025.txt"}
    assert files(level="huyen") == {"vinh-yen_kh-ubnd_2021.txt"}
    assert files(kind="nghị quyết") == {"can-tho_nq-03-tu_2025.txt"}
    assert files(since="2025-11-20") == {"can-tho_nq-03-tu_2025.txt", "nam-dinh_kh-kl132_2025.txt",
                                         "tan-hung-hai-phong_kh-ubnd_2025.txt"}  # the year-only 2025 plans may be later
    assert files(until="31/12/2021") == {"vinh-yen_kh-ubnd_2021.txt"}
    assert files(issuer="Ủy ban nhân dân", level="tỉnh", since="2025-01-01") == {
        "can-tho_kh-153-ubnd_2025.txt", "nam-dinh_kh-kl132_2025.txt"}
    with pytest.raises(TracuuError, match="chọn trung ương, tỉnh, huyện, xã"):
        services.filters(level="phường")
    with pytest.raises(TracuuError, match="2025-12-31"):
        services.filters(since="2025/13/01")
    with pytest.raises(TracuuError, match="ngược"):
        services.filters(since="2025-12-01", until="2025-01-01")
