"""The duties side of the web UI (the "Nhiệm vụ" tab), without gradio: the same table and the same
filters as `tracuu duties`, shown as rows and exported to Excel / Word / CSV / JSON for download.
No model is loaded: the table is read off the index by rules, so the tab works while the model loads."""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from tracuu.errors import TracuuError

COLUMNS = ["STT", "Kế hoạch", "Cơ quan", "Vai trò", "Nhiệm vụ", "Thời hạn", "Mục"]
COLUMN_WIDTHS = ["5%", "15%", "14%", "8%", "36%", "11%", "11%"]
# what the download buttons offer: format -> label
EXPORTS = {"xlsx": "Excel (.xlsx)", "docx": "Word (.docx)", "csv": "CSV", "json": "JSON"}


class DutiesService:
    def __init__(self, runtime, out_dir: Path | None = None):
        self.runtime = runtime
        self.out_dir = Path(out_dir) if out_dir else Path(tempfile.gettempdir()) / "tracuu-nhiem-vu"
        self._cache: tuple[object, object, dict] | None = None  # (manifest stamp, DutyTable, documents)
        self._files: dict[tuple, list[Path]] = {}  # (manifest stamp, filters) -> the files of every export

    def table(self) -> tuple[list, dict]:
        """(every duty, documents by id) of the current index, re-read only after a re-index."""
        duties, documents = self._table()
        return duties.rows, documents

    def _table(self):
        """(the DutyTable of the records the index stores, documents by id), re-read only after a re-index."""
        from index.store import read_index

        manifest = Path(self.runtime.settings.index_dir) / "manifest.json"
        try:
            st = manifest.stat()
            stamp = (st.st_ino, st.st_mtime_ns)
        except OSError:
            stamp = None
        if self._cache is None or self._cache[0] != stamp or stamp is None:
            index = read_index(self.runtime.settings.index_dir)  # no index: says to run `tracuu ingest`
            self._cache = (stamp, index.duty_table, index.documents_by_id)
        return self._cache[1], self._cache[2]

    def plans(self) -> list[tuple[str, str]]:
        """(label, file) of every plan that has duties, for the plan filter."""
        try:
            duties, _ = self._table()
        except TracuuError:
            return []
        return list(dict.fromkeys((d.plan_label, d.file) for d in duties.first_per_doc()))

    def find(self, agency: str | None = None, plan: str | None = None, due_before: str | None = None,
             due_in: str | None = None) -> list:
        """The duties matching what the user typed (blank = no filter); bad input is a TracuuError."""
        from tracuu.services import filter_duty_rows

        duties, documents = self._table()
        return filter_duty_rows(duties, documents, agency, plan, due_before, due_in)

    def exports(self, rows, filters: str = "") -> list[Path]:
        """A file in every format of EXPORTS for these rows, written once per index and filters: every
        page load shows the whole table, and its Word and Excel files take about a second to write."""
        key = (self._cache[0] if self._cache else None, filters)
        files = self._files.get(key)
        if files is None or not all(f.exists() for f in files):
            files = self._files[key] = [self.export(rows, fmt, filters) for fmt in EXPORTS]
        return files

    def export(self, rows, fmt: str, filters: str = "") -> Path:
        """Write rows to a fresh file of this format and return its path (for a download button)."""
        from tracuu.duties_cli import write_csv, write_docx, write_json, write_xlsx

        if fmt not in EXPORTS:
            raise TracuuError(f"Định dạng {fmt} không có — chọn một trong {', '.join(EXPORTS)}.")
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._forget_old_exports()
        out = Path(tempfile.mkdtemp(prefix=time.strftime("%Y%m%d-%H%M%S-"), dir=self.out_dir)) / f"nhiem-vu{_slug(filters)}.{fmt}"
        if fmt == "docx":
            write_docx(rows, out, filters)
        else:
            {"xlsx": write_xlsx, "csv": write_csv, "json": write_json}[fmt](rows, out)
        return out

    def _forget_old_exports(self, keep_seconds: float = 3600) -> None:
        """Exports are written on every filter; those older than an hour have long been downloaded."""
        import shutil

        cutoff = time.time() - keep_seconds
        for folder in self.out_dir.iterdir():
            try:
                if folder.is_dir() and folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                pass


def rows_for_display(rows) -> list[list]:
    """One list per duty in the order of COLUMNS."""
    from assistant.duties_table import agency_label, deadline_label

    return [
        [n, d.plan_label, agency_label(d), d.role, d.text, deadline_label(d), d.section]
        for n, d in enumerate(rows, 1)
    ]


def summary(rows, filters: str) -> str:
    if not rows:
        return f"Không có nhiệm vụ nào khớp ({filters or 'không lọc'})."
    plans = len({d.doc_id for d in rows})
    agencies = len({d.canonical for d in rows})
    dated = sum(1 for d in rows if d.deadline)
    return (f"**{len(rows)} nhiệm vụ** của {agencies} cơ quan trong {plans} kế hoạch"
            f"{' — ' + filters if filters else ''}; {dated} nhiệm vụ có thời hạn.")


def _slug(filters: str) -> str:
    from ingest.normalize import fold

    slug = re.sub(r"[^a-z0-9]+", "-", fold(filters)).strip("-")[:60]
    return f"-{slug}" if slug else ""
