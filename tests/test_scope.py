"""What a question is about, read from documents of any topic: a document named by its kind and subject, a
name a passage holds with a word between its parts, a group of bodies named in the plural."""

import pytest

from ingest.canonical import lookup
from ingest.document import Chunk, Document
from index.bm25 import Bm25Index
from assistant.evidence import held_apart
from assistant.intent import mentioned_plans, without_naming


def _doc(doc_id: str, kind: str, title: str, form: str | None = None, number: str | None = None) -> Document:
    return Document(doc_id=doc_id, file=f"{doc_id}.md", path=f"/x/{doc_id}.md", sha256="0", title=title, kind=kind,
                    number=number, date="2025", issuer=None, locality=None, text=title, form=form or kind.lower())


DOCS = [
    _doc("ct", "Chỉ thị", "Chỉ thị về việc thực hiện công tác đào tạo nghề cho con liệt sĩ", number="31/CT-TTg"),
    _doc("cv", "Công văn", "Công văn về việc nâng cao hiệu quả công tác chống buôn lậu", number="11554/VPCP-V.I"),
    _doc("kh", "Kế hoạch", "Kế hoạch hành động quốc gia về khắc phục ô nhiễm không khí",
         form="quyết định phê duyệt kế hoạch (nội dung trong Điều 1)", number="2530/QĐ-TTg"),
]


def test_a_document_named_by_its_kind_and_subject_is_in_scope():
    assert mentioned_plans("Chỉ thị về đào tạo nghề cho con liệt sĩ giao Bộ Quốc phòng những gì?", DOCS) == {"ct"}
    assert mentioned_plans("cong van ve chong buon lau yeu cau gi", DOCS) == {"cv"}
    assert mentioned_plans("Quyết định về khắc phục ô nhiễm không khí giao Bộ Y tế việc gì?", DOCS) == {"kh"}
    assert mentioned_plans("Chỉ thị về phòng cháy rừng yêu cầu gì?", DOCS) == set()  # no such subject
    assert mentioned_plans("Công văn 11554 yêu cầu gì?", DOCS) == {"cv"}  # by number, as before
    # the issuer named between the kind and its subject
    assert mentioned_plans("Theo Chỉ thị của Thủ tướng về đào tạo nghề cho con liệt sĩ, UBND tỉnh làm gì?", DOCS) == {"ct"}
    assert mentioned_plans("cong van do van phong chinh phu gui ve chong buon lau yeu cau gi", DOCS) == {"cv"}
    assert mentioned_plans("Chỉ thị của Thủ tướng về phòng cháy rừng yêu cầu gì?", DOCS) == set()
    # the number written between the kind and its subject ("Công văn 11554/VPCP-V.I về chống buôn lậu"), for items
    from assistant.intent import subject_run, words

    assert subject_run(words("Công văn 11554/VPCP-V.I về chống buôn lậu yêu cầu gì?"), DOCS, numbered=True)[0] == {"cv"}
    assert subject_run(words("Chỉ thị số 31 của Thủ tướng về đào tạo nghề cho con liệt sĩ giao gì?"), DOCS, numbered=True)[0] == {"ct"}
    assert subject_run(words("Công văn 11554/VPCP-V.I về chống buôn lậu yêu cầu gì?"), DOCS)[0] == set()  # a search keeps them


def test_two_documents_with_one_number_are_told_apart_by_the_kind_named_with_it():
    docs = [_doc("kh", "Kế hoạch", "Kế hoạch bình đẳng giới", number="174/KH-UBND"),
            _doc("cv", "Công văn", "Công văn số 174/CV-BCĐ", number="174/CV-BCĐ"),
            _doc("qd", "Kế hoạch", "Kế hoạch thi hành luật", form="quyết định ban hành kế hoạch", number="2623/QĐ-TTg")]
    assert mentioned_plans("Công văn 174 yêu cầu các Bộ làm gì?", docs) == {"cv"}
    assert mentioned_plans("theo ke hoach so 174 thi so noi vu lam gi", docs) == {"kh"}
    assert mentioned_plans("KH 174 giao Sở Y tế việc gì?", docs) == {"kh"}  # the kind's abbreviation
    assert mentioned_plans("Văn bản số 174 nói gì?", docs) == {"kh", "cv"}  # no kind: both
    assert mentioned_plans("Quyết định 2623 giao Bộ Công an việc gì?", docs) == {"qd"}  # the kind its number carries


@pytest.mark.parametrize("question, body", [
    ("Theo Chỉ thị 09/CT-UBND của UBND TP Cần Thơ về nước dưới đất, Sở Xây dựng có trách nhiệm gì?", "Sở Xây dựng"),
    ("Kế hoạch số 12/KH-UBND do UBND tỉnh ban hành giao Sở Y tế những việc gì?", "Sở Y tế"),
    ("Theo quyết định của Bộ Nội vụ, Sở Tư pháp phải làm gì?", "Sở Tư pháp"),
    ("UBND tỉnh phải làm gì theo Kế hoạch 153?", "UBND tỉnh"),  # no issuer named: the body asked, as before
    ("Kế hoạch của UBND tỉnh giao những gì?", "UBND tỉnh"),  # the issuer is the only body named
    # a body inside the issuer's name ("Ban Chỉ đạo của Chính phủ", "Văn phòng Ban Chỉ đạo của Bộ Y tế")
    ("Công văn 174/CV-BCĐ của Ban Chỉ đạo của Chính phủ yêu cầu các Bộ, cơ quan ngang Bộ phải làm gì để tháo gỡ khó khăn cho "
     "chính quyền địa phương hai cấp?", "các Bộ, cơ quan ngang Bộ"),
    ("Thông báo số 5 của Văn phòng Ban Chỉ đạo của Bộ Y tế giao Sở Y tế những việc gì?", "Sở Y tế"),
])
def test_the_issuer_of_the_document_named_is_not_the_body_asked(question, body):
    from assistant.intent import read_intent

    assert read_intent(question, []).body.written == body


def test_a_body_of_one_level_is_one_of_the_group_of_that_level():
    from assistant.intent import read_intent
    from assistant.retrieve import is_own

    group = lookup("Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương")
    for asked in ("UBND cấp tỉnh cần triển khai những gì?", "Ủy ban nhân dân tỉnh phải làm gì?"):
        assert is_own(read_intent(asked, []), group), asked
    assert not is_own(read_intent("UBND cấp xã phải làm gì?", []), group)  # another level
    assert not is_own(read_intent("Sở Y tế phải làm gì?", []), group)  # another body
    assert is_own(read_intent("UBND các tỉnh phải làm gì?", []), group)  # the group itself, as before


def test_a_name_held_with_a_word_between_its_parts_is_known_and_a_missing_one_is_not():
    texts = ["Hoàn thiện Kế hoạch cao điểm dịp trước, trong và sau Tết Nguyên đán Bính Ngọ 2026",
             "Bộ Tài chính báo cáo trước ngày 30 tháng 11 năm 2025"]
    bm25 = Bm25Index.build(texts)
    chunks = [Chunk(chunk_id=str(i), doc_id="cv", section="1.", text=t, start=0, end=len(t), agency=None, heading="")
              for i, t in enumerate(texts)]
    assert held_apart(bm25, chunks, "Tết Bính Ngọ")
    assert not held_apart(bm25, chunks, "Tết Giáp Thìn")  # a word no passage holds
    assert not held_apart(bm25, chunks, "Ngọ Bính")  # the words out of order


def test_the_bodies_of_all_provinces_named_in_the_plural_are_one_group():
    group = "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương"
    assert lookup("UBND các tỉnh").canonical == group
    assert lookup("Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương").canonical == group
    assert lookup("UBND tỉnh").canonical == "Ủy ban nhân dân tỉnh"  # one province's is not the group
    # the provinces named as places, the subject of a task ("Các tỉnh, thành phố khẩn trương rà soát …")
    assert lookup("Các tỉnh, thành phố").canonical == group and lookup("các tỉnh, thành").canonical == group


def test_the_words_that_name_a_document_by_subject_are_left_out_of_what_ranks_its_passages():
    q = "Tổng nguồn lực cho Kế hoạch hành động quốc gia về khắc phục ô nhiễm không khí là bao nhiêu?"
    assert without_naming(q, DOCS) == "Tổng nguồn lực cho là bao nhiêu?"
    assert without_naming("Theo Chỉ thị của Thủ tướng về đào tạo nghề cho con liệt sĩ, UBND tỉnh làm gì?", DOCS) == \
        "Theo, UBND tỉnh làm gì?"
    assert without_naming("Công văn 11554 yêu cầu gì?", DOCS) == "Công văn 11554 yêu cầu gì?"  # nothing else to rank by
    # named by kind and number: the heading that holds them answers nothing else
    tb = [*DOCS, _doc("tb", "Thông báo", "Thông báo kết luận", number="634/TB-VPCP")]
    assert without_naming("thong bao 634/TB-VPCP noi giai ngan dau tu cong dat bao nhieu phan tram", tb) == \
        "noi giai ngan dau tu cong dat bao nhieu phan tram"
    # a document it names that is not indexed is what it asks about: its words stay
    assert without_naming("Nghị quyết 163/2024/QH15 mà Công văn 11554 thực hiện là về nội dung gì?", DOCS) == \
        "Nghị quyết 163/2024/QH15 mà thực hiện là về nội dung gì?"
    assert without_naming("cong van ve chong buon lau", DOCS) == "cong van ve chong buon lau"  # nothing else said
