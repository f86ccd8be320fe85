"""`tracuu eval --corpus corpus3`: one temporary index holds the bundled plans and the corpus3 documents
(built with the project's own build path; a hashing embedder here), and the corpus3 questions are searched on it."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from eval.gold import CORPUS_DIRS, INDEXED_WITH, load_corpus  # noqa: E402
from tracuu.settings import Settings  # noqa: E402

C3_DIR = CORPUS_DIRS["corpus3"]


class SmallRuntime:
    """The part of tracuu.runtime.Runtime that eval.run.run_retrieval uses: settings and a searcher."""

    def __init__(self, settings, embedder):
        from index.search import Searcher

        self.settings = settings
        self.searcher = Searcher(settings, embedder)


def test_corpus3_is_a_choice_of_tracuu_eval():
    import argparse

    from eval.cli import add_eval_parser

    parser = argparse.ArgumentParser()
    add_eval_parser(parser.add_subparsers())
    args = parser.parse_args(["eval", "--corpus", "corpus3", "--retrieval"])
    assert args.corpus == "corpus3"
    with pytest.raises(SystemExit):
        parser.parse_args(["eval", "--corpus", "corpus9"])


@pytest.mark.skipif(not C3_DIR.is_dir(), reason="../shared/corpus3 not present")
def test_corpus3_index_holds_the_bundled_plans_too_and_its_questions_are_searched(tmp_path):
    from eval.cli import build_corpus_index, corpus_dir
    from eval.run import run_retrieval
    from index.embedder import HashingEmbedder
    from index.store import read_index

    embedder = HashingEmbedder()
    also = [corpus_dir(c) for c in INDEXED_WITH["corpus3"]]
    settings = build_corpus_index(Settings(), C3_DIR, tmp_path, embedder, also=also)
    assert settings.index_dir == tmp_path / "index" and settings.plans_dir == C3_DIR
    files = {d.file for d in read_index(settings.index_dir).documents}
    plans = {p.name for p in CORPUS_DIRS["plans"].glob("*.txt")}  # the five bundled plans
    corpus3 = {p.name for p in C3_DIR.glob("*.md")}
    assert corpus3 <= files and plans <= files  # one index, both folders

    items = [i for i in load_corpus("corpus3") if i.split == "tuned"][:10]
    report = run_retrieval(SmallRuntime(settings, embedder), items)
    assert set(report["modes"]["hybrid"]["by_split"]) == {"tuned"}
    top = {h["file"] for q in report["questions"] for h in q["top"]}
    assert top & corpus3


@pytest.fixture(scope="module")
def corpus3_assistant(tmp_path_factory):
    """The assistant over one index of the bundled plans and corpus3 (hashing embedder; listings are code)."""
    from assistant.answer import Assistant
    from eval.cli import build_corpus_index, corpus_dir
    from index.embedder import HashingEmbedder
    from index.search import Searcher
    from tests.fakes import ScriptedGenerator

    if not C3_DIR.is_dir():
        pytest.skip("../shared/corpus3 not present")
    embedder = HashingEmbedder()
    also = [corpus_dir(c) for c in INDEXED_WITH["corpus3"]]
    settings = build_corpus_index(Settings(), C3_DIR, tmp_path_factory.mktemp("c3"), embedder, also=also)
    gen = ScriptedGenerator("")
    return Assistant(Searcher(settings, embedder), lambda _: gen, settings)


def test_a_table_row_a_body_leads_is_its_own_duty_whatever_section_the_passage_sits_in(corpus3_assistant):
    # Nghị quyết 03/NQ-CP: the appendix row "rà soát … pháp luật về cơ yếu" is led by Bộ Quốc phòng, in a
    # passage whose section belongs to another body; the Thông báo 624 row names it only as a partner
    text = corpus3_assistant.answer("Bộ Quốc phòng có nhiệm vụ gì?").text
    programme = text.split("**Chương trình hành động ban hành kèm theo Nghị quyết 03/NQ-CP", 1)[1].split("\n\n")[0]
    own, _, partner = programme.partition("_Phối hợp (theo nhiệm vụ giao cho cơ quan khác):_")
    assert "pháp luật về cơ yếu" in own and "pháp luật về cơ yếu" not in partner
    assert "hạ tầng viễn thông, hạ tầng số dùng chung" in partner  # it only takes part in that one
    notice = text.split("**Thông báo 624/TB-VPCP", 1)[1].split("\n\n")[0]
    assert notice.index("_Phối hợp") < notice.index("video clip tổng kết năm 2025")


def test_a_value_of_another_bodys_item_is_no_answer(corpus3_assistant):
    # Công văn 4085: the police are given a task with no deadline; the dates nearby belong to other bodies' items
    answer = corpus3_assistant.answer(
        "Theo Công văn 4085, Công an Thành phố phải hoàn thành việc hướng dẫn rà soát, chuẩn hóa dữ liệu số nhà "
        "trước ngày nào?")
    assert answer.refused and "Công an" in answer.text.split("không thấy:", 1)[1].split(")")[0]


def test_the_date_of_another_act_is_no_answer(corpus3_assistant):
    # Công văn 11554 dates the plan of the Tết campaign (before 30/11/2025), not the campaign's own days
    answer = corpus3_assistant.answer("Công văn 11554 cho biết đợt cao điểm dịp Tết Bính Ngọ kết thúc vào ngày nào?")
    assert answer.refused and "kết thúc" in answer.text
    # the deadline it does give is answered
    answer = corpus3_assistant.answer("Theo Công văn 11554, Bộ Tài chính phải báo cáo Kế hoạch cao điểm trước ngày nào?")
    assert not answer.refused and "30 tháng 11 năm 2025" in answer.text


def test_a_duty_question_finds_the_table_rows_given_to_the_body_first(corpus3_assistant):
    # Nghị quyết 03/NQ-CP gives Bộ Nội vụ rows of its appendix table, in no section of its own
    from assistant import retrieve
    from ingest.canonical import lookup

    searcher = corpus3_assistant.searcher
    result = retrieve.search(searcher, "Theo Nghị quyết 03/NQ-CP, Bộ Nội vụ được giao những việc gì?", k=5)
    rows = [d for d in searcher.index.duty_table.rows if lookup(d.agency).canonical == "Bộ Nội vụ"
            and d.doc_id in {h.document.doc_id for h in result.hits}]
    assert rows and all(h.agency_match for h in result.hits)
    assert {h.chunk.chunk_id for h in result.hits} <= {d.chunk_id for d in rows} | {
        h.chunk.chunk_id for h in result.hits if "Bộ Nội vụ" in h.chunk.section}


@pytest.mark.parametrize("question, body", [
    ("Bộ Công an được giao những việc gì theo Thông báo kết luận 624/TB-VPCP?", "Bộ Công an"),
    ("Bộ KH&CN được giao những nhiệm vụ gì theo Thông báo kết luận 624/TB-VPCP?", "Bộ Khoa học và Công nghệ"),
])
def test_a_duty_question_finds_the_body_s_own_section_before_its_rows_elsewhere(corpus3_assistant, question, body):
    # Thông báo 624 gives Bộ Công an item III.5.b) and rows of two appendix tables of past tasks: the item
    # that is its own section comes first
    from assistant import retrieve

    hits = retrieve.search(corpus3_assistant.searcher, question, k=5).hits
    assert hits[0].chunk.agency == body and not hits[0].chunk.section.startswith("Phụ lục")
    assert all(h.agency_match for h in hits)


@pytest.mark.parametrize("question, lacking", [
    ("Có đúng là Nghị quyết 03/NQ-CP giao 1.250 tỷ đồng cho Quỹ Đầu tư phát triển công nghiệp chiến lược?", "1.250 tỷ"),
    ("Theo Công văn 4085, mỗi phường phải rà soát 300 số nhà mỗi ngày phải không?", "300 số"),
    ("Theo Quyết định 2530, hệ thống cảnh báo ô nhiễm không khí có tổng mức đầu tư là bao nhiêu?", "tổng mức đầu tư"),
])
def test_a_figure_or_a_quantity_no_passage_holds_is_refused(corpus3_assistant, question, lacking):
    answer = corpus3_assistant.answer(question)
    assert answer.refused and f"không thấy: {lacking}" in answer.text


def test_a_figure_the_documents_hold_or_a_document_number_is_no_missing_figure(corpus3_assistant):
    answer = corpus3_assistant.answer("Theo Quyết định 2530, có phải đầu tư mới 22 trạm quan trắc tự động không?")
    assert "không thấy: 22" not in answer.text and "không thấy: 2530" not in answer.text


@pytest.mark.parametrize("question, held", [
    ("Kế hoạch hành động quốc gia về khắc phục ô nhiễm không khí ước tính tổng nguồn lực khoảng bao nhiêu?",
     "140.000 tỷ đồng"),
    ("Công văn về rà soát, chuẩn hóa dữ liệu số nhà của TP.HCM: gặp vướng mắc thì báo cáo gửi cơ quan nào?",
     "có văn bản báo cáo gửi Sở Xây dựng"),
])
def test_a_document_named_by_subject_is_searched_by_the_rest_of_the_question(corpus3_assistant, question, held):
    # every passage of the document answers to its title's words; the rest of the question ranks them
    from assistant import retrieve

    hits = retrieve.search(corpus3_assistant.searcher, question, k=5).hits
    assert any(held in h.chunk.text for h in hits)


def test_a_question_that_asks_two_things_gets_the_items_of_both(corpus3_assistant):
    # a target of the appendix table and the body that funds it, asked in one question
    answer = corpus3_assistant.answer("Theo Nghị quyết 03/NQ-CP, chi ngân sách hàng năm cho khoa học, công nghệ, đổi mới "
                                      "sáng tạo, chuyển đổi số tối thiểu bao nhiêu phần trăm, đồng thời cơ quan nào phối "
                                      "hợp với các bộ, ngành, địa phương bảo đảm nguồn kinh phí thực hiện hằng năm theo "
                                      "Nghị quyết 57-NQ/TW?")
    assert not answer.refused and "≥ 3%" in answer.text and "Bộ Tài chính" in answer.text


@pytest.mark.parametrize("question, said", [
    ("Nghị quyết 03/NQ-CP đặt chỉ tiêu phủ sóng 5G cho người dân là bao nhiêu phần trăm dân số?", "99 % dân số"),
    ("Theo Nghị quyết 03/NQ-CP, tỉ lệ đơn đăng ký sáng chế được khai thác thương mại phải đạt bao nhiêu phần trăm?",
     "Kết quả: 8 - 10 %"),
    ("Theo Công điện 220, tỉnh Khánh Hòa đạt tỷ lệ bao nhiêu phần trăm ở Phụ lục III?", "Khánh Hòa — Tỷ lệ: 22.3%"),
])
def test_a_value_in_a_table_row_is_stated_first_with_its_row_and_unit(corpus3_assistant, question, said):
    answer = corpus3_assistant.answer(question)
    assert not answer.refused and said in answer.text.split("\n")[0]


def test_a_value_asked_for_a_place_comes_from_a_passage_that_names_it(corpus3_assistant):
    # Quyết định 2530 (air quality) sets PM2.5 levels for Hà Nội and the provinces around it, not for
    # Thành phố Hồ Chí Minh; the national figure is no answer for one city
    answer = corpus3_assistant.answer("Mức nồng độ bụi PM2.5 trung bình năm mà Thành phố Hồ Chí Minh phải đạt vào "
                                      "năm 2030 theo Quyết định 2530 là bao nhiêu?")
    assert answer.refused and "Hồ Chí Minh" in answer.text.split("không thấy:", 1)[1].split(")")[0]
    answer = corpus3_assistant.answer("Cho tôi hỏi theo Quyết định 2530, riêng thành phố Hà Nội phải có bao nhiêu "
                                      "trạm quan trắc không khí tự động vào năm 2026 ạ?")
    assert answer.refused and "Hà Nội" in answer.text.split("không thấy:", 1)[1].split(")")[0]
    # where the passage does name the city, its figure is the answer
    answer = corpus3_assistant.answer("Theo Quyết định 2530, Thành phố Hồ Chí Minh phải có tối thiểu bao nhiêu công "
                                      "trình xây dựng xanh vào năm 2030?")
    assert not answer.refused and "500" in answer.text
    # Công điện 220 (administrative procedures) gives each province's share in a list after "gồm:";
    # the opening sentence is the one province's, not the ministries' figure before it
    answer = corpus3_assistant.answer("Theo Công điện 220, tỷ lệ thủ tục hành chính liên quan đến doanh nghiệp được "
                                      "cung cấp trực tuyến của Lai Châu là bao nhiêu phần trăm?")
    assert not answer.refused and answer.text.startswith("Lai Châu (59,42%)")


def test_where_is_answered_by_a_place_only(corpus3_assistant):
    # Thông báo 624 names no place for the 117 villages without power; Kế hoạch 252 names Laos and Cambodia
    answer = corpus3_assistant.answer("Cho tôi hỏi theo Thông báo 624/TB-VPCP, 117 thôn chưa có điện mà EVN phải "
                                      "xây dựng phương án cấp điện nằm ở đâu ạ?")
    assert answer.refused and "địa điểm" in answer.text
    answer = corpus3_assistant.answer("Theo Kế hoạch 252, việc tìm kiếm hài cốt liệt sĩ quân tình nguyện được đẩy "
                                      "nhanh ở đâu?")
    assert not answer.refused and "Lào" in answer.text


def test_the_act_a_when_question_asks_after_its_question_word_must_be_in_the_item(corpus3_assistant):
    # the Đắk Nông plan sets a date for 2G, not for switching off 3G; Công văn 4085 does date sharing the land data
    answer = corpus3_assistant.answer("Theo kế hoạch nâng cao chất lượng mạng di động của Sở Thông tin và Truyền "
                                      "thông Đắk Nông, khi nào phải tắt hẳn sóng 3G trên địa bàn tỉnh?")
    assert answer.refused and "tắt" in answer.text
    answer = corpus3_assistant.answer("Theo Công văn 4085, khi nào phải hoàn thành việc chia sẻ cơ sở dữ liệu đất đai?")
    assert not answer.refused and "05 tháng 12 năm 2025" in answer.text


def test_a_body_named_only_inside_other_bodies_items_has_no_work_of_its_own(corpus3_assistant):
    # Quyết định 2530 names Bộ Quốc phòng once, in a mechanism of Bộ Nông nghiệp và Môi trường's task
    answer = corpus3_assistant.answer("BQP được giao những nhiệm vụ gì trong QĐ 2530 về khắc phục ô nhiễm không khí?")
    assert answer.refused and "nhiệm vụ riêng" in answer.text and "Bộ Nông nghiệp và Môi trường" in answer.text
    assert any("Quốc phòng" in c.quote for c in answer.closest)
    # Thông báo 624 names Bộ Ngoại giao as a partner of other bodies' tasks: those are listed, not refused
    answer = corpus3_assistant.answer("Theo Thông báo 624/TB-VPCP, Bộ Ngoại giao có nhiệm vụ gì?")
    assert not answer.refused and "phối hợp với Bộ Ngoại giao" in answer.text


def test_a_number_written_with_its_symbol_names_that_document_only(corpus3_assistant):
    # "Nghị quyết 03" is both Cần Thơ's 03-NQ/TU and the Government's 03/NQ-CP
    from assistant.intent import mentioned_plans

    docs = corpus3_assistant.searcher.index.documents
    both = mentioned_plans("Nghị quyết 03 nói gì về ma túy?", docs)
    assert mentioned_plans("Theo Nghị quyết 03-NQ/TU, lực lượng Công an có vai trò gì?", docs) < both
    assert mentioned_plans("Nghị quyết 03/NQ-CP do ai ký?", docs) == {"nq_cp_03_2025_ctrhd_nq57_khcn_cds"}


@pytest.mark.parametrize("question, annex", [
    ("Theo Phụ lục II Nghị quyết 03/NQ-CP, Bộ Thông tin và Truyền thông phải xong việc gì trước tháng 9/2025?", "II"),
    ("Phụ lục I của Quyết định 2530 giao Bộ Y tế những nhiệm vụ nào?", "I"),
])
def test_an_appendix_a_question_names_is_searched_first(corpus3_assistant, question, annex):
    from assistant import retrieve

    assert retrieve.annex_named(question) == annex
    result = retrieve.search(corpus3_assistant.searcher, question, k=5)
    assert result.hits and all(retrieve.in_annex(h.chunk.section, annex) for h in result.hits)
    assert not retrieve.in_annex("Phụ lục III. Danh mục …", "II") and retrieve.in_annex("Phụ lục II. Danh mục", "II")


def test_how_many_items_a_part_holds_is_counted_from_the_headings_each_one_cited(corpus3_assistant):
    # a programme a resolution issues, and a plan of the bundled corpus: the part the noun names, its items
    a = corpus3_assistant.answer("Nghị quyết 03/NQ-CP có bao nhiêu nhóm nhiệm vụ?")
    assert a.mode == "records" and "phần “Nhiệm vụ cụ thể” gồm 7 mục" in a.text and len(a.citations) == 7
    assert "7. Tăng cường hợp tác quốc tế" in a.text
    # items 6-9 of that part are numbered paragraphs, not headings: items of the section path all the same
    b = corpus3_assistant.answer("ke hoach 153/KH-UBND gom may giai phap")
    assert "gồm 9 mục" in b.text and "1. Công tác tham mưu, chỉ đạo triển khai" in b.text
    assert "9. Tổ chức các hoạt động kiểm tra định kỳ" in b.text
    # content inside Điều 1 of a decision that approves a plan
    c = corpus3_assistant.answer("Quyết định 2530 gồm bao nhiêu nhóm nhiệm vụ, giải pháp?")
    assert "phần “Nhiệm vụ, giải pháp” gồm 9 mục" in c.text
    # a conclusion notice whose items 2-4 are numbered paragraphs between numbered headings: all six counted
    d = corpus3_assistant.answer("Thông báo 624 nêu bao nhiêu nhiệm vụ?")
    assert "gồm 6 mục" in d.text and "4. Đẩy mạnh cắt giảm, đơn giản hóa thủ tục hành chính" in d.text
    # an item's heading whole, as its passage writes it, not the section path's cut form ("… chính sách: Các bộ …")
    assert "- 2. Đẩy mạnh rà soát, xây dựng, hoàn thiện thể chế, cơ chế chính sách [2]" in d.text


def test_a_signers_titles_are_read_across_a_published_copys_signed_mark(corpus3_assistant):
    # "TM. CHÍNH PHỦ / KT. THỦ TƯỚNG / PHÓ THỦ TƯỚNG / [đã ký] / Nguyễn Hòa Bình": the mark stands where the
    # signature was; the titles above it are the signer's, and the sentence that states them is checked
    a = corpus3_assistant.answer("Nghị quyết 03/NQ-CP do ai ký?")
    assert a.text.startswith("Người ký: Nguyễn Hòa Bình (Phó thủ tướng) [1].")
    assert "(TM. CHÍNH PHỦ, KT. THỦ TƯỚNG, PHÓ THỦ TƯỚNG)" in a.text


def test_a_basis_asked_of_a_named_body_is_its_own_items_and_of_the_document_its_opening(corpus3_assistant):
    # Công văn 4085: the communes' item states the plans it carries out; the letter's own basis is its opening
    answer = corpus3_assistant.answer(
        "Theo Công văn 4085, Ủy ban nhân dân các phường, xã rà soát dữ liệu số nhà căn cứ vào kế hoạch nào?")
    assert not answer.refused and "515/KH-BCA" in answer.text
    # the letter's own basis, not its item that opens "Trên cơ sở kết quả khảo sát, Sở Xây dựng chủ trì …"
    for question in ("Công văn 4085 ra đời trên cơ sở đề xuất của cơ quan nào?",
                     "Văn bản 4085 được ban hành trên cơ sở đề xuất của sở nào?"):
        answer = corpus3_assistant.answer(question)
        assert not answer.refused and "15972" in answer.text


def test_whose_opinion_a_letter_or_notice_conveys_is_read_from_its_opening(corpus3_assistant):
    answer = corpus3_assistant.answer("Công văn 11554 là ý kiến chỉ đạo của lãnh đạo nào?")
    assert answer.text.startswith("Ý kiến, kết luận của: Phó Thủ tướng Chính phủ Bùi Thanh Sơn - Trưởng Ban Chỉ đạo 389")
    assert answer.citations and "Bùi Thanh" in answer.citations[0].quote
    answer = corpus3_assistant.answer("Thông báo 624/TB-VPCP ghi kết luận của ai?")
    assert "Ban Chỉ đạo của Chính phủ" in answer.text.split("\n")[0]
    # a plan conveys no one's opinion: the question is read as any other
    answer = corpus3_assistant.answer("Kế hoạch 252 của Ban Chỉ đạo 1237 là ý kiến của ai?")
    assert not answer.text.startswith("Ý kiến, kết luận của")


def test_a_groups_total_is_no_members_own_quantity(corpus3_assistant):
    # Công điện 220 gives the ministries together 485 documents to amend; it counts none for one of them
    answer = corpus3_assistant.answer(
        "Theo Công điện 220, Thanh tra Chính phủ phải sửa đổi, bổ sung bao nhiêu văn bản quy phạm pháp luật?")
    assert answer.refused and "Thanh tra Chính phủ" in answer.text


def test_a_question_to_confirm_is_answered_by_the_items_that_hold_it(corpus3_assistant):
    from assistant.answer import Assistant
    from tests.fakes import ScriptedGenerator

    # a model that would say "Có" and quote a passage is not asked: the items that hold the question are quoted
    says_yes = ScriptedGenerator("Có. Chỉ đạo các cơ quan, tổ chức, doanh nghiệp, đơn vị lực lượng vũ trang đóng trên địa "
                                 "bàn ưu tiên tuyển dụng con bệnh binh nặng đang cư trú tại địa phương.")
    assistant = Assistant(corpus3_assistant.searcher, lambda _: says_yes, corpus3_assistant.settings)
    answer = assistant.answer(
        "Có đúng là Chỉ thị 31 yêu cầu ưu tiên tuyển dụng con liệt sĩ, con thương binh nặng vào làm việc không?")
    assert answer.mode in ("records", "evidence") and "ưu tiên tuyển dụng con liệt sĩ" in answer.text


def test_a_group_asked_with_a_sector_word_in_its_topic_gets_its_own_rows(corpus3_assistant):
    # the provinces' committees named in the topic give the question a sector, not the bodies asked: the ministries'
    # own items are listed
    answer = corpus3_assistant.answer("Theo Công điện 220, các Bộ, cơ quan ngang bộ phải làm gì để phối hợp với Ủy ban "
                                      "nhân dân các tỉnh giải quyết thủ tục hành chính?")
    assert answer.mode == "duties" and "485 văn bản quy phạm pháp luật" in answer.text


def test_a_bodys_own_item_answers_a_quantity_whatever_group_it_names_as_partner():
    from assistant.intent import read_intent
    from assistant.listings import _addresses
    from ingest.records import Record

    item = Record(doc_id="d", file="f", plan_label="p", section="s", chunk_id="c", start=0, end=1,
                  text="Thanh tra Chính phủ chủ trì, phối hợp với các Bộ, cơ quan ngang Bộ sửa đổi 12 văn bản.",
                  kind="duty", duties=())
    intent = read_intent("Thanh tra Chính phủ phải sửa đổi bao nhiêu văn bản?", [])
    assert _addresses(intent, item, "", None, groups=False)
    other = read_intent("Bộ Y tế phải sửa đổi bao nhiêu văn bản?", [])
    assert not _addresses(other, item, "", None, groups=False)
