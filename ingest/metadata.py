"""Read a document's metadata (kind, number, date, issuer, locality, level, signer, title) from its text
(ingest/header.py). A sidecar file `<name>.meta.json` beside the document overrides any field."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ingest.header import read_header
from ingest.normalize import tidy
from ingest.reflow import CONVERTER_LINE, markdown_headings

SIDECAR_FIELDS = {"title", "kind", "number", "date", "issuer", "locality", "signer", "level", "form"}
# a Markdown heading a converter made from the file name: "# luat-phong-chong-ma-tuy-2021",
# "# Quyet Dinh 140 …" (no Vietnamese letter in a Vietnamese document)
_SLUG_HEADING = re.compile(r"^\s*#{1,6}\s+[\x20-\x7e]+$")


def read_metadata(raw: str, paragraphs: list[str], path: Path) -> dict:
    """Metadata fields for Document, from the text, then the sidecar file."""
    meta = read_header(paragraphs)
    meta.update(_sidecar(path))
    return meta


def _sidecar(path: Path) -> dict:
    side = path.with_name(path.name + ".meta.json")
    if not side.exists():
        side = path.with_suffix(".meta.json")
    if not side.exists():
        return {}
    from tracuu.errors import TracuuError

    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TracuuError(f"Tệp siêu dữ liệu {side.name} không đọc được ({exc}) — sửa hoặc xoá tệp đó.") from exc
    return {k: v for k, v in data.items() if k in SIDECAR_FIELDS}


def is_converter_line(paragraph: str) -> bool:
    """A line a file converter added, not the document's own text: a heading made from the file name,
    a "Source: x.docx" note."""
    text = paragraph.strip()
    return bool(_SLUG_HEADING.match(text) or CONVERTER_LINE.match(text.replace("**", "").strip()))


def clean_paragraphs(paragraphs: list[str]) -> list[str]:
    return clean_paragraphs_and_levels(paragraphs)[0]


def clean_paragraphs_and_levels(paragraphs: list[str]) -> tuple[list[str], list[int | None]]:
    """The paragraphs cleaned of markup, each with its Markdown heading level (None for most):
    ingest.reflow.markdown_headings."""
    joined, levels = markdown_headings(paragraphs)
    out, kept = [], []
    for para, level in zip(joined, levels):
        text = "" if is_converter_line(para) else tidy(para)
        if text:
            out.append(text)
            kept.append(level)
    return out, kept
