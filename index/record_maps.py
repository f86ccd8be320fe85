"""The duties table of a loaded index with its inverted maps, made once per index (StoredIndex.duty_table):
a filter by plan or by body asks its question once per document or per body, not once per row.

    table = index.duty_table
    table.rows                                     # every duty row, in the records' order
    table.select(doc_ok=lambda d: "can-tho" in d.file, body_ok=lambda d: d.sector == "Y tế")
"""

from __future__ import annotations

from typing import Callable


class DutyTable:
    def __init__(self, rows: list):
        self.rows = rows  # ingest.duties.Duty rows: ingest.records.duties_of(records)
        self.by_doc: dict[str, list[int]] = {}  # doc_id -> row indices, in order
        # a body as a row names it (the fields a body filter reads: canonical name, the plan's own
        # wording, level, sector) -> row indices, in order
        self.by_body: dict[tuple, list[int]] = {}
        for i, d in enumerate(rows):
            self.by_doc.setdefault(d.doc_id, []).append(i)
            self.by_body.setdefault((d.canonical, d.agency, d.level, d.sector), []).append(i)

    @classmethod
    def of(cls, records) -> "DutyTable":
        from ingest.records import duties_of

        return cls(duties_of(records))

    def first_per_doc(self) -> list:
        """The first row of every document, in order (what a document-level question needs to read)."""
        return [self.rows[rows[0]] for rows in self.by_doc.values()]

    def select(self, doc_ok: Callable | None = None, body_ok: Callable | None = None) -> list:
        """The rows of the documents `doc_ok` accepts and the bodies `body_ok` accepts (each asked once, of
        the first row of that document or body; None accepts all), in the table's order."""
        picked: set[int] | None = None
        if doc_ok is not None:
            picked = {i for rows in self.by_doc.values() if doc_ok(self.rows[rows[0]]) for i in rows}
        if body_ok is not None:
            bodies = {i for rows in self.by_body.values() if body_ok(self.rows[rows[0]]) for i in rows}
            picked = bodies if picked is None else picked & bodies
        if picked is None:
            return list(self.rows)
        return [self.rows[i] for i in sorted(picked)]
