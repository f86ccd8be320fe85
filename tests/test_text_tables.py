"""Tables written in plain text (Markdown pipes, one cell per line as a copied web page gives them), the form
of a document, and text told from garbage: on small inline documents and on the real documents of
../shared/corpus3 (different topics and forms), when that folder is beside the repository."""

import re
from pathlib import Path

import pytest

from ingest import lexicon
from ingest.canonical import lookup
from ingest.header import read_header
from ingest.pipeline import parse_file
from ingest.readers import SkipFile, _letters_or_skip
from ingest.records import duties_of, extract_records
from ingest.table_duties import column_kind
from ingest.text_tables import tables_as_rows

CORPUS3 = Path(__file__).resolve().parents[2] / "shared" / "corpus3"

PIPES = """Các nhiệm vụ cụ thể như sau.

| TT | Nhiệm vụ thựchiện | Đơn vịchủ trì | Đơn vịphốihợp | Thờigian thựchiện | Ghichú |
|---|---|---|---|---|---|
| **I ** | **Mở rộng vùng phủ sóng** | **Mở rộng vùng phủ sóng** | **Mở rộng vùng phủ sóng** | | |
| 1 | Xây dựng quy hoạch hạ tầng | Sở Xây dựng | Công an tỉnh; Sở Tài chính | 2025 | Thúc đẩy chia sẻ hạ |
| Col1 | Col2 | Col3 | Col4 | Col5 | tầng giữa các doanh nghiệp |
| 2 | Đo kiểm chất lượng dịch vụ | Sở Khoa học và Công nghệ | | Quý II/2025 | |
"""

LINES = """**Nơi nhận:**
- Như trên;
|
**KT. CHỦ TỊCH**
**Nguyễn Văn A**
|
**PHỤ LỤC I**
BẢNG PHÂN CÔNG NHIỆM VỤ
|
**STT**
|
**Cơ quan chủ trì**
|
**Cơ quan phối hợp**
|
**Nội dung nhiệm
vụ**
|
**Thời hạn hoàn thành**
|
|
**A.**
|
**SỞ Y TẾ**
|
|
1
|
Sở Y tế
|
Sở Tài chính
|
Xây dựng đề án
nâng cấp trạm y tế
|
Quý I năm 2026
|
|
Tổ chức tập huấn cho nhân viên y tế
|
Năm 2026
|
|
2
|
Sở Nội vụ
|
Sở Y tế
|
Rà soát biên chế
|
30/6/2026
|
**PHỤ LỤC II**
DANH MỤC DỰ ÁN
|
**STT**
|
**Tên nhiệm vụ**
|
**Đơn vị chủ trì**
|
**Thời hạn**
|
|
1
|
Mua sắm trang thiết bị
|
Sở Tài chính
|
Năm 2027
|
|
2
|
Đào tạo nhân lực
|
Sở Nội vụ
|
Năm 2028
|
|
"""


def test_a_header_with_glued_words_names_its_columns():
    assert column_kind("Đơn vịchủ trì") == "lead"
    assert column_kind("Đơn vịphốihợp") == "partners"
    assert column_kind("Thờigian thựchiện") == "deadline"
    assert column_kind("Nhiệm vụ thựchiện") == "task"  # not the body that carries it out
    assert column_kind("Kết quả thực hiện") is None
    # a table of requests and who handles them: the request is the task, the body in charge carries it out
    assert column_kind("Bộ phụ trách tiếp nhận, xử lý") == "executors" and column_kind("Đơn vị phụ trách") == "executors"
    assert column_kind("Thông tin đề xuất") == "task" and column_kind("Kiến nghị") == "task"
    assert column_kind("Tỉnh kiến nghị") is None  # who asked is no task
    assert column_kind("Cơ quan thực hiện") == "executors"


def test_a_markdown_table_gives_one_labelled_row_per_task():
    text = tables_as_rows(PIPES)
    rows = [p for p in text.split("\n\n") if p.startswith("- ")]
    assert len(rows) == 2
    assert "Đơn vịchủ trì: Sở Xây dựng" in rows[0]
    assert "Thúc đẩy chia sẻ hạ tầng giữa các doanh nghiệp" in rows[0]  # the row cut by a page break
    assert "Col" not in text
    assert "I. Mở rộng vùng phủ sóng" in text  # the group row, once


def test_cells_one_per_line_give_rows_with_merged_cells_carried_down():
    text = tables_as_rows(LINES)
    rows = [p for p in text.split("\n\n") if p.startswith("- ")]
    assert [r.split("Nội dung nhiệm vụ: ")[-1].split(" · ")[0] for r in rows[:3]] == [
        "Xây dựng đề án nâng cấp trạm y tế", "Tổ chức tập huấn cho nhân viên y tế", "Rà soát biên chế"]
    assert "Cơ quan chủ trì: Sở Y tế" in rows[1]  # merged down from the row above
    assert "Thời hạn hoàn thành: Năm 2026" in rows[1]
    assert "Đơn vị chủ trì: Sở Tài chính" in rows[3]  # the second table, after its caption
    assert "**PHỤ LỤC II**" in text and "**PHỤ LỤC I**" in text  # captions stay as text, in place
    assert text.index("PHỤ LỤC II") < text.index("Mua sắm trang thiết bị")


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _duties(tmp_path, name, text):
    """The duty rows of a document written to tmp_path, as ingest reads them."""
    doc, chunks = parse_file(_write(tmp_path, name, text))
    return duties_of(extract_records([doc], chunks))


def test_rows_of_a_table_in_a_file_become_duties_of_their_lead_body(tmp_path):
    header = "ỦY BAN NHÂN DÂN\nTỈNH THỬ NGHIỆM\n\nSố: 12/KH-UBND\n\nKẾ HOẠCH\nNâng cấp y tế cơ sở\n\n"
    doc, chunks = parse_file(_write(tmp_path, "kh.md", header + LINES))
    duties = duties_of(extract_records([doc], chunks))
    leads = {(d.canonical, d.text[:30]) for d in duties if d.role == "chủ trì"}
    assert ("Sở Y tế", "Tổ chức tập huấn cho nhân viên") in leads
    assert any(d.canonical == "Sở Nội vụ" for d in duties)
    assert all(not d.canonical[0].isdigit() for d in duties)


@pytest.mark.parametrize("paragraphs, form", [
    (["ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM", "Số: 45/QĐ-UBND", "QUYẾT ĐỊNH", "Ban hành Kế hoạch cải cách hành chính năm 2026",
      "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch cải cách hành chính năm 2026.", "Điều 2. Quyết định này có hiệu lực."],
     "quyết định ban hành kế hoạch"),
    (["THỦ TƯỚNG CHÍNH PHỦ", "Số: 99/QĐ-TTg", "QUYẾT ĐỊNH", "Phê duyệt Chương trình bảo vệ rừng",
      "Điều 1. Phê duyệt Chương trình bảo vệ rừng với những nội dung sau:", "I. MỤC TIÊU", "1. Mục tiêu chung"],
     "quyết định phê duyệt chương trình (nội dung trong Điều 1)"),
    (["BỘ TÀI CHÍNH", "Số: 10/BTC-NSNN", "V/v hướng dẫn lập dự toán", "Kính gửi: Các bộ, ngành"], "công văn"),
    (["THỦ TƯỚNG CHÍNH PHỦ", "Số: 5/CĐ-TTg", "CÔNG ĐIỆN", "Về việc ứng phó bão"], "công điện"),
])
def test_the_form_of_a_document_comes_from_its_header_and_article_1(paragraphs, form):
    assert read_header(paragraphs)["form"] == form


def test_text_is_told_from_garbage_by_encoding_and_script_not_by_its_share_of_letters():
    # an appendix of substances: names, formulas, registry numbers — text, with under half letters
    rows = "".join(f"| {i} | 2C-B{i} | C10H14BrNO2 | 66142-81-{i} | 4-bromo-2,5-DMPEA |\n" for i in range(200))
    assert _letters_or_skip("DANH MỤC I. Các chất ma túy\n" + rows)
    with pytest.raises(SkipFile, match="không đọc được"):
        _letters_or_skip("Kế hoạch \ufffd\ufffd\ufffd \x07\x07 " * 50)
    with pytest.raises(SkipFile, match="Latinh"):
        _letters_or_skip("Кế хоạцх тхựц хиệн нхиệм вụ " * 50)  # wrong code page: another script
    with pytest.raises(SkipFile, match="chữ cái"):
        _letters_or_skip("12345 67890 ... --- +++ 2026 / 31.12 \n" * 50)


@pytest.mark.skipif(not CORPUS3.is_dir(), reason="../shared/corpus3 is not beside the repository")
@pytest.mark.parametrize("name, bodies", [
    ("nq_cp_03_2025_ctrhd_nq57_khcn_cds.md", {"Bộ Thông tin và Truyền thông", "Bộ Khoa học và Công nghệ", "Bộ Công an"}),
    ("qd_ttg_2530_2025_kh_khong_khi.md", {"Bộ Nông nghiệp và Môi trường", "Bộ Xây dựng", "Bộ Y tế"}),
    ("tb_vpcp_624_2025_bcd_khcn_cds.md", {"Bộ Tài chính", "Bộ Giáo dục và Đào tạo"}),
])
def test_appendix_tables_of_real_documents_give_rows_to_their_bodies_and_no_junk(name, bodies):
    doc, chunks = parse_file(CORPUS3 / name)
    duties = duties_of(extract_records([doc], chunks))
    in_appendix = {d.canonical for d in duties if d.section.startswith("Phụ lục")}
    assert bodies <= in_appendix
    verb = re.compile(rf"^(?:{lexicon.verb_pattern()})\b", re.I)
    junk = [d.canonical for d in duties if d.canonical[:1].isdigit()
            or (not lookup(d.agency, doc.locality).known and verb.match(d.canonical))]
    assert not junk


DIRECTIVE = """THỦ TƯỚNG CHÍNH PHỦ

Số: 7/CT-TTg

CHỈ THỊ

Về việc tăng cường phòng cháy rừng

Để bảo vệ rừng trong mùa khô, Thủ tướng Chính phủ yêu cầu Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương:

1. Kiểm tra phương án phòng cháy của các chủ rừng trước ngày 30/12/2026.

2. Bộ trưởng Bộ Tài chính thực hiện các nhiệm vụ sau:

2.1. Bố trí kinh phí cho lực lượng kiểm lâm.

2.2. Hướng dẫn thanh toán chế độ trực cháy.

3. Bộ Công an chỉ đạo lực lượng cảnh sát phòng cháy hỗ trợ địa phương.
"""


def test_numbered_tasks_of_a_directive_go_to_the_body_asked_or_the_body_of_their_parent_item(tmp_path):
    rows = {(d.canonical, d.text[:20]) for d in _duties(tmp_path, "ct.md", DIRECTIVE)}
    assert ("Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương", "Kiểm tra phương án p") in rows
    assert ("Bộ Tài chính", "Bố trí kinh phí cho ") in rows
    assert ("Bộ Tài chính", "Hướng dẫn thanh toán") in rows
    assert ("Bộ Công an", "Bộ Công an chỉ đạo l") in rows


def test_a_plan_a_decision_issues_is_cited_as_itself_with_its_decision(tmp_path):
    text = ("ỦY BAN NHÂN DÂN\nTỈNH THỬ NGHIỆM\n\nSố: 123/QĐ-UBND\n\nQUYẾT ĐỊNH\n\nBan hành Kế hoạch chuyển đổi số năm 2026\n\n"
            "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch chuyển đổi số năm 2026.\n\n"
            "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\n")
    doc, _ = parse_file(_write(tmp_path, "qd.md", text))
    assert doc.form == "quyết định ban hành kế hoạch"
    assert doc.label.startswith("Kế hoạch ban hành kèm theo Quyết định 123/QĐ-UBND")
    assert read_header(["VĂN PHÒNG CHÍNH PHỦ", "Số: 11554/VPCP-V.I", "V/v chống buôn lậu"])["number"] == "11554/VPCP-V.I"


@pytest.mark.parametrize("clause, body", [
    ("Trường hợp có khó khăn, vướng mắc, các đơn vị báo cáo", None),
    ("Ban hành các quy định về quản lý chất thải:", None),
    ("Hội nghị tổng kết được tổ chức", None),
    ("Hội đồng nhân dân tỉnh thực hiện giám sát", "Hội đồng nhân dân tỉnh"),
    ("Ban Quản lý các khu công nghiệp thực hiện", "Ban Quản lý các khu công nghiệp"),
    ("Trường Chính trị tỉnh tổ chức", "Trường Chính trị tỉnh"),
    # what a body did (a conclusion notice's review of results, TB 627 and TB 641) is no work given to it
    ("Bộ Xây dựng đã chủ động kiểm tra hiện trường", None),
    ("Bộ Tài chính đã báo cáo tổng kết việc thực hiện Nghị quyết", None),
    ("Bộ Tài chính báo cáo tổng kết việc thực hiện Nghị quyết", "Bộ Tài chính"),
])
def test_a_head_noun_that_opens_a_longer_word_is_no_body(clause, body):
    from ingest.canonical import agency_list_at

    found = agency_list_at(clause)
    assert (found[0] if found else None) == body


@pytest.mark.parametrize("para, kind", [("**a)** Tổ chức tập huấn", "letter"), ("*2.* Sở Y tế", "num"), ("**-** Rà soát", "dash")])
def test_an_item_marker_in_bold_is_read_as_a_marker(para, kind):
    from ingest.structure import marker_of

    assert marker_of(para)[0] == kind  # it used to raise: starts_item read the bare text, marker_of the raw one


def test_the_plan_a_decision_issues_after_its_signature_is_read_as_a_plan(tmp_path):
    text = ("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ THỬ NGHIỆM\n\nSố: 2853/QĐ-UBND\n\nQUYẾT ĐỊNH\n\nBan hành Kế hoạch phòng chống thiên tai\n\n"
            "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch phòng chống thiên tai.\n\n"
            "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\n\n"
            "Nơi nhận:\n- Như Điều 2;\n- Lưu: VT.\n\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\n**Nguyễn Văn B**\n|\n\n* *\n\n**KẾ HOẠCH**\n\n"
            "PHÒNG CHỐNG THIÊN TAI TRÊN ĐỊA BÀN THÀNH PHỐ\n\n* (Ban hành kèm theo Quyết định số 2853/QĐ-UBND ngày 21 tháng 11"
            " năm 2025 của Ủy ban nhân dân Thành phố)*\n\n**I. MỤC TIÊU**\n\nNâng cao nhận thức cộng đồng.\n\n"
            "**II. TỔ CHỨC THỰC HIỆN**\n\n1. Sở Y tế chủ trì xây dựng phương án y tế trong thiên tai.\n\n"
            "2. Sở Giáo dục và Đào tạo tổ chức tập huấn kỹ năng cho học sinh.\n")
    doc, chunks = parse_file(_write(tmp_path, "qd.md", text))
    assert any(c.section.startswith("II. Tổ chức thực hiện") for c in chunks)
    bodies = {d.canonical for d in duties_of(extract_records([doc], chunks))}
    assert {"Sở Y tế", "Sở Giáo dục và Đào tạo"} <= bodies


def test_a_task_with_labelled_lines_under_it_gives_its_lead_and_partners_rows(tmp_path):
    text = ("BỘ THỬ NGHIỆM\n\nSố: 9/KH-BTN\n\nKẾ HOẠCH\n\nTriển khai thi hành Luật Thử nghiệm\n\nII. NỘI DUNG\n\n"
            "1. Tổ chức tập huấn chuyên sâu về Luật\n\n- Cơ quan chủ trì: Bộ Tư pháp.\n\n"
            "- Cơ quan phối hợp: Bộ Nội vụ, Bộ Tài chính.\n\n- Thời gian thực hiện: Quý II/2026.\n\n"
            "2. Rà soát văn bản quy phạm pháp luật\n\n- Cơ quan thực hiện: Ủy ban nhân dân các tỉnh.\n\n"
            "- Thời gian hoàn thành: trước ngày 30/6/2026.\n")
    rows = {(d.canonical, d.role, d.text, d.deadline_text) for d in _duties(tmp_path, "kh.md", text)}
    task = "Tổ chức tập huấn chuyên sâu về Luật"
    assert ("Bộ Tư pháp", "chủ trì", task, "Quý II/2026.") in rows
    assert ("Bộ Nội vụ", "phối hợp", task, "Quý II/2026.") in rows
    assert any(b.startswith("Ủy ban nhân dân") and r == "thực hiện" and t.startswith("Rà soát") for b, r, t, _ in rows)


def test_a_part_whose_bodies_are_listed_under_labels_gives_them_its_task(tmp_path):
    text = ("BAN CHỈ ĐẠO THỬ NGHIỆM\n\nSố: 5/KH-BCĐ\n\nKẾ HOẠCH\n\nTriển khai đề án\n\n"
            "I. ĐẨY MẠNH THÔNG TIN, TUYÊN TRUYỀN\n\n1. Nội dung, biện pháp\n\na) Tuyên truyền trên báo chí;\n\n"
            "2. Cơ quan chủ trì, phối hợp\n\na) Cơ quan chủ trì\n\n- Bộ Quốc phòng; Bộ Ngoại giao.\n\n- Ban Chỉ đạo các tỉnh.\n\n"
            "b) Cơ quan phối hợp Mặt trận Tổ quốc Việt Nam và Hội Cựu chiến binh các cấp.\n\n"
            "3. Thời gian thực hiện: Từ tháng 11/2026 trở đi.\n")
    rows = {(d.canonical, d.role, d.text) for d in _duties(tmp_path, "kh.md", text)}
    task = "Đẩy mạnh thông tin, tuyên truyền: a) Tuyên truyền trên báo chí;"  # the part, then what its content says
    assert {("Bộ Quốc phòng", "chủ trì", task), ("Bộ Ngoại giao", "chủ trì", task)} <= rows
    assert any(b.startswith("Ban Chỉ đạo") and r == "chủ trì" for b, r, _ in rows)
    assert any(r == "phối hợp" and b.startswith("Ủy ban Mặt trận") or b.startswith("Mặt trận") for b, r, _ in rows)
    assert not any(b == "Cơ quan" for b, _, _ in rows)


def test_a_task_written_under_its_own_label_with_its_bodies_grouped_under_a_heading(tmp_path):
    # "a) Nhiệm vụ: … / b) Cơ quan thực hiện: / - Đơn vị chủ trì: X / - Đơn vị phối hợp: Y / c) Thời gian …": the
    # heading over the lines names no body ("Đơn vị chủ trì: X …" was read as one), the task is the label's text
    text = ("ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM\n\nSố: 7/KH-UBND\n\nKẾ HOẠCH\n\nChuyển đổi số năm 2026\n\nII. NHIỆM VỤ\n\n"
            "1. Về dữ liệu\n\n1.1. Xây dựng chiến lược dữ liệu:\n\na) Nhiệm vụ: Tham mưu rà soát chiến lược dữ liệu.\n\n"
            "b) Cơ quan thực hiện:\n\n- Đơn vị chủ trì: Sở Khoa học và Công nghệ.\n\n- Đơn vị phối hợp: Sở Tài chính.\n\n"
            "c) Thời gian thực hiện: Hoàn thành trong năm 2026.\n\n1.2. Phát triển dữ liệu:\n\na) Nhiệm vụ:\n\n"
            "- Chuẩn hóa cơ sở dữ liệu của đơn vị.\n\n- Chia sẻ dữ liệu chuyên ngành.\n\nb) Cơ quan thực hiện:\n\n"
            "- Đơn vị chủ trì: Sở Nội vụ.\n\n- Đơn vị phối hợp: Sở Tư pháp.\n\nc) Thời gian thực hiện: Thường xuyên.\n")
    rows = {(d.canonical, d.role, d.text, d.deadline_text) for d in _duties(tmp_path, "kh.md", text)}
    first = "Xây dựng chiến lược dữ liệu: Tham mưu rà soát chiến lược dữ liệu."
    second = "Phát triển dữ liệu: - Chuẩn hóa cơ sở dữ liệu của đơn vị. - Chia sẻ dữ liệu chuyên ngành."
    assert ("Sở Khoa học và Công nghệ", "chủ trì", first, "Hoàn thành trong năm 2026.") in rows
    assert ("Sở Tài chính", "phối hợp", first, "Hoàn thành trong năm 2026.") in rows
    assert ("Sở Nội vụ", "chủ trì", second, "Thường xuyên.") in rows
    assert ("Sở Tư pháp", "phối hợp", second, "Thường xuyên.") in rows
    assert not any("chủ trì" in body.lower() or "Đơn vị" in body for body, _, _, _ in rows)


def test_a_step_column_is_a_number_column_and_a_figure_is_no_body():
    table = ("|\n**Tên bước**\n|\n**Đơn vị/người thực hiện**\n|\n**Nội dung công việc**\n|\n**Thời hạn giải quyết**\n|\n|\n"
             "**Bước 1**\n|\nBộ phận tiếp nhận và trả kết quả\n|\nKiểm tra hồ sơ\n|\n1/2 ngày\n|\n|\n"
             "**Bước 2**\n|\nLãnh đạo Sở\n|\nPhê duyệt văn bản\n|\n01 ngày\n|\n|\n"
             "Tổng thời gian giải quyết\n|\n03 ngày làm việc\n|\n|\n")
    rows = [p for p in tables_as_rows(table).split("\n\n") if p.startswith("- ")]
    assert "Đơn vị/người thực hiện: Lãnh đạo Sở · Nội dung công việc: Phê duyệt văn bản" in rows[1]
    from ingest.table_duties import table_duties

    assert all(not b[0].isdigit() for r in table_duties("\n\n".join(rows)) for b in r.executors)


@pytest.mark.parametrize("row, executors", [
    # a process table whose step column repeats a known label: the body cell ends where that column begins
    ("- Bước: 3 · Nội dung công việc: Kiểm tra hồ sơ · Đơn vị thực hiện: Cơ quan thuế · Nội dung công việc: Trình ký "
     "· Thời hạn: 02 ngày", ("Cơ quan thuế",)),
    # a body column holding running text (a plan whose columns shifted): sentences are no body, names stay
    ("- STT: 1 · Nhiệm vụ: Cập nhật dữ liệu · Cơ quan thực hiện: Triển khai nền tảng số. Kết nối dữ liệu quốc gia; "
     "Sở Lao động - Thương binh và Xã hội; UBND TP. Cần Thơ", ("Sở Lao động - Thương binh và Xã hội", "UBND TP. Cần Thơ")),
])
def test_a_body_cell_never_runs_into_the_next_column_nor_holds_a_sentence(row, executors):
    from ingest.table_duties import table_duties

    assert [r.executors for r in table_duties(row)] == [executors]


def test_a_lead_in_heading_names_its_body_without_its_verb():
    from ingest.agencies import agency_of

    assert agency_of("Cục Đăng kiểm Việt Nam có trách nhiệm:", inline=False) == "Cục Đăng kiểm Việt Nam"
    assert agency_of("Sở Y tế", inline=False) == "Sở Y tế"


TELEGRAM = """THỦ TƯỚNG CHÍNH PHỦ
|
Số: 9/CĐ-TTg
|
**CÔNG ĐIỆN**
Về việc cắt giảm thủ tục hành chính
**I. VỀ HOÀN THIỆN THỂ CHẾ**
1. Bộ trưởng các Bộ, Thủ trưởng cơ quan ngang bộ
Tập trung chỉ đạo quyết liệt hoàn thành sửa đổi, bổ sung các văn bản quy phạm
pháp luật để thực thi các phương án cắt giảm, đơn giản hóa thủ tục hành chính,
điều kiện kinh doanh đã được Thủ tướng Chính phủ phê duyệt, trong đó ưu tiên
hoàn thành ngay các văn bản cần sửa đổi, bổ sung trong năm 2026.
2. Bộ trưởng các Bộ, Thủ trưởng cơ quan ngang bộ,
Chủ tịch Ủy ban nhân dân các tỉnh, thành phố
Khẩn trương rà soát, sửa đổi các quy định không phù hợp với việc thực hiện thủ
tục hành chính không phụ thuộc vào địa giới hành chính và triển khai dịch vụ
công trực tuyến toàn trình như yêu cầu phải nộp hồ sơ gốc, yêu cầu nộp hồ sơ
tại nơi cư trú, hoàn thành trong năm 2026.
**II. TỔ CHỨC THỰC HIỆN**
Văn phòng Chính phủ theo dõi, đôn đốc việc thực hiện Công điện này.
"""


def test_a_wrapped_heading_that_lists_bodies_gives_them_the_items_under_it(tmp_path):
    rows = {(d.canonical, d.text[:20]) for d in _duties(tmp_path, "cd.md", TELEGRAM)}
    assert ("Các bộ, ngành", "Tập trung chỉ đạo qu") in rows
    assert ("Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương", "Khẩn trương rà soát,") in rows


def test_a_footnote_mark_glued_to_a_word_is_no_figure():
    from ingest.normalize import strip_markup

    assert strip_markup("hành động[1] và 319 VBQPPL[10] trong năm 2025[2].") == "hành động và 319 VBQPPL trong năm 2025."
    assert strip_markup("[1] Chú thích của trang") == "[1] Chú thích của trang"  # the footnote itself stays


def test_the_line_that_says_what_a_text_is_issued_with_stands_alone():
    from ingest.reflow import paragraphs

    raw = ("# CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ\n*Thực hiện Nghị quyết số 57-NQ/TW về phát triển khoa học*\n\n"
           "*(Kèm theo Nghị quyết số 03/NQ-CP ngày 09 tháng 01 năm 2025 của Chính phủ)*\n\n## I. MỤC TIÊU\n")
    assert any(p.strip("* ").startswith("(Kèm theo Nghị quyết") for p in paragraphs(raw))


def test_footnotes_of_a_copied_page_are_notes_of_their_own_not_part_of_the_last_row(tmp_path):
    text = (LINES.replace("**PHỤ LỤC II**", "**PHỤ LỤC III**") + "[1] Cơ quan chủ trì thực hiện toàn bộ nhiệm vụ.\n"
            "[2] Nguồn\nlực dự kiến ước tính khoảng 140.000 tỷ đồng.\n")
    header = "ỦY BAN NHÂN DÂN\nTỈNH THỬ NGHIỆM\n\nSố: 12/KH-UBND\n\nKẾ HOẠCH\nNâng cấp y tế cơ sở\n\n"
    doc, chunks = parse_file(_write(tmp_path, "kh.md", header + text))
    notes = [c for c in chunks if "140.000" in c.text]
    assert notes and all(c.section.startswith("Chú thích") for c in notes)
    assert not any("140.000" in c.text for c in chunks if c.section.startswith("Phụ lục"))


@pytest.mark.parametrize("row, task, lead, executors, partners", [
    # a plan's appendix whose header lost its STT column: the number stands under "Nội dung" and every cell
    # under the next column's label
    ("- Nội dung: 1.1 · Đơn vị thực hiện: Xây dựng kế hoạch chuyển đổi số trong nông nghiệp · Đơn vị phối hợp: "
     "Sở Nông nghiệp và Môi trường · Thời gian thực hiện: Các sở, ban, ngành; UBND các phường xã · Sản phẩm: 2026",
     "Xây dựng kế hoạch chuyển đổi số trong nông nghiệp", (), ("Sở Nông nghiệp và Môi trường",),
     ("Các sở, ban, ngành", "UBND các phường xã")),
    # another layout and topic, the same loss: lead before partners
    ("- Tên nhiệm vụ: 3 · Cơ quan chủ trì: Tổ chức diễn tập phòng cháy tại chợ · Cơ quan phối hợp: Công an tỉnh · "
     "Thời hạn hoàn thành: Sở Công Thương · Ghi chú: Quý III/2026",
     "Tổ chức diễn tập phòng cháy tại chợ", ("Công an tỉnh",), (), ("Sở Công Thương",)),
    # a whole row is read as written: its STT column is there, or its task is words
    ("- STT: 2 · Nội dung: 2 · Đơn vị thực hiện: Sở Y tế · Thời gian thực hiện: 2026",
     "2", (), ("Sở Y tế",), ()),
    ("- Nội dung: Rà soát hồ sơ · Đơn vị thực hiện: Sở Tư pháp · Đơn vị phối hợp: Công an tỉnh",
     "Rà soát hồ sơ", (), ("Sở Tư pháp",), ("Công an tỉnh",)),
    # a process table whose step column went under the task's label
    ("- Nội dung công việc: Bước 2 · Trách nhiệm thực hiện: Phân công thụ lý hồ sơ · Thời gian thực hiện: "
     "Lãnh đạo Phòng Quản lý môi trường · Ghi chú: 0,5 ngày", "Phân công thụ lý hồ sơ", (),
     ("Lãnh đạo Phòng Quản lý môi trường",), ()),
])
def test_a_row_whose_header_lost_its_number_column_is_read_one_column_on(row, task, lead, executors, partners):
    from ingest.table_duties import table_duties

    [found] = table_duties(row)
    assert (found.task, found.lead, found.executors, found.partners) == (task, lead, executors, partners)


def test_a_figure_under_a_body_s_heading_is_no_duty(tmp_path):
    """A ranking appendix ("2. Bộ Y tế" / "- 94,29") gives the body a score, not a task; its task under the
    same kind of heading elsewhere is still a duty."""
    from ingest.duties import extract_duties

    path = tmp_path / "thong-bao.txt"
    path.write_text("THÔNG BÁO\nKết quả đánh giá\n\nI. NHIỆM VỤ\n\n1. Bộ Tư pháp\n\n- Rà soát thủ tục hành chính.\n\n"
                    "II. XẾP HẠNG\n\n1. Bộ Y tế\n\n- 94,29\n\n2. Bộ Công an\n\n- 60,36%\n", encoding="utf-8")
    document, chunks = parse_file(path, 1200, 150, 20)
    rows = extract_duties([document], chunks)
    assert [(d.canonical, d.text) for d in rows] == [("Bộ Tư pháp", "Rà soát thủ tục hành chính.")]


MD_PLAN = """Căn cứ Kế hoạch số 12/KH-UBND ngày 02/3/2026 của Ủy ban nhân dân tỉnh về phòng, chống thiên tai.

# MỤC TIÊU

## Mục tiêu chung

Giảm thiểu thiệt hại do thiên tai gây ra cho người dân.

# TỔ CHỨC THỰC HIỆN

## Sở Nông nghiệp và Môi trường

* Chủ trì theo dõi, tổng hợp tình hình thiên tai, báo cáo Ủy ban nhân dân tỉnh.
* Phối hợp với Công an tỉnh sơ tán người dân khỏi vùng nguy hiểm.
* Hướng dẫn các xã lập phương án ứng phó.

## Đề nghị các Sở: Xây dựng, Công Thương; Công ty

### Điện lực Miền Trung

Chủ trì, phối hợp bảo đảm an toàn hệ thống điện, công trình trong mùa mưa bão.

## Tổ chức hiệu quả công tác tuyên truyền về phòng, chống

### và ứng phó thiên tai

Phát hành tài liệu hướng dẫn người dân ứng phó bão, lũ.
"""

MD_DECISION = """# ỦY BAN NHÂN DÂN TỈNH

# QUYẾT ĐỊNH

Căn cứ Luật Tổ chức chính quyền địa phương;

## I. MỤC TIÊU

Bảo đảm an toàn giao thông.

## II. TỔ CHỨC THỰC HIỆN

1. Sở Xây dựng chủ trì kiểm tra các tuyến đường.

## Ghi chú

Không có.
"""


def test_markdown_headings_whose_numbers_were_lost_give_the_structure(tmp_path):
    """"# TỔ CHỨC THỰC HIỆN" › "## Sở …": a Markdown file that lost its numbering still has parts and
    bodies with their tasks; a heading wrapped onto the next level is one heading ("## Đề nghị các Sở: …;
    Công ty" + "### Điện lực …"; "## … phòng, chống" + "### và ứng phó …")."""
    from ingest.duties import extract_duties

    path = tmp_path / "ke-hoach.md"
    path.write_text(MD_PLAN, encoding="utf-8")
    document, chunks = parse_file(path, 1200, 150, 20)
    sections = {c.text.split(" ")[0]: c.section for c in chunks}
    assert sections["Giảm"] == "Mục tiêu › Mục tiêu chung"
    assert sections["Phát"].startswith("Tổ chức thực hiện › Tổ chức hiệu quả công tác tuyên truyền về phòng, chống")
    assert sections["Phát"].count(" › ") == 1  # "### và ứng phó thiên tai" is no heading of its own
    duties = extract_duties([document], chunks)
    rows = {(d.canonical, d.role) for d in duties}
    assert {("Sở Nông nghiệp và Môi trường", "chủ trì"), ("Sở Xây dựng", "chủ trì"), ("Sở Công Thương", "chủ trì"),
            ("Công ty Điện lực Miền Trung", "chủ trì")} <= rows
    # a Markdown list ("* …") is three items of the body, each its own row, without the star
    own = [d.text for d in duties if d.canonical == "Sở Nông nghiệp và Môi trường"]
    assert own == ["Chủ trì theo dõi, tổng hợp tình hình thiên tai, báo cáo Ủy ban nhân dân tỉnh.",
                   "Phối hợp với Công an tỉnh sơ tán người dân khỏi vùng nguy hiểm.",
                   "Hướng dẫn các xã lập phương án ứng phó."]


def test_a_lone_star_is_no_list():
    """"* *" rules and a lone "* (Kèm theo …)" left by a converter's italics are text; three "* " items are a list."""
    from ingest.reflow import markdown_bullets

    lone = "* *\n* (Kèm theo Quyết định số 12/QĐ-UBND)\nSố: 12/QĐ-UBND\n* Số liệu tính điểm"
    assert markdown_bullets(lone) == lone
    assert markdown_bullets("* Một việc\n* Hai việc\n* Ba việc") == "• Một việc\n• Hai việc\n• Ba việc"


def test_numbered_markdown_headings_keep_their_numbers_as_the_structure(tmp_path):
    path = tmp_path / "quyet-dinh.md"
    path.write_text(MD_DECISION, encoding="utf-8")
    _, chunks = parse_file(path, 1200, 150, 20)
    [item] = [c for c in chunks if c.text.startswith("1. Sở Xây dựng")]
    assert item.section.startswith("II. Tổ chức thực hiện › 1. Sở Xây dựng")
    assert not any(c.section.startswith(("Quyết định", "Ủy ban nhân dân tỉnh")) for c in chunks)  # the header


@pytest.mark.parametrize("row, task, lead, executors", [
    # the step's order is no task, and "Trách nhiệm thực hiện" names who does it
    ("- Thứ tự công việc: Bước 6 · Nội dung công việc: Vào sổ văn bản, đóng dấu · Trách nhiệm thực hiện: Bộ phận "
     "Văn thư Sở Y tế · Thời gian thực hiện: 0,5 ngày làm việc", "Vào sổ văn bản, đóng dấu", (), ("Bộ phận Văn thư Sở Y tế",)),
    # the group a task belongs to is no task
    ("- Cơ quan chủ trì: Bộ Văn hóa, Thể thao và Du lịch · Cơ quan phối hợp: UBND các tỉnh · Thuộc nhóm nhiệm vụ, "
     "hành động: Kiểm soát đốt mở · Nội dung nhiệm vụ: Thí điểm giảm đốt vàng mã tại cơ sở tôn giáo",
     "Thí điểm giảm đốt vàng mã tại cơ sở tôn giáo", ("Bộ Văn hóa, Thể thao và Du lịch",), ()),
    # nor the document that assigned it
    ("- Nhiệm vụ: Hoàn thiện Cổng dịch vụ công · Văn bản giao nhiệm vụ: Thông báo số 10/TB-VPCP · Cơ quan chủ trì: "
     "Bộ Công an", "Hoàn thiện Cổng dịch vụ công", ("Bộ Công an",), ()),
])
def test_the_task_is_the_content_column_not_the_order_group_or_source(row, task, lead, executors):
    from ingest.table_duties import table_duties

    [found] = table_duties(row)
    assert (found.task, found.lead, found.executors) == (task, lead, executors)


def _cells(*rows: list[str]) -> str:
    """A cell-per-line table as a copied web page gives it: each cell's line, then "|"; a second "|" ends a row."""
    return "\n".join("\n".join(f"{c}\n|" for c in row) + "\n|" for row in rows)


FIGURES = "PHỤ LỤC III\nTỔNG HỢP KẾT QUẢ\n|\n" + _cells(
    ["STT", "Địa phương", "Số lượng TTHC một cửa", "Số lượng TTHC đã công bố", "Tỷ lệ"],
    ["Tổng số", "Cấp tỉnh", "Cấp xã"],
    ["1.", "Tp Đà Nẵng", "2388", "1970", "418", "2388", "100%"],
    ["2.", "Khánh Hòa", "2255", "1847", "408", "502", "22.3%"],
) + "\nMột số địa phương đạt tỷ lệ thấp."

TARGETS = """| TT | Chỉ tiêu | Đơn vị | Kết quả | Cơ quan chủ trì theo dõi, đánh giá |
|----|----|----|----|----|
| 1 | Kinh phí chi cho nghiên cứu phát triển | % GDP | 2 | Bộ Khoa học và Công nghệ |
| 2 | Chi ngân sách hàng năm cho chuyển đổi số | % tổng chi NSNN | ≥ 3% | Bộ Tài chính |
"""


def test_a_table_of_figures_under_a_header_over_two_rows_keeps_each_row_whole_with_its_labels():
    # a telegram's appendix: "Số lượng TTHC một cửa" divided into "Tổng số | Cấp tỉnh | Cấp xã"
    rows = [p.strip() for p in tables_as_rows(FIGURES).split("\n\n") if p.strip().startswith("- ")]
    assert rows[1] == ("- STT: 2. · Địa phương: Khánh Hòa · Số lượng TTHC một cửa (Tổng số / Cấp tỉnh / Cấp xã): "
                       "2255 / 1847 / 408 · Số lượng TTHC đã công bố: 502 · Tỷ lệ: 22.3%")
    assert len(rows) == 2 and "Một số địa phương đạt tỷ lệ thấp." in tables_as_rows(FIGURES)
    assert not _duties_of_text(FIGURES)  # figures of places are nobody's duty
    # nor under a heading that names a body
    assert not _duties_of_text("II. CÁC CƠ SỞ GIÁO DỤC CÔNG LẬP\n\n" + FIGURES.split("\n", 2)[2])


def test_a_table_of_targets_gives_labelled_rows_and_no_duty_rows():
    # a resolution's appendix of targets: a number column, no task column
    rows = [p.strip() for p in tables_as_rows(TARGETS).split("\n\n") if p.strip().startswith("- ")]
    assert rows[1] == ("- TT: 2 · Chỉ tiêu: Chi ngân sách hàng năm cho chuyển đổi số · Đơn vị: % tổng chi NSNN · "
                       "Kết quả: ≥ 3% · Cơ quan chủ trì theo dõi, đánh giá: Bộ Tài chính")
    assert not _duties_of_text(TARGETS)


def test_a_layout_table_without_a_number_column_stays_as_it_was():
    layout = _cells(["ỦY BAN NHÂN DÂN TỈNH X", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], ["Số: 12/KH-UBND", "X, ngày 1 tháng 2 năm 2025"])
    assert tables_as_rows(layout) == layout


def _duties_of_text(text: str):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return _duties(Path(tmp), "bang.md", text)


def test_a_sentence_stays_in_its_cell_and_a_cell_label_is_no_subject(tmp_path):
    # a table of procedure steps, read as labelled rows: no sentence runs across " · " into the next cell, so no
    # "body" is made of one cell's value and the next cell's label ("Bộ phận Một cửa · Sản phẩm thực hiện"), and
    # the label "Cơ quan thực hiện:" is no subject
    text = ("ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM\n\nSố: 8/QĐ-UBND\n\nQUYẾT ĐỊNH\n\nPhê duyệt quy trình nội bộ\n\n"
            "Điều 1. Phê duyệt quy trình nội bộ giải quyết thủ tục hành chính.\n\n"
            "| TT | Trình tự thực hiện | Trách nhiệm thực hiện | Sản phẩm thực hiện | Thời gian thực hiện |\n"
            "|---|---|---|---|---|\n"
            "| B1 | Tiếp nhận hồ sơ | Bộ phận Một cửa của Sở Tư pháp | Hồ sơ scan | 1/4 ngày |\n"
            "| B2 | Thẩm định hồ sơ | Phòng Hành chính tư pháp thực hiện | Dự thảo kết quả | 2 ngày |\n"
            "| B3 | Trả kết quả | Bộ phận Một cửa tiếp nhận và trả kết quả | Kết quả giải quyết | 1/4 ngày |\n")
    bodies = {d.canonical for d in _duties(tmp_path, "qd.md", text)}
    assert "Phòng Hành chính tư pháp" in bodies  # a cell that says who does what, in a sentence of its own
    assert not any("·" in b or "Sản phẩm" in b or b == "Cơ quan" or b.startswith("Cơ quan thực hiện") for b in bodies)


def test_the_preamble_gives_the_bases_and_who_proposed_the_document(tmp_path):
    text = ("THỦ TƯỚNG CHÍNH PHỦ\n\nSố: 12/QĐ-TTg\n\nQUYẾT ĐỊNH\n\nBan hành Kế hoạch thử nghiệm\n\n"
            "Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025;\n\n"
            "Theo đề nghị của Bộ trưởng Bộ Công an.\n\nQUYẾT ĐỊNH:\n\nĐiều 1. Ban hành kèm theo Quyết định này Kế hoạch.\n")
    doc, chunks = parse_file(_write(tmp_path, "qd.md", text))
    bases = [r.text for r in extract_records([doc], chunks) if r.kind == "legal_basis"]
    assert "Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025;" in bases
    assert "Theo đề nghị của Bộ trưởng Bộ Công an." in bases


@pytest.mark.parametrize("kind,number,opening", [
    # a ministry's letter (CV 6225/BVHTTDL-VP) and a telegram (CĐ 224/CĐ-TTg) of the library
    ("CÔNG VĂN", "Số: 6/BTN-VP\n\nV/v đẩy mạnh thực hiện nhiệm vụ",
     "Thủ tướng Chính phủ đã ban hành Chỉ thị số 33/CT-TTg ngày 06/11/2025 về đẩy mạnh việc thực hiện nhiệm vụ."),
    ("CÔNG ĐIỆN", "Số: 7/CĐ-TTg",
     "Tiếp theo Công điện số 217/CĐ-TTg ngày 10 tháng 11 năm 2025, để tổ chức tốt các công trình, Thủ tướng yêu cầu:"),
])
def test_a_letter_without_a_preamble_gives_its_bases_in_its_opening(tmp_path, kind, number, opening):
    text = (f"BỘ THỬ NGHIỆM\n\n{number}\n\n{kind}\n\nKính gửi:\n\n- Các cục, vụ thuộc Bộ;\n\n"
            f"- Viện Thử nghiệm.\n\n{opening}\n\n1. Vụ Kế hoạch\n\n- Rà soát các nhiệm vụ được giao.\n")
    doc, chunks = parse_file(_write(tmp_path, "cv.md", text))
    bases = [r.text for r in extract_records([doc], chunks) if r.kind == "legal_basis"]
    assert bases == [opening]
    # a text with "Căn cứ" lines keeps to them: its other opening paragraphs are no bases
    text = text.replace("Kính gửi:", "Căn cứ Luật Thử nghiệm ngày 18 tháng 02 năm 2025;\n\nKính gửi:")
    doc, chunks = parse_file(_write(tmp_path, "cv2.md", text))
    assert [r.text for r in extract_records([doc], chunks) if r.kind == "legal_basis"] == [
        "Căn cứ Luật Thử nghiệm ngày 18 tháng 02 năm 2025;"]


def test_an_item_that_holds_its_task_and_the_labelled_lines_under_it(tmp_path):
    # "- Nghị định … / + Nội dung: … / + Cơ quan chủ trì: … / + Thời hạn ban hành: …" as one bullet with its
    # sub-bullets (a decision's plan), and "a) Nghị định … / - Cơ quan chủ trì: …" (a province's plan)
    text = ("THỦ TƯỚNG CHÍNH PHỦ\n\nSố: 12/QĐ-TTg\n\nKẾ HOẠCH\n\nThi hành Luật Thử nghiệm\n\nII. NỘI DUNG\n\n"
            "5. Xây dựng Nghị định của Chính phủ\n\n- Nghị định quy định chi tiết Luật Thử nghiệm\n\n"
            "+ Nội dung: quy định chi tiết khoản 2 Điều 3.\n\n+ Cơ quan chủ trì: Bộ Công an.\n\n"
            "+ Cơ quan phối hợp: Bộ Tư pháp.\n\n+ Thời hạn ban hành: trước ngày 01 tháng 01 năm 2027.\n\n"
            "6. Tham gia góp ý dự thảo\n\na) Nghị định về điều kiện kinh doanh dịch vụ thử nghiệm.\n\n"
            "- Cơ quan chủ trì: Bộ Khoa học và Công nghệ.\n\n- Thời gian thực hiện: Quý II/2027.\n")
    rows = {(d.canonical, d.role, d.text, d.deadline_text) for d in _duties(tmp_path, "kh.md", text)}
    task = "Nghị định quy định chi tiết Luật Thử nghiệm: quy định chi tiết khoản 2 Điều 3."
    assert ("Bộ Công an", "chủ trì", task, "trước ngày 01 tháng 01 năm 2027.") in rows
    assert ("Bộ Tư pháp", "phối hợp", task, "trước ngày 01 tháng 01 năm 2027.") in rows
    assert ("Bộ Khoa học và Công nghệ", "chủ trì", "Nghị định về điều kiện kinh doanh dịch vụ thử nghiệm",
            "Quý II/2027.") in rows


def test_a_conclusion_notices_answers_to_requests_give_tasks_to_the_bodies_they_name(tmp_path):
    # "III. VỀ MỘT SỐ KIẾN NGHỊ CỦA TỈNH / 5. Về …: Ủy ban nhân dân tỉnh … rà soát …": the answers to a province's
    # requests give work, in the subject form, though the notice has a part of tasks of its own
    text = ("VĂN PHÒNG CHÍNH PHỦ\n\nSố: 9/TB-VPCP\n\nTHÔNG BÁO\n\nKết luận tại buổi làm việc với tỉnh Thử Nghiệm\n\n"
            "I. ĐÁNH GIÁ CHUNG\n\nTỉnh đạt nhiều kết quả. Ủy ban nhân dân tỉnh Thử Nghiệm đã triển khai tốt.\n\n"
            "II. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM\n\n1. Đổi mới tư duy phát triển.\n\n"
            "III. VỀ MỘT SỐ KIẾN NGHỊ CỦA TỈNH\n\n1. Về nạo vét luồng tàu: Bộ Xây dựng khẩn trương rà soát, bàn giao dự án "
            "cho tỉnh trước ngày 31 tháng 12 năm 2025.\n\n2. Về vốn dư: Ủy ban nhân dân tỉnh Thử Nghiệm rà soát, giải ngân "
            "hết số vốn, báo cáo Thủ tướng Chính phủ trong Quý I năm 2026.\n")
    rows = {(d.canonical, d.role) for d in _duties(tmp_path, "tb.md", text)}
    assert ("Bộ Xây dựng", "thực hiện") in rows and ("Ủy ban nhân dân tỉnh", "thực hiện") in rows
    # an assessment ("I. ĐÁNH GIÁ CHUNG") gives no task
    assert len([r for r in _duties(tmp_path, "tb.md", text) if "triển khai tốt" in r.text]) == 0


def test_a_body_name_wrapped_before_its_level_word_is_no_heading():
    from ingest.reflow import paragraphs

    body = "các sở, ban, ngành, đơn vị liên quan, Ủy ban nhân dân các phường, xã, đặc khu thực hiện việc đưa nội dung\n"
    # a decision's plan ("3. Bộ Tư lệnh" / "Thành phố chủ trì …") and a plan's task ("a) Nhiệm vụ: Tham mưu UBND" /
    # "Thành phố phối hợp …"): one sentence each; a short numbered line before a new sentence is still a heading
    raw = (f"3. Bộ Tư lệnh\nThành phố chủ trì, phối hợp với Sở Nông nghiệp và Môi trường, {body}vào kế hoạch.\n\n"
           f"a) Nhiệm vụ: Tham mưu UBND\nThành phố phối hợp với Bộ Công an rà soát, {body}vào kế hoạch.\n\n"
           f"4. Phòng Kinh tế, Hạ tầng và Đô thị\nKhẩn trương rà soát, {body}vào kế hoạch.\n")
    paras = paragraphs(raw)
    assert paras[0].startswith("3. Bộ Tư lệnh Thành phố chủ trì") and paras[1].startswith("a) Nhiệm vụ: Tham mưu UBND Thành phố")
    assert paras[2] == "4. Phòng Kinh tế, Hạ tầng và Đô thị" and paras[3].startswith("Khẩn trương")
