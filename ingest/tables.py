"""A table as the plan's paragraphs: each data row one line that keeps its column headers,

    "- STT: 1 · Nội dung nhiệm vụ: … · Cơ quan chủ trì: … · Cơ quan phối hợp: … · Thời gian hoàn thành: …"

so that the lead body, the supporting bodies and the deadline of a row stay apart and named. The leading
"- " makes every row an item of its own for the chunker. A layout table (the issuer beside the national
motto, "Nơi nhận" beside the signature) has no header: its cells are read as plain paragraphs.

Readers give the grid with merged cells resolved: a cell that continues a horizontal merge is None (its
text is not repeated); a vertical merge repeats its text in each row it spans (each row has that value).
"""

from __future__ import annotations

import re

from ingest.normalize import fold

SEP = " · "  # between the cells of a row
_COLUMN_NUMBERS = re.compile(r"^\(?\d{1,2}\)?$")  # a row "(1) (2) (3) …" that numbers the columns
_MAX_HEADER_CELL = 80


def cell_text(lines: list[str]) -> str:
    """A cell's paragraphs on one line: a list of bodies ("Công an tỉnh" / "Sở Y tế") joined by "; "."""
    parts = [" ".join(line.split()) for line in lines]
    parts = [p for p in parts if p]
    out = ""
    for p in parts:
        if not out:
            out = p
        elif out[-1] in ".;:,":
            out += " " + p
        else:
            out += "; " + p
    return out


def table_paragraphs(grid: list[list[str | None]]) -> list[str]:
    """The table's paragraphs, in reading order. A cell's own paragraphs are separated by newlines."""
    return [text for _, text in table_rows(grid)]


def table_rows(grid: list[list[str | None]]) -> list[tuple[int, str]]:
    """(row index in the grid, paragraph) for each paragraph the table gives."""
    indexed = [(i, [c.strip() if c is not None else None for c in row]) for i, row in enumerate(grid)]
    indexed = [(i, r) for i, r in indexed if any(c for c in r)]
    if not indexed:
        return []
    rows = [r for _, r in indexed]
    header, body = _header(rows)
    if header is None:
        return [(i, c) for i, row in indexed for c in row if c]
    body_index = [i for i, _ in indexed][len(rows) - len(body):]
    out = []
    key = [fold(cell_text(h.split("\n"))) for h in header]
    header = [cell_text(h.split("\n")) for h in header]
    for index, row in zip(body_index, body):
        row = row + [""] * (len(header) - len(row))
        values = [cell_text(c.split("\n")) if c else "" for c in row[: len(header)]]
        if [fold(v) for v in values] == key:
            continue  # the header repeated at the top of a new page
        if all(_COLUMN_NUMBERS.match(v) for v in values if v):
            continue
        filled = [(h, v) for h, v, c in zip(header, values, row) if v and c is not None]
        if _group_row(row) and filled:
            # a group row merged across the table: "II | CÔNG TÁC TUYÊN TRUYỀN"
            head = filled[0][1]
            rest = " ".join(v for _, v in filled[1:])
            out.append((index, f"{head.rstrip('.')}. {rest}" if rest and _data_like([head]) else " ".join(v for _, v in filled)))
            continue
        out.append((index, "- " + SEP.join(f"{h}: {v}" if h else v for h, v in filled)))
    return out


def _group_row(row: list[str | None]) -> bool:
    """At most two cells, the last merged over the remaining columns."""
    cells = [c for c in row if c is not None]
    return len(row) >= 3 and len(cells) <= 2 and row[-1] is None


def _header(rows: list[list[str | None]]) -> tuple[list[str] | None, list[list[str | None]]]:
    """(column headers, data rows), or (None, rows) for a layout table. A data table has at least two
    columns, a first row of short labels and at least two rows under it; a header over two rows
    ("Cơ quan thực hiện" merged over "Chủ trì" | "Phối hợp") gives "Cơ quan thực hiện chủ trì", …"""
    width = max(len(r) for r in rows)
    first = rows[0] + [None] * (width - len(rows[0]))
    labels = [c for c in first if c]
    if width < 3 or len(rows) < 3 or len(labels) < 2 or any(len(c) > _MAX_HEADER_CELL for c in labels):
        return None, rows
    header: list[str] = []
    for c in first:  # a label merged across columns names each of them
        header.append(c if c is not None else (header[-1] if header else ""))
    body = rows[1:]
    if any(c is None for c in first) and len(body) >= 2:
        second = body[0] + [None] * (width - len(body[0]))
        if all(c is None or len(c) <= _MAX_HEADER_CELL for c in second) and not _data_like(second):
            merged = []
            for top, sub in zip(header, second):
                if sub and fold(sub) != fold(top):
                    merged.append(f"{top} {sub[0].lower()}{sub[1:]}" if top else sub)
                else:
                    merged.append(top)
            header, body = merged, body[1:]
    return header, body


def _data_like(row: list[str | None]) -> bool:
    """A row that starts with a number, as data rows do ("1", "1.2", "I")."""
    first = next((c for c in row if c), "")
    return bool(re.match(r"^(?:\d{1,3}(?:\.\d{1,2})*\.?|[IVX]{1,5}\.?)$", first))
