"""Tables written in plain text, turned into the labelled rows every reader gives (ingest.tables):

- Markdown pipe tables ("| TT | Tên nhiệm vụ | Cơ quan chủ trì | … |" over "|---|---|"), as converters and
  document repositories write them;
- cell-per-line tables, as a web page copied to text gives them: each cell's lines end with a line holding
  only "|", and a second "|" line ends the row. Merged cells are simply missing: a row that lacks its first
  cells continues the cells above it (a lead body merged down over several tasks).

    text = tables_as_rows(raw)    # "- STT: 1 · Tên nhiệm vụ: … · Cơ quan chủ trì: … · Thời gian hoàn thành: …"

Task tables, whose header names at least two kinds of column (a task, a lead or supporting body, a deadline:
ingest.table_duties.column_kind), are rewritten; so are tables of figures, whose header opens with a number
column ("STT | Địa phương | Số lượng TTHC | Tỷ lệ") over numbered rows, a header over two rows read as one
("Số lượng TTHC (Tổng số / Cấp tỉnh / Cấp xã): 2255 / 1847 / 408"). A layout table (a header beside the national
motto, the signature beside "Nơi nhận") has no number column and stays as it is. Placeholder cells a PDF extractor writes ("Col3") are empty,
and a row whose cells all continue a sentence ("luật để mở rộng …") is the previous row cut by a page break.
"""

from __future__ import annotations

import re

from ingest.normalize import fold
from ingest.table_duties import NUMBER_LABEL
from ingest.tables import SEP, table_paragraphs

_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_PLACEHOLDER = re.compile(r"^Col\d{1,2}$")
_MARKUP = re.compile(r"\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)|<br\s*/?>", re.I)
_ROW_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,2})*\.?|[IVX]{1,5}\.?|[A-Z]\.)$")
_GROUP_NUMBER = re.compile(r"^(?:[IVX]{1,5}|[A-Z])\.?$")  # "I.", "II", "A." number a group of rows
_MAX_LABEL = 100  # a column label is short
_FIGURE = re.compile(r"[\d.,%\s-]+")  # a cell of figures: "2.255", "22,3%", "-"
_COLUMN_NUMBER = re.compile(r"\(?\d{1,2}\)?|")  # "(1)", "2" or nothing: a row that numbers the columns


def tables_as_rows(text: str) -> str:
    """The text with each task table rewritten as one labelled paragraph per row (blank lines between)."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if _PIPE_ROW.match(lines[i]):
            j = i
            while j < len(lines) and (_PIPE_ROW.match(lines[j]) or (not lines[j].strip() and j + 1 < len(lines)
                                                                 and _PIPE_ROW.match(lines[j + 1]))):
                j += 1
            rows = [_pipe_cells(line) for line in lines[i:j] if line.strip() and not _RULE.match(line)]
            if rows and _header_at(rows[0]) == 0:
                out += ["", _as_paragraphs(rows), ""]
            elif rows and _data_header_at(rows[0]) == 0 and _numbered_below(rows, 0):
                out += ["", _figures_as_paragraphs(rows), ""]
            else:
                out.extend(lines[i:j])
            i = j
            continue
        if lines[i].strip() == "|":
            rows, firsts, j = _line_cells(lines, i)
            if any(_header_at(r) is not None for r in rows):
                out.extend(_line_tables(lines, i, rows, firsts))
            elif any(_data_header_at(r) is not None and _numbered_below(rows, k) for k, r in enumerate(rows)):
                out.extend(_line_tables(lines, i, rows, firsts, _data_header_at))  # tables of figures
            else:
                out.extend(lines[i:j])  # a layout run (the header beside the motto, the signature): as it was
            i = max(j, i + 1)
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def _header_at(cells: list[str]) -> int | None:
    """Where a task table's header starts in a row: its last cells are short column labels naming at least
    two kinds of column, one of them the task or a body. It opens with its number column ("STT", "TT") where
    it has one — a caption before it may hold column words too ("BẢNG PHÂN CÔNG NHIỆM VỤ") —, else with a
    named column. None when the row holds no such header."""
    from ingest.table_duties import column_kind

    def is_header(labels: list[str]) -> bool:
        if len(labels) < 3 or any(len(c) > 80 for c in labels):
            return False
        named = {k for k in map(column_kind, labels) if k}
        return len(named) >= 2 and bool(named & {"lead", "executors", "partners", "task"}) \
            and len(named) * 2 >= len(labels) - 1

    numbered = [s for s in range(len(cells)) if NUMBER_LABEL.match(fold(cells[s])) and is_header(cells[s:])]
    if numbered:
        return numbered[-1]
    return next((s for s in range(len(cells)) if column_kind(cells[s]) and is_header(cells[s:])), None)


def _data_header_at(cells: list[str]) -> int | None:
    """Where the header of a table of figures starts in a row ("STT | Địa phương | Số lượng TTHC … | Tỷ lệ"): a
    number column, then at least two short labels that are no figures. Only where no task table is found, and
    only over rows that start with a row number (`_numbered_below`): a layout table has no number column."""
    for s in range(len(cells) - 2):
        labels = cells[s + 1:]
        if NUMBER_LABEL.match(fold(cells[s])) and len(labels) >= 2 and all(
                0 < len(c) <= _MAX_LABEL and not _FIGURE.fullmatch(c) and not c.endswith((".", ";", ":")) for c in labels):
            return s
    return None


def _numbered_below(rows: list[list[str]], k: int) -> bool:
    """Whether a header at row k has data rows under it: one of the next two rows starts with a row number."""
    return any(r and _ROW_NUMBER.match(r[0]) for r in rows[k + 1:k + 3])


def _line_tables(lines: list[str], i: int, rows: list[list[str]], firsts: list[list[int]],
                 header_at=None) -> list[str]:
    """A cell-per-line run with one or more task tables (or, with `_data_header_at`, tables of figures): the
    text before each table as it was, each table as labelled rows. A caption standing between two tables
    ("PHỤ LỤC II …", "2. Các nhiệm vụ …") has no row break of its own: it shares a row with the last row of the
    table above and the next header."""
    header_at = header_at or _header_at
    figures = header_at is _data_header_at
    render = _figures_as_paragraphs if figures else _as_paragraphs
    out: list[str] = []
    table: list[list[str]] = []
    text_from = i  # the first line of the text before the next table
    for row, first in zip(rows, firsts):
        at = header_at(row)
        if at is None:
            if table:
                table.append(row)
            continue
        if table:
            if figures:
                # a table of figures has rows of several widths (a header over two rows, cells merged down):
                # the row's cells before the next header are its own, but for the long caption cells at its end
                width = at
                while width and len(row[width - 1]) > _MAX_LABEL:
                    width -= 1
            else:
                width = len(table[0])
            if row[:min(at, width)]:
                table.append(row[:min(at, width)])
            out += ["", render(table), ""]
            text_from = first[width] if at > width else first[at]
        out.extend(line for line in lines[text_from:first[at]] if line.strip() != "|" or not table)
        table = [row[at:]]
    if table:
        out += ["", render(table), ""]
    return out


def _pipe_cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [_clean(c) for c in re.split(r"(?<!\\)\|", inner)]


def _line_cells(lines: list[str], i: int) -> tuple[list[list[str]], list[list[int]], int]:
    """The rows of a cell-per-line run starting at line i (a "|" line), the first line of each of their
    cells, and the line after the run. The run ends at a blank line or after 60 lines without a "|"
    (running text again)."""
    rows: list[list[str]] = []
    firsts: list[list[int]] = []
    row: list[str] = []
    row_firsts: list[int] = []
    cell: list[str] = []
    closed = False  # the last "|" ended a row: one more is an empty first cell
    since_bar = 0
    j = i
    while j < len(lines):
        line = lines[j].strip()
        if line == "|":
            if cell:
                row.append(_clean(" ".join(cell)))
                row_firsts.append(j - len(cell))
                cell = []
                closed = False
            elif row:
                rows.append(row)
                firsts.append(row_firsts)
                row, row_firsts = [], []
                closed = True
            elif closed:
                row.append("")
                row_firsts.append(j)
                closed = False
            since_bar = 0
        elif not line or since_bar >= 60:
            break
        else:
            cell.append(line)
            since_bar += 1
        j += 1
    if cell:
        j -= len(cell)  # running text after the table is not a cell
    if row:
        rows.append(row)
        firsts.append(row_firsts)
    return rows, firsts, j


def _clean(cell: str) -> str:
    cell = _MARKUP.sub(" ", cell.replace("\\|", "|"))
    cell = " ".join(cell.split())
    return "" if _PLACEHOLDER.match(cell) else cell


def _as_paragraphs(rows: list[list[str]]) -> str:
    """A table's rows as a grid (merged cells resolved: a cell repeated across a row is one cell; a row that
    lacks its first cells repeats those of the row above), then as labelled paragraphs."""
    header, body = rows[0], _repaired(rows[1:], len(rows[0]))
    width = len(header)
    grid: list[list[str | None]] = [list(header)]
    previous: list[str | None] | None = None
    for cells in body:
        cells = cells[:width] if len(cells) > width else cells
        filled = [c for c in _merged_across(cells) if c]
        if not filled:
            continue
        if _continues(cells, previous, width):
            for k, c in enumerate(_aligned(cells, width)):
                if c and previous is not None and previous[k]:
                    previous[k] = f"{previous[k]} {c}"
            continue
        if len(cells) == width and len(filled) == 1 and not cells[0]:
            grid.append([filled[0]] + [None] * (width - 1))  # "Nhiệm vụ giao Bộ trưởng Bộ Y tế chỉ đạo"
            previous = None
            continue
        if len(filled) <= 2 and _GROUP_NUMBER.match(filled[0]) and cells[0] == filled[0]:
            row: list[str | None] = [filled[0], filled[1] if len(filled) > 1 else ""] + [None] * (width - 2)
            grid.append(row)  # a group row: "A. | BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"
            previous = None
            continue
        if len(cells) < width and _ROW_NUMBER.match(cells[0]):
            cells = cells + [""] * (width - len(cells))  # a numbered row starts a task: its last cells are empty
        row = _merged_across(_aligned(cells, width))
        if len(cells) < width and previous is not None:
            row = [p if k < width - len(cells) else c for k, (p, c) in enumerate(zip(previous, row))]
        grid.append(row)
        previous = row
    return "\n\n".join(table_paragraphs(grid))


def _figures_as_paragraphs(rows: list[list[str]]) -> str:
    """A table of figures as labelled rows: under a header over two rows (`_spanned`), or under a header as
    wide as its rows; else, where the columns cannot be told, each row on one line with its cells in order
    under the header's labels, unlabelled (a wrong label is worse than none)."""
    spanned = _spanned(rows)
    if spanned is not None:
        return "\n\n".join(spanned)
    header = rows[0]
    widths = [len(r) for r in rows[1:] if r and _ROW_NUMBER.match(r[0])]
    if widths and max(set(widths), key=widths.count) == len(header):
        return _as_paragraphs(rows)  # rows as wide as the header, group rows and merged cells among them
    return "\n\n".join([SEP.join(header)] + ["- " + SEP.join(c for c in r if c) for r in rows[1:] if any(r)])


def _spanned(rows: list[list[str]]) -> list[str] | None:
    """A table under a header over two rows whose second row names the parts of the columns above ("Số lượng
    TTHC" over "Tổng số | Cấp tỉnh | Cấp xã"), one labelled paragraph a row; a divided column is one cell, its
    parts named once and its figures in their order ("Số lượng TTHC (Tổng số / Cấp tỉnh / Cấp xã): 2255 / 1847 /
    408"). None when the table has no such header. The data rows are wider than the first header row; the
    columns whose data are figures are the ones divided: all of them evenly, or else the first of them into
    as many parts as it needs."""
    if len(rows) < 4 or not rows[1] or _ROW_NUMBER.match(rows[1][0]):
        return None
    header, sub = rows[0], rows[1]
    body = [r for r in rows[2:] if not all(_COLUMN_NUMBER.fullmatch(c) for c in r)]  # not "1 | 2 | 3 …" numbering the columns
    widths = [len(r) for r in body if r and _ROW_NUMBER.match(r[0])]
    width = max(set(widths), key=widths.count) if widths else 0
    if width <= len(header) or any(len(c) > _MAX_LABEL for c in sub):
        return None
    full = [r for r in body if len(r) == width and _ROW_NUMBER.match(r[0])]
    # the first column whose cells are figures in most rows
    p = next((k for k in range(1, len(header)) if 2 * sum(bool(_FIGURE.fullmatch(r[k])) for r in full) > len(full)), None)
    if p is None:
        return None
    divided = len(header) - p
    if p + len(sub) == width and len(sub) % divided == 0:
        spans = [len(sub) // divided] * divided
    elif p + len(sub) + divided - 1 == width:
        spans = [len(sub)] + [1] * (divided - 1)
    else:
        return None
    columns: list[tuple[str, int]] = [(_short(c), 1) for c in header[:p]]  # (label, how many cells it holds)
    parts = iter(sub)
    for label, n in zip(header[p:], spans):
        columns.append((f"{_short(label)} ({' / '.join(next(parts) for _ in range(n))})" if n > 1 else _short(label), n))
    out, previous = [], None
    for r in (r for r in body if any(r)):
        if len(r) < width and previous and not _ROW_NUMBER.match(r[0]):
            r = previous[:width - len(r)] + list(r)  # its first cells merged down from the row above
        r = list(r[:width]) + [""] * (width - len(r))
        previous, cells, k = r, [], 0
        for label, n in columns:
            values = [v for v in r[k:k + n] if v]
            k += n
            if values:
                cells.append(f"{label}: {' / '.join(values)}")  # not ";", which ends a clause
        out.append("- " + SEP.join(cells))
    return out


def _short(label: str, most: int = 80) -> str:
    """A column label cut at a word to the length a header cell may have (ingest/tables.py)."""
    return label if len(label) <= most else label[:most - 1].rsplit(" ", 1)[0] + "…"


def _repaired(rows: list[list[str]], width: int) -> list[list[str]]:
    """An empty cell and a row break look the same in a cell-per-line table ("|" then "|"). A numbered row
    that is short of cells, followed by a row that is exactly as short of the rest less one, was one row
    with an empty cell; an empty cell before a full row belonged to the row above."""
    out: list[list[str]] = []
    k = 0
    while k < len(rows):
        row = rows[k]
        if not row[0] and len(row) > 1 and (len(row) > width or _ROW_NUMBER.match(row[1])):
            row = row[1:]  # the empty cell ended the row above
        nxt = rows[k + 1] if k + 1 < len(rows) else None
        if (nxt is not None and len(row) < width and _ROW_NUMBER.match(row[0] or "-")
                and not _ROW_NUMBER.match(nxt[0] or "-") and len(row) + 1 + len(nxt) == width):
            row, k = [*row, "", *nxt], k + 1
        out.append(row)
        k += 1
    return out


def _aligned(cells: list[str], width: int) -> list[str | None]:
    """A short row's cells stand in the last columns (its first cells were merged down from above)."""
    return [None] * (width - len(cells)) + list(cells) if len(cells) < width else list(cells)


def _merged_across(row: list[str | None]) -> list[str | None]:
    """A cell repeated in the next columns is one cell merged across them: "II | Tên | Tên | Tên"."""
    return [None if k and c and c == row[k - 1] else c for k, c in enumerate(row)]


def _continues(cells: list[str], previous: list[str | None] | None, width: int) -> bool:
    """A row cut by a page break: no number of its own, and each of its cells goes on a sentence (starts with
    a small letter) where the row above has text."""
    if previous is None:
        return False
    aligned = _aligned(cells, width)
    filled = [(k, c) for k, c in enumerate(aligned) if c]
    return bool(filled) and all(c[0].islower() and previous[k] for k, c in filled)
