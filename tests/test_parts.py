"""What a part of a document holds: how many items (assistant/parts.py), read from the section paths of its
chunks, numbered headings and numbered paragraphs alike, never a part read with a gap; and the items a list
opened by "… bao gồm:" holds (assistant/listings.py)."""

from ingest.document import Chunk
from assistant.parts import _in_order, _names, _noun, _parts


def _chunk(section: str, heading: str, start: int) -> Chunk:
    return Chunk(chunk_id=str(start), doc_id="d", section=section, text="…", start=start, end=start + 1,
                 agency=None, heading=heading)


def test_numbered_paragraphs_are_items_like_numbered_headings():
    # a conclusion notice: item 2 is a heading, items 1 and 3 paragraphs the reader kept under their part
    notice = [
        _chunk("II. Nhiệm vụ, giải pháp trọng tâm › 1. Đổi mới tư duy, tầm nhìn…", "II. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM", 0),
        _chunk("II. Nhiệm vụ, giải pháp trọng tâm › 2. Hỗ trợ doanh nghiệp (phần 1/2)",
               "II. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM › 2. Hỗ trợ doanh nghiệp", 10),
        _chunk("II. Nhiệm vụ, giải pháp trọng tâm › 2. Hỗ trợ doanh nghiệp (phần 2/2)",
               "II. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM › 2. Hỗ trợ doanh nghiệp", 20),
        _chunk("II. Nhiệm vụ, giải pháp trọng tâm › 3. Chăm lo đời sống", "II. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM", 30),
    ]
    # a plan: its part inside a decision's Điều 1, then an appendix whose heading the section path shortens
    plan = [
        _chunk("Điều 1. Phê duyệt Kế hoạch › II. Nhiệm vụ, giải pháp › a)", "Điều 1. Phê duyệt Kế hoạch › II. NHIỆM VỤ, GIẢI PHÁP › a)", 0),
        _chunk("Điều 1. Phê duyệt Kế hoạch › II. Nhiệm vụ, giải pháp › b)", "Điều 1. Phê duyệt Kế hoạch › II. NHIỆM VỤ, GIẢI PHÁP", 5),
        _chunk("Phụ lục I. Bảng phân công thực hiện các nhiệm vụ, giải pháp… › I. Bộ Công an",
               "PHỤ LỤC I BẢNG PHÂN CÔNG THỰC HIỆN CÁC NHIỆM VỤ, GIẢI PHÁP TẠI KẾ HOẠCH › I. BỘ CÔNG AN", 9),
    ]
    (path, items), = _parts(notice)
    assert path == ("II. Nhiệm vụ, giải pháp trọng tâm",) and _in_order(list(items))
    assert list(items) == ["1. Đổi mới tư duy, tầm nhìn…", "2. Hỗ trợ doanh nghiệp", "3. Chăm lo đời sống"]
    assert _names(path[-1], _noun("gồm bao nhiêu nhiệm vụ"))
    found = _parts(plan)
    assert [p for p, _ in found] == [("Điều 1. Phê duyệt Kế hoạch",), ("Điều 1. Phê duyệt Kế hoạch", "II. Nhiệm vụ, giải pháp"),
                                     ("Phụ lục I. Bảng phân công thực hiện các nhiệm vụ, giải pháp…",)]  # the appendix last
    assert list(found[1][1]) == ["a)", "b)"]


def test_a_part_read_with_a_gap_is_not_in_order():
    assert not _in_order(["1. Một", "5. Năm", "6. Sáu"]) and not _in_order(["b)", "c)"])
    assert _in_order(["I. Một", "II. Hai"]) and _in_order(["a)", "b)", "c)", "d)", "đ)"])


def _record(doc: str, section: str, text: str, kind: str, start: int):
    from ingest.records import Record

    return Record(doc_id=doc, file=f"{doc}.md", plan_label=doc, section=section, chunk_id=str(start), start=start,
                  end=start + 1, text=text, kind=kind)


def test_an_item_that_opens_a_list_is_quoted_with_the_items_of_its_kind_one_level_under_it():
    from assistant.listings import _with_points

    # a plan's sources of funds ("… bao gồm:" then 1., 2.), and a regulation's article ("Đối tượng … liên quan
    # đến:" then its clauses); an item of another kind or two levels down is not a point of the list
    records = [
        _record("kh", "IV. Nguồn vốn", "Nguồn vốn triển khai Kế hoạch, bao gồm:", "funding", 0),
        _record("kh", "IV. Nguồn vốn › 1. Nguồn ngân sách.", "Nguồn ngân sách.", "funding", 1),
        _record("kh", "IV. Nguồn vốn › 2. Các nguồn vốn hợp pháp khác. (phần 1/2)", "Các nguồn vốn hợp pháp khác.", "funding", 2),
        _record("kh", "IV. Nguồn vốn › 2. Các nguồn vốn hợp pháp khác. › a)", "Vốn vay.", "funding", 3),
        _record("kh", "IV. Nguồn vốn › 3. Sở Tài chính", "Sở Tài chính tham mưu bố trí vốn.", "duty", 4),
        _record("qd", "Chương I › Điều 2. Đối tượng áp dụng", "Quy định này áp dụng đối với tổ chức liên quan đến:", "scope", 0),
        _record("qd", "Chương I › Điều 2. Đối tượng áp dụng › khoản 1", "Hoạt động thoát nước.", "scope", 1),
        _record("qd", "Chương I › Điều 3. Giải thích từ ngữ", "Trong Quy định này:", "scope", 2),
    ]
    listed = _with_points([records[0], records[5]], records)
    assert [r.text for r in listed] == ["Nguồn vốn triển khai Kế hoạch, bao gồm:", "Nguồn ngân sách.",
                                        "Các nguồn vốn hợp pháp khác.", "Quy định này áp dụng đối với tổ chức liên quan đến:",
                                        "Hoạt động thoát nước."]
    assert _with_points([records[1]], records) == [records[1]]  # an item that opens nothing is itself alone
