"""Read .txt, .md, .docx and .pdf files into raw text. A file that cannot be used raises SkipFile
with a reason the user can act on."""

from __future__ import annotations

import unicodedata
from pathlib import Path

SUPPORTED = (".txt", ".md", ".docx", ".pdf")


class SkipFile(Exception):
    """This file is reported and skipped; the rest of the run goes on."""


def read_text(path: Path, max_mb: float) -> str:
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
    reader = {".txt": _read_plain, ".md": _read_plain, ".docx": _read_docx, ".pdf": _read_pdf}[suffix]
    text = reader(path)
    if not text.strip():
        raise SkipFile("không có chữ nào (tệp trống hoặc PDF dạng ảnh quét — cần OCR trước)")
    return text


# a text file must be mostly letters: at least this share of its visible characters (Vietnamese plans
# are ~80 %; tables of figures ~60 %), and almost no control characters
MIN_LETTER_SHARE = 0.5
MAX_CONTROL_SHARE = 0.01


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


def _letter_share(text: str) -> tuple[float, float]:
    """(letters, control characters) as shares of the visible characters."""
    visible = [c for c in text if not c.isspace()]
    if not visible:
        return 0.0, 0.0
    letters = sum(c.isalpha() for c in visible)
    controls = sum(unicodedata.category(c) == "Cc" for c in visible)
    return letters / len(visible), controls / len(visible)


def _letters_or_skip(text: str) -> str:
    letters, controls = _letter_share(text)
    if text.strip() and controls > MAX_CONTROL_SHARE:
        raise SkipFile(f"không phải văn bản: {controls:.0%} ký tự là ký tự điều khiển")
    if text.strip() and letters < MIN_LETTER_SHARE:
        raise SkipFile(f"không giống văn bản: chỉ {letters:.0%} ký tự là chữ cái (cần ít nhất {MIN_LETTER_SHARE:.0%})")
    return text


def _read_docx(path: Path) -> str:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise SkipFile(f"tệp .docx hỏng hoặc không phải Word ({exc})") from exc
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("  ".join(cell.text for cell in row.cells))
    return "\n\n".join(parts)


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise SkipFile(f"tệp PDF hỏng ({exc})") from exc
    if pages and not "".join(pages).strip():
        raise SkipFile(f"PDF {len(pages)} trang không có lớp chữ (ảnh quét) — cần OCR trước khi nạp")
    return "\n".join(pages)
