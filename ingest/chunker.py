"""Turn a plan's clean paragraphs into Chunks that follow its structure."""

from __future__ import annotations

from dataclasses import replace

from ingest.document import Chunk, chunk_id
from ingest.pages import PageMap
from ingest.structure import Para, Unit, split_units

PARA_SEP = "\n\n"  # how paragraphs are joined in Document.text


def join_paragraphs(paragraphs: list[str], md_levels: list[int | None] | None = None) -> tuple[str, list[Para]]:
    """The document text and each paragraph's span in it (with its Markdown heading level, if given)."""
    paras, pos = [], 0
    for k, text in enumerate(paragraphs):
        paras.append(Para(text, pos, pos + len(text), md_levels[k] if md_levels else None))
        pos += len(text) + len(PARA_SEP)
    return PARA_SEP.join(paragraphs), paras


def chunk_document(
    doc_id: str, text: str, paras: list[Para], max_chars: int, overlap: int, page_map: PageMap | None = None,
    notes: dict[str, str] | None = None,
) -> list[Chunk]:
    chunks: list[Chunk] = []
    for unit in split_units(paras, notes):
        chunks.extend(_unit_chunks(doc_id, text, unit, max_chars, overlap))
    if page_map is not None:
        chunks = [
            replace(c, pages=page_map.pages(c.start, c.end), ocr_confidence=page_map.confidence(c.start, c.end))
            for c in chunks
        ]
    return chunks


def _unit_chunks(doc_id: str, text: str, unit: Unit, max_chars: int, overlap: int) -> list[Chunk]:
    section = " › ".join(unit.path)
    heading = " › ".join(h if len(h) <= 240 else h[:240] + "…" for h in unit.headings)
    body = text[unit.start : unit.end]
    pieces = [(unit.start, unit.end)] if len(body) <= max_chars else _split(body, unit.start, max_chars, overlap)
    out = []
    for k, (start, end) in enumerate(pieces, 1):
        piece_section = section if len(pieces) == 1 else f"{section} (phần {k}/{len(pieces)})"  # document.PIECE
        piece = text[start:end]
        out.append(
            Chunk(
                chunk_id=chunk_id(doc_id, piece_section, piece, unit.agency),
                doc_id=doc_id,
                section=piece_section,
                text=piece,
                start=start,
                end=end,
                agency=unit.agency,
                heading=heading,
            )
        )
    return out


def _split(body: str, offset: int, max_chars: int, overlap: int) -> list[tuple[int, int]]:
    """Split an oversize passage on paragraph, sentence, then word boundaries
    (langchain-text-splitters) and locate each piece's span."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=max_chars,
        chunk_overlap=overlap,
        separators=[PARA_SEP, "\n", "; ", ". ", ", ", " "],
        keep_separator="end",
        add_start_index=True,
    )
    spans = []
    for doc in splitter.create_documents([body]):
        start = doc.metadata["start_index"]
        piece = doc.page_content
        if body[start : start + len(piece)] != piece:  # the splitter strips; find the piece again
            start = body.find(piece, max(0, start - overlap))
        spans.append((offset + start, offset + start + len(piece)))
    return spans
