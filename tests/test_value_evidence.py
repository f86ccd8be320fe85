"""What a value question states or measures, read apart from any index: the figures it states and the
quantity it measures (assistant/evidence.py)."""

from assistant.evidence import measured, unsaid_figures


def test_a_stated_figure_no_text_holds_is_unsaid_and_dates_and_document_numbers_are_no_figures():
    question = "Có phải Quyết định 2530 bố trí 2.000 tỷ đồng cho 22 trạm, hoàn thành trước 30/11/2025 không?"
    assert unsaid_figures(question, ["đầu tư 22 trạm; tổng 140.000 tỷ đồng"], {"2530"}) == ["2.000 tỷ"]
    assert unsaid_figures(question, ["2000 tỷ đồng cho 22 trạm"], {"2530"}) == []  # written without the dot
    assert unsaid_figures("đạt 15% và 1,5 lần", ["đạt 15 % và 1,5 lần"]) == []
    assert unsaid_figures("đạt 85% số xã", ["đạt 80% số xã"]) == ["85%"]
    assert unsaid_figures("Kế hoạch có 5 nhiệm vụ không?", [""]) == []  # one figure is no statement


def test_the_quantity_measured_is_read_before_the_words_that_ask():
    assert measured("Quỹ có vốn điều lệ bao nhiêu?", ["vốn điều lệ"]) == "vốn điều lệ"
    assert measured("Hệ thống có tổng mức đầu tư là bao nhiêu?", ["tổng"]) == "tổng mức đầu tư"
    assert measured("tong muc dau tu la bao nhieu", ["tong"]) == "tong muc dau tu"
    assert measured("Sở Y tế có mấy nhiệm vụ?", ["Y tế"]) == "Y tế"
    # a missing word far from the question's value, or none missing: no quantity lacking
    assert measured("Theo văn bản của Sở Nội vụ tỉnh Lào Cai, kinh phí là bao nhiêu?", ["Nội vụ"]) is None
    assert measured("Quỹ có vốn điều lệ bao nhiêu?", []) is None
    assert measured("Sở Y tế phải làm gì?", ["Y tế"]) is None
    # a word of how it is asked is no quantity ("còn … thì tăng bao nhiêu", typed without diacritics)
    assert measured("con cac vu tren tuyen duong bien thi tang bao nhieu", ["thi tang"]) is None
    # nor the verb a count is asked with: "nêu bao nhiêu", "đặt ra mấy" (a notice, a plan)
    assert measured("Thông báo 634/TB-VPCP nêu bao nhiêu dự án giao thông?", ["nêu"]) is None
    assert measured("ke hoach dat ra may chi tieu", ["dat ra"]) is None
    assert measured("Thông báo nêu vốn điều lệ của Quỹ là bao nhiêu?", ["vốn điều lệ"]) == "vốn điều lệ của Quỹ"


def test_a_unit_in_a_column_of_its_own_is_read_with_the_figures_after_it():
    from assistant.evidence import with_units

    # a resolution's targets (Đơn vị) and a province's yearly plan (Đơn vị tính), two forms of table
    assert with_units("- TT: 23.4 · Chỉ tiêu: Phủ sóng 5G · Đơn vị: % dân số · Kết quả: 99 · Cơ quan chủ trì: Bộ X") == \
        "- TT: 23.4 · Chỉ tiêu: Phủ sóng 5G · Đơn vị: % dân số · Kết quả: 99 % dân số · Cơ quan chủ trì: Bộ X"
    assert with_units("- STT: 1 · Nội dung: GRDP · Đơn vị tính: Tỷ đồng · Năm 2026: 193.549 · Năm 2027: 218.628") == \
        "- STT: 1 · Nội dung: GRDP · Đơn vị tính: Tỷ đồng · Năm 2026: 193.549 Tỷ đồng · Năm 2027: 218.628 Tỷ đồng"
    assert with_units("- STT: 1 · Đơn vị: Sở Y tế · Kết quả: 12") == "- STT: 1 · Đơn vị: Sở Y tế · Kết quả: 12"  # a body
    assert with_units("Đạt 99% dân số.") == "Đạt 99% dân số."


def test_of_two_rows_with_the_same_deadline_the_one_whose_name_the_question_gives_is_stated():
    from assistant.direct import _candidates
    from ingest.records import Record

    def row(n: int, task: str) -> Record:
        text = (f"TT: {n}. · Tên nhiệm vụ: {task} · Cơ quan chủ trì: Bộ Thông tin và Truyền thông · "
                "Kết quả: Quyết định của Thủ tướng Chính phủ · Thời gian hoàn thành: 9/2025")
        return Record("nq", "nq.md", "Nghị quyết 03", "Phụ lục II", "c1", 0, len(text), text, "other")

    question = "Theo Phụ lục II, Chương trình phát triển Chính phủ số phải xây dựng xong khi nào?"
    other, named = row(60, "Xây dựng Chương trình phát triển kinh tế số, xã hội số"), row(89, "Xây dựng Chương trình phát triển Chính phủ số")
    best = {r.text: max(_candidates(r, question)) for r in (other, named)}
    assert best[named.text] > best[other.text]
    assert best[named.text][1] == "Xây dựng Chương trình phát triển Chính phủ số — Thời gian hoàn thành: 9/2025"


def test_which_year_is_answered_by_a_year_not_by_every_year():
    # "hằng năm" answers how often, not which year; "năm 2026" and "2026-2030" do
    from assistant.evidence import asked_value

    asked = asked_value("Bộ Xây dựng phải tổ chức sơ kết đề án vào năm nào?")
    assert asked.kind == "year"
    assert not asked.value.search("cu the hoa trong cac ke hoach trung han va hang nam cua bo xay dung")
    assert asked.value.search("so ket vao nam 2027") and asked.value.search("thoi gian trien khai: 2026-2030")


def test_a_value_tied_to_a_year_needs_a_sentence_of_that_year():
    # "bao nhiêu phần trăm … đến năm 2026": a figure of another year is no answer; a span holds its years
    from assistant.evidence import asked_value, names_years, years_asked

    q = "Đề án yêu cầu đến năm 2026 bao nhiêu phần trăm công trình đang khai thác phải có mô hình BIM?"
    assert years_asked(q, asked_value(q)) == ["2026"]
    assert names_years("Giai đoạn 2026-2030: 100% dự án áp dụng BIM", ["2026"])
    assert not names_years("Đến năm 2030: 100% dự án áp dụng BIM", ["2026"])
    # a year that is itself the time asked, or part of a document's number, ties nothing
    assert years_asked("Năm 2026 Bộ Xây dựng sơ kết vào ngày nào?", asked_value("Năm 2026 Bộ Xây dựng sơ kết vào ngày nào?")) == []
    q2 = "Theo Luật 120/2025/QH15 mức phạt là bao nhiêu tiền?"
    assert years_asked(q2, asked_value(q2)) == []
