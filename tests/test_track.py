"""Following tasks: stable ids across re-ingests, the status store (history, migrations, two writing
processes, backup, PostgreSQL where installed), overdue from the deadline, and the `tracuu track` command
(list, set, report in docx/xlsx, calendar .ics) on an index of the bundled plans built with the hashing
embedder."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from tracuu.errors import TracuuError
from tracuu.track import load_tasks, missed_deadline, task_ids, tasks_of
from tracuu.track_store import MIGRATIONS, STATUSES, TrackStore, open_store, status_named

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 12, 4)
PLAN_FILES = ("vinh-yen_kh-ubnd_2021.txt", "vinh-yen_kh-ubnd_2021.txt.meta.json")  # one plan: a quick real build


def _build(plans: Path, index_dir: Path, rebuild: bool = False):
    from index.build import build_index
    from index.embedder import HashingEmbedder
    from tracuu.settings import Settings

    settings = Settings.from_env(index_dir=index_dir)
    build_index([plans], settings, HashingEmbedder(), rebuild=rebuild)
    return settings


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A private copy of the bundled plans and its index (hashing embedder)."""
    root = tmp_path_factory.mktemp("track")
    plans = root / "plans"
    shutil.copytree(REPO / "data" / "plans", plans, ignore=shutil.ignore_patterns("README.md", "uploads"))
    return plans, _build(plans, root / "index")


def _ids(settings) -> list[str]:
    from assistant.duties_table import load_duties

    duties, documents = load_duties(settings)
    return task_ids(duties, documents)


# -- ids -------------------------------------------------------------------------------------------

def test_ids_are_unique_and_survive_a_rebuild_and_a_new_file_name(built, tmp_path):
    plans, settings = built
    ids = _ids(settings)
    assert len(ids) > 200 and len(set(ids)) == len(ids)
    assert _ids(_build(plans, settings.index_dir, rebuild=True)) == ids
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    for f in plans.iterdir():  # the same texts under other file names (and so other doc ids)
        shutil.copy(f, renamed / f.name.replace("vinh-yen", "vy-2021"))
    assert sorted(_ids(_build(renamed, tmp_path / "index"))) == sorted(ids)


def test_an_edited_text_gives_its_tasks_new_ids(built, tmp_path):
    plans, settings = built
    edited = tmp_path / "plans"
    shutil.copytree(plans, edited)
    path = edited / "vinh-yen_kh-ubnd_2021.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("ma túy", "ma tuý", 1), encoding="utf-8")
    from assistant.duties_table import load_duties

    before = dict(zip(_ids(settings), load_duties(settings)[0]))
    after = dict(zip(_ids(_build(edited, tmp_path / "index")), load_duties(settings.with_(index_dir=tmp_path / "index"))[0]))
    changed = {tid for tid in before if tid not in after}
    assert changed and all(before[t].file == path.name for t in changed)


# -- the store -------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, status", [
    ("đang thực hiện", "đang thực hiện"), ("dang thuc hien", "đang thực hiện"),
    ("Đã hoàn thành", "đã hoàn thành"), ("hoan thanh", "đã hoàn thành"), ("xong", "đã hoàn thành"),
    ("chưa thực hiện", "chưa thực hiện"), ("chua", "chưa thực hiện"),
    ("đang thực hiện", "đang thực hiện"),  # NFD
])
def test_status_typed_any_way(typed, status):
    assert status_named(typed) == status


@pytest.mark.parametrize("bad", ["tạm dừng", "thực hiện", ""])
def test_a_bad_or_ambiguous_status_says_which_ones_exist(bad):
    with pytest.raises(TracuuError, match="chọn một trong"):
        status_named(bad)


def test_history_is_kept_and_the_latest_wins(tmp_path):
    store = TrackStore(f"sqlite:///{tmp_path / 's.sqlite'}")
    store.set_status("abc", "đang thực hiện", "đã họp", "an")
    store.set_status("abc", "xong", "đã gửi báo cáo", "bình")
    store.set_status("def", "chưa thực hiện")
    assert store.current()["abc"].status == "đã hoàn thành" and store.current()["abc"].set_by == "bình"
    assert [e.note for e in store.history("abc")] == ["đã họp", "đã gửi báo cáo"]
    mode = sqlite3.connect(tmp_path / "s.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_an_old_schema_is_migrated_keeping_its_rows(tmp_path):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    conn.execute("INSERT INTO schema_version VALUES (1)")
    conn.execute(MIGRATIONS[0][0].format(id="id INTEGER PRIMARY KEY AUTOINCREMENT"))
    conn.execute("INSERT INTO task_status (task_id, status, set_at) VALUES ('abc', 'đang thực hiện', '2026-01-02')")
    conn.commit()
    conn.close()
    store = TrackStore(f"sqlite:///{path}")
    assert store.version == len(MIGRATIONS) == 2
    assert store.current()["abc"].status == "đang thực hiện" and store.current()["abc"].cited == ""
    assert TrackStore(f"sqlite:///{path}").version == 2  # opening again applies nothing twice


def test_backup_copies_every_row(tmp_path):
    store = TrackStore(f"sqlite:///{tmp_path / 's.sqlite'}")
    for n in range(20):
        store.set_status(f"t{n}", STATUSES[n % 3], f"ghi chú {n}")
    store.backup(tmp_path / "copy.sqlite")
    assert TrackStore(f"sqlite:///{tmp_path / 'copy.sqlite'}").current() == store.current()
    with pytest.raises(TracuuError, match="đã có"):
        store.backup(tmp_path / "copy.sqlite")


_WRITER = """
import sys
from tracuu.track_store import TrackStore
store = TrackStore(sys.argv[1])
for n in range(int(sys.argv[3])):
    store.set_status(f"{sys.argv[2]}-{n % 7}", "đang thực hiện", f"{sys.argv[2]} lần {n}", sys.argv[2])
"""


def test_two_processes_setting_statuses_at_once_lose_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, url, who, "150"], cwd=REPO)
             for who in ("an", "binh")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    store = TrackStore(url)
    for who in ("an", "binh"):
        notes = [e.note for n in range(7) for e in store.history(f"{who}-{n}")]
        assert sorted(notes) == sorted(f"{who} lần {n}" for n in range(150))


def test_a_store_opened_while_another_process_switches_the_new_file_to_wal_waits_for_it(tmp_path, monkeypatch):
    """The fault behind a lost writer under load: switching a file to WAL while another process does the same
    fails at once with "database is locked" (SQLite's busy handler does not wait for it). Injected: the first
    two switches fail so; the store still opens, in WAL mode."""
    import sqlite3

    from tracuu import track_store

    class Busy:
        def __init__(self, conn):
            self.conn, self.failures = conn, 2

        def execute(self, sql, *args):
            if sql.replace(" ", "").upper() == "PRAGMAJOURNAL_MODE=WAL" and self.failures:
                self.failures -= 1
                raise sqlite3.OperationalError("database is locked")
            return self.conn.execute(sql, *args)

    real = sqlite3.connect
    monkeypatch.setattr(track_store.sqlite3, "connect", lambda *a, **k: Busy(real(*a, **k)))
    store = TrackStore(f"sqlite:///{tmp_path / 'shared.sqlite'}")
    assert store.db.conn.failures == 0
    assert store.db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _postgres_url(folder: Path):
    """A throwaway PostgreSQL server in `folder` (its own initdb, a Unix socket), or a skip reason."""
    initdb = shutil.which("initdb") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))), None)
    if not initdb:
        pytest.skip("PostgreSQL is not installed (no initdb)")
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    bindir, data = Path(initdb).parent, folder / "pg"
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []  # initdb refuses root
    data.mkdir(mode=0o700)
    if run_as:
        shutil.chown(data, "postgres")
    subprocess.run(run_as + [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "tracuu"],
                   check=True, capture_output=True)
    subprocess.run(run_as + [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(data / "log"), "-o",
                             f"-k {data} -c listen_addresses='' -p 54329", "start"], check=True, capture_output=True)
    return (f"postgresql://tracuu@/postgres?host={data}&port=54329",
            run_as + [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-m", "fast", "stop"])


def test_postgresql_has_the_same_schema():
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="tracuu-pg-"))  # outside pytest's private tmp: the postgres user reads it
    folder.chmod(0o755)
    url, stop = _postgres_url(folder)
    try:
        store = TrackStore(url)
        assert store.version == len(MIGRATIONS)
        store.set_status("abc", "dang thuc hien", "ghi chú", "an")
        store.set_status("abc", "xong", "", "bình")
        assert store.current()["abc"].status == "đã hoàn thành"
        assert [e.set_by for e in TrackStore(url).history("abc")] == ["an", "bình"]
        procs = [subprocess.Popen([sys.executable, "-c", _WRITER, url, who, "60"], cwd=REPO) for who in ("an", "binh")]
        assert [p.wait(timeout=120) for p in procs] == [0, 0]
        assert sum(len(store.history(f"{who}-{n}")) for who in ("an", "binh") for n in range(7)) == 120
        store.close()
    finally:
        subprocess.run(stop, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


# -- overdue ---------------------------------------------------------------------------------------

def _duty(text: str, plan_date: date):
    from ingest.deadlines import parse_deadline
    from ingest.duties import Duty

    d = parse_deadline(text, plan_date)
    return Duty("Sở Y tế", "Sở Y tế", "tỉnh", "Y tế", "chủ trì", text, d.text, d, d.recurrence,
                "kh", "kh.txt", "Kế hoạch 1/KH", "II › 1.", "c1", text)


def test_overdue_is_computed_from_the_deadline_and_the_status():
    from tracuu.track_store import StatusEntry

    once = _duty("Báo cáo kết quả trước ngày 22/11/2021.", date(2021, 10, 1))
    assert missed_deadline(once, date(2021, 10, 1), None, TODAY) == date(2021, 11, 22)
    assert missed_deadline(once, date(2021, 10, 1), None, date(2021, 11, 22)) is None
    done = StatusEntry("x", "đã hoàn thành", "", "", "2021-11-20T10:00:00+07:00")
    assert missed_deadline(once, date(2021, 10, 1), done, TODAY) is None
    monthly = _duty("Báo cáo kết quả trước ngày 14 hằng tháng.", date(2025, 1, 1))
    assert missed_deadline(monthly, date(2025, 1, 1), None, TODAY) == date(2026, 11, 14)
    this_month = StatusEntry("x", "đã hoàn thành", "", "", "2026-11-13T10:00:00+07:00")
    assert missed_deadline(monthly, date(2025, 1, 1), this_month, TODAY) is None
    assert missed_deadline(monthly, date(2025, 1, 1), this_month, date(2026, 12, 15)) == date(2026, 12, 14)
    late = StatusEntry("x", "đã hoàn thành", "", "", "2026-11-16T10:00:00+07:00")
    assert missed_deadline(monthly, date(2025, 1, 1), late, TODAY) is None
    assert missed_deadline(monthly, date(2025, 1, 1), late, date(2026, 12, 15)) == date(2026, 12, 14)


def test_statuses_and_overdue_on_the_bundled_plans(built, tmp_path):
    _, settings = built
    store = TrackStore(f"sqlite:///{tmp_path / 's.sqlite'}")
    late = load_tasks(settings, store, TODAY, plan="vinh-yen", overdue=True)
    assert late and all(t.missed and t.missed < TODAY for t in late)
    store.set_status(late[0].task_id, "xong")
    again = load_tasks(settings, store, TODAY, plan="vinh-yen", overdue=True)
    assert late[0].task_id not in {t.task_id for t in again} and len(again) == len(late) - 1
    everything = load_tasks(settings, store, TODAY)
    assert {t.status for t in everything} == {"chưa thực hiện", "đã hoàn thành"}
    assert json.loads(json.dumps(everything[0].to_json()))["id"] == everything[0].task_id


# -- the command -----------------------------------------------------------------------------------

def _tracuu(argv: list[str], capsys) -> tuple[int, str, str]:
    from tracuu import cli

    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def own_index(built, tmp_path, monkeypatch):
    """A fresh index of the plans in tmp_path, its follow-up store beside it, as the process's settings."""
    plans, _ = built
    settings = _build(plans, tmp_path / "index")
    monkeypatch.setenv("TRACUU_INDEX_DIR", str(settings.index_dir))
    monkeypatch.delenv("TRACUU_DB_URL", raising=False)
    return plans, settings


def test_a_status_set_before_a_rebuild_is_there_after_it(own_index, capsys):
    plans, settings = own_index
    code, out, _ = _tracuu(["track", "list", "--plan", "vinh-yen", "--format", "json"], capsys)
    rows = json.loads(out)
    assert code == 0 and rows and all(r["status"] == "chưa thực hiện" for r in rows)
    assert set(rows[0]) >= {"id", "agency", "canonical", "text", "plan_label", "section", "status", "overdue"}
    chosen = rows[3]["id"]
    code, out, _ = _tracuu(["track", "set", chosen[:6], "--status", "dang thuc hien", "--note", "đã họp triển khai",
                            "--by", "an"], capsys)
    assert code == 0 and "đang thực hiện" in out
    _build(plans, settings.index_dir, rebuild=True)
    assert Path(f"{settings.index_dir}.tracking.sqlite").is_file()
    rows = json.loads(_tracuu(["track", "list", "--plan", "vinh-yen", "--format", "json"], capsys)[1])
    row = next(r for r in rows if r["id"] == chosen)
    assert (row["status"], row["note"], row["set_by"]) == ("đang thực hiện", "đã họp triển khai", "an")
    assert sum(r["status"] != "chưa thực hiện" for r in rows) == 1
    code, out, _ = _tracuu(["track", "show", chosen], capsys)
    assert code == 0 and "đã họp triển khai" in out and "(an)" in out


def test_set_refuses_an_unknown_id_and_a_bad_status(own_index, capsys):
    code, _, err = _tracuu(["track", "set", "zzzzzz", "--status", "xong"], capsys)
    assert code == 2 and "tracuu track list" in err
    some = json.loads(_tracuu(["track", "list", "--format", "json"], capsys)[1])[0]["id"]
    code, _, err = _tracuu(["track", "set", some, "--status", "tạm dừng"], capsys)
    assert code == 2 and "đang thực hiện" in err


def test_overdue_list_and_table(own_index, capsys):
    code, out, _ = _tracuu(["track", "list", "--overdue", "--format", "json"], capsys)
    late = json.loads(out)
    assert code == 0 and late and all(r["overdue"] and r["missed_due"] < date.today().isoformat() for r in late)
    assert {"2021-11-22", "2025-11-27"} <= {r["deadline"] for r in late}
    code, out, _ = _tracuu(["track", "list", "--agency", "cong an phuong"], capsys)
    assert code == 0 and "Công an phường" in out and "Trạng thái" in out


def _report_rows(table) -> list[list[str]]:
    """The task rows of a report table (not its header, not the heading rows of its groups)."""
    return [[c.text for c in row.cells] for row in table.rows[1:] if row.cells[0].text.isdigit()]


def test_report_docx_has_one_row_per_task_of_the_body_and_month(own_index, capsys, tmp_path):
    import docx

    from tracuu.track import load_tasks, of_period

    _, settings = own_index
    body = "Ủy ban nhân dân cấp xã"
    tasks = load_tasks(settings, open_store(settings), date.today(), body)
    early = next(t for t in tasks if t.duty.deadline is None)
    assert _tracuu(["track", "set", early.task_id, "--status", "xong", "--note", "đã xong từ trước"], capsys)[0] == 0
    due = next(t for t in tasks if t.duty.due == date(2025, 11, 27))
    assert _tracuu(["track", "set", due.task_id, "--status", "dang", "--note", "đang tổng hợp số liệu"], capsys)[0] == 0
    out = tmp_path / "bao-cao.docx"
    code, _, err = _tracuu(["track", "report", "--agency", "UBND cấp xã", "--period", "11/2025", "--out", str(out)], capsys)
    assert code == 0 and str(out) in err
    document = docx.Document(str(out))
    header = document.tables[0].rows[0].cells
    assert header[0].text == body.upper() and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header[1].text
    assert "tháng 11/2025" in "\n".join(p.text for p in document.paragraphs)
    table = document.tables[1]
    assert [c.text for c in table.rows[0].cells] == ["STT", "Nhiệm vụ", "Văn bản giao", "Thời hạn",
                                                     "Tình hình thực hiện", "Ghi chú"]
    rows = _report_rows(table)
    expected = of_period(load_tasks(settings, open_store(settings), date.today(), body), 2025, 11)
    assert len(rows) == len(expected) and [r[0] for r in rows] == [str(n) for n in range(1, len(rows) + 1)]
    assert not any(t.duty.recurrence == "yearly --12-15" for t in expected)  # due in December, not November
    row = next(r for r in rows if r[1].startswith(due.duty.text))
    assert "27/11/2025" in row[3] and row[4].startswith("đang thực hiện") and row[5] == "đang tổng hợp số liệu"
    assert "mục " + due.duty.section in row[2] and due.duty.plan_label in row[2]
    late = next(r for r in rows if r[3] == "22/11/2021")
    assert "quá hạn từ 22/11/2021" in late[4]
    assert any(r[1].startswith(early.duty.text) for r in rows)  # ongoing, and done only after the month
    later = tmp_path / "sau.docx"  # a month after it was done: no longer listed
    assert _tracuu(["track", "report", "--agency", body, "--period", "01/2027", "--out", str(later)], capsys)[0] == 0
    rows = _report_rows(docx.Document(str(later)).tables[1])
    assert rows and not any(r[1].startswith(early.duty.text) for r in rows)


def test_report_of_an_unknown_body_says_how_to_find_one(own_index, capsys, tmp_path):
    code, _, err = _tracuu(["track", "report", "--agency", "Sở Ngoại vụ", "--period", "11/2025",
                            "--out", str(tmp_path / "r.docx")], capsys)
    assert code == 2 and "tracuu track list" in err and not (tmp_path / "r.docx").exists()


def test_report_xlsx(own_index, capsys, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "bao-cao.xlsx"
    code, _, _ = _tracuu(["track", "report", "--agency", "Công an phường", "--period", "06/2025", "--format", "xlsx",
                          "--out", str(out)], capsys)
    values = [[c for c in row] for row in load_workbook(out).active.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(values) if row[0] == "STT")
    tasks = [row for row in values[header + 1:] if isinstance(row[0], str) and row[0].isdigit()]
    assert code == 0 and values[0][0] == "CÔNG AN PHƯỜNG" and tasks
    assert any(row[3] == "hằng năm, hạn 26/6" for row in tasks)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice missing — run `make ocr`")
def test_report_opens_in_libreoffice(own_index, capsys, tmp_path):
    """LibreOffice reads the report and writes it back with every task row in place."""
    import docx

    out = tmp_path / "bao-cao.docx"
    assert _tracuu(["track", "report", "--agency", "Công an phường", "--period", "06/2025", "--out", str(out)], capsys)[0] == 0
    back = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(back), str(out)], check=True,
                   capture_output=True, timeout=180)
    ours, theirs = (_report_rows(docx.Document(str(f)).tables[1]) for f in (out, back / out.name))
    assert ours and theirs == ours


def test_calendar_imports_with_monthly_reporting_dates(own_index, capsys, tmp_path):
    icalendar = pytest.importorskip("icalendar")
    from dateutil.rrule import rrulestr

    out = tmp_path / "han.ics"
    assert _tracuu(["track", "calendar", "--out", str(out)], capsys)[0] == 0
    events = icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert len({str(e["UID"]) for e in events}) == len(events) > 5
    monthly = [e for e in events if e.get("RRULE") and e["RRULE"]["FREQ"] == ["MONTHLY"]]
    assert monthly and "Thời hạn: ngày 14 hàng tháng" in str(monthly[0]["DESCRIPTION"])
    start = monthly[0]["DTSTART"].dt
    days = list(rrulestr(monthly[0]["RRULE"].to_ical().decode(), dtstart=datetime(start.year, start.month, start.day)))[:3]
    assert [d.day for d in days] == [14, 14, 14] and len({d.month for d in days}) == 3
    yearly = [e for e in events if e.get("RRULE") and e["RRULE"]["FREQ"] == ["YEARLY"]]
    assert {(e["RRULE"]["BYMONTH"][0], e["RRULE"]["BYMONTHDAY"][0]) for e in yearly} == {(6, 26), (12, 15)}
    once = {e["DTSTART"].dt for e in events if not e.get("RRULE")}
    assert {date(2021, 11, 22), date(2025, 11, 27)} <= once


def test_backup_command(own_index, capsys, tmp_path):
    some = json.loads(_tracuu(["track", "list", "--format", "json"], capsys)[1])[0]["id"]
    assert _tracuu(["track", "set", some, "--status", "xong"], capsys)[0] == 0
    assert _tracuu(["track", "backup", str(tmp_path / "copy.sqlite")], capsys)[0] == 0
    assert TrackStore(f"sqlite:///{tmp_path / 'copy.sqlite'}").current()[some].status == "đã hoàn thành"


def test_track_runs_as_a_real_command(own_index):
    env = dict(os.environ, TRACUU_URL="off")
    run = subprocess.run([sys.executable, "-m", "tracuu.cli", "track", "list", "--overdue", "--format", "json"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and json.loads(run.stdout)


# -- the HTTP routes -------------------------------------------------------------------------------

def test_api_tasks_and_compare(own_index, tmp_path):
    """tracuu.api's app with the router included as api.py would (one line), keys with roles."""
    from fastapi.testclient import TestClient

    from index.embedder import HashingEmbedder
    from tracuu.api import ApiKeys, create_app
    from tracuu.runtime import Runtime

    _, settings = own_index
    (tmp_path / "keys").write_text("khoa-doc doc\nkhoa-sua bien-tap\n", encoding="utf-8")
    keys = ApiKeys(tmp_path / "keys")
    runtime = Runtime(settings, embedder=HashingEmbedder())
    app = create_app(runtime, keys)  # the API includes the tasks and compare routes
    client = TestClient(app)
    reader, editor = ({"Authorization": f"Bearer {k}"} for k in ("khoa-doc", "khoa-sua"))
    assert client.get("/v1/tasks").status_code == 401
    late = client.get("/v1/tasks", params={"overdue": "true", "plan": "vinh-yen"}, headers=reader).json()
    assert late and all(t["overdue"] for t in late)
    chosen = late[0]["id"]
    refused = client.patch(f"/v1/tasks/{chosen}", json={"status": "xong"}, headers=reader)
    assert refused.status_code == 403 and "bien-tap" in refused.json()["detail"]
    done = client.patch(f"/v1/tasks/{chosen}", json={"status": "da hoan thanh", "note": "đã nộp"}, headers=editor)
    assert done.status_code == 200 and done.json()["status"] == "đã hoàn thành" and not done.json()["overdue"]
    assert [h["note"] for h in client.get(f"/v1/tasks/{chosen}", headers=reader).json()["history"]] == ["đã nộp"]
    assert chosen not in {t["id"] for t in client.get("/v1/tasks", params={"overdue": "true"}, headers=reader).json()}
    assert open_store(settings).current()[chosen].set_by.startswith("api (khoá:")  # the same store as the CLI
    assert client.patch(f"/v1/tasks/{chosen}", json={"status": "tạm dừng"}, headers=editor).status_code == 400
    from tracuu.audit import read

    log = [(e["role"], e["via"], e["file"], e["allowed"]) for e in read(settings) if e["action"] == "status"]
    assert log == [("doc", "api", chosen, False), ("bien-tap", "api", chosen, True),
                   ("bien-tap", "api", chosen, False)]  # refused, set, then a status that does not exist
    assert client.patch("/v1/tasks/khongco", json={"status": "xong"}, headers=editor).status_code == 404
    compared = client.get("/v1/compare", params={"a": "vinh-yen", "b": "can-tho_kh-153", "agency": "công an"},
                          headers=reader)
    assert compared.status_code == 200 and compared.json()["a"]["file"] == "vinh-yen_kh-ubnd_2021.txt"
    md = client.get("/v1/compare", params={"a": "vinh-yen", "b": "can-tho_kh-153", "format": "md"}, headers=reader)
    assert md.headers["content-type"].startswith("text/markdown") and "| STT | Cơ quan |" in md.text
    bad = client.get("/v1/compare", params={"a": "vinh-yen", "b": "khong-co"}, headers=reader)
    assert bad.status_code == 400 and "không khớp văn bản nào" in bad.json()["detail"]


@pytest.mark.slow
def test_a_status_survives_the_real_ingest_rebuild_command(tmp_path):
    """`tracuu ingest --rebuild` as a real process with the e5 model, on one plan in a private index."""
    from tracuu.settings import Settings

    if not Settings.from_env().embed_model_path.is_dir():
        pytest.skip("no e5 model (make models)")
    plans = tmp_path / "plans"
    plans.mkdir()
    for f in PLAN_FILES:
        shutil.copy(REPO / "data" / "plans" / f, plans / f)
    env = dict(os.environ, TRACUU_URL="off", TRACUU_INDEX_DIR=str(tmp_path / "index"))
    env.pop("TRACUU_DB_URL", None)

    def tracuu(*argv: str) -> str:
        run = subprocess.run([sys.executable, "-m", "tracuu.cli", *argv], cwd=REPO, env=env, capture_output=True,
                             text=True, timeout=900)
        assert run.returncode == 0, run.stderr
        return run.stdout

    tracuu("ingest", str(plans))
    chosen = json.loads(tracuu("track", "list", "--format", "json"))[0]["id"]
    tracuu("track", "set", chosen, "--status", "đang thực hiện", "--note", "trước khi xây lại", "--by", "an")
    tracuu("ingest", "--rebuild", str(plans))
    row = next(r for r in json.loads(tracuu("track", "list", "--format", "json")) if r["id"] == chosen)
    assert (row["status"], row["note"], row["set_by"]) == ("đang thực hiện", "trước khi xây lại", "an")
