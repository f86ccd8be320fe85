"""The document-structure vocabulary of Vietnamese administrative and legal documents, read from
ingest/data/document_kinds.json (kinds and their number abbreviations, heads of issuing bodies, level
words, header lines, signature titles; public sources named in the file)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.normalize import nfc

DATA = Path(__file__).resolve().parent / "data" / "document_kinds.json"


@dataclass(frozen=True)
class Kind:
    name: str  # "Kế hoạch"
    abbr: tuple[str, ...]  # ("KH",): how the kind is written in a document number "153/KH-UBND"
    proper: bool  # a law's title keeps its capital: "Luật Phòng, chống ma túy"
    carried: bool  # can be issued by a decision ("Ban hành kèm theo Quyết định …") and read as itself
    normative: bool = False  # a legal norm (Luật Ban hành văn bản quy phạm pháp luật): its clauses bind bodies


@dataclass(frozen=True)
class IssuerHead:
    head: str  # "Ủy ban nhân dân", "Bộ", "Tỉnh ủy"
    means: str  # the full form of an abbreviation ("UBND" -> "Ủy ban nhân dân"), else head
    level: str | None  # fixed level ("trung ương"), else from the unit word or place that follows
    local: bool  # followed by a unit word and a place name ("… tỉnh Lào Cai")
    named: bool  # followed by its own name ("Bộ Y tế", "Ban Chỉ đạo …")
    unit: str | None  # the unit word the head implies ("Tỉnh ủy" -> "tỉnh")
    party: bool  # a Party body ("Tỉnh ủy", "Đảng ủy")
    parent_only: bool  # names the parent organisation above the issuer ("Đảng bộ tỉnh …")


@dataclass(frozen=True)
class Unit:
    word: str  # "phường"
    level: str  # "xã"
    level_if_not_a_province: str | None  # "thành phố" that is not a centrally-run city: "huyện"


@dataclass(frozen=True)
class Vocab:
    kinds: tuple[Kind, ...]
    unknown_kind: str
    carriers: tuple[str, ...]  # kinds that issue a programme or plan ("Quyết định")
    carry_verbs: tuple[str, ...]  # "Phê duyệt", "Ban hành kèm theo"
    preamble_words: tuple[str, ...]  # where the title ends and the preamble begins: "Căn cứ", "Thực hiện"
    issuers: tuple[IssuerHead, ...]
    units: tuple[Unit, ...]
    central_words: tuple[str, ...]
    not_issuer_lines: tuple[str, ...]
    number_labels: tuple[str, ...]
    signature_marks: tuple[str, ...]
    signer_titles: tuple[str, ...]
    signed_marks: tuple[str, ...]  # "[đã ký]", "(Đã ký)": a published copy's mark where the signature was
    passed_on: tuple[str, ...]
    letter_subject: tuple[str, ...]  # "V/v": the subject line of a letter (công văn), which has no kind line
    letter_kind: str
    letter_address: tuple[str, ...] = ()  # "Kính gửi": a letter names whom it is sent to; no other kind does
    self_issue_verbs: tuple[str, ...] = ()  # "ban hành": an opening sentence issuing the document itself …
    self_issue_ends: tuple[str, ...] = ()  # … ending "với những nội dung sau", "như sau"
    appendix_caption: tuple[str, ...] = ()  # "Kèm theo": an appendix caption names the document it belongs to
    voice_marks: tuple[str, ...] = ()  # "có ý kiến như sau": what follows a leader a letter conveys the opinion of

    def kind_pattern(self) -> str:
        """The kinds' names as one regex alternation, the longest first ("Thông tư liên tịch" before "Thông tư")."""
        return "|".join(re.escape(k.name) for k in sorted(self.kinds, key=lambda k: -len(k.name)))

    def kind_named(self, name: str) -> Kind | None:
        low = nfc(name).strip().lower()
        return next((k for k in self.kinds if k.name.lower() == low), None)

    def kind_of_abbr(self, abbr: str) -> Kind | None:
        return next((k for k in self.kinds if abbr in k.abbr), None)

    def unit_named(self, word: str) -> Unit | None:
        low = nfc(word).strip().lower()
        return next((u for u in self.units if u.word == low), None)


@lru_cache(maxsize=1)
def vocab() -> Vocab:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    strs = lambda key: tuple(nfc(s) for s in data[key])  # noqa: E731
    return Vocab(
        kinds=tuple(
            Kind(nfc(k["name"]), tuple(nfc(a) for a in k.get("abbr", ())), k.get("style") == "proper",
                 bool(k.get("carried")), bool(k.get("normative")))
            for k in data["kinds"]
        ),
        unknown_kind=nfc(data["unknown_kind"]),
        carriers=strs("carriers"),
        carry_verbs=strs("carry_verbs"),
        preamble_words=strs("preamble_words"),
        issuers=tuple(
            IssuerHead(nfc(i["head"]), nfc(i.get("means", i["head"])), i.get("level"), bool(i.get("local")),
                       bool(i.get("named")), i.get("unit"), bool(i.get("party")), bool(i.get("parent_only")))
            for i in data["issuers"]
        ),
        units=tuple(Unit(nfc(u["word"]), u["level"], u.get("level_if_not_a_province")) for u in data["units"]),
        central_words=strs("central_words"),
        not_issuer_lines=strs("not_issuer_lines"),
        number_labels=strs("number_labels"),
        signature_marks=strs("signature_marks"),
        signer_titles=strs("signer_titles"),
        signed_marks=strs("signed_marks"),
        voice_marks=strs("voice_marks"),
        passed_on=strs("passed_on"),
        letter_subject=strs("letter_subject"),
        letter_kind=nfc(data["letter_kind"]),
        letter_address=strs("letter_address"),
        self_issue_verbs=tuple(nfc(x) for x in data["self_issue"]["verbs"]),
        self_issue_ends=tuple(nfc(x) for x in data["self_issue"]["ends"]),
        appendix_caption=tuple(nfc(x) for x in data["appendix_caption"]["words"]),
    )
