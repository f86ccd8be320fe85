"""Read .txt, .md, .docx, .doc, .odt and .pdf files into raw text, page by page where the file has pages.
A file that cannot be used raises SkipFile with a reason the user can act on.

- .docx: paragraphs and tables in document order; a table keeps its header in each row (ingest.tables);
  Word's page breaks (the pages Word last rendered, else the explicit breaks) give the pages.
- .doc, .odt: converted to .docx by LibreOffice headless (Debian's libreoffice-writer-nogui, `make ocr`)
  in a private temporary folder, then read as .docx — LibreOffice keeps the tables as tables.
- .pdf: pdfplumber, tables read in place on their page; a page without a usable text layer is read by
  OCR (ingest.ocr).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path
from typing import Callable

from ingest.pages import RawPage, RawText
from ingest.tables import table_paragraphs, table_rows
from ingest.text_tables import tables_as_rows

SUPPORTED = (".txt", ".md", ".docx", ".doc", ".odt", ".pdf")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONVERT_TIMEOUT = 180


class SkipFile(Exception):
    """This file is reported and skipped; the rest of the run goes on."""


def read_text(path: Path, max_mb: float) -> str:
    """The file's raw text (pages separated by form feeds)."""
    return read_document(path, max_mb).text


def read_document(path: Path, max_mb: float, progress: Callable[[str], None] = lambda _: None) -> RawText:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise SkipFile(f"định dạng {suffix or '(không có đuôi)'} không được hỗ trợ (chỉ nhận {', '.join(SUPPORTED)})")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SkipFile(f"không đọc được tệp ({exc.strerror or exc})") from exc
    if size == 0:
        raise SkipFile("tệp rỗng")
    if size > max_mb * 1024 * 1024:
        raise SkipFile(f"tệp quá lớn ({size / 1048576:.1f} MB > {max_mb:g} MB; đổi TRACUU_MAX_FILE_MB nếu cần)")
    from ingest.bounds import check

    check(path)  # a zip that unpacks too far or a PDF of too many pages is refused before it is read
    if suffix in (".txt", ".md"):
        raw = RawText.plain(tables_as_rows(_read_plain(path)))
    elif suffix == ".docx":
        raw = _read_docx(path)
    elif suffix in (".doc", ".odt"):
        raw = _read_converted(path)
    else:
        raw = _read_pdf(path, progress)
    if not raw.text.strip():
        raise SkipFile("không có chữ nào (tệp trống hoặc PDF dạng ảnh quét — cần OCR trước)")
    return raw


# a text file is told from garbage by its encoding (it decodes as UTF-8 or UTF-16) and its script: almost no
# characters that no text holds (control characters, private-use or unassigned code points, U+FFFD where a
# converter lost a character), and its letters mostly Latin, as Vietnamese is. Not by the share of letters:
# a decree whose appendix lists chemical names, formulas and figures is text with under half letters.
MAX_CONTROL_SHARE = 0.01
MIN_LETTER_SHARE = 0.05  # a file of figures and symbols only (a dump, not a document)
MIN_LATIN_SHARE = 0.6  # of the letters
def _read_plain(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Notepad's "Unicode": UTF-16 with a byte-order mark
        try:
            return _letters_or_skip(data.decode("utf-16"))
        except UnicodeDecodeError as exc:
            raise SkipFile("tệp UTF-16 hỏng") from exc
    if b"\x00" in data[:8192]:
        order = _utf16_without_bom(data[:8192])
        if order:
            raise SkipFile(f"tệp văn bản UTF-16 ({order}) không có dấu BOM ở đầu — mở bằng trình soạn thảo "
                           "và lưu lại với mã hoá UTF-8")
        raise SkipFile("tệp nhị phân, không phải văn bản")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SkipFile("không phải văn bản UTF-8 (hãy lưu lại tệp với mã hoá UTF-8)") from exc
    return _letters_or_skip(text)


def _utf16_without_bom(head: bytes) -> str | None:
    """'little-endian' / 'big-endian' when the bytes read as UTF-16 text (zero high bytes on one side
    of most pairs, as ASCII letters, digits and spaces have), else None."""
    pairs = len(head) // 2
    if pairs < 8:
        return None
    even = sum(1 for i in range(0, 2 * pairs, 2) if head[i] == 0) / pairs
    odd = sum(1 for i in range(1, 2 * pairs, 2) if head[i] == 0) / pairs
    for zeros, other, order in ((odd, even, "little-endian"), (even, odd, "big-endian")):
        if zeros >= 0.3 and other <= 0.02:
            try:
                text = head[: 2 * pairs].decode("utf-16-le" if order == "little-endian" else "utf-16-be")
            except UnicodeDecodeError:
                return None
            if _letter_share(text)[0] >= MIN_LETTER_SHARE:
                return order
    return None


def _letter_share(text: str) -> tuple[float, float, float]:
    """(letters, characters no text holds, Latin letters among the letters) as shares of the visible
    characters (the last of the letters)."""
    visible = [c for c in text if not c.isspace()]
    if not visible:
        return 0.0, 0.0, 1.0
    letters = [c for c in visible if c.isalpha()]
    junk = sum(c == "\ufffd" or unicodedata.category(c) in ("Cc", "Co", "Cn", "Cs") for c in visible)
    latin = sum(_is_latin(c) for c in letters)
    return len(letters) / len(visible), junk / len(visible), latin / len(letters) if letters else 1.0


def _is_latin(c: str) -> bool:
    return c < "\u0250" or "\u1e00" <= c <= "\u1eff"  # Basic Latin to Latin Extended-B, and Vietnamese's block


def _letters_or_skip(text: str) -> str:
    letters, junk, latin = _letter_share(text)
    if text.strip() and junk > MAX_CONTROL_SHARE:
        raise SkipFile(f"không phải văn bản: {junk:.0%} ký tự không đọc được (ký tự điều khiển, mã hỏng) — "
                       "kiểm tra lại tệp, hoặc lưu lại với mã hoá UTF-8")
    if text.strip() and letters < MIN_LETTER_SHARE:
        raise SkipFile(f"không giống văn bản: chỉ {letters:.0%} ký tự là chữ cái")
    if text.strip() and latin < MIN_LATIN_SHARE:
        raise SkipFile(f"không giống văn bản tiếng Việt: chỉ {latin:.0%} chữ cái thuộc bảng chữ Latinh — "
                       "có thể tệp bị đọc sai mã hoá")
    return text


# -- Word ------------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _read_docx(path: Path) -> RawText:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if path.read_bytes()[:8] == _OLE_MAGIC:
        if _ole_encrypted(path):
            raise SkipFile(_PASSWORD)
        raise SkipFile("tệp .docx thực ra là tệp Word 97–2003 — đổi đuôi thành .doc rồi nạp lại")
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise SkipFile(f"tệp .docx hỏng hoặc không phải Word ({exc})") from exc
    body = document.element.body
    rendered = bool(body.xpath(".//w:lastRenderedPageBreak"))  # Word saved its page layout: use it
    pages: list[list[str]] = [[]]
    for block in _blocks(body):
        tag = block.tag
        if tag == _W + "p":
            for k, piece in enumerate(_paragraph_pieces(block, rendered)):
                if k:
                    pages.append([])
                if piece.strip():
                    pages[-1].append(piece)
        elif tag == _W + "tbl":
            for breaks, text in _table_blocks(docx.table.Table(block, document._body), rendered):
                for _ in range(breaks):
                    pages.append([])
                pages[-1].append(text)
    raw_pages = [RawPage("\n\n".join(p)) for p in pages]
    while len(raw_pages) > 1 and not raw_pages[-1].text.strip():
        raw_pages.pop()
    return RawText(raw_pages, paged=len(raw_pages) > 1)


def _blocks(parent):
    """The body's paragraphs and tables in document order, inside content controls too."""
    for child in parent.iterchildren():
        if child.tag in (_W + "p", _W + "tbl"):
            yield child
        elif child.tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _blocks(content)


def _paragraph_pieces(p, rendered: bool) -> list[str]:
    """A paragraph's text, cut where a page begins: [text] without a break, [before, after] with one."""
    pieces = [""]
    ppr = p.find(_W + "pPr")
    if not rendered and ppr is not None and ppr.find(_W + "pageBreakBefore") is not None:
        pieces.append("")
    for el in p.iter():
        tag = el.tag
        if tag == _W + "t":
            pieces[-1] += el.text or ""
        elif tag == _W + "tab":
            if el.getparent().tag == _W + "r":
                pieces[-1] += "\t"
        elif tag in (_W + "br", _W + "cr"):
            if el.get(_W + "type") == "page":
                if not rendered:
                    pieces.append("")
            else:
                pieces[-1] += "\n"
        elif tag == _W + "lastRenderedPageBreak" and rendered:
            pieces.append("")
    return pieces


def _cell_lines(tc, rendered: bool) -> tuple[str, int]:
    """A cell's paragraphs (one per line) and how many page breaks it holds."""
    lines, breaks = [], 0
    for p in tc.iter(_W + "p"):
        pieces = _paragraph_pieces(p, rendered)
        breaks += len(pieces) - 1
        lines.append(" ".join(x.strip() for x in pieces if x.strip()))
    return "\n".join(line for line in lines if line), breaks


def _table_blocks(table, rendered: bool) -> list[tuple[int, str]]:
    """(page breaks before it, paragraph) for each paragraph a table gives, in order. A horizontally merged
    cell is read once (python-docx repeats it in each grid column it spans)."""
    grid: list[list[str | None]] = []
    row_breaks: list[int] = []
    for row in table.rows:
        cells: list[str | None] = []
        breaks, last = 0, None
        for cell in row.cells:
            if cell._tc is last:
                cells.append(None)
                continue
            last = cell._tc
            text, b = _cell_lines(cell._tc, rendered)
            breaks = max(breaks, b)
            cells.append(text)
        grid.append(cells)
        row_breaks.append(breaks)
    by_row: dict[int, list[str]] = {}
    for index, text in table_rows(grid):
        by_row.setdefault(index, []).append(text)
    out, pending = [], 0
    for index, breaks in enumerate(row_breaks):
        pending += breaks  # a row that gives no paragraph (a repeated header) passes its break on
        for text in by_row.get(index, []):
            out.append((pending, text))
            pending = 0
    return out


# -- Word 97-2003 and OpenDocument, through LibreOffice -----------------------------------------------

_PASSWORD = "tệp được bảo vệ bằng mật khẩu — hãy mở tệp, gỡ mật khẩu (hoặc lưu một bản không mật khẩu) rồi nạp lại"


def _read_converted(path: Path) -> RawText:
    """A .doc or .odt converted to .docx by LibreOffice headless, in a private temporary folder."""
    if path.suffix.lower() == ".doc" and _ole_encrypted(path):
        raise SkipFile(_PASSWORD)
    if path.suffix.lower() == ".odt" and _odt_encrypted(path):
        raise SkipFile(_PASSWORD)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise SkipFile(f"cần LibreOffice để đọc tệp {path.suffix} — chạy `make ocr` (cài libreoffice-writer-nogui) rồi nạp lại")
    with tempfile.TemporaryDirectory(prefix="tracuu-convert-") as tmp:
        tmp_dir = Path(tmp)
        source = tmp_dir / ("source" + path.suffix.lower())
        shutil.copyfile(path, source)  # never write beside the user's file
        cmd = [soffice, f"-env:UserInstallation={(tmp_dir / 'profile').as_uri()}", "--headless", "--norestore",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_dir / "out"), str(source)]
        try:
            from ingest.bounds import run_isolated  # its own process group, killed whole; no network

            done = run_isolated(cmd, _CONVERT_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise SkipFile(f"LibreOffice không chuyển được tệp trong {_CONVERT_TIMEOUT} giây (tệp hỏng hoặc có mật khẩu?)") from exc
        converted = tmp_dir / "out" / "source.docx"
        if not converted.exists():
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise SkipFile(
                f"LibreOffice không đọc được tệp {path.suffix} (tệp hỏng, có mật khẩu hoặc không phải văn bản Word)"
                + (f": {detail[-1][:200]}" if detail else "")
            )
        return _read_docx(converted)


def _ole_encrypted(path: Path) -> bool:
    """A Word 97-2003 file whose FIB says fEncrypted, or an OLE container of an encrypted .docx."""
    try:
        import olefile
    except ImportError:  # pragma: no cover - olefile is a dependency
        return False
    try:
        if not olefile.isOleFile(str(path)):
            return False
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
                return True
            if ole.exists("WordDocument"):
                fib = ole.openstream("WordDocument").read(12)
                return len(fib) >= 12 and bool(int.from_bytes(fib[10:12], "little") & 0x0100)
    except Exception:  # noqa: BLE001 - a damaged container: not known to be encrypted, LibreOffice will say
        return False
    return False


def _odt_encrypted(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return b"encryption-data" in z.read("META-INF/manifest.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return False


# -- PDF ---------------------------------------------------------------------------------------------


def _read_pdf(path: Path, progress: Callable[[str], None]) -> RawText:
    from ingest import ocr

    try:
        import pdfplumber
        from pdfminer.pdfparser import PDFSyntaxError
        from pdfplumber.utils.exceptions import PdfminerException
    except ImportError as exc:  # pragma: no cover - a dependency
        raise SkipFile(f"thiếu thư viện đọc PDF ({exc}) — chạy `make setup`") from exc
    try:
        with pdfplumber.open(str(path)) as pdf:
            texts = [_pdf_page_text(page) for page in pdf.pages]
    except (PdfminerException, PDFSyntaxError, ValueError, KeyError, OSError) as exc:
        raise SkipFile(f"tệp PDF hỏng ({exc})") from exc
    n = len(texts)
    pages = [RawPage(t) for t in texts]
    todo = [i for i, t in enumerate(texts) if not ocr.text_layer_ok(t)]
    notes: list[str] = []
    if todo:
        why = ocr.missing()
        if why:
            if len(todo) == n:
                raise SkipFile(f"PDF {n} trang không có lớp chữ (ảnh quét) — {why}")
            notes.append(f"{len(todo)}/{n} trang là ảnh quét, chưa đọc được: {why}")
            progress(f"{path.name}: {notes[-1]}")
        else:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            for k, i in enumerate(todo, 1):
                progress(f"{path.name}: nhận dạng chữ (OCR) trang {i + 1} ({k}/{len(todo)} trang ảnh quét)…")
                page = ocr.cached_page(sha, i + 1)
                if page is None:
                    try:
                        page = ocr.ocr_pdf_page(path, i + 1)
                    except ocr.OcrError as exc:
                        notes.append(f"trang {i + 1}: OCR lỗi ({exc})")
                        progress(f"{path.name}: {notes[-1]}")
                        continue
                    ocr.store_page(sha, i + 1, page)
                pages[i] = page
                notes.append(f"trang {i + 1}: OCR, độ tin cậy {page.mean_confidence:.0f}%")
                progress(f"{path.name}: {notes[-1]}")
            if not any(p.text.strip() for p in pages):
                raise SkipFile(f"PDF {n} trang không có lớp chữ (ảnh quét) và OCR không nhận ra chữ nào — kiểm tra bản quét")
    return RawText(pages, paged=True, notes=notes)


def _pdf_cell(cell: str | None) -> str | None:
    """A PDF cell's printed lines: a line that opens with a capital starts a new entry (one body per line
    in a list of bodies); a line that opens in lower case continues the one before."""
    if cell is None:
        return None
    lines = [line.strip() for line in cell.split("\n") if line.strip()]
    out: list[str] = []
    for line in lines:
        if out and not (line[0].isupper() or line[0] in "-+•"):
            out[-1] += " " + line
        else:
            out.append(line)
    return "\n".join(out)


def _pdf_page_text(page) -> str:
    """A page's text with its tables read in place: lines above a table, the table's rows, lines below."""
    try:
        tables = page.find_tables()
    except Exception:  # noqa: BLE001 - a table finder failure leaves the plain text
        tables = []
    blocks: list[tuple[float, str]] = []
    boxes = []
    for table in tables:
        grid = table.extract()
        rows = table_paragraphs([[_pdf_cell(c) for c in row] for row in grid])
        if not rows:
            continue
        boxes.append(table.bbox)
        blocks.append((table.bbox[1], "\n".join(rows)))

    def outside(obj) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    rest = page.filter(outside) if boxes else page
    for line in rest.extract_text_lines(layout=False, strip=True, return_chars=False):
        blocks.append((line["top"], line["text"]))
    blocks.sort(key=lambda b: b[0])
    return "\n".join(text for _, text in blocks)
