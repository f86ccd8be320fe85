"""The "So sánh" tab: two indexed documents side by side, item by item (tracuu.compare), shown as the
Markdown tables `tracuu compare` prints, to paste into a report. The items are embedded with the
embedder the web already holds (runtime.embedder) over the loaded index (runtime.searcher.index):
no second model is loaded. CompareService does the work without gradio; `compare_tab` lays it out."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from tracuu.errors import TracuuError

EMPTY = "Chọn hai văn bản (A: văn bản cũ hoặc cấp trên, B: văn bản mới hoặc cấp dưới) rồi bấm “So sánh”."


class CompareService:
    def __init__(self, runtime, out_dir: Path | None = None):
        self.runtime = runtime
        self.out_dir = Path(out_dir) if out_dir else Path(tempfile.gettempdir()) / "tracuu-so-sanh"

    def markdown(self, doc_a: str | None, doc_b: str | None, agency: str | None = None) -> str:
        """The comparison of two documents (ids, file names or parts of them) as Markdown; a TracuuError
        says what to choose when the input is wrong."""
        from tracuu.compare import compare, to_markdown

        if not doc_a or not doc_b:
            raise TracuuError("Chưa chọn đủ hai văn bản — chọn văn bản A và văn bản B.")
        rt = self.runtime
        result = compare(rt.searcher.index, rt.embedder, doc_a, doc_b, (agency or "").strip() or None)
        return to_markdown(result)

    def save(self, text: str) -> Path:
        """The Markdown in a fresh file, for the download button."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=time.strftime("%Y%m%d-%H%M%S-"), dir=self.out_dir))
        out = folder / "so-sanh.md"
        out.write_text(text, encoding="utf-8")
        return out


def compare_tab(page, demo) -> None:
    """The tab, inside tracuu.web's gr.Tabs (page: tracuu.web._Page; page.plans lists the documents)."""
    gr = page.gr
    from tracuu.web import LIGHT

    service = CompareService(page.runtime)
    with gr.Tab("So sánh", id="compare") as tab:
        gr.Markdown("So sánh hai văn bản: nhiệm vụ, chỉ tiêu được thêm, bỏ, giữ hay thay đổi (thời hạn, số liệu, "
                    "cơ quan), mỗi bên ghi mục. Ghi cơ quan để chỉ so việc của cơ quan đó hoặc cùng ngành ở cấp "
                    "khác.", elem_id="tc-compare-intro")
        with gr.Row(equal_height=True, elem_id="tc-compare-choose"):
            doc_a = gr.Dropdown(choices=page.plans.choices(), value=None, label="Văn bản A", scale=3,
                                elem_id="tc-compare-a")
            doc_b = gr.Dropdown(choices=page.plans.choices(), value=None, label="Văn bản B", scale=3,
                                elem_id="tc-compare-b")
            agency = gr.Textbox(label="Cơ quan (không bắt buộc)", placeholder="công an, so y te…", scale=2,
                                elem_id="tc-compare-agency")
            run = gr.Button("So sánh", variant="primary", scale=1, min_width=90, elem_id="tc-compare-run")
        download = gr.DownloadButton("Tải Markdown (.md)", visible=False, size="sm", elem_id="tc-compare-md")
        result = gr.Markdown(EMPTY, elem_id="tc-compare-result")

    def refresh():
        choices = page.plans.choices()
        return gr.Dropdown(choices=choices), gr.Dropdown(choices=choices)

    def show(a, b, agency):
        try:
            text = service.markdown(a, b, agency)
        except TracuuError as exc:
            return f"**Lỗi:** {exc}", gr.DownloadButton(visible=False)
        return text, gr.DownloadButton(value=service.save(text), visible=True)

    tab.select(refresh, None, [doc_a, doc_b], **LIGHT)  # after an upload or a removal
    for trigger in (run.click, agency.submit):
        # the embedder is shared with the answers, never loaded twice; comparisons take turns
        trigger(show, [doc_a, doc_b, agency], [result, download], api_visibility="private",
                concurrency_id="compare", concurrency_limit=1, show_progress="minimal")
