"""Canonical agencies: the same body under different names is one agency, with its level.

    "Sở Y tế" / "SYT" / "ngành Y tế"                                -> "Sở Y tế"
    "Công an thành phố" / "Công an TP" / "CA TP"                      -> "Công an thành phố"
    "UBND xã, phường" / "Ủy ban nhân dân các phường, xã"              -> "Ủy ban nhân dân cấp xã"
    "Ủy ban MTTQ thành phố" / "Ủy ban Mặt trận Tổ quốc Việt Nam …"    -> "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố"

The level (tỉnh, thành phố, huyện, xã, phường, khu vực) comes from the name, else from the plan's
locality. Bodies that exist at every level (Công an, Mặt trận, Đoàn, Hội, Viện kiểm sát, …) carry it in
their canonical name; a Sở is provincial by definition. Equivalent roles at different levels (Sở Y tế,
Trạm y tế, Bộ phận Y tế) stay separate agencies linked by their sector (`ingest.agencies.SECTORS`).

A name may list several agencies ("Viện kiểm sát nhân dân, Tòa án nhân dân thành phố"): `split_agencies`
cuts it into one name per agency, keeping the commas inside a name ("Sở Văn hóa, Thể thao và Du lịch").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.agencies import sectors_of
from ingest.normalize import fold, nfc

# the nouns an agency's name starts with; lower-case ones only after "các" or a title
_HEADS = (
    r"Sở|Phòng|Ban|Báo|Đài|Trạm [Yy] tế|Trung tâm|Công an|Ủy ban|Uỷ ban|UBND|UB ?MTTQ|Văn phòng"
    r"|Viện [Kk]iểm sát|VKSND|Tòa án|Toà án|TAND|Chi cục|Cục|Bộ [Cc]h[iỉ] huy|Bộ phận|Bộ đội|Liên đoàn"
    r"|Hội|Đoàn|Tỉnh [Đđ]oàn|Thành [Đđ]oàn|Lực lượng|Mặt trận|Bảo hiểm|Kho bạc|Ngân hàng|Bệnh viện"
    r"|Cơ quan|Tổ dân phố|[Cc]ơ sở giáo dục"
    r"|[Cc]ác (?:sở|Sở|phòng|ban|Ban|nhà trường|tổ dân phố|doanh nghiệp|đơn vị|[Tt]rung tâm|cơ quan|tổ chức|cơ sở giáo dục)"
)
_TITLE = r"(?:[Đđ]ồng chí\s+)?(?:(?:Thủ trưởng|Chủ tịch|Giám đốc|Trưởng|Hiệu trưởng)\s+(?:các\s+)?)"
_HEAD = re.compile(rf"^(?:{_TITLE}?(?:{_HEADS})|{_TITLE}(?:sở|ban|phòng))(?=[\s,:;.)]|$)")
_LEAD = re.compile(r"^(?:Đề nghị|Giao)\s+")
_SEP = re.compile(r"(,\s*|\s+và\s+)")
# where a list of agencies ends and their duty begins ("… Tỉnh Đoàn | chỉ đạo thực hiện …")
_DUTY_START = re.compile(
    r"\s(?:chủ trì|phối hợp|chỉ đạo|triển khai|tăng cường|quản lý|tích cực|thực hiện|(?<!các )(?<!Các )tổ chức"
    r"|có trách nhiệm|chịu trách nhiệm|xây dựng|tham mưu|[Cc]ăn cứ|đẩy mạnh|rà soát|hướng dẫn|theo dõi"
    r"|bố trí|nghiên cứu|kiểm tra|duy trì|khẩn trương|là cơ quan|chủ động|phải|báo cáo|gửi|theo chức năng"
    r"|định kỳ|(?<!giáo dục )thường xuyên|nâng cao|đưa|phát động|cung cấp|lồng ghép|nắm|tập trung|tiếp tục|đôn đốc|giúp"
    r"|hỗ trợ|quán triệt|phổ biến|tuyên truyền)(?=[\s,]|$)"
)

LEVEL_WORDS = ("tỉnh", "thành phố", "huyện", "xã", "phường", "khu vực")


@dataclass(frozen=True)
class Agency:
    written: str  # as the plan names it: "Viện kiểm sát nhân dân"
    canonical: str  # "Viện kiểm sát nhân dân thành phố"
    base: str  # the canonical name without its level: "Viện kiểm sát nhân dân"
    level: str | None  # "thành phố"
    sector: str | None  # "Viện kiểm sát" (several joined by "; "), None when no sector fits
    known: bool  # the name matched a rule below (False: the canonical name is just the tidied name)
    scoped: bool = False  # a body found at every level (Công an, Hội, …): its canonical name carries the level


# (pattern on the folded name, canonical base, carries its level in the name?, sector); first match wins
_RULES: tuple[tuple[str, str | None, bool, str | None], ...] = (
    (r"^(cac )?ban cua dang", "Các Ban của Đảng ủy", True, None),
    (r"^uy ban kiem tra dang", "Ủy ban Kiểm tra Đảng ủy", True, None),
    (r"^van phong dang uy", "Văn phòng Đảng ủy", True, None),
    (r"^van phong (hdnd|hoi dong)", "Văn phòng HĐND và UBND", True, "Văn phòng HĐND và UBND"),
    (r"^(uy ban|ub) ?(mat tran|mttq)|^(ubmttq|mttq|mat tran to quoc)\b", "Ủy ban Mặt trận Tổ quốc Việt Nam", True,
     "Mặt trận Tổ quốc"),
    (r"^(cac )?to chuc chinh tri", "Các tổ chức chính trị - xã hội", True, None),
    (r"^(cac )?to chuc thanh vien", "Các tổ chức thành viên của Mặt trận", True, "Mặt trận Tổ quốc"),
    (r"^(uy ban nhan dan|ubnd) (cac )?(cap )?(xa|phuong)\b", "Ủy ban nhân dân cấp xã", False,
     "Ủy ban nhân dân cấp xã, phường"),
    (r"^(uy ban nhan dan|ubnd) (cac )?(cap )?huyen\b", "Ủy ban nhân dân cấp huyện", False,
     "Ủy ban nhân dân cấp xã, phường"),
    (r"^(cong an|ca|catp)\b", "Công an", True, "Công an"),
    (r"^(so y te|syt|nganh y te)\b", "Sở Y tế", False, "Y tế"),
    (r"^tram y te", "Trạm y tế", False, "Y tế"),
    (r"^bo phan y te", "Bộ phận Y tế", False, "Y tế"),
    (r"^(so tai chinh|stc)\b", "Sở Tài chính", False, "Tài chính"),
    (r"^phong tai chinh", "Phòng Tài chính - Kế hoạch", False, "Tài chính"),
    (r"^so tu phap", "Sở Tư pháp", False, "Tư pháp"),
    (r"^phong tu phap", "Phòng Tư pháp", False, "Tư pháp"),
    (r"^so van hoa", "Sở Văn hóa, Thể thao và Du lịch", False, "Văn hóa, thông tin"),
    (r"^phong van hoa", "Phòng Văn hóa và Thông tin", False, "Văn hóa, thông tin"),
    (r"^trung tam van hoa", None, False, "Văn hóa, thông tin"),
    (r"^(so giao duc|sgd)", "Sở Giáo dục và Đào tạo", False, "Giáo dục"),
    (r"^phong giao duc", "Phòng Giáo dục và Đào tạo", False, "Giáo dục"),
    (r"^so nong nghiep", "Sở Nông nghiệp và Môi trường", False, "Nông nghiệp và Môi trường"),
    (r"^so cong thuong", "Sở Công Thương", False, "Công Thương"),
    (r"^so noi vu", "Sở Nội vụ", False, "Nội vụ"),
    (r"^so khoa hoc", "Sở Khoa học và Công nghệ", False, None),
    (r"^phong lao dong", "Phòng Lao động - Thương binh và Xã hội", False, "Lao động - Thương binh và Xã hội"),
    (r"^phong kinh te, ha tang", "Phòng Kinh tế, Hạ tầng và Đô thị", False, "Kinh tế"),
    (r"^phong kinh te", "Phòng Kinh tế", False, "Kinh tế"),
    (r"^((ban|bo) chi huy )?bo doi bien phong|^bdbp\b", "Bộ đội Biên phòng", True, "Biên phòng"),
    (r"^ban chi huy quan su", "Ban Chỉ huy Quân sự", True, "Quân sự"),
    (r"^bo chi huy quan su", "Bộ Chỉ huy Quân sự", True, "Quân sự"),
    (r"^chi cuc hai quan", None, False, "Hải quan"),
    (r"^bao va phat thanh|^bao nam dinh", None, False, "Báo chí"),
    (r"^ban tuyen giao", "Ban Tuyên giáo và Dân vận Thành ủy", False, "Tuyên giáo và Dân vận"),
    (r"^(vien kiem sat|vksnd)", "Viện kiểm sát nhân dân", True, "Viện kiểm sát"),
    (r"^(toa an|tand)", "Tòa án nhân dân", True, "Tòa án"),
    (r"^(cac )?(so|thu truong (cac )?so), (ban, )?nganh|^cac so\b", "Các sở, ban, ngành", False, None),
    (r"^(cac )?phong, ban", "Các phòng, ban, đơn vị", False, None),
    (r"^cac don vi, dia phuong", "Các đơn vị, địa phương", False, None),
    (r"^cac don vi\b", "Các đơn vị", False, None),
    (r"^lien doan lao dong", "Liên đoàn Lao động", True, "Liên đoàn Lao động"),
    (r"^(doan thanh nien|doan tn|tinh doan|thanh doan)\b", "Đoàn Thanh niên Cộng sản Hồ Chí Minh", True,
     "Đoàn Thanh niên"),
    (r"^hoi (lien hiep )?phu nu", "Hội Liên hiệp Phụ nữ", True, "Hội Phụ nữ"),
    (r"^hoi nong dan", "Hội Nông dân", True, "Hội Nông dân"),
    (r"^hoi cuu chien binh", "Hội Cựu chiến binh", True, "Hội Cựu chiến binh"),
    (r"^(cac )?nha truong", "Các nhà trường", False, "Giáo dục"),
    (r"^(cac )?to dan pho", "Tổ dân phố", False, "Tổ dân phố"),
    (r"^luc luong an ninh trat tu co so", "Lực lượng An ninh trật tự cơ sở", False, "An ninh trật tự cơ sở"),
    (r"^(cac )?doanh nghiep", "Các doanh nghiệp", False, "Doanh nghiệp"),
    (r"^(cac )?trung tam giao duc nghe nghiep", "Các Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên",
     False, "Giáo dục"),
    (r"^(cac )?co so giao duc", "Các cơ sở giáo dục", False, "Giáo dục"),
)
_LEVEL_PATTERNS = (
    (r"\bkhu vuc\b", "khu vực"),
    (r"\b(cap )?huyen\b", "huyện"),
    (r"\b(cap xa|xa, phuong|phuong, xa|cac xa)\b", "xã"),
    (r"(?<!dia )\bphuong\b", "phường"),  # not "địa phương"
    (r"\bxa\b(?! hoi)", "xã"),
    (r"\btinh\b", "tỉnh"),
    (r"\b(thanh pho|tp|thanh uy|thanh doan|catp)\b", "thành phố"),
)
_TAIL = re.compile(r"\s+(?:trên địa bàn\b.*|của (?:thành phố|tỉnh|phường|xã)\b.*|có tuyến\b.*|trực thuộc\b.*|khác)$")


def canonical_agency(name: str, locality: str | None = None) -> tuple[str, str | None]:
    """(canonical name, level) of one agency name, e.g. ("Công an thành phố", "thành phố")."""
    agency = lookup(name, locality)
    return agency.canonical, agency.level


def canonical_agencies(name: str, locality: str | None = None) -> list[Agency]:
    """Every agency a name lists, canonicalised; the same canonical agency once."""
    out: dict[str, Agency] = {}
    for part in split_agencies(name):
        agency = lookup(part, locality)
        out.setdefault(agency.canonical, agency)
    return list(out.values())


@lru_cache(maxsize=4096)
def lookup(name: str, locality: str | None = None) -> Agency:
    written = " ".join(nfc(name).split()).strip(" ,.;:")
    bare = re.sub(rf"^{_TITLE}", "", _LEAD.sub("", written))  # "Chủ tịch Ủy ban …" is its Ủy ban
    named_level = level_in(_folded(bare))  # "Các tổ dân phố trên địa bàn phường": phường
    bare = _TAIL.sub("", bare)
    folded = _folded(bare)
    rule = next((r for r in _RULES if re.search(r[0], folded)), None)
    if rule is None and folded.startswith("luc luong "):
        folded = folded[len("luc luong "):]
        bare = bare[len("lực lượng "):]
        rule = next((r for r in _RULES if re.search(r[0], folded)), None)
    level = level_in(folded) or named_level or locality_level(locality)
    if rule is None:
        canonical = bare[:1].upper() + bare[1:]
        return Agency(written, canonical, canonical, level, _sectors(bare), False)
    pattern, base, carries_level, sector = rule
    if base is None:  # a proper name kept as written, tidied: "Chi cục Hải quan khu vực XIX"
        base = re.sub(r"\bKhu vực\b", "khu vực", bare[:1].upper() + bare[1:])
    if "cấp xã" in base:
        level = "xã"
    elif "cấp huyện" in base:
        level = "huyện"
    canonical = f"{base} {level}" if carries_level and level else base
    return Agency(written, canonical, base, level, sector or _sectors(bare), True, carries_level)


def split_agencies(name: str) -> list[str]:
    """One name per agency a name lists: "Viện kiểm sát nhân dân, Tòa án nhân dân thành phố" ->
    ["Viện kiểm sát nhân dân", "Tòa án nhân dân thành phố"]; "Ủy ban nhân dân cấp huyện, cấp xã" ->
    ["Ủy ban nhân dân cấp huyện", "Ủy ban nhân dân cấp xã"]; "Sở Văn hóa, Thể thao và Du lịch" stays one."""
    text = _LEAD.sub("", " ".join(nfc(name).split()).strip(" ,.;:"))
    pieces = _SEP.split(text)
    if not _HEAD.match(pieces[0]):
        return [text] if text else []
    names = [pieces[0]]
    for sep, piece in zip(pieces[1::2], pieces[2::2]):
        if _HEAD.match(piece) and not (
            re.match(r"(UBND|Ủy ban nhân dân)\b", piece) and re.match(r"Văn phòng (HĐND|Hội đồng)", names[-1], re.I)
        ):
            names.append(piece)
        elif piece.startswith("cấp ") and " cấp " in names[-1]:
            names.append(names[-1][: names[-1].index(" cấp ")] + " " + piece)  # "…cấp huyện, cấp xã"
        else:
            names[-1] += sep + piece
    return [re.sub(r"\b(cấp \w+) \1\b", r"\1", n) for n in names]  # the plan's "cấp xã cấp xã"


def agency_list_at(text: str) -> tuple[str, int] | None:
    """The agencies named at the start of a clause and where their duty begins:
    "Đề nghị Ủy ban Mặt trận Tổ quốc, …, Tỉnh Đoàn chỉ đạo thực hiện …" -> ("Ủy ban … Tỉnh Đoàn", offset of
    " chỉ đạo"). None unless the names are followed by a duty verb, a colon or a parenthesis."""
    lead = _LEAD.match(text)
    start = lead.end() if lead else 0
    if not _HEAD.match(text[start:]):
        return None
    window = text[start: start + 320]
    stops = [m.start() for m in (_DUTY_START.search(window), re.search(r"\s?[:(]", window)) if m]
    hard = re.search(r"[;.\n]", window)
    if not stops or (hard and hard.start() < min(stops)):
        return None
    cut = min(stops)
    names = window[:cut].strip(" ,")
    if not names or len(names.split()) > 40:
        return None
    return names, start + cut


def level_in(folded_name: str) -> str | None:
    for pattern, level in _LEVEL_PATTERNS:
        if re.search(pattern, folded_name):
            return level
    return None


def locality_level(locality: str | None) -> str | None:
    """"thành phố Cần Thơ" -> "thành phố"; "phường Tân Hưng (Hải Phòng)" -> "phường"."""
    if not locality:
        return None
    head = nfc(locality).strip().lower()
    return next((w for w in LEVEL_WORDS if head.startswith(w)), None)


def _folded(name: str) -> str:
    folded = fold(name).replace("–", "-").replace("—", "-").replace("&", " va ")
    return " ".join(folded.split())


def _sectors(name: str) -> str | None:
    found = sectors_of(name)
    return "; ".join(sorted(found)) if found else None
