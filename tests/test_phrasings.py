"""Questions understood across phrasings. The phrasings below were written from administrative Vietnamese
as officials ask, before and apart from the table the router reads (assistant/data/question_kinds.tsv):
the table was not written from them. "What must X do", in any of them, gets the same listing as
`tracuu duties --agency X`; the other kinds of question are told apart."""

from __future__ import annotations

import re

import pytest

from ingest.normalize import fold

# "what must X do", thirty ways; {X} is the body
DUTY_PHRASINGS = [
    "{X} có những nhiệm vụ gì?",
    "{X} được giao làm gì?",
    "Trách nhiệm của {X} là gì?",
    "{X} phải thực hiện những việc gì?",
    "{X} chịu trách nhiệm những gì?",
    "{X} cần làm những gì?",
    "Nhiệm vụ của {X}",
    "{X} làm gì?",
    "{X} đảm nhận việc gì?",
    "Phần việc của {X} là gì?",
    "Cho em hỏi {X} phải làm những việc gì ạ?",
    "{X} đảm nhiệm những nội dung nào?",
    "{X} thực hiện những hoạt động nào?",
    "{X} cần triển khai những gì?",
    "Kế hoạch giao cho {X} những nhiệm vụ nào?",
    "{X} được phân công những công việc gì?",
    "Công việc của {X} gồm những gì?",
    "{X} có trách nhiệm gì?",
    "{X} phụ trách những mảng việc nào?",
    "Những việc {X} phải làm là gì?",
    "{X} được yêu cầu thực hiện những gì?",
    "Xin hỏi {X} cần thực hiện các nội dung gì vậy ạ?",
    "{X} phải triển khai những nhiệm vụ nào?",
    "Liệt kê các nhiệm vụ của {X}",
    "{X} được giao tiếp nhận những hồ sơ nào?",  # "giao tiếp" + "nhận", or "giao" + "tiếp nhận"
    "{X} có những đầu việc gì?",
    "{X} được giao nhiệm vụ gì?",
    "{X} sẽ làm những việc gì?",
    "{X} đảm trách những công việc nào?",
    "Các nhiệm vụ giao cho {X} là gì?",
    "{X} cần tổ chức thực hiện những nội dung nào?",
]

# bodies that `tracuu duties` lists in the bundled plans (each is checked to have rows there)
BODIES = ["Sở Giáo dục và Đào tạo", "Sở Y tế", "Sở Tài chính", "Tòa án nhân dân thành phố",
          "Sở Văn hóa, Thể thao và Du lịch", "Viện kiểm sát nhân dân thành phố"]

MIN_RECALL = 0.95


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def asked(phrasing: str, body: str, bare: bool) -> str:
    """The question as typed: with diacritics, or without any."""
    question = phrasing.format(X=body)
    return fold(question) if bare else question


@pytest.fixture(scope="module")
def bundled(code_assistant):
    """The assistant over the real index of the bundled plans, with a generator that writes nothing: a duty
    listing is made by code (tests/conftest.py)."""
    return code_assistant


@pytest.mark.slow
@pytest.mark.parametrize("body", BODIES, ids=lambda b: "-".join(re.findall(r"\w+", fold(b))))
def test_every_phrasing_of_what_a_body_must_do_lists_all_its_duties(bundled, body):
    from tracuu import services

    rt, assistant, gen = bundled
    rows = services.duty_rows(rt.settings, body)  # what `tracuu duties --agency X` lists
    assert rows, f"`tracuu duties --agency '{body}'` lists nothing: pick a body of the bundled plans"
    items = {_words(re.sub(r"^[-–+•]\s*", "", r.text)) for r in rows}
    short = []
    for k, phrasing in enumerate(DUTY_PHRASINGS):
        for bare in (False, True) if k % 2 == 0 else (True, False):
            question = asked(phrasing, body, bare)
            answer = assistant.answer(question)
            text = _words(answer.text)
            recall = sum(item in text for item in items) / len(items)
            if recall < MIN_RECALL:
                short.append(f"{recall:.2f} {answer.mode}: {question}")
    assert not short, "\n".join(short)
    assert not gen.calls, "a duty listing is made by code, never by the model"


# the other kinds: (question, the kinds it must be classed as, a kind it must not be)
OTHER_KINDS = [
    ("Hạn nộp báo cáo kết quả là ngày nào?", {"reporting", "day"}, "duty"),
    ("han gui ke hoach ve uy ban la khi nao", {"reporting", "date"}, "duty"),
    ("Các đơn vị phải gửi kế hoạch trong thời hạn bao lâu?", {"reporting", "duration"}, "duty"),
    ("Cho em hỏi chỉ tiêu năm 2026 là bao nhiêu phần trăm ạ?", {"target", "percent"}, "duty"),
    ("muc tieu den nam 2030 la gi", {"target"}, "duty"),
    ("Ai ký kế hoạch này?", {"signer"}, "issuer"),
    ("ke hoach do ai ky", {"signer"}, "duty"),
    ("Người ký văn bản là ai vậy?", {"signer"}, "duty"),
    ("Cơ quan nào ban hành Nghị quyết 03?", {"issuer"}, "signer"),
    ("nghi quyet nay do don vi nao ban hanh", {"issuer"}, "signer"),
    ("Kinh phí thực hiện kế hoạch lấy từ đâu?", {"funding"}, "duty"),
    ("Kinh phí giao cho Sở Y tế là bao nhiêu?", {"funding", "money"}, "duty"),
    ("ngan sach cho du an la bao nhieu tien", {"funding", "money"}, "duty"),
    ("Mức thưởng cho tác giả sáng chế là bao nhiêu?", {"money"}, "duty"),
    ("muc tien thuong cho tap the xuat sac la bao nhieu", {"money"}, "duty"),
    ("Định kỳ báo cáo về đâu?", {"reporting"}, "duty"),
    ("Phải báo cáo kết quả cho cơ quan nào?", {"reporting", "who"}, "duty"),
    ("Kế hoạch có bao nhiêu mục tiêu cụ thể?", {"number"}, "duty"),
    ("Có mấy giai đoạn thực hiện?", {"scope"}, "duty"),
    ("ke hoach chia thanh may giai doan", {"scope"}, "duty"),
    ("Những việc nào đến hạn trong tháng 12?", {"due_month"}, "signer"),
    ("Ai chủ trì Dự án 6?", {"who"}, "duty"),
    ("Đối tượng được giáo dục, cảm hóa gồm những ai?", {"scope"}, "duty"),
    ("Chương trình mới có điểm gì khác so với chương trình cũ?", {"compare"}, "signer"),
    ("hai ke hoach nay khac biet o cho nao", {"compare"}, "duty"),
    ("Quyết định năm nay thay đổi những gì so với quyết định năm ngoái?", {"compare"}, "signer"),
    ("Sở Y tế phải làm gì?", {"duty"}, "compare"),
    ("Có phải văn bản này do Chủ tịch Ủy ban nhân dân tỉnh ký không?", {"signer"}, "issuer"),
    ("phai chang ke hoach do pho chu tich ky", {"signer"}, "duty"),
    ("Hội nghị sơ kết được tổ chức ở đâu?", {"place"}, "duty"),
    ("Trụ sở của Ban Chỉ đạo đặt tại đâu?", {"place"}, "duty"),
    ("Bộ Xây dựng phải sơ kết đề án vào năm nào?", {"year"}, "date"),
    ("ke hoach ket thuc nam nao", {"year"}, "duty"),
    ("Kế hoạch này gồm tất cả bao nhiêu nội dung?", {"parts"}, "duty"),
    ("chi thi co may nhom giai phap", {"parts"}, "duty"),
    ("Chương trình đề ra bao nhiêu nhiệm vụ cụ thể?", {"parts"}, "duty"),
    ("Tỉnh có bao nhiêu phần trăm dân số được phủ sóng?", {"percent"}, "parts"),
    # a word of a phrasing is never a syllable of another word: "chuyển" (to send) is not in "chuyển đổi"
    ("Hội thảo về chuyển đổi số được tổ chức ở đâu?", {"place"}, "destination"),
    ("Hồ sơ chuyển về đâu?", {"destination"}, "place"),
    # what a document carries out, who proposed it (phrasings the legal_basis rows were not written from)
    ("Chương trình này cụ thể hóa kết luận nào của Bộ Chính trị?", {"legal_basis"}, "duty"),
    ("Quyết định được ban hành xét tờ trình của cơ quan nào?", {"legal_basis"}, "reporting"),
    ("Sở Y tế thực hiện báo cáo định kỳ vào ngày nào?", {"reporting"}, "legal_basis"),
    ("Kinh phí thực hiện đề án này lấy từ những nguồn nào?", {"funding"}, "legal_basis"),
    # whose opinion a letter conveys (phrasings the voice rows were not written from)
    ("Thông báo này ghi lại kết luận của lãnh đạo nào?", {"voice"}, "signer"),
    ("cong van nay la y kien cua ai vay", {"voice"}, "signer"),
    ("Văn bản được gửi theo chỉ đạo của đồng chí nào?", {"voice"}, "destination"),
    ("UBND tỉnh chỉ đạo ai thực hiện?", {"who"}, "voice"),
    # a question to confirm (phrasings the confirm row was not written from)
    ("Có đúng là kế hoạch giao Công an tỉnh chủ trì không?", {"confirm"}, "voice"),
    ("phai chang chi thi yeu cau cac tinh bao cao hang nam", {"confirm"}, "signer"),
    ("Ai chủ trì Dự án 6?", {"who"}, "confirm"),
    ("Nguồn kinh phí sử dụng là gì?", {"funding"}, "confirm"),  # "dùng là" is no "đúng là"
]


@pytest.mark.parametrize("question,duty", [
    ("Nhiệm vụ của Sở Y tế", True),
    ("Trách nhiệm của Phòng Văn hóa - Thông tin trong kế hoạch này", True),
    ("Thời hạn hoàn thành nhiệm vụ của Sở Y tế là khi nào?", False),
    ("Kinh phí thực hiện nhiệm vụ của Công an tỉnh là bao nhiêu tiền?", False),
    ("Tiền để các xã thực hiện nhiệm vụ này lấy từ nguồn nào?", False),
    ("kinh phi de cac so thuc hien nhiem vu lay tu dau ma co", False),
    # who does a task the question describes, a body named inside it ("… tại Sở Tài chính …") is no body asked
    ("Nhiệm vụ xây dựng hạ tầng tại Sở Tài chính do đơn vị nào chủ trì?", False),
    ("nhiem vu tuyen truyen o truong hoc thi co quan nao phu trach", False),
])
def test_a_noun_of_duty_alone_yields_to_a_value_or_a_source_asked(question, duty):
    from assistant.intent import is_duty_question

    assert is_duty_question(question) is duty


@pytest.mark.parametrize("question,kinds,not_kind", OTHER_KINDS)
def test_the_other_kinds_of_question_are_classed_right(question, kinds, not_kind):
    from assistant.evidence import asked_value
    from assistant.question_kinds import kinds_of

    found = set(kinds_of(question))
    asked = asked_value(question)
    if asked:  # "mấy" is read as "bao nhiêu" before the value asked is told
        found.add(asked.kind)
    assert kinds <= found, f"{question!r} classed as {sorted(found)}"
    assert not_kind not in found, f"{question!r} classed as {sorted(found)}"


# -- the notation of the table ------------------------------------------------------------------

@pytest.mark.parametrize("written,question,hit", [
    ("phai lam gi", "Sở Y tế phải làm gì?", True),  # folded in the table: with diacritics
    ("phai lam gi", "so y te phai lam gi", True),  # and without
    ("phai lam gi", "Sở Y tế phai lam gì?", True),  # and half typed
    ("còn", "Còn Sở Tài chính?", True),  # written with diacritics: itself
    ("còn", "con so tai chinh", True),  # or its bare form
    ("còn", "Cơn bão", False),  # never another word that folds the same
    ("giao … viec", "giao cho Sở Y tế những việc gì", True),
    ("giao … viec", "giáo dục", False),
    ("{a|b c} [d] e", "x b c e", True),
    ("{a|b c} [d] e", "a d e", True),
    ("{a|b c} [d] e", "a x e", False),
    ("lam", "làm việc", True),
    ("lam", "lamp", False),  # whole words only
    ("^ {còn} ", "tôi còn hỏi", False),
    ("thang <n>", "trong tháng 12 này", True),
])
def test_the_notation_of_a_phrasing(written, question, hit):
    from assistant.question_kinds import compile_phrasing

    assert bool(compile_phrasing(written, {}).search(question.lower())) is hit


def test_a_word_class_must_be_declared():
    from assistant.question_kinds import _phrase
    from tracuu.errors import TracuuError

    with pytest.raises(TracuuError, match="chưa được khai báo"):
        _phrase("<khong_co>", {})


def test_every_kind_the_router_reads_is_in_the_table():
    from assistant.question_kinds import RECORD_KINDS, VALUE_KINDS, kinds

    wanted = {"duty", "duty_noun", "source", "signer", "issuer", "due_month", "who", "own_number", "own_date", "definition",
              "follow_up", *VALUE_KINDS, *RECORD_KINDS}
    assert wanted <= set(kinds())


@pytest.mark.parametrize("question", [
    "Trung tâm Văn hóa, Thông tin và Thể thao đảm nhiệm những nội dung nào?",
    "trung tam van hoa, thong tin va the thao phai lam gi",
    "Báo Nam Định cần triển khai những gì?",
])
def test_a_body_the_lexicon_lacks_is_known_by_the_name_the_documents_give_it(bundled, question):
    """A body the documents give work to, named as their rows name it, is the body asked about, with or without
    diacritics: its listing holds its own rows, not those of a body with a name that starts alike
    ("Trung tâm Văn hóa, Thể thao và Truyền thông")."""
    from ingest import lexicon
    from tracuu import services

    rt, assistant, gen = bundled
    answer = assistant.answer(question)
    assert answer.mode == "duties", answer.text[:300]
    named = [b for b in {d.canonical for d in services.duty_rows(rt.settings, "")}
             if _words(b) in _words(question)]
    [body] = named
    assert lexicon.find_body(body) is None or not lexicon.find_body(body).known  # the lexicon lacks it
    own = {_words(d.text) for d in services.duty_rows(rt.settings, body) if d.canonical == body}
    others = {_words(d.text) for d in services.duty_rows(rt.settings, "") if d.canonical != body} - own
    text = _words(answer.text)
    assert own and all(item in text for item in own)
    assert not any(item in text for item in others)
    assert f"nhiệm vụ của {body}" in answer.text


def test_a_question_that_asks_two_things_has_two_parts_and_one_that_asks_one_thing_has_one():
    from assistant.question_kinds import parts

    assert parts("Kế hoạch 153 giao bao nhiêu nhiệm vụ và cơ quan nào chủ trì tổng hợp báo cáo?") == [
        "Kế hoạch 153 giao bao nhiêu nhiệm vụ", "và cơ quan nào chủ trì tổng hợp báo cáo?"]
    assert parts("hoi nghi to chuc o dau dong thoi do ai chu tri") == ["hoi nghi to chuc o dau", "dong thoi do ai chu tri"]
    assert parts("Sở Y tế và Sở Tư pháp phải làm gì?") == ["Sở Y tế và Sở Tư pháp phải làm gì?"]
    assert parts("Kinh phí của Sở Y tế và Sở Tài chính là bao nhiêu?") == ["Kinh phí của Sở Y tế và Sở Tài chính là bao nhiêu?"]
