"""Vietnamese normalisation: NFC, tone keys (old and new tone placement), diacritic folding,
markup stripping, quote matching across line breaks and markup."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from ingest.normalize import (
    contains_quote,
    fold,
    folded_tokens,
    match_key,
    nfc,
    strip_markup,
    syllable_key,
    tidy,
    tokens,
    tone_normalize,
)

PLANS_DIR = Path(__file__).resolve().parents[1] / "data" / "plans"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# --- nfc ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Thủy", "Ủy ban nhân dân", "Đường dây nóng", "ma tuý", "phường Tân Hưng"])
def test_nfc_recomposes_nfd_input(text):
    decomposed = nfd(text)
    assert decomposed != text  # the fixture really is decomposed
    assert nfc(decomposed) == text
    assert unicodedata.is_normalized("NFC", nfc(decomposed))


def test_nfc_leaves_ascii_and_nfc_text_alone():
    assert nfc("153/KH-UBND") == "153/KH-UBND"
    assert nfc("Sở Y tế") == "Sở Y tế"


# --- tone keys ---------------------------------------------------------------------------------

SAME_SYLLABLE = [
    ("tuý", "túy"),  # old vs new tone placement
    ("hoà", "hòa"),
    ("Thuỷ", "Thủy"),
    ("uỷ", "ủy"),
    ("khoẻ", "khỏe"),
    ("Thuỷ", nfd("Thủy")),  # NFD input
    (nfd("tuý"), "túy"),
    ("HOÀ", "hòa"),  # case
    ("Uỷ", "ủy"),
]


@pytest.mark.parametrize(("a", "b"), SAME_SYLLABLE)
def test_syllable_key_treats_tone_placements_alike(a, b):
    assert syllable_key(a) == syllable_key(b)


DIFFERENT_SYLLABLE = [
    ("túy", "tùy"),  # different tone
    ("hòa", "hoa"),  # tone vs none
    ("ma", "má"),
    ("túy", "tuy"),
    ("đường", "dương"),  # đ is a letter of its own, not a d with a mark
    ("ưu", "uu"),  # the horn is not a tone
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT_SYLLABLE)
def test_syllable_key_keeps_distinct_syllables_apart(a, b):
    assert syllable_key(a) != syllable_key(b)


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("Tuý", "tuys"),
        ("túy", "tuys"),
        ("hoà", "hoaf"),
        ("Thủy", "thuyr"),
        ("nghiện", "nghiênj"),
        ("Nguyễn", "nguyênx"),
        ("Đường", "đươngf"),
        ("ma", "ma"),
        (nfd("Ủy"), "uyr"),
    ],
)
def test_syllable_key_moves_the_tone_to_the_end(word, key):
    assert syllable_key(word) == key


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Uỷ ban nhân dân thành phố", "Ủy ban nhân dân thành phố"),
        ("phòng, chống ma tuý", "phòng, chống ma túy"),
        ("hoà nhập cộng đồng", nfd("hòa nhập cộng đồng")),
        ("Thuỷ sản", "Thủy sản"),
    ],
)
def test_tone_normalize_matches_old_and_new_spelling(old, new):
    assert tone_normalize(old) == tone_normalize(new)


def test_tone_normalize_keeps_punctuation_and_spacing():
    assert tone_normalize("Sở Y tế, hoà!  (2025)") == "sơr y tês, hoaf!  (2025)"


# --- fold --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đường", "duong"),
        ("đường dây nóng", "duong day nong"),
        ("Sở Y tế", "so y te"),
        ("ĐẢNG ỦY", "dang uy"),
        ("phòng, chống ma túy", "phong, chong ma tuy"),
        ("phòng, chống ma tuý", "phong, chong ma tuy"),
        (nfd("Nguyễn Thị Thủy"), "nguyen thi thuy"),
        ("UBND", "ubnd"),
        ("153/KH-UBND", "153/kh-ubnd"),
    ],
)
def test_fold_removes_every_diacritic(text, folded):
    assert fold(text) == folded


def test_fold_output_is_plain_ascii_for_vietnamese_letters():
    letters = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
    assert fold(letters).isascii()
    assert fold(letters.upper()).isascii()


# --- strip_markup / tidy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("**Sở Y tế**", "Sở Y tế"),
        ("**1.\nCông an thành phố**", "1.\nCông an thành phố"),
        ("__KẾ HOẠCH__", "KẾ HOẠCH"),
        ("*(sau đây viết tắt là Chương trình)*", "(sau đây viết tắt là Chương trình)"),
        ("bảo đảm *“rõ người, rõ việc”*.", "bảo đảm “rõ người, rõ việc”."),
        ("phong trào “*Toàn dân tham gia phòng, chống ma túy*” trong xã hội",
         "phong trào “Toàn dân tham gia phòng, chống ma túy” trong xã hội"),
        ("**trước ngày 22/11/2021**.", "trước ngày 22/11/2021."),
    ],
)
def test_strip_markup_removes_bold_and_italic(text, clean):
    assert strip_markup(text) == clean


@pytest.mark.parametrize(
    "text",
    [
        "- Tổ chức tuyên truyền, giáo dục pháp luật",  # a bullet
        "+ Phát hiện và kịp thời đấu tranh",  # a sub-point
        "Độc lập - Tự do - Hạnh phúc",
        "giai đoạn 2021 - 2025",
        "Lao động - Thương binh và Xã hội",
        "HIV/AIDS",
        "Số: 153/KH-UBND",
    ],
)
def test_strip_markup_keeps_bullets_and_hyphens(text):
    assert strip_markup(text) == text


def test_strip_markup_removes_table_pipes():
    out = strip_markup("| Số: 153/KH-UBND | *Cần Thơ, ngày 17 tháng 11 năm 2025* |")
    assert "|" not in out and "*" not in out
    assert " ".join(out.split()) == "Số: 153/KH-UBND Cần Thơ, ngày 17 tháng 11 năm 2025"


def test_strip_markup_empties_pipe_only_and_rule_lines():
    text = "|\n**THÀNH PHỐ CẦN THƠ**\n--------\n|\nĐộc lập - Tự do - Hạnh phúc\n---------------\n"
    out = strip_markup(text)
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    assert lines == ["THÀNH PHỐ CẦN THƠ", "Độc lập - Tự do - Hạnh phúc"]


def test_strip_markup_removes_an_inline_rule_but_keeps_the_words():
    out = strip_markup("Nơi nhận ------ TM. ỦY BAN NHÂN DÂN")
    assert "-" not in out
    assert out.split() == ["Nơi", "nhận", "TM.", "ỦY", "BAN", "NHÂN", "DÂN"]


def test_strip_markup_removes_italics_inside_a_word():
    assert strip_markup("mạng xã hội (*Z*alo, Facebook...)") == "mạng xã hội (Zalo, Facebook...)"


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("  **Sở   Y tế**  ", "Sở Y tế"),
        (nfd("  Ủy ban\u00a0nhân dân "), "Ủy ban nhân dân"),
        ("a)\tTriển khai  nghiêm túc", "a) Triển khai nghiêm túc"),
        (" |  \n **KẾ HOẠCH** \n", "KẾ HOẠCH"),
    ],
)
def test_tidy_gives_nfc_text_without_markup_or_extra_spaces(text, clean):
    assert tidy(text) == clean


# --- match_key / contains_quote ----------------------------------------------------------------


def test_match_key_collapses_markup_lines_and_tones():
    assert match_key("**Sở Y\n   tế** quản lý") == "sơr y tês quanr lys"
    assert match_key(nfd("SỞ Y TẾ")) == match_key("Sở Y tế")


def test_match_key_reads_a_decimal_point_and_a_decimal_comma_alike():
    assert contains_quote("Khánh Hòa · Tỷ lệ: 22.3%", "22,3%")
    assert contains_quote("đạt 1,5 lần", "1.5 lần")
    assert not contains_quote("cắt giảm 3.071 TTHC", "3,071 TTHC")  # three figures may be a thousands group
    assert not contains_quote("Tỷ lệ: 22.3%", "22,4%")


@pytest.mark.parametrize(
    ("haystack", "quote"),
    [
        ("**6.3. Sở Y\ntế** quản lý chặt chẽ các hoạt động", "Sở Y tế quản lý chặt chẽ"),
        ("triển khai thực hiện Chương\ntrình)*, Ủy ban", "Chương trình), Ủy ban"),
        ("phòng, chống ma\n\ntuý", "phòng, chống ma túy"),  # blank line from a PDF, old tone placement
        ("Ủy ban nhân dân phường Tân Hưng", nfd("Ủy ban nhân dân phường Tân Hưng")),
        (nfd("hoà nhập cộng đồng"), "hòa nhập cộng đồng"),
        ("| Số: 153/KH-UBND |", "Số: 153/KH-UBND"),
        ("SỞ Y TẾ", "Sở Y tế"),
    ],
)
def test_contains_quote_across_line_breaks_markup_and_spellings(haystack, quote):
    assert contains_quote(haystack, quote)


@pytest.mark.parametrize(
    ("haystack", "quote"),
    [
        ("Sở Y tế quản lý", "so y te quan ly"),  # diacritics count in a quote
        ("Sở Tài chính quản lý", "Sở Y tế quản lý"),
        ("Sở Y tế quản lý", "Sở Y tế, quản lý"),  # punctuation counts
        ("tùy theo tình hình", "túy theo tình hình"),  # a different tone is a different word
        ("Năm 2026: Đạt 25%", "Năm 2026: Đạt 30%"),
    ],
)
def test_contains_quote_rejects_what_the_text_does_not_say(haystack, quote):
    assert not contains_quote(haystack, quote)


@pytest.mark.parametrize(
    ("plan", "quote"),
    [
        # wrapped over two lines and set in italics in the plan
        ("can-tho_kh-153-ubnd_2025.txt", "(sau đây viết tắt là Chương trình), Ủy ban nhân dân thành phố ban hành"),
        # a bold heading split over lines ("**1.\nCông tác …**")
        ("can-tho_kh-153-ubnd_2025.txt", "1. Công tác tham mưu, chỉ đạo triển khai"),
        # hard-wrapped with blank lines between printed lines
        ("tan-hung-hai-phong_kh-ubnd_2025.txt", "Căn cứ Chỉ thị số 36-CT/TW ngày 16/8/2019 của Bộ Chính trị về tăng cường, nâng cao"),
        ("nam-dinh_kh-kl132_2025.txt", "6.3. Sở Y tế quản lý chặt chẽ các hoạt động sản xuất, mua bán và sử dụng các loại nguyên liệu"),
        ("vinh-yen_kh-ubnd_2021.txt", "phát động phong trào “Toàn dân tham gia phòng, chống ma túy” trong xã hội"),
        ("can-tho_nq-03-tu_2025.txt", "Năm 2026: Đạt 25% (tương đương 26/103 xã, phường không ma túy)."),
    ],
)
def test_contains_quote_finds_clean_quotes_in_the_raw_plans(plan, quote):
    raw = (PLANS_DIR / plan).read_text(encoding="utf-8")
    assert contains_quote(raw, quote)
    assert contains_quote(nfd(raw), quote)
    assert not contains_quote(raw, fold(quote))  # the same words typed without diacritics


# --- tokens ------------------------------------------------------------------------------------


def test_tokens_are_tone_keys_of_each_syllable():
    assert tokens("Sở Y tế, hoà nhập!") == ["sơr", "y", "tês", "hoaf", "nhâpj"]
    assert tokens("153/KH-UBND") == ["153", "kh", "ubnd"]


@pytest.mark.parametrize(
    ("a", "b"),
    [("ma tuý", "ma túy"), ("Uỷ ban", nfd("Ủy ban")), ("HOÀ NHẬP", "hòa nhập")],
)
def test_tokens_match_across_spellings(a, b):
    assert tokens(a) == tokens(b)


def test_tokens_keep_diacritics_apart():
    assert tokens("ma tuý") != tokens("ma tuy")


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đường dây nóng", ["duong", "day", "nong"]),
        ("Phòng, chống ma tuý!", ["phong", "chong", "ma", "tuy"]),
        (nfd("Sở Y tế"), ["so", "y", "te"]),
        ("so y te", ["so", "y", "te"]),
    ],
)
def test_folded_tokens_drop_diacritics_and_punctuation(text, folded):
    assert folded_tokens(text) == folded


def test_the_word_list_is_kept_in_tracuus_cache_and_read_back_the_same(tmp_path, monkeypatch):
    from ingest import words

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    words.dictionary.cache_clear()
    made = words.dictionary()
    kept = list((tmp_path / "tracuu" / "words").glob("words-*.json"))
    assert len(kept) == 1
    words.dictionary.cache_clear()
    assert words.dictionary() == made and len(made[0]) > 20_000
    kept[0].write_text("not json", encoding="utf-8")  # a damaged cache is made again, never trusted
    words.dictionary.cache_clear()
    assert words.dictionary() == made
    words.dictionary.cache_clear()
