"""Files -> Documents and Chunks. A file that cannot be used is reported and skipped."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ingest.chunker import chunk_document, join_paragraphs
from ingest.document import Chunk, Document
from ingest.metadata import clean_paragraphs_and_levels, read_metadata
from ingest.normalize import footnote_citations
from ingest.pages import locate_pages
from ingest.readers import SUPPORTED, SkipFile, read_document
from ingest.reflow import paragraphs
from tracuu.errors import TracuuError


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str
    duplicate_of: str | None = None  # the file already holding the same text, for a duplicate


@dataclass
class Parsed:
    documents: list[Document] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def collect_files(paths: Iterable[Path], refused: list[Skipped] | None = None) -> list[Path]:
    """The plan files named, or found (not recursively) in the folders named. Sidecar `.meta.json`
    files and hidden files are not plans. A symbolic link is followed only when it stays inside the
    folder being ingested; one leading out of it is refused (added to `refused` when given)."""
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            root = path.resolve()
            for p in sorted(path.iterdir()):
                if p.name.startswith(".") or p.name.endswith(".meta.json") or p.name.lower() == "readme.md":
                    continue
                if p.is_symlink() and not _inside(p, root):
                    if refused is not None:
                        refused.append(Skipped(p.name, f"liên kết tới {_target(p)}, ra ngoài thư mục {path} — không theo"))
                    continue
                if p.is_file():
                    files.append(p)
        elif path.exists():
            if path.is_symlink() and not _inside(path, path.parent.resolve()):
                if refused is not None:
                    refused.append(Skipped(path.name, f"liên kết tới {_target(path)}, ra ngoài thư mục {path.parent} — không theo"))
                continue
            files.append(path)
        elif path.is_symlink():
            raise TracuuError(f"{path} là liên kết tới một tệp không còn — kiểm tra lại đường dẫn.")
        else:
            raise TracuuError(f"Không tìm thấy {path} — kiểm tra lại đường dẫn.")
    return files


def _inside(link: Path, root: Path) -> bool:
    try:
        return link.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a loop of links
        return False


def _target(link: Path) -> str:
    try:
        return str(link.readlink())
    except OSError:
        return "?"


def content_key(text: str) -> str:
    """Identity of a document by its normalised text (whitespace and case do not count): the same plan
    under another file name has the same key."""
    return hashlib.sha256(" ".join(text.casefold().split()).encode("utf-8")).hexdigest()


def doc_id_for(path: Path) -> str:
    stem = re.sub(r"[^\w\-]+", "-", path.stem.lower()).strip("-")
    return stem or hashlib.sha1(path.name.encode()).hexdigest()[:12]


def parse_file(
    path: Path, max_chars: int = 1200, overlap: int = 150, max_mb: float = 20.0,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[Document, list[Chunk]]:
    """One plan file -> its Document and Chunks. Raises SkipFile when the file cannot be used."""
    source = read_document(path, max_mb, progress)
    raw = source.text
    paras, md_levels = clean_paragraphs_and_levels(paragraphs(raw))
    if not paras:
        raise SkipFile("không có đoạn văn nào sau khi làm sạch")
    meta = read_metadata(raw, paras, path)
    text, spans = join_paragraphs(paras, md_levels)
    doc_id = doc_id_for(path)
    document = Document(
        doc_id=doc_id,
        file=path.name,
        path=str(path.resolve()),
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        text=text,
        **meta,
    )
    return document, chunk_document(doc_id, text, spans, max_chars, overlap, locate_pages(source, text),
                                    footnote_citations(raw))


def parse_files(
    files: list[Path], max_chars: int, overlap: int, max_mb: float,
    progress: Callable[[str], None] = lambda _: None,
) -> Parsed:
    out = Parsed()
    seen: dict[str, str] = {}
    same_text: dict[str, str] = {}  # normalised-text key -> the first file with it
    for path in files:
        if path.suffix.lower() not in SUPPORTED and path.suffix:
            out.skipped.append(Skipped(path.name, f"định dạng {path.suffix} không được hỗ trợ"))
            continue
        try:
            document, chunks = parse_file(path, max_chars, overlap, max_mb, progress)
        except SkipFile as exc:
            out.skipped.append(Skipped(path.name, str(exc)))
            progress(f"bỏ qua {path.name}: {exc}")
            continue
        except TracuuError:
            raise
        except Exception as exc:  # a reader library choked on a malformed file: report it, go on
            out.skipped.append(Skipped(path.name, f"lỗi khi đọc ({type(exc).__name__}: {exc})"))
            progress(f"bỏ qua {path.name}: {exc}")
            continue
        if document.doc_id in seen:
            out.skipped.append(Skipped(path.name, f"trùng tên với {seen[document.doc_id]} — đổi tên một trong hai tệp"))
            continue
        key = content_key(document.text)
        if key in same_text:
            first = same_text[key]
            out.skipped.append(Skipped(path.name, f"trùng nội dung với {first} — không lập chỉ mục lần nữa", first))
            progress(f"bỏ qua {path.name}: trùng nội dung với {first}")
            continue
        same_text[key] = path.name
        seen[document.doc_id] = path.name
        out.documents.append(document)
        out.chunks.extend(chunks)
        progress(f"đã đọc {path.name}: {len(chunks)} đoạn")
    return out
