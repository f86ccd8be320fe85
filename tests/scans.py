"""Scanned pages made from known text, for the OCR tests and bench/ocr.py: the text is typeset with a
Vietnamese-capable font (Debian's DejaVu) on a white page at a given resolution, optionally turned by a
small angle and sprinkled with noise as a cheap scanner does, and saved as an image-only PDF (no text
layer). The character error rate of OCR is measured against the text that was typeset."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/usr/local/share/fonts/DejaVuSans.ttf"),
]
A4_INCHES = (8.27, 11.69)


def font_path() -> Path:
    for path in FONT_CANDIDATES:
        if path.exists():
            return path
    raise FileNotFoundError("DejaVuSans.ttf not found — install fonts-dejavu-core (make ocr)")


def render_page(text: str, dpi: int = 300, size_inches: tuple[float, float] = A4_INCHES, points: float = 12,
                skew_degrees: float = 0.0, noise: float = 0.0, seed: int = 1):
    """(image, the lines as typeset). `noise` is the share of pixels flipped to a random grey."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = int(size_inches[0] * dpi), int(size_inches[1] * dpi)
    margin = int(0.8 * dpi)
    font = ImageFont.truetype(str(font_path()), int(points / 72 * dpi))
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    line_height = int(points / 72 * dpi * 1.45)
    lines = wrap(text, font, width - 2 * margin)
    y = margin
    typeset = []
    for line in lines:
        if y + line_height > height - margin:
            break
        draw.text((margin, y), line, font=font, fill=0)
        typeset.append(line)
        y += line_height
    if skew_degrees:
        image = image.rotate(skew_degrees, resample=Image.BICUBIC, expand=False, fillcolor=255)
    if noise:
        rng = random.Random(seed)
        pixels = image.load()
        for _ in range(int(noise * width * height)):
            x, yy = rng.randrange(width), rng.randrange(height)
            pixels[x, yy] = rng.randrange(0, 256)
    return image, typeset


def wrap(text: str, font, max_width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        current = ""
        for word in words:
            trial = f"{current} {word}".strip()
            if font.getlength(trial) <= max_width or not current:
                current = trial
            else:
                lines.append(current)
                current = word
        if current:
            lines.append(current)
    return lines


def image_pdf(images, path: Path, dpi: int) -> Path:
    """An image-only PDF, one image per page at its own resolution: what a scanner hands over."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    pdf = None
    for image in images:
        w, h = image.size[0] * 72 / dpi, image.size[1] * 72 / dpi
        if pdf is None:
            pdf = canvas.Canvas(str(path), pagesize=(w, h))
        pdf.setPageSize((w, h))
        pdf.drawImage(ImageReader(image), 0, 0, w, h)
        pdf.showPage()
    pdf.save()
    return path


def char_error_rate(reference: str, hypothesis: str) -> float:
    """Levenshtein distance over characters / reference length, after NFC and collapsing whitespace."""
    ref = " ".join(unicodedata.normalize("NFC", reference).split())
    hyp = " ".join(unicodedata.normalize("NFC", hypothesis).split())
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, a in enumerate(ref, 1):
        current = [i] + [0] * len(hyp)
        for j, b in enumerate(hyp, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
        previous = current
    return previous[-1] / len(ref)
