"""Answers: citation parsing and verification, follow-up rewriting, prompts, refusals decided by
evidence, complete agency-duty answers, the real GGUF model, and the ask/chat JSON contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.answer import REFUSAL_PREFIX, Assistant
from assistant.citations import clean_model_text, split_statements, support, verify
from assistant.conversation import Conversation, rewrite
from assistant.prompts import render
from tests.fakes import ScriptedGenerator
from tracuu.errors import TracuuError

P1 = "b) Chỉ đạo các cơ sở y tế trực thuộc thực hiện xác định tình trạng nghiện ma túy trên địa bàn toàn thành phố."
P2 = "Năm 2026: Đạt 25% (tương đương 26/103 xã, phường không ma túy). Năm 2030: Đạt ít nhất 50% (tương đương 52/103 xã, phường không ma túy)."


# -- pure functions ---------------------------------------------------------------------------

def test_split_statements_parses_and_drops_out_of_range_markers():
    st = split_statements("Sở Y tế chỉ đạo xác định tình trạng nghiện [1]. Năm 2026 đạt 25% [2][9].\n[1]", 2)
    assert [s.text for s in st] == ["Sở Y tế chỉ đạo xác định tình trạng nghiện.", "Năm 2026 đạt 25%."]
    assert st[0].refs == (1,) and st[1].dropped_refs == (9,)
    assert st[1].refs == (2, 1), "a line of bare markers cites for the statement before it"


def test_marker_after_the_full_stop_cites_the_sentence_before_it():
    st = split_statements("Sở Y tế chỉ đạo xác định tình trạng nghiện. [1] Năm 2026 đạt 25%. [2]", 2)
    assert [(s.text, s.refs) for s in st] == [("Sở Y tế chỉ đạo xác định tình trạng nghiện.", (1,)), ("Năm 2026 đạt 25%.", (2,))]


def test_echoed_passage_headers_are_dropped():
    text = "[1] (Kế hoạch 153/KH-UBND — IV. Phân công nhiệm vụ › 3. Sở Y tế)\nSở Y tế chủ trì Dự án 6 [1]."
    assert clean_model_text(text, "Ai chủ trì Dự án 6?") == "Sở Y tế chủ trì Dự án 6 [1]."


def test_split_statements_accepts_grouped_markers():
    assert split_statements("Hai kế hoạch cùng nêu việc này [1, 2].", 3)[0].refs == (1, 2)


@pytest.mark.parametrize("statement,passage,ok", [
    ("Các cơ sở y tế xác định tình trạng nghiện ma túy [1].", P1, True),
    ("Sở Y tế cấp 5 tỷ đồng cho cai nghiện [1].", P1, False),
    ("Năm 2026 đạt 25% xã, phường không ma túy [1].", P2, True),
    ("Năm 2026 đạt 50% xã, phường không ma túy [1].", P2, False),  # figure of another year
    ("2026 / 25 [1].", P2, False),  # figures copied out of a row, nothing said of what they count
])
def test_verify_checks_each_statement_against_its_passage(statement, passage, ok):
    [st] = verify(split_statements(statement, 1), [passage])
    assert st.supported is ok


def test_unmarked_statement_is_credited_to_the_passage_that_supports_it():
    [st] = verify(split_statements("Năm 2026 đạt 25% xã, phường không ma túy.", 2), [P1, P2])
    assert st.supported and st.refs == (2,)


def test_echo_of_the_question_is_not_an_answer():
    q = "Chỉ tiêu năm 2026 là bao nhiêu?"
    assert support("Chỉ tiêu năm 2026", P2, q) == 0.0
    assert clean_model_text(f"Câu hỏi: {q}\n\nĐáp án: Năm 2026 đạt 25% [1]\nLời giải: vì …", q) == "Năm 2026 đạt 25% [1]"


@pytest.mark.parametrize("follow_up,previous,expected", [
    ("Họ phải chịu trách nhiệm trước ai?", "Công an phường phải làm gì?", "Công an phường phải chịu trách nhiệm trước ai?"),
    ("còn năm 2029 thì sao?", "Chỉ tiêu xã, phường không ma túy năm 2026 là bao nhiêu?",
     "Chỉ tiêu xã, phường không ma túy năm 2029 là bao nhiêu?"),
    ("Còn Sở Tài chính?", "Sở Y tế phải làm gì?", "Sở Tài chính phải làm gì?"),
    ("con cong an thi sao", "Sở Y tế phải làm gì?", "Công an phải làm gì?"),
    ("Sở Tư pháp phải làm gì?", "Sở Y tế phải làm gì?", "Sở Tư pháp phải làm gì?"),
])
def test_follow_up_rewriting(follow_up, previous, expected):
    assert rewrite(follow_up, previous) == expected


def test_a_follow_up_asking_its_own_value_keeps_only_the_scope_of_the_one_before():
    """"còn … thì tăng bao nhiêu?" asks a value of its own: the previous question lends its place, plan and
    body, not its words (which the passage giving the value need not hold)."""
    previous = "Kế hoạch 153/KH-UBND của An Bình đặt chỉ tiêu triệt phá điểm sử dụng ma túy như thế nào?"
    standalone = rewrite("con cac vu tren tuyen duong bien thi tang bao nhieu", previous, ("An Bình",))
    assert standalone == "cac vu tren tuyen duong bien thi tang bao nhieu (An Bình, Kế hoạch 153/KH-UBND)?"
    assert rewrite("Còn Sở Tài chính thì sao?", "Sở Y tế phải làm gì?") == "Sở Tài chính phải làm gì?"


def test_a_query_typed_without_diacritics_gets_them_back_from_the_indexed_text():
    from index.restore import Restorer

    texts = ["Kế hoạch được triển khai từ khi ban hành đến hết năm 2035.", "Thị xã An Bình thì có 3 phường."]
    restorer = Restorer(texts, ["nào", "bao nhiêu", "thì"])
    assert restorer.restore("ke hoach keo dai den nam nao?") == "kế hoạch keo dai đến năm nào?"
    assert restorer.restore("Thi xa An Binh") == "Thị xã An Bình"
    assert restorer.restore("thi tang bao nhieu") == "thì tang bao nhiêu"
    assert restorer.restore("Kế hoạch ke hoach") == "Kế hoạch kế hoạch", "a word typed with diacritics is kept"


def test_prompt_rendering_fails_loudly():
    assert "Câu hỏi: X" in render("answer_user", passages="[1] a", question="X")
    with pytest.raises(TracuuError, match="thiếu"):
        render("answer_user", passages="[1] a")


def test_focus_all_keeps_the_best_sentences_of_all_passages_within_one_budget():
    from assistant.focus import focus_all

    texts = [
        "Mở đầu chung. Năm 2026 đạt 25% xã, phường không ma túy. Câu khác về tuyên truyền.",
        "Một đoạn không liên quan. Năm 2026 tổng kết.",
        "Hoàn toàn khác chủ đề.",
    ]
    cost = lambda t: len(t.split())  # noqa: E731 — one token a word, for the test
    out = focus_all(texts, "Năm 2026 đạt bao nhiêu phần trăm xã, phường không ma túy?", 24, cost, [3, 3, 3])
    assert out[0] == "Năm 2026 đạt 25% xã, phường không ma túy.", "the best sentence, alone"
    assert out[1] == "Năm 2026 tổng kết." and out[2] == "", "a passage with nothing chosen comes back empty"
    assert sum(cost(t) + 2 + 3 for t in out if t) <= 24
    wide = focus_all(texts, "Năm 2026 tuyên truyền", 200, cost)
    assert wide[0] == "Năm 2026 đạt 25% xã, phường không ma túy. … Câu khác về tuyên truyền.", "original order"
    tight = focus_all(texts, "chủ đề", 1, cost)
    assert tight[2] == "Hoàn toàn khác chủ đề." and not tight[0], "the best sentence is kept even over the budget"


@pytest.mark.parametrize("question,kind", [
    ("Mức hỗ trợ cho người cai nghiện là bao nhiêu tiền?", "money"),
    ("ngan sach nam 2026 cho du an 6 la bao nhieu", "money"),
    ("bao nhieu phan tram co so giao duc duoc tuyen truyen", "percent"),
    ("Hiện nay có bao nhiêu người nghiện ma túy?", "people"),
    ("Phường Tân Hưng yêu cầu báo cáo vào ngày nào hàng tháng?", "day"),
    ("han bao cao ket qua hang nam la khi nao", "date"),
    ("Các sở phải gửi kế hoạch trong thời hạn bao lâu?", "duration"),
    ("Kế hoạch của phường có số hiệu là gì?", "docnumber"),
    ("Số điện thoại đường dây nóng là bao nhiêu?", "phone"),
    ("Mỗi xã phải xây dựng bao nhiêu mô hình?", "number"),
    ("Kế hoạch chia thành mấy giai đoạn?", "number"),
    ("ke hoach chia thanh may giai doan", "number"),
    ("Mức phạt tiền đối với hành vi này là bao nhiêu?", "money"),
    ("Sở Y tế phải làm gì?", None),
])
def test_asked_value_kinds(question, kind):
    from assistant.evidence import asked_value

    asked = asked_value(question)
    assert (asked.kind if asked else None) == kind


def test_value_sentences_need_a_value_the_question_does_not_give():
    from assistant.evidence import asked_value, value_sentences

    asked = asked_value("Năm 2026 phải đạt bao nhiêu?")
    text = "Năm 2026 tập trung rà soát. Năm 2026: Đạt 25% xã, phường không ma túy."
    assert value_sentences(asked, "Năm 2026 phải đạt bao nhiêu?", text) == ["Năm 2026: Đạt 25% xã, phường không ma túy."]
    money = asked_value("Mức hỗ trợ là bao nhiêu tiền?")
    assert value_sentences(money, "", "Hỗ trợ theo Nghị quyết số 39/2019/NQ-HĐND. Mức 1.500.000 đồng/tháng.") == [
        "Mức 1.500.000 đồng/tháng."]


@pytest.mark.parametrize("question, text, gives", [
    # asked how many of a thing, a figure that counts that thing (a drug plan's target, a telecom plan's measure)
    ("Kế hoạch đặt chỉ tiêu bao nhiêu trạm y tế xã đủ điều kiện?",
     "Trên 80% trạm y tế xã, phường đủ điều kiện xác định tình trạng nghiện.", True),
    ("mỗi xã phải đo tối thiểu bao nhiêu mẫu đo mỗi tháng?",
     "Đo kiểm bằng ứng dụng i-Speed (đảm bảo tối thiểu 300 mẫu đo/xã/tháng).", True),
    ("Số hài cốt liệt sĩ cần quy tập là bao nhiêu?", "Số hài cốt liệt sĩ cần quy tập là 1.200.", True),
    ("Kế hoạch đặt chỉ tiêu quy tập bao nhiêu hài cốt liệt sĩ mỗi năm?",
     "Căn cứ tình hình tìm kiếm, quy tập hài cốt liệt sĩ từ nay đến năm 2020 và những năm tiếp theo.", False),
    ("Đến năm 2030 có bao nhiêu doanh nghiệp khởi nghiệp sáng tạo?",
     "Đến năm 2030: có ít nhất 100 tổ chức nghiên cứu đạt chuẩn; 5 trung tâm đổi mới sáng tạo.", False),
    # a table row's number is no value
    ("Có bao nhiêu dự án trọng điểm?", "STT: 3 · Tên dự án, nhiệm vụ: Đầu tư trạm quan trắc", False),
    # a word after "bao nhiêu" that is no noun counted holds no figure to anything
    ("Số vụ phạm tội tăng bao nhiêu mỗi năm?", "Số vụ phạm tội bị phát hiện tăng từ 5% trở lên.", True),
])
def test_a_how_many_question_needs_a_figure_of_what_it_counts(question, text, gives):
    from assistant.evidence import asked_value, value_sentences

    assert bool(value_sentences(asked_value(question), question, text)) is gives


@pytest.mark.parametrize("question", [
    # "số" typed with its marks is no "Sở": a letter's appendix (CV 6225) and a question about digital transformation
    "Theo phụ lục Công văn 6225/BVHTTDL-VP, TT Chuyển đổi số VHTTDL chủ trì những nhiệm vụ nào?",
    "chuyển đổi số y tế cần làm gì?",
])
def test_a_word_that_is_a_head_noun_with_other_marks_names_no_body(question):
    from assistant.intent import _named_body

    assert _named_body(question) is None


@pytest.mark.parametrize("question,canonical,known", [
    ("Sở Xây dựng tỉnh Nam Định có nhiệm vụ gì?", "Sở Xây dựng", True),
    ("Bệnh viện Tâm thần thành phố Cần Thơ có nhiệm vụ gì?", "Bệnh viện Tâm thần", False),
    ("so ngoai vu can tho co nhiem vu gi", "Sở Ngoại vụ", True),
    ("Sở Nội vụ tỉnh Nam Định được giao những việc gì?", "Sở Nội vụ", True),
    ("Các nhà trường trên địa bàn phường phải làm gì?", "Các nhà trường", True),
    ("Lực lượng ANTT cơ sở ở Tân Hưng có nhiệm vụ gì?", "Lực lượng An ninh trật tự cơ sở", True),
    ("Ủy ban nhân dân các phường phải làm gì?", "Ủy ban nhân dân cấp xã", True),
    ("Sở VH-TT-DL Cần Thơ làm gì?", "Sở Văn hóa, Thể thao và Du lịch", True),
    ("Nam Định giao Sở GD&ĐT những việc gì?", "Sở Giáo dục và Đào tạo", True),
    ("Phong GD&DT co nhiem vu gi", "Phòng Giáo dục và Đào tạo", True),
    ("Bộ Y tế có nhiệm vụ gì trong Chương trình?", "Bộ Y tế", True),
    ("Văn phòng HĐND và UBND được giao việc gì?", "Văn phòng HĐND và UBND", True),
    ("Hội Nông dân phường Tân Hưng tham gia như thế nào?", "Hội Nông dân phường", True),
    # a question that opens with its source: the bodies of that document's description are not asked
    ("Theo Thông báo 627/TB-VPCP kết luận Phiên họp lần thứ 21 Ban Chỉ đạo Nhà nước các công trình, dự án quan "
     "trọng quốc gia, trọng điểm ngành giao thông vận tải, Bộ Xây dựng được giao những việc gì?", "Bộ Xây dựng", True),
    ("Theo Kế hoạch của Ban Chỉ đạo phòng, chống ma túy tỉnh, Sở Y tế phải làm gì?", "Sở Y tế", True),
    ("theo cong van cua ubnd tinh, so y te phai lam gi", "Sở Y tế", True),
])
def test_the_body_a_question_names(question, canonical, known):
    from assistant.intent import read_intent

    intent = read_intent(question, [])
    assert intent.duty and intent.body is not None
    assert (intent.body.canonical, intent.body.known) == (canonical, known)


@pytest.mark.parametrize("question,sector", [
    ("bien phong can tho co nhiem vu gi", "Biên phòng"),
    ("ngành y tế phải làm gì?", "Y tế"),
])
def test_a_sector_named_alone(question, sector):
    from assistant.intent import read_intent

    assert sector in read_intent(question, []).sectors


def test_a_name_never_runs_across_punctuation():
    from assistant.evidence import question_terms

    shown = [t.shown for t in question_terms("Ở Cần Thơ, Chủ tịch UBND xã chịu trách nhiệm trước ai?")]
    assert "Cần Thơ" in shown and "Cần Thơ Chủ" not in shown


def test_words_not_syllables_and_filler_says_nothing():
    from assistant.evidence import question_terms

    shown = [t.shown for t in question_terms("Xin hỏi kế hoạch này áp dụng những văn bản nào vậy ạ?")]
    assert "áp dụng" in shown and "văn bản" in shown
    assert not {"Xin", "hỏi", "vậy", "ạ", "áp", "văn"} & set(shown)
    terms = question_terms("Sở Công Thương Nam Định quản lý những gì?")
    assert [(t.shown, t.kind) for t in terms if t.kind != "word"] == [("Sở Công Thương", "body"), ("Nam Định", "name")]


# -- the answer flow on the real index, model scripted ----------------------------------------

def _assistant(runtime, text):
    gen = ScriptedGenerator(text)
    return Assistant(runtime.searcher, lambda choice: gen, runtime.settings), gen


@pytest.mark.slow
@pytest.mark.parametrize("question", [
    "Tỉnh Lâm Đồng có kế hoạch gì về phòng, chống ma túy?",
    "Ngân sách cho Sở Y tế là bao nhiêu tỷ đồng?",
    "Thành phố Đà Nẵng giao Sở Y tế làm gì?",
])
def test_refusal_is_decided_by_evidence_before_the_model(runtime, question):
    _refused_before_the_model(runtime, question)


@pytest.mark.slow
@pytest.mark.parametrize("question,lacking", [
    # the passages speak of the subject but never give the value asked for
    ("Hiện nay Nam Đinh có bao nhiêu ngươi nghiện ma túy?", "số người"),
    ("ngan sach nam 2026 cho du an 6 o can tho la bao nhieu", "số tiền"),
    ("nam dinh yeu cau gui bao cao so ket truoc ngay nao", "ngày, tháng"),
    # the plan leaves its own number blank
    ("Kế hoạch xây dựng phường Tân Hưng không ma túy có số hiệu là gì?", "số hiệu"),
    # a body no plan of that place names
    ("Sở Xây dựng tỉnh Nam Định có nhiệm vụ gì trong kế hoạch thực hiện Kết luận 132?", "Sở Xây dựng"),
    # a figure the question states that no passage of the plan it reads holds
    ("Có phải Kế hoạch 153 của Cần Thơ bố trí 750 tỷ đồng cho phòng, chống ma túy không?", "750 tỷ"),
    # the quantity a value question measures, which no passage names
    ("Kế hoạch 153 của Cần Thơ quy định vốn điều lệ là bao nhiêu?", "vốn điều lệ"),
])
def test_refusal_when_the_evidence_lacks_what_is_asked(runtime, question, lacking):
    answer = _refused_before_the_model(runtime, question)
    assert f"không thấy: {lacking}" in answer.text


@pytest.mark.slow
@pytest.mark.parametrize("question", [
    "Năm 2026 Cần Thơ phải đạt bao nhiêu phần trăm xã, phường không ma túy?",
    "Phường Tân Hưng yêu cầu báo cáo vào ngày nào hàng tháng?",
    "Các sở, ngành ở Cần Thơ phải gửi kế hoạch cụ thể trong thời hạn bao lâu?",
    "Sở Nội vụ tỉnh Nam Định được giao những việc gì?",
    "Ở Cần Thơ, Chủ tịch UBND xã chịu trách nhiệm trước ai về tình hình ma túy?",
])
def test_the_value_asked_for_is_in_the_evidence_so_it_is_answered(runtime, question):
    assistant, _ = _assistant(runtime, "Theo kế hoạch [1].")
    assert not assistant.answer(question).refused


@pytest.mark.slow
def test_a_plan_named_by_number_scopes_the_search(runtime):
    from assistant import retrieve

    result = retrieve.search(runtime.searcher, "Theo Nghị quyết 03-NQ/TU của Cần Thơ, lực lượng Công an có vai trò gì?", k=5)
    assert {h.document.doc_id for h in result.hits} == {"can-tho_nq-03-tu_2025"}
    result = retrieve.search(runtime.searcher, "Kế hoạch 153 đặt chỉ tiêu gì về trợ giúp pháp lý?", k=5)
    assert {h.document.number for h in result.hits} == {"153/KH-UBND"}


def _refused_before_the_model(runtime, question):
    assistant, gen = _assistant(runtime, "Ngân sách là 5 tỷ đồng [1].")
    answer = assistant.answer(question)
    assert answer.refused and answer.text.startswith(REFUSAL_PREFIX)
    assert gen.calls == [], "the model is never asked when the evidence is missing"
    assert answer.closest and "Đã tìm trong" in answer.text
    return answer


@pytest.mark.slow
@pytest.mark.parametrize("question,place", [
    ("Năm 2027 phường Tân Hưng phải đạt bao nhiêu phần trăm tổ dân phố không ma túy?", "Tân Hưng"),
    ("nam dinh yeu cau gui bao cao so ket truoc ngay nao", "Nam Định"),
    ("Số điện thoại đường dây nóng của Công an thành phố Cần Thơ là bao nhiêu?", "Cần Thơ"),
])
def test_a_named_place_is_answered_from_its_own_plans_only(runtime, question, place):
    """Another locality's passage is no evidence: the Cần Thơ 2027 target does not answer for Tân Hưng."""
    assistant, _ = _assistant(runtime, "Năm 2027 đạt 30% [1].")
    answer = assistant.answer(question)
    assert answer.refused or answer.citations
    assert all(place in (c.locality or "") for c in answer.citations + answer.closest), answer.text


@pytest.mark.slow
def test_invented_statement_is_removed_and_evidence_quoted(runtime):
    assistant, gen = _assistant(runtime, "Năm 2026 đạt 50% xã, phường không ma túy [1]. Thành phố cấp 9 tỷ đồng [2].")
    answer = assistant.answer("Năm 2026 Cần Thơ có bao nhiêu xã, phường không ma túy?")  # no target word: the model
    assert gen.calls and not answer.refused
    # the invented claims are gone; the fallback quotes the record whole (its 50% is the 2030 target)
    assert "Năm 2026 đạt 50%" not in answer.text and "9 tỷ" not in answer.text
    assert "Năm 2026: Đạt 25%" in answer.text and answer.mode == "evidence"
    assert len(answer.removed) == 2


@pytest.mark.slow
def test_model_saying_it_does_not_know_is_a_refusal_with_closest_passages(runtime):
    assistant, gen = _assistant(runtime, "Các kế hoạch không nêu thông tin này.")
    answer = assistant.answer("Kế hoạch phường Tân Hưng thực hiện tới năm nào?")
    assert gen.calls and answer.refused and answer.text.startswith(REFUSAL_PREFIX)
    assert any("2035" in c.quote for c in answer.closest), "the closest passages still show the evidence"


@pytest.mark.slow
def test_agency_duties_are_complete_and_grouped_by_plan(runtime):
    assistant, gen = _assistant(runtime, "không dùng")
    answer = assistant.answer("so y te phai lam gi")
    assert answer.mode == "duties" and not gen.calls
    sections = [c.section for c in answer.citations]
    for letter in "abcd":
        assert f"IV. Phân công nhiệm vụ › 3. Sở Y tế › {letter})" in sections
    assert any("4.2. Sở Y tế" in s for s in sections)
    # Trạm y tế and Bộ phận Y tế are other bodies of the sector: named as links, never as Sở Y tế's duties
    assert not any("Trạm y tế" in s for s in sections)
    assert "Trạm y tế:" in answer.text and "không phải cơ quan được hỏi" in answer.text
    assert "Dự án 6" in answer.text
    labels = [line for line in answer.text.splitlines() if line.startswith("**")]
    assert len(labels) == len({c.doc_id for c in answer.citations}) >= 2
    # every cited item's text is in the answer: nothing dropped
    for c in answer.citations:
        assert f"[{c.n}]" in answer.text


@pytest.mark.slow
def test_follow_up_in_a_conversation(runtime):
    assistant, _ = _assistant(runtime, "Năm 2029 đạt 45% xã, phường không ma túy [1].")
    conv = Conversation()
    assistant.answer("Chỉ tiêu xã, phường không ma túy năm 2026 của Cần Thơ là bao nhiêu?", conv)
    answer = assistant.answer("còn năm 2029 thì sao?", conv)
    assert "2029" in answer.standalone and "45%" in answer.text and not answer.refused


# -- the real GGUF model (0.5B, loaded once per session) --------------------------------------

@pytest.mark.slow
def test_real_model_answers_with_checked_citations(runtime):
    assistant = Assistant(runtime.searcher, runtime.generator, runtime.settings)
    duty = assistant.answer("Sở Y tế phải làm gì?", model="fast")
    cantho = [c for c in duty.citations if c.number == "153/KH-UBND"]
    assert any(c.section.startswith("IV. Phân công nhiệm vụ › 3. Sở Y tế") for c in cantho)
    assert "Dự án 6" in duty.text
    scope = assistant.answer("Kế hoạch phường Tân Hưng thực hiện tới năm nào?", model="fast")
    assert scope.model_text, "the model was asked"
    assert not scope.refused and "2035" in scope.text
    assert all("Tân Hưng" in (c.locality or "") for c in scope.citations)


# -- CLI contract ---------------------------------------------------------------------------

ASK_FIELDS = {"question": str, "answer": str, "refused": bool, "citations": list, "timings": dict, "model": str}
CITATION_FIELDS = {"n": int, "doc_id": str, "file": str, "title": str, "section": str, "quote": str}


def check_ask_contract(obj):
    for key, typ in ASK_FIELDS.items():
        assert isinstance(obj[key], typ), key
    for c in obj["citations"]:
        for key, typ in CITATION_FIELDS.items():
            assert isinstance(c[key], typ), key
        assert c["number"] is None or isinstance(c["number"], str)
    for key in ("retrieve_ms", "first_token_ms", "total_ms"):
        assert isinstance(obj["timings"][key], float)


@pytest.mark.slow
def test_ask_json_contract_in_process(runtime, capsys):
    from tracuu.cli import main

    assert main(["ask", "--json", "--model", "fast", "Sở Y tế phải làm gì?"]) == 0
    obj = json.loads(capsys.readouterr().out)
    check_ask_contract(obj)
    assert obj["citations"] and not obj["refused"]


@pytest.mark.slow
def test_chat_json_as_a_real_subprocess(runtime):
    questions = "Ngân sách cho Sở Y tế là bao nhiêu tỷ đồng?\nSở Y tế phải làm gì?\ncòn Sở Tài chính thì sao?\n"
    proc = subprocess.run([sys.executable, "-m", "tracuu.cli", "chat", "--json", "--model", "fast"],
                          input=questions, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == 3
    for obj in lines:
        check_ask_contract(obj)
    assert lines[0]["refused"] and not lines[1]["refused"]
    assert any("Sở Tài chính" in c["section"] for c in lines[2]["citations"])


@pytest.mark.slow
@pytest.mark.parametrize("question", ["Việc gì đến hạn trong tháng 12?", "viec gi den han trong thang 12"])
def test_what_is_due_in_a_month_comes_from_the_duties_table(runtime, question):
    assistant, gen = _assistant(runtime, "không dùng")
    answer = assistant.answer(question)
    assert not gen.calls and not answer.refused
    assert "15/12" in answer.text and "ngày 14" in answer.text  # Cần Thơ's yearly report, Tân Hưng's monthly one
    assert {c.doc_id for c in answer.citations} == {"can-tho_kh-153-ubnd_2025", "tan-hung-hai-phong_kh-ubnd_2025"}


@pytest.mark.slow
def test_ask_prints_a_refusal_once_with_the_closest_passages(runtime, capsys):
    from tracuu.cli import main

    assert main(["ask", "--model", "fast", "Ngân sách cho Sở Y tế là bao nhiêu tỷ đồng?"]) == 0
    out = capsys.readouterr().out
    assert out.count("Các văn bản hiện có không nêu") == 1, out
    assert "Các đoạn gần nhất:" in out and "[1] " in out


# -- questions phrased as officials ask them ----------------------------------------------------

@pytest.mark.parametrize("question,kind", [
    ("Ai cung cấp số điện thoại đường dây nóng cho dân?", None),  # asks who, not the number
    ("Cơ quan nào báo cáo bao nhiêu lần một năm?", None),
    ("Tập huấn bao lâu một lần?", "duration"),
])
def test_a_who_question_asks_for_a_body_not_a_value(question, kind):
    from assistant.evidence import asked_value

    asked = asked_value(question)
    assert (asked.kind if asked else None) == kind


def test_how_often_is_answered_by_a_recurrence():
    from assistant.evidence import asked_value, value_sentences

    asked = asked_value("Lực lượng chuyên trách được tập huấn bao lâu một lần?")
    assert value_sentences(asked, "", "Tổ chức tập huấn nghiệp vụ hằng năm cho lực lượng chuyên trách.")


@pytest.mark.parametrize("question,previous,answer,standalone", [
    ("Tiểu dự án đó tên đầy đủ là gì?", "Sở Y tế chủ trì tiểu dự án nào?",
     "Sở Y tế chủ trì Tiểu dự án 2 thuộc Dự án 1 [1].", "Tiểu dự án 2 thuộc Dự án 1 tên đầy đủ là gì?"),
    ("Dự án 6 đó tên đầy đủ là gì?", "Sở Y tế phải làm gì?", "d) Chủ trì thực hiện Dự án 6 [1]",
     "Dự án 6 tên đầy đủ là gì?"),
    ("Dự án đó do ai chủ trì?", "Kế hoạch 153 triển khai những dự án nào?", "Dự án 1 …; Dự án 6 …",
     "Dự án 1 do ai chủ trì (Kế hoạch 153)?"),
    ("Tiểu dự án đó tên đầy đủ là gì?", "Ai chủ trì Tiểu dự án 4 thuộc Dự án 7 ở An Bình?", "",
     "Tiểu dự án 4 thuộc Dự án 7 tên đầy đủ là gì (An Bình)?"),
])
def test_a_follow_up_names_the_item_it_points_at(question, previous, answer, standalone):
    """It names the item with what it belongs to, and looks where the previous question looked (its
    places and plans; not its body: the item is what it asks about now)."""
    assert rewrite(question, previous, ("An Bình",), answer) == standalone


def test_words_typed_without_diacritics_follow_the_index():
    from assistant.evidence import question_terms

    # the strengths of a small index: "ke hoach" goes together, "cac ke" seldom
    strength = {"cac_ke": 0.3, "ke_hoach": 1.0, "co_quan": 0.9}.get
    shown = [t.shown for t in question_terms("co quan nao thuc hien trong cac ke hoach",
                                             lambda key: strength(key, 0.0))]
    assert "ke hoach" in shown and "cac ke" not in shown


@pytest.mark.slow
def test_polite_filler_and_the_year_asked_find_the_target_of_that_year(runtime):
    assistant, gen = _assistant(runtime, "không dùng")
    answer = assistant.answer("Xin hỏi chỉ tiêu xã, phường không ma túy năm 2026 của Cần Thơ là bao nhiêu vậy ạ?")
    assert not answer.refused and answer.mode == "records" and not gen.calls
    assert "Năm 2026: Đạt 25%" in answer.text
    assert {c.number for c in answer.citations} == {"03-NQ/TU"}, "only the items that hold the year asked"


@pytest.mark.slow
def test_a_who_question_is_answered_by_the_items_with_the_body_whose_item_it_is(runtime):
    assistant, gen = _assistant(runtime, "không dùng")
    answer = assistant.answer("co quan nao chu tri du an 6 o can tho")
    assert not answer.refused and answer.mode == "records" and not gen.calls
    line = next(x for x in answer.text.splitlines() if "Dự án 6" in x)
    assert "Sở Y tế" in line.split("“")[0], "the body is named before the item it is given"


@pytest.mark.parametrize("text,name,titles", [
    ("- Lưu VT.\n\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nNguyễn Văn An", "Nguyễn Văn An",
     "TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH, PHÓ CHỦ TỊCH"),
    ("- Lưu: VT, KGVX (2). 70 | **TM. CHÍNH PHỦ** **THỦ TƯỚNG** **Trần Văn Bình** |", "Trần Văn Bình",
     "TM. CHÍNH PHỦ THỦ TƯỚNG"),
    ("Nơi nhận: như trên.\nLê Thị Cúc", "Lê Thị Cúc", ""),
])
def test_the_signer_is_given_with_the_titles_written_above_the_name(text, name, titles):
    from assistant.listings import signing_titles

    assert signing_titles(text, name) == titles


def test_a_code_or_formula_no_text_holds_is_an_unknown_name():
    from assistant.evidence import unknown_names
    from index.bm25 import Bm25Index

    bm25 = Bm25Index.build(["Danh mục IV: các tiền chất, gồm Acetone và 2C-B.", "Kế hoạch 483/KH-BCA-C04."])
    assert unknown_names(bm25, "Khí N2O có trong danh mục tiền chất không?") == ["N2O"]
    assert unknown_names(bm25, "2C-B thuộc danh mục nào?") == []
    assert unknown_names(bm25, "Kế hoạch 483/KH-BCA-C04 nói gì?") == [], "a document number is no code"


def test_how_many_is_supported_by_the_numbered_items_read_together():
    from types import SimpleNamespace

    from assistant.evidence import asked_value, value_support
    from index.bm25 import Bm25Index

    text = ("Giai đoạn 1 (năm 2025): rà soát, phấn đấu 20% xã, phường không ma túy.\n\n"
            "Giai đoạn 2 (2026 - 2030): duy trì, tăng dần số xã, phường không ma túy.\n\n"
            "Giai đoạn 3 (từ năm 2031): giữ vững các xã, phường không ma túy.")
    other = "Ban hành Nghị quyết 05 về công tác phòng, chống ma túy năm 2025 trên địa bàn."
    bm25 = Bm25Index.build([text, other, "Kế hoạch tuyên truyền.", "Báo cáo định kỳ."])
    hit = SimpleNamespace(document=SimpleNamespace(label="Nghị quyết 05 — tỉnh An Bình"),
                          chunk=SimpleNamespace(section="Mục tiêu cụ thể", heading="Mục tiêu cụ thể", text=text))
    question = "Lộ trình rà soát, duy trì, giữ vững gồm mấy giai đoạn?"  # each stage holds one of its words
    share, sent = value_support(bm25, asked_value(question), question, [hit])
    assert share >= 0.5 and "Giai đoạn 1" in sent and "Giai đoạn 3" in sent
    from assistant.evidence import asking_words, coverage
    from index.bm25 import bm25_tokens

    alone = [coverage(bm25, question, set(bm25_tokens(f"Nghị quyết 05 Mục tiêu cụ thể {x}")), asking_words(question))[0]
             for x in text.split("\n\n")]
    assert max(alone) < 0.5, "no single stage holds the question"


@pytest.mark.parametrize("question,fare,mention", [
    # a bus-fare subsidy (transport plan) and a ticket price of a tourism plan: "về" in a text is no "vé"
    ("Kế hoạch nào quy định giá vé xe buýt?", "Thí điểm trợ giá vé xe buýt cho học sinh.",
     "Báo cáo về xe buýt, giá nhiên liệu."),
    ("Giá vé tham quan bảo tàng là bao nhiêu?", "Giá vé tham quan bảo tàng theo tháng.",
     "Tuyên truyền về bảo tàng, tham quan, đánh giá."),
])
def test_a_marked_word_whose_bare_form_is_a_stop_word_is_matched_with_its_marks(question, fare, mention):
    from assistant.evidence import coverage
    from index.bm25 import Bm25Index, bm25_tokens
    from ingest.normalize import fold

    bm25 = Bm25Index.build([fare, mention, "Kế hoạch tuyên truyền.", "Báo cáo định kỳ."])
    held, missing = coverage(bm25, question, set(bm25_tokens(mention)))
    assert "vé" in missing and held < coverage(bm25, question, set(bm25_tokens(fare)))[0]
    assert "vé" not in coverage(bm25, question, set(bm25_tokens(fare)))[1]
    plain = coverage(bm25, fold(question), set(bm25_tokens(mention)))[1]
    assert "ve" not in plain, "typed without marks, 've' may be either: the bare form is matched"
    typo = question.replace("vé", "vẹ")  # a marked form no text holds: a typo, read as its bare form
    assert "vẹ" not in coverage(bm25, typo, set(bm25_tokens(fare)))[1]


@pytest.mark.parametrize("question,duty", [
    ("Đối tượng được giáo dục, cảm hóa gồm những ai?", False),  # "được giáo dục" is not "được giao"
    ("Sở Y tế được giao những việc gì?", True),
    ("ngành giáo dục phải làm gì?", True),  # "phải | làm gì": a stop phrase is no word cut
    ("so y te duoc giao viec gi", True),
])
def test_a_duty_question_is_told_by_its_words_not_by_syllables_inside_one(question, duty):
    from assistant.intent import is_duty_question

    assert is_duty_question(question) is duty


def test_a_question_naming_one_plan_by_number_and_another_by_place_is_about_both():
    from types import SimpleNamespace

    from assistant.intent import read_intent

    docs = [SimpleNamespace(doc_id="kh153", number="153/KH-UBND", locality="thành phố An Bình", level="tỉnh"),
            SimpleNamespace(doc_id="nq03", number="03-NQ/TU", locality="thành phố An Bình", level="tỉnh"),
            SimpleNamespace(doc_id="tl", number=None, locality="phường Tân Lập (Bắc Hà)", level="xã")]
    both = read_intent("Kế hoạch 153 của An Bình hay kế hoạch của phường Tân Lập kéo dài hơn?", docs)
    assert both.scope == {"kh153", "tl"}, "the other plan of the numbered plan's place is not named"
    assert read_intent("Kế hoạch 153 của An Bình kéo dài đến bao giờ?", docs).scope == {"kh153"}


# -- a direct answer first: the value asked, in one sentence checked against its passage ----------

@pytest.fixture(scope="module")
def indexed(code_assistant):
    """The real index of the bundled plans and an assistant whose model writes nothing (tests/conftest.py)."""
    rt, assistant, _ = code_assistant
    return rt, assistant


def _opening(answer) -> str:
    return answer.text.split("\n", 1)[0]


@pytest.mark.slow
@pytest.mark.parametrize("question,value", [
    # a deadline, then where the plan is sent
    ("Các sở, ngành ở Cần Thơ phải gửi kế hoạch cụ thể trong thời hạn bao lâu?",
     "Trong thời hạn 10 ngày kể từ ngày nhận Kế hoạch này; gửi về Ủy ban nhân dân thành phố (qua Công an thành phố)"),
    # where a report is sent
    ("Báo cáo định kỳ ở Vĩnh Yên gửi về đâu?", "về Công an thành phố (qua Đội Cảnh sát điều tra về tội phạm ma túy)"),
    ("phuong tan hung yeu cau bao cao vao ngay nao hang thang", "Ngày 14 hàng tháng; báo cáo về Ủy ban nhân dân phường"),
    # which body leads
    ("co quan nao chu tri du an 6 o can tho", "Sở Y tế (chủ trì)"),
    # how much, with the year asked
    ("Năm 2027 Cần Thơ phải đạt bao nhiêu phần trăm xã, phường không ma túy?", "Năm 2027: Đạt 30%"),
])
def test_a_value_asked_opens_the_answer_in_one_cited_sentence(indexed, question, value):
    _, assistant = indexed
    answer = assistant.answer(question)
    first = _opening(answer)
    assert value in first and first.endswith("[1]."), answer.text
    assert answer.mode == "records" and answer.citations[0].n == 1
    body = answer.text.split("\n", 1)[1]
    assert "“" in body and "[1]" in body, "the cited passage is still quoted after the sentence"


@pytest.mark.slow
def test_the_signer_opens_the_answer_from_the_header(indexed):
    rt, assistant = indexed
    doc = next(d for d in rt.searcher.index.documents if d.number == "153/KH-UBND")
    answer = assistant.answer("Ai ký Kế hoạch 153/KH-UBND?")
    assert doc.signer and _opening(answer).startswith(f"Người ký: {doc.signer} (")
    assert doc.signer in answer.citations[0].quote, "the sentence cites the passage that names the signer"
    assert json.loads(json.dumps(answer.to_json()))["answer"] == answer.text


@pytest.mark.slow
def test_a_sentence_whose_value_its_passage_does_not_hold_is_dropped(indexed):
    """The value is injected into the record (as a reader's mistake would put it there); the passage cited
    still says 10 days, so the sentence is dropped, as an unsupported statement of the model would be."""
    from dataclasses import replace

    from assistant import direct
    from assistant.listings import _context

    rt, assistant = indexed
    index = rt.searcher.index
    chunks = {c.chunk_id: c for c in index.chunks}
    context = lambda r: _context(r, chunks)  # noqa: E731
    question = "Các sở, ngành ở Cần Thơ phải gửi kế hoạch cụ thể trong thời hạn bao lâu?"
    record = next(r for r in assistant.records() if r.deadline_text and "10 ngày" in r.deadline_text)
    assert direct.stated(question, [record], index, context)[1] is record
    wrong = replace(record, text=record.text.replace("10 ngày", "30 ngày"),
                    deadline_text=record.deadline_text.replace("10 ngày", "30 ngày"))
    assert direct.stated(question, [wrong], index, context) is None
    passage = chunks[record.chunk_id].text
    assert direct.checked("Trong thời hạn 10 ngày kể từ ngày nhận Kế hoạch này", passage, question)
    assert not direct.checked("Trong thời hạn 30 ngày kể từ ngày nhận Kế hoạch này", passage, question)


def test_a_listing_from_the_records_never_searches(code_assistant):
    # a duty listing is made from the records alone: the question is not embedded (a cold CLI call saves the
    # encoder and the search); a question the records do not answer is searched
    _, assistant, _ = code_assistant
    searched = []
    real = assistant.searcher.search

    def counting(*args, **kwargs):
        searched.append(args[0] if args else kwargs.get("query"))
        return real(*args, **kwargs)

    assistant.searcher.search = counting
    try:
        listing = assistant.answer("Sở Y tế phải làm gì?")
        assert listing.mode == "duties" and not searched and listing.timings["retrieve_ms"] == 0.0
        other = assistant.answer("Kinh phí thực hiện kế hoạch lấy từ đâu?")
        assert searched and other.timings["retrieve_ms"] > 0
    finally:
        del assistant.searcher.search


@pytest.mark.parametrize("question, body", [
    ("Công văn của UBND thành phố giao Bưu điện Thành phố nhiệm vụ gì?", "Bưu điện Thành phố"),
    ("Kế hoạch của Ủy ban nhân dân tỉnh giao cho Sở Y tế những việc gì?", "Sở Y tế"),
    ("Quyết định của Thủ tướng giao Tập đoàn Điện lực Việt Nam làm gì?", "Tập đoàn Điện lực Việt Nam"),
    ("Sở Y tế phối hợp với Công an tỉnh làm gì?", "Sở Y tế"),
])
def test_the_body_given_the_work_is_the_one_asked(question, body):
    from assistant.intent import read_intent

    assert read_intent(question, []).body.written == body


@pytest.mark.parametrize("question, said", [
    # a rule given to a group of bodies holds for each of them (Kế hoạch 153: "các sở, ban, ngành … gửi")
    ("Theo Kế hoạch 153, Sở Giáo dục và Đào tạo phải gửi kế hoạch trong thời hạn bao lâu?", "10 ngày"),
    # the body is what is counted, not who acts
    ("Kế hoạch 153 đặt chỉ tiêu bao nhiêu trạm y tế xã, phường đủ điều kiện xác định tình trạng nghiện?", "80%"),
])
def test_a_value_for_a_body_comes_from_its_items_or_its_groups(code_assistant, question, said):
    _, assistant, _ = code_assistant
    answer = assistant.answer(question)
    assert not answer.refused and said in answer.text


@pytest.mark.parametrize("question, happens", [
    ("Đợt cao điểm bắt đầu và kết thúc vào ngày nào?", ["kết thúc"]),
    ("Phiên họp lần thứ sáu được tổ chức vào ngày nào?", ["tổ chức"]),
    ("Luật có hiệu lực từ ngày nào?", ["hiệu lực"]),
    # the verb after the modal, and the last word before the time asked
    ("Các đơn vị phải xây dựng kế hoạch triển khai xong trước khi nào?", ["xây dựng", "triển khai"]),
    ("Bộ Công an phải tổ chức tổng kết Chỉ thị về an ninh mạng vào năm nào?", ["tổng kết", "mạng"]),
    ("UBND tỉnh cần thực hiện kiểm tra các cơ sở sản xuất trước ngày nào?", ["kiểm tra", "sản xuất"]),
    ("Hạn gửi báo cáo sơ kết là ngày nào?", ["sơ kết"]),
    ("Báo cáo định kỳ gửi vào ngày nào hằng tháng?", ["định kỳ"]),
    ("Tháng hành động vì bình đẳng giới diễn ra từ ngày nào?", []),  # "diễn ra" only says that it takes place
    ("Kinh phí là bao nhiêu?", []),
])
def test_what_happens_at_the_time_asked(question, happens):
    from assistant.evidence import asked_value
    from assistant.listings import _happening

    assert _happening(question, asked_value(question)) == happens


def test_a_monthly_report_day_is_answered(code_assistant):
    _, assistant, _ = code_assistant
    answer = assistant.answer("Theo kế hoạch của phường Tân Hưng, báo cáo định kỳ gửi vào ngày nào hằng tháng?")
    assert not answer.refused and "14" in answer.text


@pytest.mark.parametrize("question", ["Ai ký Kế hoạch 153/KH-UBND?", "Kế hoạch của phường Tân Hưng do ai ký vậy?"])
def test_a_signer_question_finds_the_signature_block_of_the_document_it_names(code_assistant, question):
    """Retrieval for "who signed" puts the named document's signature block first, whatever words it shares
    with the question (a name and titles share none)."""
    from assistant import retrieve
    from ingest.structure import SIGNATURE_SECTION

    rt, _, _ = code_assistant
    result = retrieve.search(rt.searcher, question, k=5)
    assert result.hits and result.hits[0].chunk.section.startswith(SIGNATURE_SECTION)
    assert len({h.chunk.doc_id for h in result.hits}) == 1  # the document it names


def test_a_month_question_that_names_a_body_lists_only_that_body_s_tasks(code_assistant):
    """"Các sở, ban, ngành có việc gì đến hạn trong tháng 12?" lists that body's December tasks, not every
    body's; asked about a body given nothing, the month listing is no answer ("không thấy: Bộ Ngoại giao")."""
    rt, assistant, _ = code_assistant
    every = assistant.answer("Những việc nào đến hạn trong tháng 12?")
    own = assistant.answer("Các sở, ban, ngành có việc gì đến hạn trong tháng 12?")
    lines = lambda a: [ln for ln in a.text.splitlines() if ln.startswith("- ")]  # noqa: E731
    assert own.text.startswith("Các nhiệm vụ có thời hạn rơi vào tháng 12")
    assert lines(own) and all("Các sở, ban, ngành" in ln.split(":")[0] for ln in lines(own))
    assert len(lines(every)) > len(lines(own))  # other bodies fall due in December too
    none = assistant.answer("Có phải kế hoạch giao Bộ Ngoại giao hoàn thành báo cáo trong tháng 12 không?")
    assert none.refused and "Bộ Ngoại giao" in none.text


@pytest.mark.slow
def test_a_kept_model_sentence_is_followed_by_the_passage_it_cites_in_its_own_words(runtime):
    assistant, gen = _assistant(runtime, "Năm 2026 đạt 25% xã, phường không ma túy [1][2][3].")
    answer = assistant.answer("Năm 2026 Cần Thơ có bao nhiêu xã, phường không ma túy?")
    assert gen.calls and answer.mode == "generated", answer.text
    first, _, quoted = answer.text.partition("\n\n")
    assert first.startswith("Năm 2026 đạt 25%")
    # each passage cited, quoted after the sentence under its plan, with its section and number
    assert quoted and all(f"[{c.n}]" in quoted and f"**{c.label}**:" in quoted for c in answer.citations)
    assert "Năm 2026: Đạt 25%" in quoted


@pytest.mark.parametrize("written,canonical,shown", [
    # the words before an item's verb are no name to show (TB 627: "b) Giao đồng chí Bộ trưởng Bộ Xây dựng trực tiếp …")
    ("đồng chí Bộ trưởng Bộ Xây dựng trực tiếp", "Bộ Xây dựng", "Bộ Xây dựng"),
    ("Bộ Quốc phòng phát huy phẩm chất “Bộ đội Cụ Hồ”", "Bộ Quốc phòng", "Bộ Quốc phòng"),
    ("UBND tỉnh", "Ủy ban nhân dân tỉnh", "UBND tỉnh"),  # as the document writes it, when that is all it says
    ("Ban thường vụ cấp ủy cấp tỉnh", "Ban thường vụ cấp ủy cấp tỉnh", "Ban thường vụ cấp ủy cấp tỉnh"),
])
def test_a_listing_shows_a_body_as_written_only_when_that_is_its_name(written, canonical, shown):
    from types import SimpleNamespace

    from assistant.listings import _named_as

    assert _named_as(SimpleNamespace(agency=written, canonical=canonical)) == shown
