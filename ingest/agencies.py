"""Recognise the agency a section of a plan is assigned to ("3. Sở Y tế", "2. Trạm y tế",
"6.3. Sở Y tế quản lý chặt chẽ …", "- Hội Nông dân: …")."""

from __future__ import annotations

import re

# the nouns an agency's name starts with (after an optional "Đề nghị" / "Giao")
_HEADS = (
    r"Sở|Phòng|Ban|Báo|Đài|Trạm [Yy] tế|Trung tâm|Công an|Ủy ban|Uỷ ban|UBND|UB MTTQ|Văn phòng"
    r"|Viện [Kk]iểm sát|Tòa án|Toà án|Chi cục|Cục|Bộ Chỉ huy|Bộ chỉ huy|Liên đoàn|Hội|Đoàn|Lực lượng"
    r"|Mặt trận|Bảo hiểm|Kho bạc|Ngân hàng|Bệnh viện|Thành đoàn|Tỉnh đoàn|Cơ quan|Bộ đội"
    r"|Các (?:sở|Sở|phòng|ban|nhà trường|tổ dân phố|doanh nghiệp|đơn vị|Trung tâm|trung tâm|cơ quan|tổ chức)"
)
_AGENCY_START = re.compile(rf"^(?:Đề nghị|Giao)?\s*(?:{_HEADS})(?=[\s,:]|$)")
_LEAD = re.compile(r"^(?:Đề nghị|Giao)\s+")
# where an inline agency name ends and its duty begins: "Sở Y tế | quản lý chặt chẽ …"
_DUTY_VERB = re.compile(
    r"\s(?:chủ trì|phối hợp|chỉ đạo|triển khai|tăng cường|quản lý|tích cực|thực hiện|tổ chức|"
    r"có trách nhiệm|chịu trách nhiệm|xây dựng|tham mưu|căn cứ|đẩy mạnh|rà soát|hướng dẫn|"
    r"theo dõi|bố trí|nghiên cứu|kiểm tra|duy trì|khẩn trương|là cơ quan|chủ động)\b"
)


def agency_of(title: str, inline: bool = True) -> str | None:
    """The agency a heading or item is addressed to, as written, or None.

    A short heading ("Sở Y tế", "Đề nghị Viện kiểm sát nhân dân thành phố, Tòa án nhân dân thành phố")
    is the agency's whole name (inline=False); an item that starts with an agency and goes on with its duty
    ("Sở Y tế quản lý chặt chẽ …", "Hội Nông dân: chủ động …") is cut where the duty begins."""
    title = title.strip().rstrip(":").strip()
    if not _AGENCY_START.match(title):
        return None
    title = _LEAD.sub("", title)
    cuts = []
    colon = title.find(":")
    if 0 < colon <= 80:
        cuts.append(colon)
    verb = _DUTY_VERB.search(title) if inline else None
    if verb and verb.start() > 0:
        cuts.append(verb.start())
    if cuts:
        return title[: min(cuts)].strip(" ,")
    if len(title) <= 110 and not re.search(r"[.;]\s", title):
        return title.rstrip(".").strip()
    return None
