"""Where the test documents are: the real texts of ../shared/corpus2 and the synthetic fixtures."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
CORPUS2 = REPO.parent / "shared" / "corpus2"
LAW = CORPUS2 / "luat-120-2025-qh15_phong-chong-ma-tuy.md"
DECREE = CORPUS2 / "nd-28-2026-nd-cp_danh-muc-chat-ma-tuy.md"
PROGRAMME = DATA / "quyet-dinh-thu-nghiem_chuong-trinh-2026.md"
PROVINCE_PLAN = DATA / "ke-hoach-thu-nghiem_tinh-thu-nghiem-2026.txt"
