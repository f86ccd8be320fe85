"""How many items a part of a document holds, read from the section paths of its chunks (assistant/parts.py):
numbered headings and numbered paragraphs alike, never a part read with a gap."""

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
