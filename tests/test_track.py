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
from datetime import date
from pathlib import Path

import pytest

from tracuu.errors import TracuuError
from tracuu.track import load_tasks, missed_deadline, task_ids, tasks_of
from tracuu.track_store import MIGRATIONS, STATUSES, TrackStore, open_store, status_named

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 12, 4)


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
    shutil.copytree(REPO / "data" / "plans", plans, ignore=shutil.ignore_patterns("README.md"))
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


def test_a_bad_status_says_which_ones_exist():
    with pytest.raises(TracuuError, match="chọn một trong"):
        status_named("tạm dừng")


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
