"""Rejoin hard-wrapped lines (PDF and Word extraction) into paragraphs.

The plans come in three shapes: wrapped at ~80 characters with `**bold**` headings split over lines,
one line per paragraph, and one line per printed line with a blank line after each. A line break is a
paragraph break only when the evidence says so: the next line opens a numbered/lettered/bulleted item,
the line closes a sentence or a bold heading, or the document writes one paragraph per line.
"""

from __future__ import annotations

import re
import statistics

from ingest.normalize import nfc

# an item marker at the start of a paragraph: "IV.", "3.", "2.1.", "a)", "đ)", "(3)", "-", "+", "•"
MARKER = re.compile(
    r"^(?:(?P<roman>[IVX]{1,5})\.\s"
    r"|(?P<num>\d{1,2}(?:\.\d{1,2}){0,2})\.?\s"
    r"|(?P<letter>[a-zđ])\)\s"
    r"|\((?P<paren>\d{1,2})\)\s"
    r"|(?P<dash>[-–+•])\s?)"
)
_PAGE_NUMBER = re.compile(r"^\d{1,3}$")
_NUMBERED = re.compile(r"^(?:[IVX]{1,5}|\d{1,2}(?:\.\d{1,2}){0,2})\.\s")
_PREAMBLE = re.compile(r"^(?:Căn cứ|Thực hiện)\s")
_END_SENTENCE = re.compile(r"[.;:!?…]['\")”»]*$")
# lines that stand alone whatever the wrapping: a Markdown table row "| a | b |", a Markdown heading
# "# …", and a converter's note naming the source file ("Source: x.docx")
_TABLE_ROW = re.compile(r"^\|.*\|\s*$")
_CELL_BORDER = re.compile(r"^\|$")
_MD_HEADING = re.compile(r"^#{1,6}\s")
CONVERTER_LINE = re.compile(
    r"^(?:Source|Nguồn|File|Tệp)\s*:\s*\S.*\.(?:docx?|pdf|rtf|odt|txt|md|html?)\s*$", re.I
)
# the heading of a part of a legal text starts a paragraph: "Điều 5.", "Chương II", "Mục 1", "PHỤ LỤC"
LEGAL_START = re.compile(
    r"^(?:Điều \d{1,3}[a-zđ]?\.|(?:Chương|CHƯƠNG) [IVXLC]+\b|(?:Mục|MỤC) \d{1,2}\b|(?:Phần|PHẦN) (?:thứ|THỨ|[IVXLC]+\b)"
    r"|(?:Phụ lục|PHỤ LỤC)(?: [IVXLC\d]+)?$|DANH MỤC [IVXLC]+$)"
)
_RECIPIENTS = re.compile(r"^Nơi nhận\b")
_SIGN_MARK = re.compile(r"^(?:TM\.|KT\.|T/M|K/T|TL\.|TUQ\.)\s")
_LOWER_START = re.compile(r"^[a-zàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ(,;]")


def _bare(line: str) -> str:
    return line.replace("**", "").replace("*", "").strip()


def strip_marker(text: str) -> str:
    """The text without its leading item marker ("2.1. ", "a) ", "(3) ", "- ", "• ")."""
    text = text.strip()
    m = MARKER.match(text + " ")
    return text[m.end():].strip() if m else text


def uncapped(heading: str) -> str:
    """A heading written in capitals with its first letter alone kept capital ("ĐẨY MẠNH THÔNG TIN" -> "Đẩy mạnh
    thông tin"): how a part's heading reads as a task or a title; any other text as it is."""
    return heading[0] + heading[1:].lower() if heading.isupper() else heading


_STAR_ITEM = re.compile(r"^[ \t]*\*[ \t]+(?=[^\W\d_])", re.M)


def markdown_bullets(raw: str) -> str:
    """A Markdown list ("* Phối hợp với …", three items or more) written as the bullets it is ("• Phối hợp …");
    a lone "* " left by a converter's italics or a "* *" rule stays text."""
    return _STAR_ITEM.sub("• ", raw) if len(_STAR_ITEM.findall(raw)) >= 3 else raw


def starts_item(line: str) -> bool:
    bare = _bare(line)
    m = MARKER.match(bare + " ")
    if not m:
        return False
    if m.group("num"):
        # "2030. Tiếp…" or "17 tháng 11" are not items: keep numbered markers small and dotted
        head = m.group("num")
        if "." not in bare[: len(head) + 1] and not bare.startswith(head + "."):
            return False
    return True


def _is_caps_heading(line: str) -> bool:
    letters = [c for c in _bare(line) if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


MAX_BOLD_LINES = 4  # lines a bold heading may wrap over


def paragraphs(raw: str) -> list[str]:
    """Split raw extracted text into paragraphs, joining wrapped lines with one space."""
    raw = markdown_bullets(nfc(raw).replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n"))
    lines = [line.strip() for line in raw.split("\n")]
    nonblank = [line for line in lines if line]
    if not nonblank:
        return []
    # one paragraph per line: long lines, so every line break is meant
    per_line = statistics.median(len(line) for line in nonblank) > 150
    # documents that mark their numbered headings in bold say where headings end; the others need a guess
    # (a copied web page sets a figure in bold here and there, not its headings)
    numbered = [line for line in nonblank if _NUMBERED.match(_bare(line))]
    guess_headings = sum(line.startswith("**") for line in numbered) * 2 <= len(numbered) or "**" not in raw
    # the wrapping width of the running text (not of table cells, "|" lines or short headings)
    width = statistics.median([len(line) for line in nonblank if len(line) > 20] or [len(nonblank[0])])

    out: list[str] = []
    current: list[str] = []
    bold_open, bold_lines = False, 0
    for line in lines:
        if not line or _PAGE_NUMBER.match(line):
            continue
        # a bold heading wraps over a few lines; "**" left open longer is a stray mark of the conversion
        # ("*Thứ nhất,** các bộ …"), not a heading: it no longer holds the paragraphs together
        bold_open = bold_open and bold_lines < MAX_BOLD_LINES
        if current and _breaks(current[-1], line, per_line, bold_open, guess_headings and width, current[0]):
            out.append(" ".join(current))
            current = []
            bold_open = False
        current.append(line)
        bold_lines += 1
        if line.count("**") % 2:
            bold_open, bold_lines = not bold_open, 1
    if current:
        out.append(" ".join(current))
    return [re.sub(r"\s{2,}", " ", p).strip() for p in out if _bare(p)]


def _breaks(prev: str, line: str, per_line: bool, bold_open: bool, heading_width: float, first: str = "") -> bool:
    """Whether a paragraph ends between `prev` and `line` (`first`: the paragraph's first line)."""
    if bold_open:
        # a bold heading split over lines ("**1.\nCông an thành phố**") stays whole
        return False
    if any(p.match(x) for p in (_TABLE_ROW, _MD_HEADING, CONVERTER_LINE, _CELL_BORDER) for x in (prev.strip(), line.strip())):
        return True  # a table row, a heading, a converter's note, the border of a cell ("|" alone): no text runs across
    if _RECIPIENTS.match(_bare(line)) or (_SIGN_MARK.match(_bare(line)) and not _is_caps_heading(prev)):
        return True  # "Nơi nhận:" and "TM. …" start the signature block, after a name or a sentence
    bare_prev, bare_line = _bare(prev), _bare(line)
    if not bare_prev:
        return False
    if MARKER.fullmatch(bare_prev + " ") and not MARKER.match(bare_line + " "):
        # a marker alone on its line belongs to the next line ("**1.**" / "Công an thành phố")
        return False
    if starts_item(line) or LEGAL_START.match(bare_line):
        return True
    if bare_prev.count("(") > bare_prev.count(")") and bare_line.count(")") > bare_line.count("("):
        return False  # "5. Các chủ rừng là tổ chức (các" / "Ban quản lý rừng đặc dụng, …)": the parenthesis goes on
    if prev.rstrip().endswith("**") and not prev.rstrip().endswith("****"):
        return True
    if re.match(r"^\[\d{1,3}\]", bare_line) or (bare_prev.startswith("- ") and " · " in bare_prev):
        return True  # a footnote ("[2] Nguồn lực dự kiến …"); the text after a table's labelled row
    if re.match(r"^\((?:Ban hành )?[Kk]èm theo\s", bare_line) or (
            prev.rstrip().endswith("*") and line.lstrip().startswith("*")):
        return True  # "(Kèm theo Nghị quyết số …)" under a title, an italic line after an italic line
    if _is_caps_heading(prev) and not _is_caps_heading(line):
        return True
    if _is_caps_heading(line) and not _is_caps_heading(prev) and (_is_name(bare_prev) or _is_kind_line(bare_line)):
        # the signer's name, then the title of a document issued with it ("KẾ HOẠCH", "PHỤ LỤC")
        return True
    lower_next = bool(_LOWER_START.match(bare_line))
    if per_line:
        return not lower_next
    if _PREAMBLE.match(bare_line) and bare_prev.split()[-1].lower() not in _GLUE_WORDS:
        # the title ends where the preamble ("Căn cứ …", "Thực hiện …") begins
        return True
    if _END_SENTENCE.search(bare_prev) and not lower_next:
        return True
    if (
        heading_width
        and _NUMBERED.match(bare_prev)
        and len(bare_prev) < 0.8 * heading_width
        and not _END_SENTENCE.search(bare_prev)
        and not bare_prev.endswith(",")
        and not lower_next
    ):
        # a short numbered heading ("3. Phòng Kinh tế, Hạ tầng và Đô thị") followed by a new sentence
        return _looks_like_heading(bare_prev, bare_line)
    if (
        heading_width
        and first is not prev
        and _NUMBERED.match(_bare(first))
        and len(_bare(first)) + len(bare_prev) < 1.6 * heading_width
        and len(bare_prev) < 0.8 * heading_width
        and not _END_SENTENCE.search(bare_prev)
        and not bare_prev.endswith(",")
        and not lower_next
    ):
        # the same, wrapped over two lines ("2. Bộ trưởng các Bộ, Thủ trưởng cơ quan ngang bộ," / "Chủ tịch
        # Ủy ban nhân dân các tỉnh, thành phố" / "Khẩn trương rà soát …")
        return _looks_like_heading(bare_prev, bare_line)
    return False


def _is_name(text: str) -> bool:
    """A person's name on its own line: 2 to 5 capitalised words ("Trần Thị Thử")."""
    words = text.split()
    return 2 <= len(words) <= 5 and all(w.isalpha() and w[0].isupper() and w[1:].islower() for w in words)


def _is_kind_line(text: str) -> bool:
    """A line in capitals that starts with a document kind ("KẾ HOẠCH", "QUYẾT ĐỊNH") or an appendix."""
    from ingest.doc_vocab import vocab

    heads = [k.name.upper() for k in vocab().kinds] + ["PHỤ LỤC"]
    return any(text == h or text.startswith(h + " ") for h in heads)


def _looks_like_heading(prev: str, line: str) -> bool:
    """A short item line followed by a capitalised line: a heading unless the line reads as the
    continuation of a wrapped sentence (it ends on a function word)."""
    words = prev.split()
    last_word = words[-1].lower() if words else ""
    if words and words[-1][:1].isupper() and line[:1].isupper() and len(words) > 1:
        return False  # a name wrapped over the lines: "… Đài Tiếng nói Việt" / "Nam, Thông tấn xã …"
    return last_word not in _GLUE_WORDS and not _level_goes_on(prev, line)


def _level_goes_on(prev: str, line: str) -> bool:
    """Whether the line opens with the level word of a body whose name the short line ends on ("3. Bộ Tư lệnh" /
    "Thành phố chủ trì, …"; "2. Giao Trung tâm Chuyển đổi số" / "Thành phố cấu hình …"): one name wrapped."""
    from ingest.canonical import LEVEL_WORDS
    from ingest.lexicon import bodies_in

    head = line.lower()
    if not any(head.startswith(f"{w} ") for w in LEVEL_WORDS):
        return False
    return any(b.start < len(prev) < b.end for b in bodies_in(f"{prev} {line[:80]}"))


# words a wrapped line ends on when the sentence goes on
_GLUE_WORDS = {
    "của", "và", "với", "các", "cho", "trong", "về", "tại", "theo", "là", "có", "được", "những",
    "đến", "từ", "trên", "để", "do", "bằng", "việc", "sự", "công", "tác", "thực", "hiện", "phòng,",
    "chống", "nhân", "dân", "ủy", "ban", "tổ", "chức", "đối", "vào", "như", "hoặc", "mỗi", "nhằm",
}


def markdown_headings(paras: list[str]) -> tuple[list[str], list[int | None]]:
    """The paragraphs with each one's Markdown heading level ("## Mục tiêu chung" -> 2), None for any other; a
    heading wrapped onto a deeper one is joined to it: "## Tổ chức … đo kiểm chất lượng mạng" + "### và dịch vụ
    viễn thông" (the rest opens in lower case), "## Đề nghị các Sở: …; Công ty" + "### Điện lực Đắk Nông" (the
    first ends on a head noun, a comma or "và", so a name goes on)."""
    out: list[str] = []
    levels: list[int | None] = []
    for para in paras:
        m = re.match(r"^[ \t]*(#{1,6})[ \t]+(\S.*)$", para, re.S)
        level = len(m.group(1)) if m else None
        if m and out and levels[-1] is not None and level > levels[-1] and _wraps_on(out[-1], m.group(2)):
            out[-1] = f"{out[-1].rstrip()} {m.group(2).strip()}"
            continue
        out.append(para)
        levels.append(level)
    return out, levels


def _wraps_on(heading: str, nxt: str) -> bool:
    from ingest import lexicon
    from ingest.normalize import fold

    tail = heading.rstrip().rstrip("*").rstrip()
    if nxt.replace("*", "").lstrip()[:1].islower() or re.search(r"(?:[,;:&–-]|\bvà)$", tail):
        return True
    last = fold(" ".join(tail.split()[-3:]))
    return any(last.endswith(head) for head in lexicon.folded_heads())
