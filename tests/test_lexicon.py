"""The bodies lexicon (ingest/data/bodies.tsv) and what rests on it: bodies found however they are named,
a ministry's complete duty listing from a national programme, "Bộ Y tế" never returned as "Sở Y tế", and
follow-ups that replace the body or the place. The programme is a synthetic fixture that says so."""

from __future__ import annotations

import shutil
import unicodedata
import pytest

from ingest import lexicon

from tests.corpora import PROGRAMME, REPO


def test_every_row_names_its_kind_and_the_header_names_its_sources():
    text = lexicon.DATA.read_text(encoding="utf-8")
    for source in ("Nghị quyết 176/2025/QH15", "Nghị định 45/2025/NĐ-CP", "Nghị định 150/2025/NĐ-CP"):
        assert source in text
    kinds = {e.kind for e in lexicon.load().entries}
    assert kinds == {"body", "group", "sector", "head", "level", "lead", "verb"}
    bodies = lexicon.body_names()
    for name in ("Bộ Y tế", "Sở Nội vụ", "Sở Xây dựng", "Sở Nông nghiệp và Môi trường", "Sở Dân tộc và Tôn giáo",
                 "Trung ương Đoàn Thanh niên Cộng sản Hồ Chí Minh", "Ngân hàng Nhà nước Việt Nam",
                 "Tòa án nhân dân tối cao", "Viện kiểm sát nhân dân tối cao", "Trạm y tế"):
        assert name in bodies


@pytest.mark.parametrize("text,canonical,rank", [
    ("Bộ Y tế", "Bộ Y tế", "trung ương"),
    ("bo y te", "Bộ Y tế", "trung ương"),
    ("BYT", "Bộ Y tế", "trung ương"),
    ("Sở Y tế", "Sở Y tế", "tỉnh"),
    ("so y te", "Sở Y tế", "tỉnh"),
    ("SYT", "Sở Y tế", "tỉnh"),
    ("Sở GD&ĐT", "Sở Giáo dục và Đào tạo", "tỉnh"),
    ("Phong GD&DT", "Phòng Giáo dục và Đào tạo", "huyện"),
    ("Bộ LĐ-TB&XH", "Bộ Lao động - Thương binh và Xã hội", "trung ương"),
    ("Sở VH-TT-DL", "Sở Văn hóa, Thể thao và Du lịch", "tỉnh"),
    ("Trung ương Đoàn", "Trung ương Đoàn Thanh niên Cộng sản Hồ Chí Minh", "trung ương"),
    ("TANDTC", "Tòa án nhân dân tối cao", "trung ương"),
    ("Công an tỉnh", "Công an tỉnh", "tỉnh"),
    ("Bộ Chỉ huy Quân sự tỉnh", "Bộ Chỉ huy Quân sự", "tỉnh"),
])
def test_a_body_is_found_however_it_is_named(text, canonical, rank):
    for form in (text, unicodedata.normalize("NFD", text)):
        m = lexicon.find_body(form)
        assert m is not None and (m.canonical, m.rank) == (canonical, rank)


@pytest.mark.parametrize("text,canonical", [
    ("Bộ NV", "Bộ Nội vụ"),  # no alias in bodies.tsv: the initials of the sector's name after a head noun
    ("Sở NV tỉnh", "Sở Nội vụ"),  # "ngoại vụ" (Ngoại giao) has the same initials; the sector named so wins
    ("Sở TC", "Sở Tài chính"),
    ("Sở XD", "Sở Xây dựng"),
    ("Bộ QP", "Bộ Quốc phòng"),
])
def test_a_sector_is_found_by_its_initials_after_a_head_noun(text, canonical):
    m = lexicon.find_body(text)
    assert m is not None and m.canonical == canonical


@pytest.mark.parametrize("text", ["Sở TP", "Sở nv", "NV phải báo cáo", "UBND TP Hà Nội"])
def test_initials_that_name_no_one_sector_or_stand_alone_are_no_body(text):
    m = lexicon.find_body(text)
    # "TP" is a level word (thành phố), lower-case initials are a word, initials need their head noun
    assert m is None or m.canonical == "Ủy ban nhân dân thành phố"


def test_a_ministry_and_a_department_are_linked_by_sector_never_the_same():
    ministry, department, station = (lexicon.find_body(n) for n in ("Bộ Y tế", "Sở Y tế", "Trạm y tế"))
    assert ministry.sector == department.sector == station.sector == "Y tế"
    assert len({ministry.canonical, department.canonical, station.canonical}) == 3


def test_a_head_noun_alone_or_a_verb_is_no_body():
    from ingest.agencies import agency_of

    assert agency_of("Cơ quan phối hợp") is None
    assert agency_of("Tổ chức tuyên truyền cho nhân dân") is None
    assert lexicon.find_body("Xây dựng kế hoạch") is None
    assert "Xây dựng" not in lexicon.sectors_in("các đơn vị xây dựng kế hoạch")
    assert "Xây dựng" in lexicon.sectors_in("Sở Xây dựng")


# -- a national programme beside the bundled plans ---------------------------------------------------

class Scripted:
    name = "scripted"

    def __init__(self):
        self.calls = []

    def count_tokens(self, text):
        return len(text.split())

    def stream(self, messages, max_tokens=None):
        self.calls.append(messages)
        yield "Theo văn bản [1]."


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    from assistant.answer import Assistant
    from index.build import build_index
    from index.embedder import HashingEmbedder
    from index.search import Searcher
    from tracuu.settings import Settings

    folder = tmp_path_factory.mktemp("corpus")
    shutil.copytree(REPO / "data" / "plans", folder / "plans", ignore=shutil.ignore_patterns("README.md", "uploads"))
    shutil.copy(PROGRAMME, folder / "plans" / PROGRAMME.name)
    settings = Settings(index_dir=folder / "index")
    build_index([folder / "plans"], settings, HashingEmbedder())
    gen = Scripted()
    return Assistant(Searcher(settings, HashingEmbedder()), lambda _: gen, settings)


def test_a_ministry_gets_its_complete_listing_from_the_national_programme(assistant):
    answer = assistant.answer("Bộ Y tế có nhiệm vụ gì trong Chương trình?")
    assert answer.mode == "duties" and not answer.refused
    assert {c.file for c in answer.citations} == {PROGRAMME.name}, "only the programme assigns Bộ Y tế anything"
    assert "Hướng dẫn chuyên môn về hỗ trợ y tế" in answer.text and "Xây dựng bộ tiêu chí" in answer.text
    cited = [c.section for c in answer.citations]
    assert all("2. Bộ Y tế" in s for s in cited)
    assert not any("Sở Y tế" in s for s in cited), "a provincial department is never the ministry"


def test_the_department_is_not_the_ministry(assistant):
    answer = assistant.answer("Sở Y tế phải làm gì?")
    assert answer.mode == "duties"
    assert PROGRAMME.name not in {c.file for c in answer.citations}
    assert any("3. Sở Y tế" in c.section for c in answer.citations)


def test_a_body_no_document_names_is_refused_without_the_model(assistant):
    answer = assistant.answer("Bộ Xây dựng có nhiệm vụ gì trong Chương trình?")
    assert answer.refused and "Bộ Xây dựng" in answer.text


def test_follow_ups_replace_the_body_and_the_place(assistant):
    from assistant.conversation import Conversation

    conversation = Conversation()
    first = assistant.answer("Sở Y tế phải làm gì?", conversation)
    assert first.mode == "duties"
    second = assistant.answer("còn Bộ Công an thì sao?", conversation)
    assert second.standalone == "Bộ Công an phải làm gì?"
    assert second.mode == "duties" and {c.file for c in second.citations} == {PROGRAMME.name}
    conversation = Conversation()
    assistant.answer("Chỉ tiêu năm 2026 của Cần Thơ là bao nhiêu?", conversation)
    third = assistant.answer("còn Nam Định thì sao?", conversation)
    assert "Nam Định" in third.standalone and "Cần Thơ" not in third.standalone


@pytest.mark.parametrize("question, written", [
    # "lâm" is not "làm" (a stop word once folded): a name written with its diacritics is read with them
    ("Trạm Kiểm lâm Long Đại phải làm gì?", "Trạm Kiểm lâm Long Đại"),
    ("Hạt Kiểm lâm Quảng Ninh có nhiệm vụ gì?", "Hạt Kiểm lâm Quảng Ninh"),
    ("Bệnh viện Tâm thần phải làm gì?", "Bệnh viện Tâm thần"),
])
def test_a_name_the_lexicon_lacks_is_read_with_its_diacritics(question, written):
    from ingest.lexicon import find_body

    found = find_body(question)
    assert found is not None and found.written == written and not found.known
