"""Documents as offices have them, made by the tests themselves: a Word plan whose duties sit in an appendix
table (merged cells, a header repeated on the next page, paragraphs after it), the same plan as Word 97-2003
(.doc, written by LibreOffice) and OpenDocument, a text PDF with a table, and scanned pages (a clean 300-dpi
page and a skewed, noisy 200-dpi one) read by OCR.

Every fixture plan is synthetic: "Kế hoạch thử nghiệm" of a fictitious "tỉnh Mẫu Thử", and says so."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ingest import ocr
from ingest.duties import extract_duties
from ingest.pipeline import parse_file, parse_files
from ingest.readers import SkipFile, read_document
from ingest.table_duties import cell_deadline, read_row, table_duties
from ingest.tables import table_paragraphs
from scans import char_error_rate, font_path, image_pdf, render_page

MAX_CHARS, OVERLAP, MAX_MB = 1200, 150, 20.0
NOTE = "Văn bản tổng hợp để kiểm thử phần mềm, không phải kế hoạch thật."
HEADER = ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
ROWS = [
    ["1", "Thành lập Đội Thanh niên xung kích phòng, chống ma túy tại các xã", "Tỉnh Đoàn",
     "Công an tỉnh\nSở Giáo dục và Đào tạo", "Quý II/2025"],
    ["2", "Rà soát, thống kê người sử dụng trái phép chất ma túy trên địa bàn", "Sở Y tế",
     "Công an tỉnh", "30/6/2025"],
    # a page break: the header row is repeated on the new page
    ["3", "Kiện toàn Ban Chỉ đạo phòng, chống ma túy cấp xã", "Sở Nội vụ",
     "Ủy ban nhân dân các huyện", "Tháng 9/2025"],
    ["4", "Tổng hợp, báo cáo kết quả thực hiện Kế hoạch", "Văn phòng Ủy ban nhân dân tỉnh", None,
     "15/12/2025"],  # lead and partners merged into one cell
]
need_soffice = pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice missing — run `make ocr`")
need_ocr = pytest.mark.skipif(ocr.missing() is not None, reason="Tesseract missing — run `make ocr`")


# --- fixtures ---------------------------------------------------------------------------------------


def write_plan_docx(path: Path) -> Path:
    import docx
    from docx.enum.text import WD_BREAK

    d = docx.Document()
    top = d.add_table(rows=2, cols=2)  # the layout table: issuer beside the national motto
    top.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTỈNH MẪU THỬ"
    top.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    top.cell(1, 0).text = "Số: 99/KH-UBND"
    top.cell(1, 1).text = "Mẫu Thử, ngày 10 tháng 3 năm 2025"
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("Thử nghiệm phân công nhiệm vụ phòng, chống ma túy năm 2025")
    d.add_paragraph(NOTE)
    d.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU")
    d.add_paragraph("Phân công rõ cơ quan chủ trì, cơ quan phối hợp và thời gian hoàn thành từng nhiệm vụ.")
    d.add_paragraph("II. PHÂN CÔNG NHIỆM VỤ")
    d.add_paragraph("Các nhiệm vụ cụ thể được phân công theo bảng sau:")
    table = d.add_table(rows=1, cols=5)
    for cell, text in zip(table.rows[0].cells, HEADER):
        cell.text = text
    group = table.add_row().cells
    group[0].text = "I"
    group[1].merge(group[4]).text = "CÔNG TÁC TUYÊN TRUYỀN, PHÒNG NGỪA"
    for k, values in enumerate(ROWS):
        if k == 2:
            repeat = table.add_row().cells
            for cell, text in zip(repeat, HEADER):
                cell.text = text
            # Word's own page layout: the repeated header starts page 2
            repeat[0].paragraphs[0].runs[0]._r.insert(0, _rendered_break())
        cells = table.add_row().cells
        for i, text in enumerate(values):
            if text is None:
                cells[i - 1].merge(cells[i])
                continue
            cells[i].text = text
    d.add_paragraph("III. TỔ CHỨC THỰC HIỆN")
    p = d.add_paragraph("1. Các sở, ngành báo cáo kết quả thực hiện về Công an tỉnh trước ngày 15/12/2025.")
    p.runs[0]._r.insert(0, _rendered_break())
    d.add_paragraph("Nơi nhận:")
    d.add_paragraph("- Lưu: VT.")
    page_break = d.paragraphs[-1].add_run()
    page_break.add_break(WD_BREAK.PAGE)  # an explicit break too: the rendered ones win
    d.save(str(path))
    return path


def _rendered_break():
    from docx.oxml import OxmlElement

    return OxmlElement("w:lastRenderedPageBreak")


def soffice_convert(source: Path, fmt: str, out_dir: Path) -> Path:
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(out_dir / 'profile').as_uri()}", "--headless", "--convert-to", fmt,
         "--outdir", str(out_dir), str(source)],
        check=True, capture_output=True, timeout=240,
    )
    return out_dir / (source.stem + "." + fmt.split(":")[0])


def write_table_pdf(path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(font_path())))
    style = ParagraphStyle("vi", fontName="DejaVuSans", fontSize=10, leading=13)
    cell = ParagraphStyle("cell", fontName="DejaVuSans", fontSize=8, leading=10)
    story = [Paragraph(t, style) for t in (
        "ỦY BAN NHÂN DÂN TỈNH MẪU THỬ", "KẾ HOẠCH", "Thử nghiệm đọc bảng trong tệp PDF", NOTE,
        "I. MỤC ĐÍCH, YÊU CẦU", "Nêu rõ trách nhiệm từng cơ quan.",
    )]
    story.append(PageBreak())
    story += [Paragraph("II. PHÂN CÔNG NHIỆM VỤ", style), Paragraph("Các nhiệm vụ theo bảng sau:", style)]
    data = [HEADER] + [[v or "" for v in row] for row in ROWS[:3]]
    story.append(Table([[Paragraph(v.replace("\n", "<br/>"), cell) for v in row] for row in data],
                       colWidths=[30, 190, 90, 110, 70],
                       style=TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")])))
    story += [Paragraph("III. TỔ CHỨC THỰC HIỆN", style),
              Paragraph("1. Công an tỉnh tổng hợp báo cáo trước ngày 20/12/2025.", style)]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


SCAN_TEXT = (
    "KẾ HOẠCH THỬ NGHIỆM (bản quét tổng hợp để kiểm thử, không phải văn bản thật)\n"
    "II. NHIỆM VỤ\n"
    "3. Bộ Chỉ huy Quân sự tỉnh chủ trì, phối hợp với Công an tỉnh tổ chức tuần tra, kiểm soát "
    "khu vực biên giới; báo cáo kết quả trước ngày 30/11/2025."
)


@pytest.fixture(autouse=True)
def ocr_cache(tmp_path, monkeypatch):
    """OCR results are cached under XDG_CACHE_HOME: a fresh, private one per test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    folder = tmp_path_factory.mktemp("van-ban")
    return write_plan_docx(folder / "ke-hoach-thu-nghiem.docx")


@pytest.fixture(scope="module")
def office_parsed(office):
    return parse_file(office, MAX_CHARS, OVERLAP, MAX_MB)


# --- tables read as tables, in place ------------------------------------------------------------------


def test_docx_table_stands_where_it_is_and_rows_keep_their_header(office_parsed):
    document, _ = office_parsed
    text = document.text
    row = ("- STT: 1 · Nội dung nhiệm vụ: Thành lập Đội Thanh niên xung kích phòng, chống ma túy tại các xã · "
           "Cơ quan chủ trì: Tỉnh Đoàn · Cơ quan phối hợp: Công an tỉnh; Sở Giáo dục và Đào tạo · "
           "Thời gian hoàn thành: Quý II/2025")
    assert row in text
    assert text.index("theo bảng sau") < text.index(row) < text.index("III. TỔ CHỨC THỰC HIỆN") < text.index("Nơi nhận")


def test_merged_cells_and_repeated_header(office_parsed):
    document, _ = office_parsed
    text = document.text
    assert text.count("Nội dung nhiệm vụ:") == 4  # four data rows; the repeated header is not a row
    assert "STT: STT" not in text and "Nội dung nhiệm vụ: Nội dung nhiệm vụ" not in text
    # the group row merged across the table reads once, as a heading
    assert "I. CÔNG TÁC TUYÊN TRUYỀN, PHÒNG NGỪA" in text
    assert text.count("CÔNG TÁC TUYÊN TRUYỀN") == 1
    # lead and partners merged into one cell: read once, under the first column's header
    assert "Cơ quan chủ trì: Văn phòng Ủy ban nhân dân tỉnh · Thời gian hoàn thành: 15/12/2025" in text


def test_layout_table_keeps_the_plan_metadata(office_parsed):
    document, _ = office_parsed
    assert document.number == "99/KH-UBND"
    assert document.date == "2025-03-10"
    assert document.kind == "Kế hoạch"


def test_docx_pages_from_word_page_breaks(office_parsed):
    _, chunks = office_parsed
    by_text = {c.text.split(" · ")[1] if " · " in c.text else c.text[:40]: c for c in chunks}
    first = next(c for c in chunks if "Đội Thanh niên xung kích" in c.text)
    third = next(c for c in chunks if "Kiện toàn Ban Chỉ đạo" in c.text)
    closing = next(c for c in chunks if "báo cáo kết quả thực hiện về Công an tỉnh" in c.text)
    assert (first.pages, third.pages, closing.pages) == ("1", "2", "3"), by_text.keys()
    assert all(c.ocr_confidence is None for c in chunks)


def test_table_rows_become_duty_records(office_parsed):
    document, chunks = office_parsed
    duties = extract_duties([document], chunks)
    rows = {(d.agency, d.role): d for d in duties}
    lead = rows[("Tỉnh Đoàn", "chủ trì")]
    assert lead.text == "Thành lập Đội Thanh niên xung kích phòng, chống ma túy tại các xã"
    assert lead.deadline_text == "Quý II/2025" and lead.due.isoformat() == "2025-06-30"
    assert ("Công an tỉnh", "phối hợp") in rows and ("Sở Giáo dục và Đào tạo", "phối hợp") in rows
    assert rows[("Sở Y tế", "chủ trì")].due.isoformat() == "2025-06-30"
    assert rows[("Sở Nội vụ", "chủ trì")].due.isoformat() == "2025-09-30"
    assert rows[("Sở Nội vụ", "chủ trì")].text == "Kiện toàn Ban Chỉ đạo phòng, chống ma túy cấp xã"
    assert rows[("Văn phòng Ủy ban nhân dân tỉnh", "chủ trì")].due.isoformat() == "2025-12-15"
    # the lead and the first supporting body never run together
    assert not any("Tỉnh Đoàn Công an" in d.agency for d in duties)
    # the paragraph after the table still gives its duty by the section rules
    assert any(d.due and d.due.isoformat() == "2025-12-15" and "Các sở, ngành" in d.agency for d in duties)


def test_read_row_and_deadline_cells():
    cells = read_row("- STT: 2 · Nội dung công việc: Tuyên truyền · Đơn vị chủ trì: Sở Y tế · "
                     "Đơn vị phối hợp: Công an tỉnh · Thời gian thực hiện: Tháng 5/2025")
    assert cells == {"task": "Tuyên truyền", "lead": "Sở Y tế", "partners": "Công an tỉnh", "deadline": "Tháng 5/2025"}
    assert read_row("Nội dung nhiệm vụ: không phải hàng của bảng") is None
    assert cell_deadline("Tháng 5/2025").date.isoformat() == "2025-05-31"
    assert cell_deadline("Quý IV/2025").date.isoformat() == "2025-12-31"
    assert cell_deadline("trước ngày 22/11/2025").date.isoformat() == "2025-11-22"
    assert cell_deadline("Năm 2026").date.isoformat() == "2026-12-31"
    assert cell_deadline("Thường xuyên").kind == "period"
    [row] = table_duties("- Nội dung nhiệm vụ: Kiểm tra · Cơ quan thực hiện: Sở Y tế · Thời gian: 01/02/2026")
    assert (row.executors, row.lead, row.deadline.date.isoformat()) == (("Sở Y tế",), (), "2026-02-01")


def test_two_row_header_and_column_numbers():
    grid = [
        ["TT", "Nhiệm vụ", "Cơ quan thực hiện", None, "Thời gian"],
        ["TT", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời gian"],
        ["(1)", "(2)", "(3)", "(4)", "(5)"],
        ["1", "Kiểm tra cơ sở", "Sở Y tế", "Công an tỉnh", "Quý I/2026"],
    ]
    assert table_paragraphs(grid) == [
        "- TT: 1 · Nhiệm vụ: Kiểm tra cơ sở · Cơ quan thực hiện chủ trì: Sở Y tế · "
        "Cơ quan thực hiện phối hợp: Công an tỉnh · Thời gian: Quý I/2026"
    ]


# --- Word 97-2003 and OpenDocument -------------------------------------------------------------------


@need_soffice
def test_doc_and_odt_read_through_libreoffice(office, tmp_path):
    for fmt in ("doc:MS Word 97", "odt"):
        converted = soffice_convert(office, fmt, tmp_path)
        assert converted.exists() and converted.suffix in (".doc", ".odt")
        document, chunks = parse_file(converted, MAX_CHARS, OVERLAP, MAX_MB)
        assert document.number == "99/KH-UBND", fmt
        assert ("Cơ quan chủ trì: Sở Nội vụ · Cơ quan phối hợp: Ủy ban nhân dân các huyện · "
                "Thời gian hoàn thành: Tháng 9/2025") in document.text, fmt
        duties = extract_duties([document], chunks)
        assert any(d.agency == "Tỉnh Đoàn" and d.role == "chủ trì" for d in duties), fmt
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["ke-hoach-thu-nghiem.doc", "ke-hoach-thu-nghiem.odt"]


@need_soffice
def test_password_protected_doc_is_refused(office, tmp_path):
    import olefile

    doc = soffice_convert(office, "doc:MS Word 97", tmp_path)
    with olefile.OleFileIO(str(doc), write_mode=True) as ole:  # set the FIB's fEncrypted flag
        fib = bytearray(ole.openstream("WordDocument").read())
        fib[11] |= 0x01
        ole.write_stream("WordDocument", bytes(fib))
    with pytest.raises(SkipFile, match="mật khẩu"):
        read_document(doc, MAX_MB)


def test_a_word_97_file_named_docx_is_explained(tmp_path):
    fake = tmp_path / "cu.docx"
    fake.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(SkipFile, match=r"\.doc"):
        read_document(fake, MAX_MB)


# --- text PDF with a table -----------------------------------------------------------------------------


def test_text_pdf_table_in_place_with_pages(tmp_path):
    document, chunks = parse_file(write_table_pdf(tmp_path / "bang.pdf"), MAX_CHARS, OVERLAP, MAX_MB)
    text = document.text
    row = next(c for c in chunks if "Rà soát, thống kê" in c.text)
    assert "Cơ quan chủ trì: Sở Y tế · Cơ quan phối hợp: Công an tỉnh · Thời gian hoàn thành: 30/6/2025" in row.text
    assert "Cơ quan phối hợp: Công an tỉnh; Sở Giáo dục và Đào tạo" in text  # one body per printed line
    assert text.index("theo bảng sau") < text.index("Rà soát, thống kê") < text.index("III. TỔ CHỨC THỰC HIỆN")
    assert all(c.pages for c in chunks)  # every chunk of a PDF carries its page
    assert row.pages == "2"
    assert next(c for c in chunks if "Nêu rõ trách nhiệm" in c.text).pages == "1"
    duties = extract_duties([document], chunks)
    assert any(d.agency == "Sở Y tế" and d.role == "chủ trì" and d.due.isoformat() == "2025-06-30" for d in duties)


# --- scanned pages ------------------------------------------------------------------------------------

SMALL = (8.27, 3.2)  # a strip of an A4 page: enough lines to read, quick to OCR


@need_ocr
def test_scanned_page_is_read_by_ocr(tmp_path, monkeypatch):
    image, lines = render_page(SCAN_TEXT, dpi=300, size_inches=SMALL)
    pdf = image_pdf([image], tmp_path / "quet.pdf", 300)
    messages: list[str] = []
    result = parse_files([pdf], MAX_CHARS, OVERLAP, MAX_MB, progress=messages.append)
    [document] = result.documents
    assert char_error_rate("\n".join(lines), document.text) < 0.02
    assert "Bộ Chỉ huy Quân sự tỉnh chủ trì" in document.text
    assert "trước ngày 30/11/2025" in document.text
    assert any("(OCR) trang 1" in m for m in messages) and any("độ tin cậy" in m for m in messages)
    assert all(c.pages == "1" and c.ocr_confidence and c.ocr_confidence > 80 for c in result.chunks)
    duties = extract_duties(result.documents, result.chunks)
    assert any(d.agency.startswith("Bộ Chỉ huy Quân sự") and d.role == "chủ trì" for d in duties)
    # ingesting the unchanged scan again reads the cache: it works even with Tesseract gone
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setattr(ocr, "missing", lambda: None)
    again = parse_files([pdf], MAX_CHARS, OVERLAP, MAX_MB)
    assert [d.text for d in again.documents] == [document.text]


@need_ocr
def test_skewed_noisy_scan_and_mixed_pdf(tmp_path):
    """Page 1 has a text layer and keeps it; page 2 is a skewed, noisy 200-dpi scan read by OCR."""
    from pypdf import PdfReader, PdfWriter

    typed = write_table_pdf(tmp_path / "typed.pdf")
    image, lines = render_page(SCAN_TEXT, dpi=200, size_inches=SMALL, skew_degrees=0.7, noise=0.02)
    scan = image_pdf([image], tmp_path / "scan.pdf", 200)
    writer = PdfWriter()
    writer.add_page(PdfReader(str(typed)).pages[0])
    writer.add_page(PdfReader(str(scan)).pages[0])
    mixed = tmp_path / "tron.pdf"
    with mixed.open("wb") as f:
        writer.write(f)
    raw = read_document(mixed, MAX_MB)
    assert [p.ocr for p in raw.pages] == [False, True]
    assert "Nêu rõ trách nhiệm từng cơ quan." in raw.pages[0].text
    assert char_error_rate("\n".join(lines), raw.pages[1].text) < 0.03
    assert "Quân sự" in raw.pages[1].text and "30/11/2025" in raw.pages[1].text
    document, chunks = parse_file(mixed, MAX_CHARS, OVERLAP, MAX_MB)
    scanned = [c for c in chunks if c.pages == "2"]
    assert scanned and all(c.ocr_confidence for c in scanned)
    assert all(c.ocr_confidence is None for c in chunks if c.pages == "1")


def test_broken_text_layer_is_measured():
    assert ocr.text_layer_ok("Kế hoạch phòng, chống ma túy năm 2025 của Ủy ban nhân dân tỉnh.")
    assert not ocr.text_layer_ok("KÕ ho¹ch phßng, chèng ma tóy n¨m 2025 cña ñy ban nh©n d©n tØnh.")  # TCVN3 font
    assert not ocr.text_layer_ok("\ufffd\ufffd\ufffd \ufffd\ufffd \ufffd\ufffd\ufffd\ufffd\ufffd hoạch")
    assert not ocr.text_layer_ok("12")  # a page number only


def test_without_tesseract_a_scan_is_skipped_with_the_fix(tmp_path, monkeypatch):
    image, _ = render_page(SCAN_TEXT, dpi=150, size_inches=SMALL)
    pdf = image_pdf([image], tmp_path / "quet.pdf", 150)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no tesseract, no pdftoppm on PATH
    result = parse_files([pdf], MAX_CHARS, OVERLAP, MAX_MB)
    [skipped] = result.skipped
    assert "ảnh quét" in skipped.reason and "make ocr" in skipped.reason and "1 trang" in skipped.reason


# --- pages in citations -------------------------------------------------------------------------------


def test_citation_json_and_web_panel_name_the_page(office_parsed):
    from assistant.answer import Answer, citation_for
    from tracuu.web_chat import passage_html

    document, chunks = office_parsed
    chunk = next(c for c in chunks if "Kiện toàn Ban Chỉ đạo" in c.text)
    cited = citation_for(1, chunk, document)
    answer = Answer(question="q", text="a [1]", refused=False, citations=[cited], timings={}, model="m")
    [row] = answer.to_json()["citations"]
    assert (row["page"], row["pages"], row["scan_note"]) == (2, "2", "")
    assert row["section"] == chunk.section and row["quote"] == chunk.text  # the contract's fields stay
    assert "trang 2" in passage_html(cited, {document.doc_id: document})
    from dataclasses import replace

    scanned = replace(cited, pages="3-4", ocr_confidence=61.5)
    html = passage_html(scanned, {})
    assert "trang 3-4" in html and "(văn bản nhận dạng từ ảnh quét)" in html
    typed = Answer(question="q", text="a", refused=False, citations=[replace(cited, pages=None)], timings={}, model="m")
    assert typed.to_json()["citations"][0]["page"] is None
