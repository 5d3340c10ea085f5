"""Build the NLU resources that `config.yml` points at: a jieba user dictionary and a spaCy pipeline.

Both are generated from data/divisions.csv (plus a short list of hotline terms) so that a city can
swap its own gazetteer in and rebuild with `make`. Run: ``python -m bot.nlp.build_resources OUT_DIR``.
"""
from __future__ import annotations

import argparse
import logging
import shutil
from pathlib import Path

from bot.nlp import gazetteer

logger = logging.getLogger(__name__)

# Words jieba would otherwise split wrongly in hotline conversations.
HOTLINE_TERMS = [
    "12345", "市民热线", "接诉即办", "工单", "案件号", "受理号", "住房公积金", "公积金", "社保卡", "医保卡",
    "居住证", "户口本", "一卡通", "交通卡", "供暖费", "暖气片", "物业费", "物业公司", "业委会", "燃气灶",
    "煤气罐", "井盖", "路灯", "违章建筑", "违建", "噪音扰民", "扰民", "垃圾清运", "垃圾分类", "共享单车",
    "停车位", "飞线充电", "电动自行车", "养老金", "失业金", "低保", "残疾证", "出生证明", "不动产登记",
    "房产证", "学区", "幼儿园", "农民工", "欠薪", "拖欠工资", "劳动仲裁", "城管", "街道办", "居委会",
    "村委会", "派出所", "医保报销", "异地就医", "核酸", "疫苗", "食品安全", "黑车", "出租车", "网约车",
]

DIGIT = {"IS_DIGIT": True}


def phone_patterns() -> list[dict]:
    """Mobile numbers (1[3-9] + 9 digits) and Beijing landlines (010-xxxxxxxx), one char per token."""
    mobile = [{"TEXT": "1"}, {"TEXT": {"IN": list("3456789")}}] + [DIGIT] * 9
    landline = [{"TEXT": "0"}, {"TEXT": "1"}, {"TEXT": "0"}, {"TEXT": {"IN": ["-", "—"]}, "OP": "?"}] + [DIGIT] * 8
    return [{"label": "phone", "pattern": mobile}, {"label": "phone", "pattern": landline}]


def case_number_patterns() -> list[dict]:
    """13-digit case numbers (YYYYMMDD + sequence); longer than phones, so they win overlaps."""
    return [{"label": "case_number", "pattern": [{"TEXT": "2"}, {"TEXT": "0"}] + [DIGIT] * 11}]


def place_patterns() -> list[dict]:
    patterns: list[dict] = []
    for division in gazetteer.load_divisions():
        if division.level == "district":
            aliases, label = gazetteer.district_aliases(division), "district"
        else:
            aliases, label = gazetteer.subdistrict_aliases(division), "subdistrict"
        for alias in aliases:
            patterns.append({"label": label, "pattern": alias.lower(), "id": division.name})
    return patterns


def build_spacy(out_dir: Path) -> Path:
    """A blank Chinese pipeline (character segmentation) with an EntityRuler, saved to disk."""
    import spacy

    nlp = spacy.blank("zh")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True})
    ruler.add_patterns(place_patterns() + phone_patterns() + case_number_patterns())
    target = out_dir / "spacy_ruler"
    if target.exists():
        shutil.rmtree(target)
    nlp.to_disk(target)
    return target


def build_jieba_dictionary(out_dir: Path) -> Path:
    """jieba user dictionary: place names (full and short) and hotline terms, with high frequencies."""
    words: dict[str, str] = {}
    for division in gazetteer.load_divisions():
        for alias in gazetteer.district_aliases(division) + gazetteer.subdistrict_aliases(division):
            if all("\u4e00" <= ch <= "\u9fff" for ch in alias):
                words[alias] = "ns"
    for term in HOTLINE_TERMS:
        words.setdefault(term, "n")
    target = out_dir / "jieba"
    target.mkdir(parents=True, exist_ok=True)
    path = target / "userdict.txt"
    path.write_text("".join(f"{w} 2000 {tag}\n" for w, tag in sorted(words.items())), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", type=Path, nargs="?", default=Path("var/nlp"))
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logger.info("jieba dictionary: %s", build_jieba_dictionary(args.out_dir))
    logger.info("spaCy pipeline: %s", build_spacy(args.out_dir))


if __name__ == "__main__":
    main()
