"""OCR benchmark: a real plan's page, typeset with a Vietnamese font and "scanned" two ways, read back by
the same OCR path ingest uses (pdftoppm at 300 dpi, despeckle, Tesseract `vie`).

    clean   300 dpi, straight, no noise — the bar: character error rate <= 2 %
    rough   200 dpi, turned 0.7°, 2 % of pixels speckled

Prints the character error rate against the typeset text and the seconds per page.

    python bench/ocr.py [--plan data/plans/vinh-yen_kh-ubnd_2021.txt] [--skip-chars 1500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from ingest import ocr  # noqa: E402
from ingest.normalize import nfc  # noqa: E402
from scans import char_error_rate, image_pdf, render_page  # noqa: E402

CASES = [("clean 300 dpi", 300, 0.0, 0.0), ("rough 200 dpi, 0.7°, noise 2%", 200, 0.7, 0.02)]
BAR = 0.02


def page_text(plan: Path, skip: int, chars: int = 2600) -> str:
    """A page-sized excerpt of the plan: whole lines from `skip` characters on."""
    text = nfc(plan.read_text(encoding="utf-8")).replace("**", "").replace("|", "")
    lines = [" ".join(line.split()) for line in text[skip:].splitlines()[1:]]
    out, total = [], 0
    for line in lines:
        if not line:
            continue
        out.append(line)
        total += len(line)
        if total >= chars:
            break
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan", type=Path, default=ROOT / "data/plans/vinh-yen_kh-ubnd_2021.txt")
    ap.add_argument("--skip-chars", type=int, default=1500, help="where the excerpt starts in the plan")
    args = ap.parse_args()
    why = ocr.missing()
    if why:
        print(f"OCR không chạy được: {why}")
        return 2
    source = page_text(args.plan, args.skip_chars)
    print(f"plan: {args.plan.name}, excerpt of {len(source)} characters from character {args.skip_chars}")
    print(f"{'case':32} {'chars':>6} {'CER':>7} {'conf':>6} {'s/page':>7}")
    failed = False
    with tempfile.TemporaryDirectory(prefix="tracuu-bench-ocr-") as tmp:
        for name, dpi, skew, noise in CASES:
            image, lines = render_page(source, dpi=dpi, skew_degrees=skew, noise=noise)
            pdf = image_pdf([image], Path(tmp) / f"{dpi}.pdf", dpi)
            start = time.perf_counter()
            page = ocr.ocr_pdf_page(pdf, 1)
            seconds = time.perf_counter() - start
            reference = "\n".join(lines)
            cer = char_error_rate(reference, page.text)
            print(f"{name:32} {len(reference):>6} {cer:>7.2%} {page.mean_confidence:>6.1f} {seconds:>7.1f}")
            if dpi == 300 and not skew and not noise and cer > BAR:
                failed = True
    print(f"bar: CER <= {BAR:.0%} on the clean 300-dpi page: {'FAILED' if failed else 'met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
