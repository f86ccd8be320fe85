"""The follow-up store: the statuses officials set on tasks, with a note, the time and who set it. Every
change is a new row, so the history is kept; a task's status is its latest row.

    store = open_store(settings)            # SQLite beside the index, or TRACUU_DB_URL (postgresql://…)
    store.set_status("3f9a1c…", "đang thực hiện", note="đã họp triển khai", by="binh")
    store.current()["3f9a1c…"].status       # "đang thực hiện"

SQLite (the default, `<index_dir>.tracking.sqlite`, outside the index folder so a rebuild never touches
it) runs in WAL mode; every write is one `BEGIN IMMEDIATE` transaction, so writers take turns and two
processes setting statuses at once lose nothing. PostgreSQL gets the same schema through `_Postgres`,
which only changes placeholders and the id column. The schema is versioned: `MIGRATIONS[n]` takes a
store from version n to n + 1, applied once under the writer lock when a store is opened.
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ingest.normalize import fold, nfc
from tracuu.errors import TracuuError

STATUSES = ("chưa thực hiện", "đang thực hiện", "đã hoàn thành")
DONE = STATUSES[2]
# migration n takes the schema from version n to n + 1; {id} is the dialect's auto-increment key
MIGRATIONS = (
    # 1: the history of statuses, one row per change
    ("CREATE TABLE task_status ({id}, task_id TEXT NOT NULL, status TEXT NOT NULL, "
     "note TEXT NOT NULL DEFAULT '', set_by TEXT NOT NULL DEFAULT '', set_at TEXT NOT NULL)",),
    # 2: a task's latest row without a scan; what the task was when set (read after its plan is removed)
    ("CREATE INDEX task_status_task ON task_status (task_id, id)",
     "ALTER TABLE task_status ADD COLUMN cited TEXT NOT NULL DEFAULT ''"),
)
_ID = {"sqlite": "id INTEGER PRIMARY KEY AUTOINCREMENT", "postgresql": "id BIGSERIAL PRIMARY KEY"}
_COLUMNS = "task_id, status, note, set_by, set_at, cited"


@dataclass(frozen=True)
class StatusEntry:
    task_id: str
    status: str  # one of STATUSES
    note: str
    set_by: str  # who set it: an account or a user name
    set_at: str  # ISO time with its offset: "2026-12-04T17:40:12+00:00"
    cited: str = ""  # the task as it was when set: "Kế hoạch … — …, 2021 › II. … › 3." and its first words

    def to_json(self) -> dict:
        return {"status": self.status, "note": self.note, "set_by": self.set_by, "set_at": self.set_at}


def status_named(text: str) -> str:
    """The status a user typed, with or without diacritics ("dang thuc hien", "hoàn thành", "xong")."""
    q = " ".join(fold(text).split())
    if q in ("xong", "da xong", "hoan thanh"):
        return DONE
    found = [s for s in STATUSES if q and (q == fold(s) or (len(q) >= 4 and q in fold(s)))]
    if len(found) == 1:
        return found[0]
    raise TracuuError(f"Trạng thái “{text}” không hợp lệ — chọn một trong: {', '.join(STATUSES)}.")


def default_url(settings) -> str:
    """TRACUU_DB_URL, else the SQLite file beside the index directory."""
    url = getattr(settings, "db_url", "") or os.environ.get("TRACUU_DB_URL", "").strip()
    return url or f"sqlite:///{Path(settings.index_dir).resolve()}.tracking.sqlite"


def open_store(settings) -> "TrackStore":
    return TrackStore(default_url(settings))


class _Sqlite:
    dialect = "sqlite"

    def __init__(self, path: Path):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.path = path
            self.conn = sqlite3.connect(str(path), timeout=60, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA busy_timeout = 60000")
            self._wal()
            self.conn.execute("PRAGMA synchronous = NORMAL")  # durable across a crash of the process in WAL
        except (OSError, sqlite3.Error) as exc:
            raise TracuuError(f"Không mở được sổ theo dõi {path} ({exc}) — kiểm tra quyền ghi thư mục.") from exc

    def _wal(self, patience: float = 60.0) -> None:
        """WAL mode, once per file. Switching to it needs the file to itself and SQLite does not wait for that
        (no busy handler): a second process opening a new file at the same moment gets "database is locked" at
        once, so it tries again until the first has switched."""
        deadline = time.monotonic() + patience
        while True:
            try:
                if self.conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    @contextmanager
    def write(self):
        """One transaction that holds the database's single writer lock from its start."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield lambda sql, params=(): self.conn.execute(sql, params).fetchall()
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def read(self, sql: str, params=()) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()

    def backup(self, dest: Path) -> None:
        target = sqlite3.connect(str(dest))
        try:
            self.conn.backup(target)
        finally:
            target.close()

    def close(self) -> None:
        self.conn.close()


class _Postgres:
    """The same statements on PostgreSQL (psycopg 3): "?" placeholders become "%s"."""
    dialect = "postgresql"

    def __init__(self, url: str):
        try:
            import psycopg
        except ImportError as exc:
            raise TracuuError("TRACUU_DB_URL trỏ tới PostgreSQL nhưng chưa cài psycopg — chạy "
                              "`.venv/bin/pip install 'psycopg[binary]'`.") from exc
        try:
            self.conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise TracuuError(f"Không kết nối được PostgreSQL ({exc}) — kiểm tra TRACUU_DB_URL.") from exc

    @contextmanager
    def write(self):
        with self.conn.transaction():
            # one writer at a time, as in SQLite
            self.conn.execute("SELECT pg_advisory_xact_lock(7283)")
            yield lambda sql, params=(): self._rows(self.conn.execute(sql.replace("?", "%s"), params))

    def read(self, sql: str, params=()) -> list[tuple]:
        return self._rows(self.conn.execute(sql.replace("?", "%s"), params))

    @staticmethod
    def _rows(cursor) -> list[tuple]:
        return cursor.fetchall() if cursor.description else []

    def backup(self, dest: Path) -> None:
        raise TracuuError("Sao lưu PostgreSQL bằng công cụ của nó: `pg_dump -t task_status -t schema_version "
                          "URL > tep.sql`.")

    def close(self) -> None:
        self.conn.close()


class TrackStore:
    def __init__(self, url: str):
        if url.startswith("sqlite:///"):
            self.db = _Sqlite(Path(url[len("sqlite:///"):]))
        elif url.startswith(("postgresql://", "postgres://")):
            self.db = _Postgres(url)
        else:
            raise TracuuError(f"TRACUU_DB_URL “{url}” không hợp lệ — dùng sqlite:///đường/dẫn.sqlite "
                              "hoặc postgresql://người_dùng@máy/csdl.")
        self.url = url
        self.version = self._migrate()

    def _migrate(self) -> int:
        with self.db.write() as run:
            run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            rows = run("SELECT version FROM schema_version")
            version = rows[0][0] if rows else 0
            if not rows:
                run("INSERT INTO schema_version (version) VALUES (0)")
            if version > len(MIGRATIONS):
                raise TracuuError(f"Sổ theo dõi {self.url} do phiên bản tracuu mới hơn tạo (lược đồ {version}) "
                                  "— cập nhật tracuu.")
            for step in MIGRATIONS[version:]:
                for statement in step:
                    run(statement.format(id=_ID[self.db.dialect]))
            run("UPDATE schema_version SET version = ?", (len(MIGRATIONS),))
        return len(MIGRATIONS)

    def set_status(self, task_id: str, status: str, note: str = "", by: str = "", cited: str = "") -> StatusEntry:
        entry = StatusEntry(task_id, status_named(status), nfc(note.strip()), nfc(by.strip()),
                            datetime.now().astimezone().isoformat(timespec="seconds"), cited)
        with self.db.write() as run:
            run(f"INSERT INTO task_status ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                (entry.task_id, entry.status, entry.note, entry.set_by, entry.set_at, entry.cited))
        return entry

    def current(self) -> dict[str, StatusEntry]:
        """The latest status of every task that has one."""
        rows = self.db.read(f"SELECT {_COLUMNS} FROM task_status WHERE id IN "
                            "(SELECT MAX(id) FROM task_status GROUP BY task_id)")
        return {r[0]: StatusEntry(*r) for r in rows}

    def history(self, task_id: str) -> list[StatusEntry]:
        rows = self.db.read(f"SELECT {_COLUMNS} FROM task_status WHERE task_id = ? ORDER BY id", (task_id,))
        return [StatusEntry(*r) for r in rows]

    def backup(self, dest: Path) -> None:
        """A consistent copy while others write (SQLite's online backup API)."""
        dest = Path(dest)
        if dest.exists():
            raise TracuuError(f"{dest} đã có — chọn tên tệp sao lưu khác.")
        dest.parent.mkdir(parents=True, exist_ok=True)
        self.db.backup(dest)

    def close(self) -> None:
        self.db.close()
