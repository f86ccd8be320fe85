"""Prompt templates are files in prompts/ with named {variables}; rendering fails loudly on a
missing or unknown variable."""

from __future__ import annotations

import string
from pathlib import Path

from tracuu.errors import TracuuError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


def render(name: str, **values: str) -> str:
    path = PROMPTS_DIR / f"{name}.txt"
    try:
        template = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TracuuError(f"Thiếu tệp mẫu lời nhắc {path} — khôi phục thư mục prompts/.") from exc
    wanted = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    missing, extra = wanted - values.keys(), values.keys() - wanted
    if missing or extra:
        raise TracuuError(
            f"Mẫu {path.name} cần các biến {sorted(wanted)}; thiếu {sorted(missing)}, thừa {sorted(extra)}."
        )
    return template.format(**values).strip()
