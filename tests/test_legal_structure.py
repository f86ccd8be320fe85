"""Structure of legal texts and decisions: Chương › Điều › khoản › điểm section paths on the real law and
decree of ../shared/corpus2, a programme carried by a decision's Điều 1 and a plan issued after the
decision's signature (synthetic fixtures in tests/data), appendices, and the legal-reference parser the
assistant scopes a search with. Pure text work: no model is loaded."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

from ingest.chunker import PARA_SEP
from ingest.document import Chunk, Document
from ingest.legal_refs import LegalRef, parse_legal_ref, parse_legal_refs, section_matches, section_ref
from ingest.pipeline import parse_file
from ingest.structure import legal_heading

from tests.corpora import CORPUS2, DATA, DECREE, LAW, PROGRAMME, PROVINCE_PLAN, REPO  # noqa: F401
_PART = re.compile(r" \(phần \d+/\d+\)$")


@lru_cache(maxsize=None)
def parsed(path: Path, max_chars: int = 1200, overlap: int = 150) -> tuple[Document, list[Chunk]]:
    if not path.exists():
        pytest.fail(f"{path} is missing: the real corpus2 texts are test data (../shared/corpus2)")
    return parse_file(path, max_chars, overlap, 20.0)


def holding(path: Path, sentence: str) -> Chunk:
    [chunk] = [c for c in parsed(path)[1] if sentence in c.text]
    return chunk


# --- the real law ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "section"),
    [
        ("Chất ma túy là chất gây nghiện, chất hướng thần được quy định trong danh mục chất ma túy",
         "Chương I. Những quy định chung › Điều 2. Giải thích từ ngữ › khoản 1"),
        ("Trồng cây có chứa chất ma túy, hướng dẫn trồng cây có chứa chất ma túy",
         "Chương I. Những quy định chung › Điều 5. Các hành vi bị nghiêm cấm › khoản 1"),
        ("Bộ Công an là cơ quan đầu mối giúp Chính phủ",
         "Chương VI. Quản lý nhà nước về phòng, chống ma túy › Điều 50. Trách nhiệm quản lý nhà nước về phòng, chống ma túy › khoản 2"),
        ("đ) Người đang điều trị nghiện bằng thuốc thay thế;",
         "Chương IV. Quản lý người sử dụng trái phép chất ma túy › Điều 23. Xét nghiệm chất ma túy trong cơ thể › khoản 1 › điểm đ"),
        ("Luật này quy định về phòng, chống ma túy; quản lý người sử dụng trái phép chất ma túy",
         "Chương I. Những quy định chung › Điều 1. Phạm vi điều chỉnh"),
        ("Luật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2026.",
         "Chương VIII. Điều khoản thi hành › Điều 55. Hiệu lực thi hành › khoản 1"),
    ],
)
def test_law_sentence_is_cited_by_article_clause_and_point(sentence, section):
    chunk = holding(LAW, sentence)
    assert _PART.sub("", chunk.section) == section


def test_law_points_under_their_clause():
    chunks = [c for c in parsed(LAW)[1] if section_matches(c.section, LegalRef("32", "2"))]
    assert [c.section.rsplit(" › ", 2)[-2:] for c in chunks] == [["khoản 2", "điểm a"], ["khoản 2", "điểm b"]]
    assert chunks[0].text.startswith("a) Trường hợp người cai nghiện")
    # the clause's own sentence is the heading the points are read under
    assert chunks[0].heading.endswith("2. Thời hạn cai nghiện ma túy tự nguyện tại gia đình, cộng đồng được tính như sau:")


def test_points_are_indexed_with_their_clause_sentence():
    """What is embedded and keyword-indexed for a point carries the clause's lead-in sentence in place of
    the bare "khoản 2" (the displayed section path keeps the label)."""
    from index.build import passage_text, section_context

    doc, _ = parsed(LAW)
    chunk = holding(LAW, "Tiếp nhận, phân loại;")
    assert chunk.section.endswith("Điều 29. Thời hạn, quy trình cai nghiện ma túy › khoản 2 › điểm a")
    assert section_context(chunk).endswith(
        "Điều 29. Thời hạn, quy trình cai nghiện ma túy › 2. Quy trình cai nghiện ma túy bao gồm các giai đoạn "
        "sau đây: › điểm a")
    assert passage_text(doc, chunk).endswith("\na) Tiếp nhận, phân loại;")


def test_a_shortened_heading_is_indexed_whole():
    """A label cut at its length limit is indexed with the rest of its heading; a heading in capitals
    (an appendix's list) is written in lower case after the label's words."""
    from index.build import section_context

    article = holding(LAW, "Nhập khẩu, xuất khẩu, tạm nhập, tái xuất, tạm xuất, tái nhập chất ma túy, tiền chất;")
    assert "…" in article.section
    assert "Điều 18. Kiểm soát hoạt động nhập khẩu, xuất khẩu, tạm nhập, tái xuất, tạm xuất, tái nhập, quá cảnh" \
        in section_context(article)
    row = holding(DECREE, "Tramadol")
    assert section_context(row).startswith(
        "Phụ lục › Danh mục II. Các chất ma túy được sử dụng hạn chế trong nghiên cứu, kiểm nghiệm, giám định")
    # a label that is not shortened, and the part marker of a split passage, stay as they are
    whole = holding(LAW, "Luật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2026.")
    assert section_context(whole) == whole.section


@pytest.mark.parametrize(("max_chars", "overlap"), [(1200, 150), (300, 50)])
def test_no_law_chunk_spans_two_articles(max_chars, overlap):
    document, chunks = parsed(LAW, max_chars, overlap)
    starts, pos = [], 0
    for para in document.text.split(PARA_SEP):
        if re.match(r"^Điều \d+\.", para):
            starts.append(pos)
        pos += len(para) + len(PARA_SEP)
    assert len(starts) == 56
    for chunk in chunks:
        assert not any(chunk.start < s < chunk.end for s in starts), chunk.section
        articles = re.findall(r"(?:^| › )Điều (\d+)\.", chunk.section)
        assert len(articles) <= 1
        assert chunk.text == document.text[chunk.start : chunk.end]


def test_every_article_of_the_law_has_its_chapter():
    _, chunks = parsed(LAW)
    by_article = {}
    for chunk in chunks:
        ref = section_ref(chunk.section)
        if ref.article:
            by_article.setdefault(int(ref.article), set()).add(ref.chapter)
    assert sorted(by_article) == list(range(1, 57))
    assert all(len(chapters) == 1 and None not in chapters for chapters in by_article.values())
    assert by_article[1] == {"I"} and by_article[56] == {"VIII"}
    assert not any("Phần mở đầu ›" in c.section for c in chunks)


def test_law_closing_and_signature_are_not_in_an_article():
    chunk = holding(LAW, "thông qua ngày 10 tháng 12 năm 2025")
    assert chunk.section == "Nơi nhận, ký"
    assert "Trần Thanh Mẫn" in chunk.text


# --- the real decree: articles, then its appendix after the signature ------------------------


def test_decree_articles_and_appendix():
    _, chunks = parsed(DECREE)
    sections = [_PART.sub("", c.section) for c in chunks]
    assert _PART.sub("", holding(DECREE, "Bộ Y tế có trách nhiệm ban hành danh mục").section) == (
        "Điều 2. Trách nhiệm quản lý › khoản 3")
    tops = list(dict.fromkeys(s.split(" › ")[0] for s in sections))
    assert tops[:5] == ["Phần mở đầu", "Điều 1. Danh mục chất ma túy và tiền chất", "Điều 2. Trách nhiệm quản lý",
                        "Điều 3. Hiệu lực thi hành và tổ chức thực hiện", "Nơi nhận, ký"]
    assert tops[5] == "Phụ lục"
    lists = list(dict.fromkeys(s.split(" › ")[1] for s in sections if s.startswith("Phụ lục › ")))
    assert [x.split(".")[0] for x in lists] == ["Danh mục I", "Danh mục II", "Danh mục III", "Danh mục IV"]
    heroin = holding(DECREE, "Heroin, Diacetylmorphine")
    assert heroin.section.startswith("Phụ lục › Danh mục I. Các chất ma túy tuyệt đối cấm")


# --- synthetic fixtures: a programme in Điều 1, a plan after the signature, an appendix --------


def test_programme_in_article_1_keeps_its_structure():
    _, chunks = parsed(PROGRAMME)
    yte = [c for c in chunks if " › 2. Bộ Y tế › " in c.section]
    assert [c.section.split(" › ", 1)[1] for c in yte] == [
        "III. Tổ chức thực hiện › 2. Bộ Y tế › a)", "III. Tổ chức thực hiện › 2. Bộ Y tế › b)"]
    assert all(c.section.startswith("Điều 1. Phê duyệt Chương trình thử nghiệm") for c in yte)
    assert yte[1].text.startswith("b) Xây dựng bộ tiêu chí đánh giá")
    after = holding(PROGRAMME, "Quyết định này có hiệu lực thi hành kể từ ngày ký.")
    assert after.section == "Điều 2. Quyết định này có hiệu lực thi hành kể từ ngày ký."
    # the programme's items are not clauses of Điều 1
    assert not any("khoản" in c.section for c in chunks)


def test_plan_issued_with_a_decision_keeps_its_structure_and_appendix():
    _, chunks = parsed(PROVINCE_PLAN)
    sections = [c.section for c in chunks]
    assert "III. Tổ chức thực hiện › 2. Sở Y tế › a)" in sections
    assert holding(PROVINCE_PLAN, "Hướng dẫn Công an các xã, phường").section == "III. Tổ chức thực hiện › 1. Công an tỉnh › b)"
    assert holding(PROVINCE_PLAN, "Chỉ tiêu rà soát").section.startswith("Phụ lục. Chỉ tiêu thử nghiệm năm 2026 › 2. ")
    signature = [c for c in chunks if c.section == "Nơi nhận, ký"]
    assert signature and not any("Sở Y tế" in c.text for c in signature)


# --- references in questions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "refs"),
    [
        ("Điều 32 quy định gì?", [LegalRef("32")]),
        ("dieu 32 luat phong chong ma tuy", [LegalRef("32")]),
        ("Khoản 2 Điều 5 cấm những gì?", [LegalRef("5", "2")]),
        ("điểm a khoản 1 Điều 28 nói về cơ sở nào", [LegalRef("28", "1", "a")]),
        ("diem b khoan 3 dieu 31", [LegalRef("31", "3", "b")]),
        ("Điều 28 khoản 1 điểm a", [LegalRef("28", "1", "a")]),
        ("điểm đ khoản 1 của Điều 23", [LegalRef("23", "1", "đ")]),
        ("So sánh khoản 2, Điều 5 và Điều 7", [LegalRef("5", "2"), LegalRef("7")]),
        ("Chương III có mấy điều?", [LegalRef(chapter="III")]),
        ("Kế hoạch 153 giao Sở Y tế việc gì?", []),
        ("Bộ Y tế làm gì trong 5 năm tới?", []),
    ],
)
def test_parse_legal_refs(question, refs):
    assert parse_legal_refs(question) == refs
    assert parse_legal_ref(question) == (refs[0] if refs else None)


@pytest.mark.parametrize(
    ("ref", "matches"),
    [
        (LegalRef("32"), True),
        (LegalRef("32", "1"), True),
        (LegalRef("32", "1", "a"), True),
        (LegalRef("32", "2"), False),
        (LegalRef("32", "1", "b"), False),
        (LegalRef("3"), False),
        (LegalRef("3", "1", "a"), False),
        (LegalRef(chapter="III"), True),
        (LegalRef(chapter="II"), False),
        (LegalRef(), False),
    ],
)
def test_section_matches(ref, matches):
    section = "Chương III. Phòng ngừa › Điều 32. Trách nhiệm của Bộ Y tế › khoản 1 › điểm a (phần 1/2)"
    assert section_matches(section, ref) is matches


def test_plan_sections_never_match_a_legal_reference():
    section = "IV. Phân công nhiệm vụ › 3. Sở Y tế › a)"
    assert section_ref(section) == LegalRef()
    assert not section_matches(section, LegalRef("3"))


def test_reference_scopes_the_law_to_exactly_that_part():
    _, chunks = parsed(LAW)
    article_2 = [c for c in chunks if section_matches(c.section, parse_legal_ref("Điều 2 giải thích gì?"))]
    assert len(article_2) == 13 and article_2[0].text.startswith("Trong Luật này")
    [clause] = [c for c in chunks if section_matches(c.section, parse_legal_ref("khoan 2 dieu 5"))]
    assert clause.text.startswith("2. Nghiên cứu, giám định, kiểm nghiệm")
    [point] = [c for c in chunks if section_matches(c.section, parse_legal_ref("điểm đ khoản 1 Điều 23"))]
    assert point.text == "đ) Người đang điều trị nghiện bằng thuốc thay thế;"


@pytest.mark.parametrize(
    ("paragraph", "heading"),
    [
        ("Điều 32. Trách nhiệm của Bộ Y tế", ("Điều", "32", "Trách nhiệm của Bộ Y tế")),
        ("Chương III", ("Chương", "III", "")),
        ("CHƯƠNG II QUY ĐỊNH CỤ THỂ", ("Chương", "II", "QUY ĐỊNH CỤ THỂ")),
        ("Mục 2. Cai nghiện tự nguyện", ("Mục", "2", "Cai nghiện tự nguyện")),
        ("Phần thứ nhất", ("Phần", "thứ nhất", "")),
        ("PHỤ LỤC I", ("Phụ lục", "I", "")),
        ("Chương trình thử nghiệm đến năm 2030", None),
        ("Mục tiêu cụ thể", None),
        ("Danh mục I: Các chất ma túy tuyệt đối cấm sử dụng.", None),
        ("Điều 5 của Luật này quy định các hành vi bị cấm.", None),
    ],
)
def test_legal_heading(paragraph, heading):
    assert legal_heading(paragraph) == heading


# --- a term's meaning, from the sentence that defines it ---------------------------------------


@pytest.mark.parametrize(("question", "defined"), [
    ("Theo Luật này, chất ma túy là gì?", "Chất ma túy là chất gây nghiện, chất hướng thần"),
    ("cai nghien ma tuy duoc hieu la gi", "Cai nghiện ma túy là quá trình"),
    ("Xin hỏi chất hướng thần là gì vậy ạ?", "Chất hướng thần là chất kích thích"),
])
def test_a_question_of_meaning_is_answered_by_the_sentence_that_defines_the_term(question, defined):
    import time
    from types import SimpleNamespace

    from assistant.intent import read_intent
    from assistant.listings import definition
    from assistant.result import Turn
    from index.search import SearchResult

    doc, chunks = parsed(LAW)
    index = SimpleNamespace(documents=[doc], documents_by_id={doc.doc_id: doc}, chunks=chunks)
    turn = Turn(question, question, read_intent(question, [doc]), SearchResult(question, [], 0.0), None, "x",
                lambda _: None, time.perf_counter(), {"first_token_ms": None})
    answer = definition(turn, index)
    assert answer is not None and defined in answer.text and "Điều 2. Giải thích từ ngữ" in answer.text
    assert len(answer.citations) == 1
    assert definition(replace_question(turn, "Luật này có bao nhiêu chương?"), index) is None


def replace_question(turn, question):
    from dataclasses import replace

    return replace(turn, question=question, standalone=question)


def test_a_named_part_is_quoted_whole_when_the_question_asks_what_it_says():
    import time
    from types import SimpleNamespace

    from assistant.intent import read_intent, with_legal_chunks
    from assistant.listings import legal_part
    from assistant.result import Turn
    from index.bm25 import Bm25Index
    from index.search import SearchResult

    doc, chunks = parsed(LAW)
    index = SimpleNamespace(documents=[doc], documents_by_id={doc.doc_id: doc}, chunks=chunks)
    bm25 = Bm25Index.build([c.text for c in chunks])

    def ask(question, missing):
        result = SearchResult(question, [], 0.0, missing=missing)
        intent = with_legal_chunks(read_intent(question, [doc]), chunks)
        return legal_part(Turn(question, question, intent, result, None, "x", lambda _: None,
                               time.perf_counter(), {"first_token_ms": None}), index, bm25)

    answer = ask("điểm a khoản 1 Điều 28 nói gì?", ["nói gì"])
    assert answer is not None and "từ đủ 18 tuổi trở lên" in answer.text and len(answer.citations) == 1
    assert ask("điểm a khoản 1 Điều 28 có áp dụng cho học sinh không?", ["học sinh"]) is None, \
        "words the texts use, which the point does not hold, are what it asks: the evidence decides"
    whole = ask("Điều 5 nghiêm cấm những hành vi nào?", [])
    assert whole is not None and len(whole.citations) == 11, "the article's heading holds the question: all of it"
    assert "Điều 5. Các hành vi bị nghiêm cấm" in whole.text.splitlines()[0]
    assert ask("Điều 5 có nói về người nghiện ma túy được hỗ trợ học nghề không?", []) is None


def test_the_preamble_lines_that_give_a_document_its_bases_are_legal_basis_records():
    from ingest.records import extract_records

    doc, chunks = parsed(PROVINCE_PLAN)
    bases = [r for r in extract_records([doc], chunks) if r.section.startswith("Phần mở đầu")]
    assert [r.kind for r in bases] == ["legal_basis"] * len(bases) and bases
    assert any(r.text.startswith("Căn cứ Quyết định số 77/QĐ-BTN") for r in bases)
    assert all(doc.text[r.start:r.end].strip().startswith(r.text[:20]) for r in bases), "spans point at the text"
    # who proposed the document is part of its preamble too: "… được ban hành theo đề nghị của ai?"
    assert any(r.text.startswith("Theo đề nghị") for r in bases)


def test_points_are_quoted_under_their_clause_lead_in_in_the_text_order():
    import time
    from types import SimpleNamespace

    from assistant.intent import read_intent
    from assistant.listings import records_answer
    from assistant.result import Turn
    from index.bm25 import Bm25Index
    from index.search import Hit, SearchResult
    from ingest.records import extract_records

    doc, chunks = parsed(LAW)
    index = SimpleNamespace(documents=[doc], documents_by_id={doc.doc_id: doc}, chunks=chunks)
    points = [c for c in chunks if "Điều 29." in c.section and "› khoản 2 › điểm" in c.section]
    question = "Quy trình cai nghiện ma túy gồm những giai đoạn nào?"
    hits = [Hit(c, doc, 1.0, 0.0, 0.0) for c in reversed(points)]  # found in another order than the text's
    turn = Turn(question, question, read_intent(question, [doc]), SearchResult(question, hits, 0.0), None, "x",
                lambda _: None, time.perf_counter(), {"first_token_ms": None})
    answer = records_answer(turn, index, extract_records([doc], chunks), Bm25Index.build([c.text for c in chunks]))
    lines = answer.text.splitlines()
    lead = lines.index("- 2. Quy trình cai nghiện ma túy bao gồm các giai đoạn sau đây:")
    assert [x.split(":")[0].strip() for x in lines[lead + 1:lead + 6]] == [
        "- điểm a", "- điểm b", "- điểm c", "- điểm d", "- điểm đ"], "each point under the lead-in, in order"
