"""The duties table: rows for every agency section (against a hand-checked list), deadlines,
canonical agencies, filters, exports and the `tracuu duties` command. No model is loaded."""

from __future__ import annotations

import argparse
import csv
import io
import json
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from assistant.duties_table import (
    DutyFilter, agency_matches, duties_for_sectors, filter_duties, parse_day, parse_month,
)
from ingest.canonical import canonical_agency, lookup, split_agencies
from ingest.deadlines import due_between, parse_deadline
from ingest.duties import ROLES, extract_duties
from ingest.pipeline import collect_files, parse_files
from tracuu.errors import TracuuError

REPO = Path(__file__).resolve().parent.parent
EXPECTED = json.loads((REPO / "tests" / "data" / "duties_expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def parsed():
    return parse_files(collect_files([REPO / "data" / "plans"]), 1200, 150, 20)


@pytest.fixture(scope="module")
def duties(parsed):
    return extract_duties(parsed.documents, parsed.chunks)


@pytest.fixture(scope="module")
def documents(parsed):
    return {d.doc_id: d for d in parsed.documents}


def _in_entry(duty, entry) -> bool:
    labels = duty.section.split(" › ")
    return labels[0] == entry["top"] and any(label.startswith(entry["item"] + " ") for label in labels[1:])


def _rows(duties, file, **fields):
    return [d for d in duties if d.file == file and all(getattr(d, k) == v for k, v in fields.items())]


# -- extraction ------------------------------------------------------------------------------------

def test_every_agency_chunk_yields_rows(parsed, duties):
    have = {d.chunk_id for d in duties}
    missing = [c.section for c in parsed.chunks
               if c.agency and "(phần " not in c.section and c.chunk_id not in have]
    assert not missing


@pytest.mark.parametrize("file", sorted(k for k in EXPECTED if not k.startswith("_")))
def test_rows_match_the_hand_checked_list(duties, file):
    entries = EXPECTED[file]
    rows = [d for d in duties if d.file == file]
    for entry in entries:
        here = [d for d in rows if _in_entry(d, entry)]
        got = {name: sum(1 for d in here if d.canonical == name) for name in entry["items"]}
        assert got == entry["items"], f"{entry['top']} › {entry['item']} {entry['agency']}"
    stray = [(d.section, d.agency) for d in rows if not any(_in_entry(d, e) for e in entries)]
    assert not stray


def test_rows_are_well_formed(duties, documents):
    for d in duties:
        assert d.role in ROLES
        assert d.quote in documents[d.doc_id].text  # verbatim
        assert unicodedata.is_normalized("NFC", d.text + d.agency + d.canonical)
        assert (d.deadline is None) == (d.deadline_text is None)
        assert d.plan_label == documents[d.doc_id].label


def test_names_listing_two_agencies_give_two_rows(duties):
    item = [d for d in duties if d.section == "IV. Phân công trách nhiệm › 11. Viện kiểm sát nhân dân, "
            "Tòa án nhân dân thành phố › ý 1" and d.role == "phối hợp"]
    assert {d.canonical for d in item} >= {"Viện kiểm sát nhân dân thành phố", "Tòa án nhân dân thành phố"}


def test_coordinating_rows_only_for_named_agencies(duties):
    cantho = "can-tho_kh-153-ubnd_2025.txt"
    sotc_b = [d for d in duties if d.file == cantho and d.section == "IV. Phân công nhiệm vụ › 2. Sở Tài chính › b)"]
    assert {(d.canonical, d.role) for d in sotc_b} == {("Sở Tài chính", "phối hợp"), ("Công an thành phố", "phối hợp")}
    partner = next(d for d in sotc_b if d.canonical == "Công an thành phố")
    assert partner.quote.startswith("b) Phối hợp với Công an thành phố")
    # "phối hợp chặt chẽ lực lượng Công an và các lực lượng liên quan": no level, no row
    haiquan_a = [d for d in duties if d.file == cantho and d.section.endswith("Chi cục Hải quan khu vực XIX › a)")]
    assert [d.canonical for d in haiquan_a] == ["Chi cục Hải quan khu vực XIX"]


def test_roles(duties):
    nd = "nam-dinh_kh-kl132_2025.txt"
    assert {d.role for d in _rows(duties, nd, canonical="Công an tỉnh") if d.section.startswith("III.")} == {"chủ trì"}
    th = _rows(duties, "tan-hung-hai-phong_kh-ubnd_2025.txt", section="IV. Phân công nhiệm vụ › 2. Trạm y tế › ý 1")
    assert {(d.canonical, d.role) for d in th} == {("Trạm y tế", "phối hợp"), ("Công an phường", "phối hợp")}


# -- deadlines -------------------------------------------------------------------------------------

def test_can_tho_submission_and_yearly_report(duties):
    rows = [d for d in duties if d.section.startswith("IV. Tổ chức thực hiện › 1. Các sở")]
    submit = [d for d in rows if d.section.endswith("a)")]
    report = [d for d in rows if d.section.endswith("b)")]
    assert {d.canonical for d in submit} == {"Các sở, ban, ngành", "Ủy ban nhân dân cấp xã"}
    for d in submit:
        assert d.deadline.kind == "relative" and d.deadline.days == 10
        assert d.deadline.anchor == "ngày nhận Kế hoạch này"
        assert d.due == date(2025, 11, 27) and "17/11/2025" in d.deadline.note  # plan date + 10 days, said so
    for d in report:
        assert (d.deadline.kind, d.deadline.month, d.deadline.day) == ("yearly", 12, 15)
        assert d.recurrence == "yearly --12-15" and d.due is None


def test_tan_hung_monthly_report_on_the_14th(duties):
    row, = [d for d in duties if d.doc_id.startswith("tan-hung") and d.section.startswith("V. Tổ chức thực hiện › 2.")]
    assert row.agency == "Các đơn vị" and row.deadline.kind == "monthly" and row.deadline.day == 14
    assert row.recurrence == "monthly ---14" and row.deadline_text == "ngày 14 hàng tháng"


def test_vinh_yen_plans_due_before_22_11_2021(duties):
    rows = [d for d in duties if d.doc_id.startswith("vinh-yen") and d.section.startswith("V. Tổ chức thực hiện › 2.")]
    assert {d.canonical for d in rows} == {"Các phòng, ban, đơn vị", "Ủy ban nhân dân cấp xã"}
    assert {d.due for d in rows} == {date(2021, 11, 22)} and rows[0].deadline_text == "trước ngày 22/11/2021"
    period, = [d for d in duties if d.doc_id.startswith("vinh-yen") and d.section.startswith("V. Tổ chức thực hiện › 3.")]
    assert period.deadline.kind == "period" and period.deadline.every == "6 tháng và hàng năm"


@pytest.mark.parametrize("text, kind, fields", [
    ("trong thời hạn 10 ngày kể từ ngày nhận Kế hoạch này.", "relative", {"days": 10, "date": date(2025, 11, 27)}),
    ("Định kỳ hằng năm (trước ngày 15 tháng 12) báo cáo", "yearly", {"month": 12, "day": 15}),
    ("báo cáo trước ngày 15 tháng 12 hằng năm", "yearly", {"month": 12, "day": 15}),
    ("báo cáo trước ngày 15/12 hàng năm", "yearly", {"month": 12, "day": 15}),
    ("ngày 14 hàng tháng", "monthly", {"day": 14}),
    ("Định kỳ (6 tháng và hàng năm), sơ kết", "period", {"every": "6 tháng và hàng năm"}),
    ("gửi về trước ngày 22/11/2021.", "date", {"date": date(2021, 11, 22)}),
    ("(hoàn thành trong tháng 5 năm 2025)", "date", {"date": date(2025, 5, 31), "month": 5}),
    ("hằng năm tổ chức tập huấn", "yearly", {"month": None, "day": None}),
    ("thường xuyên kiểm tra", "period", {"every": "thường xuyên"}),
    ("Kế hoạch số 09/KH-UBND ngày 15/01/2020 của UBND tỉnh", "none", {}),
    ("có hiệu lực kể từ ngày 01/01/2022", "none", {}),
])
def test_parse_deadline(text, kind, fields):
    for form in (text, unicodedata.normalize("NFD", text)):
        d = parse_deadline(unicodedata.normalize("NFC", form), date(2025, 11, 17))
        assert d.kind == kind
        for name, value in fields.items():
            assert getattr(d, name) == value


def test_relative_deadline_without_a_plan_date():
    d = parse_deadline("trong thời hạn 10 ngày kể từ ngày nhận Kế hoạch", None)
    assert d.kind == "relative" and d.date is None and "không ghi ngày" in d.note


def test_due_between_december():
    dec = (date(2025, 12, 1), date(2025, 12, 31))
    assert due_between(parse_deadline("trước ngày 15 tháng 12 hằng năm"), *dec) == [date(2025, 12, 15)]
    assert due_between(parse_deadline("ngày 14 hàng tháng"), *dec) == [date(2025, 12, 14)]
    assert due_between(parse_deadline("trước ngày 22/11/2021"), *dec) == []
    assert due_between(parse_deadline("thường xuyên"), *dec) == []
    assert len(due_between(parse_deadline("ngày 31 hằng tháng"), date(2025, 1, 1), date(2025, 12, 31))) == 12
    relative = parse_deadline("trong thời hạn 10 ngày kể từ ngày nhận Kế hoạch", date(2025, 11, 17))
    assert due_between(relative, *dec) == [] and due_between(relative, date(2025, 11, 1), date(2025, 11, 30))


def test_what_falls_due_in_december(duties, documents):
    rows = filter_duties(duties, DutyFilter(due_in=(2025, 12)), documents)
    assert {(d.doc_id[:8], d.canonical, d.recurrence) for d in rows} == {
        ("can-tho_", "Các sở, ban, ngành", "yearly --12-15"),
        ("can-tho_", "Ủy ban nhân dân cấp xã", "yearly --12-15"),
        ("tan-hung", "Các đơn vị", "monthly ---14"),
    }
    # a yearly report is not due before its plan was issued (17/11/2025)
    assert not [d for d in filter_duties(duties, DutyFilter(due_in=(2024, 12)), documents) if d.doc_id.startswith("can-tho")]
    # Vĩnh Yên's plan states only its year: from 1/1/2021 its yearly 26/6 day counts too
    before = filter_duties(duties, DutyFilter(due_before=date(2021, 12, 31)), documents)
    assert {(d.canonical, d.due or d.recurrence) for d in before} == {
        ("Các phòng, ban, đơn vị", date(2021, 11, 22)), ("Ủy ban nhân dân cấp xã", date(2021, 11, 22)),
        ("Công an thành phố", "yearly --06-26"),
    }


# -- canonical agencies ----------------------------------------------------------------------------

@pytest.mark.parametrize("name, locality, canonical, level", [
    ("Sở Y tế", "thành phố Cần Thơ", "Sở Y tế", "thành phố"),
    ("SYT", "tỉnh Nam Định", "Sở Y tế", "tỉnh"),
    ("ngành Y tế", None, "Ngành Y tế", None),  # a sector, not a body: linked to Sở Y tế by sector only
    ("so y te", None, "Sở Y tế", None),
    ("Công an thành phố", None, "Công an thành phố", "thành phố"),
    ("Công an TP", None, "Công an thành phố", "thành phố"),
    ("CA TP", None, "Công an thành phố", "thành phố"),
    ("cong an tp", None, "Công an thành phố", "thành phố"),
    ("đồng chí Trưởng Công an phường", None, "Công an phường", "phường"),
    ("UBND xã, phường", None, "Ủy ban nhân dân cấp xã", "xã"),
    ("Ủy ban nhân dân các phường, xã", "thành phố Vĩnh Yên (Vĩnh Phúc)", "Ủy ban nhân dân cấp xã", "xã"),
    ("Ủy ban nhân dân xã, phường", "thành phố Cần Thơ", "Ủy ban nhân dân cấp xã", "xã"),
    ("uy ban nhan dan xa, phuong", None, "Ủy ban nhân dân cấp xã", "xã"),
    ("Chủ tịch Ủy ban nhân dân xã, phường", None, "Ủy ban nhân dân cấp xã", "xã"),
    ("Ủy ban nhân dân cấp huyện", None, "Ủy ban nhân dân cấp huyện", "huyện"),
    ("Ủy ban MTTQ thành phố", None, "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố", "thành phố"),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam thành phố", None, "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố", "thành phố"),
    ("Ủy ban Mặt trận Tổ quốc", "tỉnh Nam Định", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "tỉnh"),
    ("Đoàn TN", "phường Tân Hưng (Hải Phòng)", "Đoàn Thanh niên Cộng sản Hồ Chí Minh phường", "phường"),
    ("Tỉnh Đoàn", "tỉnh Nam Định", "Đoàn Thanh niên Cộng sản Hồ Chí Minh tỉnh", "tỉnh"),
    ("Hội Phụ nữ", "phường Tân Hưng (Hải Phòng)", "Hội Liên hiệp Phụ nữ phường", "phường"),
    # the lexicon's command bodies (Luật Biên phòng Việt Nam 2020), not the force as a whole
    ("Bộ Chi huy Bộ đội Biên phòng tỉnh", None, "Bộ Chỉ huy Bộ đội Biên phòng", "tỉnh"),
    ("Ban Chỉ huy Bộ đội Biên phòng thành phố", None, "Ban Chỉ huy Bộ đội Biên phòng thành phố", "thành phố"),
    # a ministry is never its provincial department, and a central body is recognised with its acronym
    ("Bộ Y tế", "thành phố Cần Thơ", "Bộ Y tế", "trung ương"),
    ("Bộ GD&ĐT", None, "Bộ Giáo dục và Đào tạo", "trung ương"),
    ("Bộ Lao động - Thương binh và Xã hội", None, "Bộ Lao động - Thương binh và Xã hội", "trung ương"),
    ("Tòa án nhân dân tối cao", None, "Tòa án nhân dân tối cao", "trung ương"),
    ("Trung ương Đoàn", None, "Trung ương Đoàn Thanh niên Cộng sản Hồ Chí Minh", "trung ương"),
    ("Phong GD&DT", None, "Phòng Giáo dục và Đào tạo", None),
    ("Chi cục Hải quan Khu vực IV", "tỉnh Nam Định", "Chi cục Hải quan khu vực IV", "khu vực"),
    ("Văn phòng Hội Đồng nhân dân & Ủy ban nhân dân", "thành phố Vĩnh Yên", "Văn phòng HĐND và UBND thành phố", "thành phố"),
    ("Các tổ dân phố trên địa bàn phường", None, "Tổ dân phố", "phường"),
    ("Các đơn vị, địa phương", "tỉnh Nam Định", "Các đơn vị, địa phương", "tỉnh"),
])
def test_canonical_agency(name, locality, canonical, level):
    for form in (name, unicodedata.normalize("NFD", name)):
        assert canonical_agency(form, locality) == (canonical, level)


def test_same_role_across_levels_is_linked_not_merged():
    health = [lookup(n, loc) for n, loc in (("Sở Y tế", "tỉnh Nam Định"), ("Trạm y tế", "phường Tân Hưng"),
                                            ("Bộ phận Y tế", "thành phố Vĩnh Yên"))]
    assert {a.sector for a in health} == {"Y tế"} and len({a.canonical for a in health}) == 3


@pytest.mark.parametrize("name, parts", [
    # one head noun over a list of sectors (a telegram; a plan's list of ministries), a list split by ";"
    ("Các Bộ: Tài chính, Y tế, Tư pháp, Nội vụ", ["Bộ Tài chính", "Bộ Y tế", "Bộ Tư pháp", "Bộ Nội vụ"]),
    ("Các Bộ: Quốc phòng, Công an, Văn hóa, Thể thao và Du lịch",
     ["Bộ Quốc phòng", "Bộ Công an", "Bộ Văn hóa, Thể thao và Du lịch"]),
    ("Bộ Thông tin và Truyền thông; Ban Tuyên giáo Trung ương; Bộ Ngoại giao",
     ["Bộ Thông tin và Truyền thông", "Ban Tuyên giáo Trung ương", "Bộ Ngoại giao"]),
    ("Các Bộ: phối hợp triển khai", ["Các Bộ: phối hợp triển khai"]),  # no list of bodies: as written
    ("Viện kiểm sát nhân dân thành phố, Tòa án nhân dân thành phố",
     ["Viện kiểm sát nhân dân thành phố", "Tòa án nhân dân thành phố"]),
    ("Viện kiểm sát nhân dân, Tòa án nhân dân thành phố", ["Viện kiểm sát nhân dân", "Tòa án nhân dân thành phố"]),
    ("Sở Văn hóa, Thể thao và Du lịch, Sở Khoa học và Công nghệ, Báo Nam Định",
     ["Sở Văn hóa, Thể thao và Du lịch", "Sở Khoa học và Công nghệ", "Báo Nam Định"]),
    ("Ủy ban nhân dân cấp huyện, cấp xã", ["Ủy ban nhân dân cấp huyện", "Ủy ban nhân dân cấp xã"]),
    ("Các sở, ban, ngành thành phố và Ủy ban nhân dân xã, phường",
     ["Các sở, ban, ngành thành phố", "Ủy ban nhân dân xã, phường"]),
    ("Văn phòng HĐND và UBND phường", ["Văn phòng HĐND và UBND phường"]),
    ("Phòng Lao động - Thương binh và Xã hội", ["Phòng Lao động - Thương binh và Xã hội"]),
    ("Đề nghị các Ban của Đảng, Ủy ban Kiểm tra Đảng ủy, Văn phòng Đảng ủy",
     ["các Ban của Đảng", "Ủy ban Kiểm tra Đảng ủy", "Văn phòng Đảng ủy"]),
    # a head noun over names the lexicon lacks (an appendix table of CV 6225/BVHTTDL-VP): each name gets the head
    ("Các Cục: Di sản văn hóa, Bản quyền tác giả", ["Cục Di sản văn hóa", "Cục Bản quyền tác giả"]),
    ("Các Vụ: Pháp chế; Kế hoạch, Tài chính", ["Vụ Pháp chế", "Vụ Kế hoạch, Tài chính"]),
])
def test_split_agencies(name, parts):
    assert split_agencies(name) == parts


@pytest.mark.parametrize("query, includes, excludes", [
    ("so y te", {"Sở Y tế"}, {"Trạm y tế", "Bộ phận Y tế"}),
    ("Sở Y tế", {"Sở Y tế"}, {"Trạm y tế"}),
    ("SYT", {"Sở Y tế"}, {"Trạm y tế"}),
    ("y tế", {"Sở Y tế", "Trạm y tế", "Bộ phận Y tế"}, set()),
    ("CA TP", {"Công an thành phố"}, {"Công an tỉnh", "Công an phường"}),
    ("công an", {"Công an thành phố", "Công an tỉnh", "Công an phường"}, {"Sở Y tế"}),
    ("MTTQ", {"Ủy ban Mặt trận Tổ quốc Việt Nam thành phố", "Ủy ban Mặt trận Tổ quốc Việt Nam phường"}, set()),
])
def test_agency_filter(duties, query, includes, excludes):
    found = {d.canonical for d in duties if agency_matches(query, d)}
    assert includes <= found and not (excludes & found)


def test_filters_for_the_assistant(duties, documents):
    rows = duties_for_sectors(duties, {"Y tế"}, documents, plan="vinh-yen")
    assert {d.canonical for d in rows} == {"Bộ phận Y tế"}


@pytest.mark.parametrize("bad", ["31/02/2025", "2025/12/31", "hôm nay"])
def test_bad_dates_say_how_to_write_them(bad):
    with pytest.raises(TracuuError, match="2025-12-31"):
        parse_day(bad)


def test_months():
    assert parse_month("2025-12") == parse_month("12/2025") == (2025, 12)
    with pytest.raises(TracuuError, match="2025-12"):
        parse_month("2025-13")


# -- exports and the command -----------------------------------------------------------------------

def test_exports_hold_all_rows(tmp_path, duties):
    from docx import Document as Docx
    from openpyxl import load_workbook

    from tracuu.duties_cli import render_table, write_csv, write_docx, write_xlsx

    write_xlsx(duties, tmp_path / "d.xlsx")
    ws = load_workbook(tmp_path / "d.xlsx").active
    assert ws.max_row == len(duties) + 1 and ws.cell(1, 4).value == "Cơ quan (theo kế hoạch)"
    assert ws.cell(2, 9).value == duties[0].text
    write_docx(duties, tmp_path / "d.docx")
    table = Docx(str(tmp_path / "d.docx")).tables[0]
    assert len(table.rows) == len(duties) + 1 and table.rows[1].cells[2].text == duties[0].canonical
    write_csv(duties, tmp_path / "d.csv")
    raw = (tmp_path / "d.csv").read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == len(duties) + 1 and rows[1][3] == duties[0].agency
    text = render_table(duties[:5], 120)
    assert "Cơ quan" in text and "Nhiệm vụ" in text and duties[0].plan_label in text


def _run(argv: list[str]) -> int:
    """`tracuu …` in process: through tracuu.cli once `duties` is wired there, else its own parser."""
    from tracuu import cli
    from tracuu.duties_cli import add_duties_parser

    parser = cli.build_parser()
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "duties" in subcommands.choices:
        return cli.main(argv)
    parser = argparse.ArgumentParser(prog="tracuu")
    add_duties_parser(parser.add_subparsers())
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except TracuuError as exc:
        print(f"Lỗi: {exc}")
        return 2


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    """A real index of the bundled plans, built with the hashing embedder (no model)."""
    from index.build import build_index
    from index.embedder import HashingEmbedder
    from tracuu.settings import Settings

    settings = Settings.from_env(index_dir=tmp_path_factory.mktemp("duties") / "index")
    build_index([REPO / "data" / "plans"], settings, HashingEmbedder())
    return settings.index_dir


def test_cli_json_contract(index_dir, monkeypatch, capsys, duties):
    monkeypatch.setenv("TRACUU_INDEX_DIR", str(index_dir))
    assert _run(["duties", "--format", "json", "--agency", "so y te"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["canonical"] for r in rows} == {"Sở Y tế"}
    assert list(rows[0]) == ["agency", "canonical", "level", "sector", "role", "text", "deadline_text", "deadline",
                             "recurrence", "doc_id", "file", "plan_label", "section", "chunk_id", "quote"]
    assert _run(["duties", "--format", "json", "--due-in", "2025-12"]) == 0
    december = json.loads(capsys.readouterr().out)
    assert {r["recurrence"] for r in december} == {"yearly --12-15", "monthly ---14"}
    assert _run(["duties", "--format", "json", "--plan", "vinh-yen", "--due-before", "2021-12-31"]) == 0
    due = json.loads(capsys.readouterr().out)
    assert {(r["deadline"], r["recurrence"]) for r in due} == {("2021-11-22", None), (None, "yearly --06-26")}


def test_cli_table_and_files(index_dir, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("TRACUU_INDEX_DIR", str(index_dir))
    assert _run(["duties", "--agency", "Trạm y tế"]) == 0
    out = capsys.readouterr().out
    assert "Trạm y tế" in out and "Vai trò" in out and "Thời hạn" in out
    assert _run(["duties", "--format", "xlsx", "--out", str(tmp_path / "t.xlsx")]) == 0
    assert (tmp_path / "t.xlsx").exists()


def test_cli_without_an_index_says_to_ingest(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRACUU_INDEX_DIR", str(tmp_path / "none"))
    assert _run(["duties"]) == 2
    captured = capsys.readouterr()
    assert "tracuu ingest" in captured.out + captured.err


@pytest.mark.parametrize("item, names_only", [
    # an organisation chart (a decision on the forest rangers' units) and where to file (a procedures decision)
    ("Trạm Kiểm lâm Phú Quý, Trạm Kiểm lâm Long Đại thuộc Hạt Kiểm lâm Quảng Ninh;", True),
    ("Trung tâm phục vụ hành chính công (Đường Lê Lợi, Phường Bình Dương, Thành phố Hồ Chí Minh).", True),
    ("Các sở, ban, ngành, Trung tâm Phục vụ hành chính công thành phố, Ủy ban nhân dân cấp xã.", True),
    # a body and what it does (a decree; a yearly plan)
    ("Bộ Văn hóa, Thể thao và Du lịch có ý kiến đối với kế hoạch bảo quản, phục chế bảo vật quốc gia;", False),
    ("Sở Y tế chủ trì, phối hợp Công an tỉnh tổ chức cai nghiện.", False),
    ("Các doanh nghiệp nhà nước, Tổng Công ty tiên phong, dẫn dắt sự phát triển kinh tế số của ngành.", False),
])
def test_an_item_that_only_names_bodies_gives_nobody_work(item, names_only):
    from ingest.duties import _names_only

    assert _names_only(item, None) is names_only


def _rows_of(path, text: str) -> list[tuple[str, str]]:
    """(body, role) of every duty row the reader makes of a document written to `path`."""
    from ingest.pipeline import parse_file
    from ingest.records import duties_of, extract_records

    path.write_text(text, encoding="utf-8")
    doc, chunks = parse_file(path)
    return [(d.canonical, d.role) for d in duties_of(extract_records([doc], chunks))]


def test_a_list_of_units_yields_no_duty_rows(tmp_path):
    assert _rows_of(
        tmp_path / "quyet-dinh_to-chuc_2025.md",
        "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM\n\nSố: 39/2025/QĐ-UBND\n\nQUYẾT ĐỊNH\n\nVề tổ chức bộ máy\n\n"
        "Điều 2. Tổ chức bộ máy\n\n1. Các đơn vị trực thuộc gồm:\n\n"
        "a) Trạm Kiểm lâm Phú Quý, Trạm Kiểm lâm Long Đại thuộc Hạt Kiểm lâm Quảng Ninh;\n\n"
        "b) Trạm Kiểm lâm Troóc thuộc Hạt Kiểm lâm Phong Nha.\n\n"
        "Điều 3. Tổ chức thực hiện\n\n1. Hạt Kiểm lâm Quảng Ninh chủ trì tuần tra, bảo vệ rừng.\n",
    ) == [("Hạt Kiểm lâm Quảng Ninh", "chủ trì")]


def test_a_short_name_the_document_defines_is_its_body(tmp_path):
    # a task table names its lead body by the acronym the document defined in a group row above it
    assert _rows_of(
        tmp_path / "thong-bao_ket-luan_2025.md",
        "VĂN PHÒNG CHÍNH PHỦ\n\nSố: 624/TB-VPCP\n\nTHÔNG BÁO\n\nKết luận phiên họp\n\nIII. NHIỆM VỤ\n\n"
        "| STT | Tên nhiệm vụ | Đơn vị chủ trì | Thời hạn |\n| --- | --- | --- | --- |\n"
        "| | **Nhiệm vụ giao Tổng Giám đốc Tập đoàn Điện lực Việt Nam (EVN) chỉ đạo** | | |\n"
        "| 48 | Xây dựng phương án cung cấp điện cho 117 thôn chưa có điện | EVN | 30/11/2025 |\n",
    ) == [("Tập đoàn Điện lực Việt Nam", "chủ trì")]


@pytest.mark.parametrize("file,text,rows", [
    # a conclusion notice: the second sentence of an item, after a clause of purpose, gives its subject work
    ("thong-bao_ket-luan_2025.md",
     "VĂN PHÒNG CHÍNH PHỦ\n\nSố: 634/TB-VPCP\n\nTHÔNG BÁO\n\nKết luận\n\nIII. VỀ MỘT SỐ KIẾN NGHỊ CỦA TỈNH\n\n"
     "4. Về đầu tư kho chứa: Bộ Công Thương chủ động làm việc với các nhà đầu tư. Để xác định vị trí cụ thể "
     "của dự án, Ủy ban nhân dân tỉnh Thử Nghiệm rà soát kỹ các quy hoạch, chủ động bố trí quỹ đất.\n",
     [("Bộ Công Thương", "thực hiện"), ("Ủy ban nhân dân tỉnh", "thực hiện")]),
    # a plan: a clause of purpose that names bodies itself, then the body
    ("ke-hoach_xa-hoi-hoa_2025.md",
     "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM\n\nSố: 12/KH-UBND\n\nKẾ HOẠCH\n\nVề y tế cơ sở\n\nIII. TỔ CHỨC THỰC HIỆN\n\n"
     "1. Để nâng cấp các trạm y tế chưa đạt chuẩn, Sở Y tế chủ trì lập danh sách và đề xuất kinh phí.\n",
     [("Sở Y tế", "chủ trì")]),
    # after "phối hợp với" the bodies are partners, not the subject; a body the sentence hands the work to is
    ("ke-hoach_ha-tang_2025.md",
     "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM\n\nSố: 13/KH-UBND\n\nKẾ HOẠCH\n\nVề hạ tầng\n\nIII. TỔ CHỨC THỰC HIỆN\n\n"
     "1. Để đưa các công trình vào khai thác, phối hợp với Sở Xây dựng, Sở Công Thương bố trí hạ tầng.\n\n"
     "2. Để kịp tiến độ theo chỉ đạo của Chủ tịch Ủy ban nhân dân tỉnh, Thủ trưởng các sở, yêu cầu Sở Tài chính "
     "bố trí kinh phí.\n\n3. Để đáp ứng yêu cầu an toàn giao thông, Công an tỉnh chủ trì tuần tra.\n",
     [("Sở Tài chính", "thực hiện"), ("Công an tỉnh", "chủ trì")]),
])
def test_the_subject_after_a_clause_of_purpose_or_topic(tmp_path, file, text, rows):
    assert _rows_of(tmp_path / file, text) == rows


@pytest.mark.parametrize("file,text,rows", [
    # a Government Office letter without headings: the direction it conveys gives the work
    ("cong-van_vpcp_2025.md",
     "VĂN PHÒNG CHÍNH PHỦ\n\nSố: 11299/VPCP-KGVX\n\nV/v thành lập mạng lưới quan trắc\n\nKính gửi: Bộ Khoa học và Công "
     "nghệ.\n\nXét Tờ trình số 226/TTr-BKHCN của Bộ Khoa học và Công nghệ, Phó Thủ tướng Chính phủ Nguyễn Văn An có ý "
     "kiến như sau:\n\nBộ Khoa học và Công nghệ chủ trì, phối hợp với Bộ Quốc phòng rà soát mô hình tổ chức của mạng "
     "lưới; báo cáo Thủ tướng Chính phủ trong quý I năm 2026.\n\nVăn phòng Chính phủ thông báo để Bộ Khoa học và Công "
     "nghệ biết, thực hiện./.\n",
     [("Bộ Khoa học và Công nghệ", "chủ trì"), ("Bộ Quốc phòng", "phối hợp")]),
    # a department's reply giving its own opinion on the law gives no one work
    ("cong-van_thue_2025.md",
     "CỤC THUẾ\n\nSố: 5387/CT-CS\n\nV/v chính sách thuế\n\nKính gửi: Thuế tỉnh Thử Nghiệm.\n\nTrả lời công văn số 01 của "
     "Thuế tỉnh Thử Nghiệm về thuế suất, Cục Thuế có ý kiến như sau:\n\nCục Thuế xin trả lời như sau: theo quy định "
     "tại Luật Thuế giá trị gia tăng, hàng hóa xuất khẩu áp dụng thuế suất 0%.\n",
     []),
])
def test_a_letter_conveying_a_leaders_direction_gives_work_after_it(tmp_path, file, text, rows):
    assert _rows_of(tmp_path / file, text) == rows


def test_a_heading_naming_a_group_and_which_of_them_gives_its_items(tmp_path):
    # "1. Thủ trưởng các cơ quan, đơn vị được giao nhiệm vụ": a body, and the clause that says which ones
    assert _rows_of(
        tmp_path / "cong-van_bo_2025.md",
        "BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH\n\nSố: 6225/BVHTTDL-VP\n\nV/v triển khai Chỉ thị\n\nKính gửi: Các cơ quan, đơn vị "
        "thuộc Bộ.\n\nBộ Văn hóa, Thể thao và Du lịch yêu cầu:\n\n1. Thủ trưởng các cơ quan, đơn vị được giao nhiệm vụ\n\n"
        "- Chịu trách nhiệm toàn diện trước Bộ trưởng về tiến độ, chất lượng triển khai các nhiệm vụ.\n\n"
        "- Nghiêm túc thực hiện chế độ báo cáo theo Quy chế.\n",
    ) == [("Các cơ quan, đơn vị", "thực hiện"), ("Các cơ quan, đơn vị", "thực hiện")]
