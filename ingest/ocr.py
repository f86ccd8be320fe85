"""Scanned pages read by OCR: Debian's Tesseract with its Vietnamese model (`make ocr` installs it),
pages rendered by poppler's pdftoppm. Each page comes back with the confidence of each word.

When is a page read by OCR? When its text layer is missing (fewer than MIN_CHARS letters) or clearly
broken: more than MAX_GARBAGE of its visible characters are not characters a Vietnamese text is written
with (replacement characters, control or private-use code points, letters with marks Vietnamese never
uses, as the old TCVN3/VNI font encodings produce: "KÕ ho¹ch", "Keá hoaïch").
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

from ingest.normalize import nfc
from ingest.pages import RawPage

MIN_CHARS = 20  # a page with fewer letters than this has no usable text layer
MAX_GARBAGE = 0.08  # share of visible characters that are not Vietnamese text
DPI = 300
LANG = "vie"
_TIMEOUT = 300  # seconds for one page
# the marks Vietnamese letters carry: the five tones, circumflex, breve, horn
_VIET_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u0306", "\u031b"}
_PUNCT = set(" \t\n.,;:!?()[]{}\"'-–—/%&+*=<>«»“”‘’…•·§№°_|#@$~^`\\")
_WORD = re.compile(r"\w+")


def missing() -> str | None:
    """Why OCR cannot run here, with the fix; None when Tesseract, its Vietnamese model and pdftoppm are there."""
    if not shutil.which("tesseract") or not shutil.which("pdftoppm"):
        return "chưa cài công cụ OCR (Tesseract, poppler) — chạy `make ocr` rồi nạp lại"
    try:
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return "không chạy được Tesseract — chạy lại `make ocr`"
    if LANG not in langs.split():
        return "Tesseract chưa có mô hình tiếng Việt (tesseract-ocr-vie) — chạy `make ocr` rồi nạp lại"
    return None


def garbage_share(text: str) -> float:
    """Share of the visible characters that a Vietnamese text is not written with."""
    visible = [c for c in text if not c.isspace()]
    if not visible:
        return 0.0
    return sum(not _is_text_char(c) for c in visible) / len(visible)


def _is_text_char(c: str) -> bool:
    if c.isascii():
        return c.isprintable()
    if c in _PUNCT:
        return True
    if c in "đĐ":
        return True
    cat = unicodedata.category(c)
    if cat[0] == "N" and c.isdigit():
        return False  # superscripts/fractions from broken fonts ("ho¹ch")
    if cat[0] != "L":
        return cat in ("Pd", "Pi", "Pf", "Ps", "Pe", "Po") and c != "\ufffd" and c not in "¡¿¬¦"
    base, *marks = unicodedata.normalize("NFD", c)
    return base.isascii() and base.isalpha() and all(m in _VIET_MARKS for m in marks)


def text_layer_ok(text: str) -> bool:
    letters = sum(c.isalpha() for c in text)
    return letters >= MIN_CHARS and garbage_share(text) <= MAX_GARBAGE


def ocr_pdf_page(pdf: Path, number: int, dpi: int = DPI) -> RawPage:
    """One page of a PDF (1-based), rendered at `dpi` and read by Tesseract."""
    with tempfile.TemporaryDirectory(prefix="tracuu-ocr-") as tmp:
        out = Path(tmp) / "page"
        _run(["pdftoppm", "-r", str(dpi), "-f", str(number), "-l", str(number), "-gray", "-png", "-singlefile",
              str(pdf), str(out)])
        image = out.with_suffix(".png")
        despeckle(image)
        return ocr_image(image, dpi)


def despeckle(image: Path) -> None:
    """Remove a scanner's specks (isolated dark or grey pixels) with a 3x3 median filter, in place."""
    from PIL import Image, ImageFilter

    with Image.open(image) as im:
        cleaned = im.convert("L").filter(ImageFilter.MedianFilter(3))
    cleaned.save(image)


def ocr_image(image: Path, dpi: int | None = None) -> RawPage:
    """An image read by Tesseract: the text in reading order (paragraphs apart) with word confidences."""
    cmd = ["tesseract", str(image), "stdout", "-l", LANG, "--psm", "3"]
    if dpi:
        cmd += ["--dpi", str(dpi)]
    tsv = _run(cmd + ["tsv"])
    return parse_tsv(tsv)


def parse_tsv(tsv: str) -> RawPage:
    """Tesseract's TSV (one row per word with its block, paragraph and line) -> text and confidences."""
    lines: list[tuple[tuple[int, int], list[str]]] = []
    confidences: list[float] = []
    last_line = None
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":  # level 5: a word
            continue
        word = nfc(cols[11]).strip()
        if not word:
            continue
        try:
            conf = max(0.0, float(cols[10]))
        except ValueError:
            conf = 0.0
        key = (int(cols[2]), int(cols[3]), int(cols[4]))  # block, paragraph, line
        if key != last_line:
            lines.append(((key[0], key[1]), []))
            last_line = key
        lines[-1][1].append(word)
        confidences.extend([conf] * len(_WORD.findall(word)))
    out: list[str] = []
    last_par = None
    for par, words in lines:
        if last_par is not None and par != last_par:
            out.append("")
        out.append(" ".join(words))
        last_par = par
    return RawPage("\n".join(out), confidences)


def _run(cmd: list[str]) -> str:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # one core per page: the machine is shared
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=_TIMEOUT, env=env)
    except subprocess.TimeoutExpired as exc:
        raise OcrError(f"{cmd[0]} chạy quá {_TIMEOUT} giây") from exc
    except OSError as exc:
        raise OcrError(f"không chạy được {cmd[0]} ({exc}) — chạy `make ocr`") from exc
    if done.returncode != 0:
        raise OcrError(f"{cmd[0]} báo lỗi: {done.stderr.strip()[-300:]}")
    return done.stdout


def cache_dir() -> Path:
    """tracuu's own OCR cache: an unchanged scan is not read again on the next ingest."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tracuu" / "ocr"


def cached_page(file_sha256: str, number: int, dpi: int = DPI) -> RawPage | None:
    """`ocr_pdf_page` through the cache, keyed by the file's hash, the page, the resolution and the model."""
    path = cache_dir() / f"{file_sha256[:32]}-p{number}-{dpi}-{LANG}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return RawPage(data["text"], [float(c) for c in data["confidences"]])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store_page(file_sha256: str, number: int, page: RawPage, dpi: int = DPI) -> None:
    path = cache_dir() / f"{file_sha256[:32]}-p{number}-{dpi}-{LANG}.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"text": page.text, "confidences": page.confidences}, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only home: OCR again next time


class OcrError(Exception):
    """OCR of a page failed; the message says why."""
