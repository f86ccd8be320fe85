"""Read a plan's metadata (kind, number, date, issuer, locality, title) from its text.
A sidecar file `<name>.meta.json` beside the plan overrides any field."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ingest.normalize import tidy

_KINDS = ("Kế hoạch", "Nghị quyết", "Quyết định", "Chỉ thị", "Chương trình", "Đề án", "Công văn", "Thông báo")
_KIND_LINE = re.compile(r"^(KẾ HOẠCH|NGHỊ QUYẾT|QUYẾT ĐỊNH|CHỈ THỊ|CHƯƠNG TRÌNH|ĐỀ ÁN|THÔNG BÁO)$")
_NUMBER = re.compile(r"Số:\s*([0-9][0-9A-Za-zĐđ\-/.]*(?:\s*-\s*[A-ZĐ]+)?)")
_NUMBER_BLANK = re.compile(r"Số:\s*/")
_ISSUED_AS = re.compile(r"ban hành (Nghị quyết|Kế hoạch|Quyết định|Chỉ thị) số ([0-9][0-9A-Za-zĐđ\-/]*)")
_PLACE_DATE = re.compile(
    r"([A-ZĐ][a-zà-ỹ]+(?: [A-ZĐ][a-zà-ỹ]+)*), ngày\s*(\d{1,2})?\s*tháng\s*(\d{1,2})?\s*năm\s*(\d{4})"
)
_DMY = re.compile(r"^Ngày (\d{1,2})/(\d{1,2})/(\d{4})")
_LEVELS = r"thành phố|tỉnh|phường|xã|huyện|quận|thị xã|thị trấn"
_PLACE_NAME = r"[A-ZĐ][\wÀ-ỹ]+(?: [A-ZĐ][\wÀ-ỹ]+){0,3}"
_ISSUER_IN_TEXT = re.compile(
    rf"(Ủy ban nhân dân|UBND|Ban Thường vụ (?:Thành|Tỉnh) ủy)\s+(?:({_LEVELS})\s+({_PLACE_NAME}))?"
    rf"\s*(?:xây dựng|ban hành)"
)
_HEADER_ISSUER = re.compile(r"(ỦY BAN NHÂN DÂN|UBND)\s+(THÀNH PHỐ|TỈNH|PHƯỜNG|XÃ|HUYỆN|QUẬN)\s+([A-ZĐÀ-Ỹ]+(?: [A-ZĐÀ-Ỹ]+)*?)(?=\s+CỘNG HÒA|\s*$)")


def read_metadata(raw: str, paragraphs: list[str], path: Path) -> dict:
    """Metadata fields for Document, from the text, then the sidecar file."""
    head = "\n".join(paragraphs[:12])
    meta = {
        "kind": _kind(paragraphs),
        "number": _number(head),
        "date": _date(head),
        "title": _title(paragraphs),
    }
    issuer, locality = _issuer(paragraphs, head)
    meta["issuer"], meta["locality"] = issuer, locality
    if meta["kind"] == "Văn bản":
        m = _ISSUED_AS.search(head)
        if m:
            meta["kind"], meta["number"] = m.group(1), meta["number"] or m.group(2)
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
    allowed = {"title", "kind", "number", "date", "issuer", "locality"}
    return {k: v for k, v in data.items() if k in allowed}


def _kind(paragraphs: list[str]) -> str:
    for p in paragraphs[:15]:
        for part in re.split(r"\s{2,}|\n", p):
            m = _KIND_LINE.match(part.strip())
            if m:
                return m.group(1).capitalize()
        tail = p.strip().split(" ")
        if " ".join(tail[-2:]) in ("KẾ HOẠCH", "NGHỊ QUYẾT") and p.isupper():
            return " ".join(tail[-2:]).capitalize()
        for kind in _KINDS:
            if p.strip().endswith(kind.upper()):
                return kind
    return "Văn bản"


def _number(head: str) -> str | None:
    if _NUMBER_BLANK.search(head):
        return None
    m = _NUMBER.search(head)
    return re.sub(r"\s+", "", m.group(1)).rstrip(".") if m else None


def _date(head: str) -> str | None:
    m = _PLACE_DATE.search(head)
    if m:
        day, month, year = m.group(2), m.group(3), m.group(4)
        return f"{year}-{int(month):02d}-{int(day):02d}" if day and month else year
    m = _DMY.search(head)
    if m:
        return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    return None


def _title(paragraphs: list[str]) -> str:
    for i, p in enumerate(paragraphs[:15]):
        if _KIND_LINE.match(p.strip()) or p.strip().endswith(("KẾ HOẠCH", "NGHỊ QUYẾT")):
            kind = _KIND_LINE.match(p.strip()) or re.search(r"(KẾ HOẠCH|NGHỊ QUYẾT)$", p.strip())
            nxt = paragraphs[i + 1] if i + 1 < len(paragraphs) else ""
            title = re.split(r"\s(?:Căn cứ|Thực hiện)\s", " " + nxt)[0].strip() or (nxt if len(nxt) <= 200 else nxt[:200].rsplit(" ", 1)[0] + "…")
            if title:
                title = title.capitalize() if title.isupper() else title
                return f"{kind.group(1).capitalize()} {title[0].lower()}{title[1:]}"
    m = re.search(r"ban hành (Nghị quyết số \S+ về .+?)(?: với mục tiêu|[.;]|$)", paragraphs[0] if paragraphs else "")
    if m:
        return m.group(1)
    return paragraphs[0][:120] if paragraphs else ""


def _issuer(paragraphs: list[str], head: str) -> tuple[str | None, str | None]:
    m = _HEADER_ISSUER.search(" ".join(paragraphs[:6]))
    if m:
        level, place = m.group(2).lower(), m.group(3).strip().title()
        return f"Ủy ban nhân dân {level} {place}", f"{level} {place}"
    text = " ".join(paragraphs[:8])
    m = _ISSUER_IN_TEXT.search(text)
    if m:
        body = "Ủy ban nhân dân" if m.group(1) == "UBND" else m.group(1)
        if m.group(2):
            locality = f"{m.group(2)} {m.group(3)}"
            return f"{body} {locality}", locality
        return body, None
    return None, None


def clean_paragraphs(paragraphs: list[str]) -> list[str]:
    out = [tidy(p) for p in paragraphs]
    return [p for p in out if p]
