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


_TRAILING = re.compile(r"\((Bộ phận [^()]{2,40})\)\s*\.?$")


def trailing_agency(text: str) -> str | None:
    """A sub-unit named at the end of an item: "… xử lý nghiêm minh những trường hợp vi phạm. (Bộ phận Y tế)"."""
    m = _TRAILING.search(text.strip())
    return m.group(1).strip() if m else None


def agency_of(title: str, inline: bool = True) -> str | None:
    """The agency a heading or item is addressed to, as written, or None.

    A short heading ("Sở Y tế", "Đề nghị Viện kiểm sát nhân dân thành phố, Tòa án nhân dân thành phố")
    is the agency's whole name (inline=False); an item that starts with an agency and goes on with its duty
    ("Sở Y tế quản lý chặt chẽ …", "Hội Nông dân: chủ động …") is cut where the duty begins."""
    title = title.strip().rstrip(":").strip()
    if not _AGENCY_START.match(title):
        return None
    title = _LEAD.sub("", title)
    head_end = _AGENCY_START.match(title).end()
    cuts = []
    colon = title.find(":")
    if 0 < colon <= 80:
        cuts.append(colon)
    verb = _DUTY_VERB.search(title, head_end) if inline else None
    if verb and verb.start() > 0:
        cuts.append(verb.start())
    if cuts:
        cut = min(cuts)
        if title[:cut].count("(") > title[:cut].count(")"):
            cut = title.rfind("(", 0, cut)  # never cut inside a parenthesis: keep the name before it
        name = title[:cut].strip(" ,")
        # a name is a few words, not a list of beneficiaries ("Các tổ chức, cá nhân …; …")
        return name if 1 < len(name.split()) <= 16 and ";" not in name else None
    if len(title) <= 110 and not re.search(r"[.;]\s", title):
        return title.rstrip(".").strip()
    return None


# Sectors: the same kind of body at every level (Sở Y tế ↔ Trạm y tế ↔ ngành Y tế), recognised from
# the diacritic-folded name. Each sector lists the folded phrases that name it, aliases included.
SECTORS: dict[str, tuple[str, ...]] = {
    "Y tế": ("y te", "syt", "benh vien"),
    "Công an": ("cong an", "canh sat", "ca tp", "catp", "ca tinh", "ca phuong", "ca xa"),
    "Tài chính": ("tai chinh", "stc"),
    "Giáo dục": ("giao duc", "nha truong", "truong hoc", "sgd", "sgddt", "gd-dt", "gddt"),
    "Văn hóa, thông tin": ("van hoa", "vh-tt-dl", "vhttdl", "thong tin va truyen thong", "truyen thong"),
    "Tư pháp": ("tu phap",),
    "Nội vụ": ("noi vu",),
    "Lao động - Thương binh và Xã hội": ("lao dong - thuong binh", "lao dong thuong binh", "ldtbxh", "ld-tb"),
    "Nông nghiệp và Môi trường": ("nong nghiep",),
    "Công Thương": ("cong thuong",),
    "Biên phòng": ("bien phong", "bdbp"),
    "Quân sự": ("quan su",),
    "Hải quan": ("hai quan",),
    "Mặt trận Tổ quốc": ("mat tran", "mttq", "ubmttq"),
    "Đoàn Thanh niên": ("doan thanh nien", "thanh doan", "tinh doan", "doan tn"),
    "Hội Phụ nữ": ("phu nu",),
    "Hội Nông dân": ("hoi nong dan",),
    "Hội Cựu chiến binh": ("cuu chien binh",),
    "Liên đoàn Lao động": ("lien doan lao dong", "cong doan"),
    "Viện kiểm sát": ("vien kiem sat", "vksnd"),
    "Tòa án": ("toa an", "tand"),
    "Ủy ban nhân dân cấp xã, phường": ("uy ban nhan dan xa", "uy ban nhan dan cac phuong", "ubnd xa",
                                        "ubnd phuong", "ubnd cac", "uy ban nhan dan cap huyen", "ubnd cap"),
    "Báo chí": ("bao va phat thanh", "bao nam dinh", "bao chi"),
    "Tổ dân phố": ("to dan pho",),
    "An ninh trật tự cơ sở": ("an ninh trat tu co so",),
    "Doanh nghiệp": ("doanh nghiep",),
    "Văn phòng HĐND và UBND": ("van phong hdnd", "van phong hoi dong"),
    "Kinh tế": ("phong kinh te",),
    "Tuyên giáo và Dân vận": ("tuyen giao",),
}


def sectors_of(name: str) -> set[str]:
    """The sectors a name (agency or question) mentions, by diacritic-folded phrase."""
    import re as _re

    from ingest.normalize import fold

    folded = " " + _re.sub(r"[^\w\- ]+", " ", fold(name)).replace("  ", " ") + " "
    folded = _re.sub(r"\s+", " ", folded)
    found = set()
    for sector, phrases in SECTORS.items():
        if any(f" {p} " in folded for p in phrases):
            found.add(sector)
    if "Ủy ban nhân dân cấp xã, phường" in found and "Mặt trận Tổ quốc" in found and "uy ban mat tran" in folded:
        found.discard("Ủy ban nhân dân cấp xã, phường")
    return found
