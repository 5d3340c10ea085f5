"""The generated spaCy EntityRuler and jieba dictionary find what the hotline needs."""
import pytest

from bot.nlp import build_resources, gazetteer


@pytest.fixture(scope="module")
def nlp(tmp_path_factory):
    import spacy

    out = tmp_path_factory.mktemp("nlp")
    path = build_resources.build_spacy(out)
    return spacy.load(path)


def ents(nlp, text):
    return [(e.label_, e.ent_id_ or e.text) for e in nlp(text).ents]


def test_chinese_places_phone_case_number(nlp):
    found = ents(nlp, "我住在海淀区学院路街道，电话13800138000，案件号2026113000042")
    assert ("district", "海淀区") in found
    assert ("subdistrict", "学院路街道") in found
    assert ("phone", "13800138000") in found
    assert ("case_number", "2026113000042") in found


def test_short_and_english_names_map_to_official_names(nlp):
    assert ents(nlp, "朝阳望京这边") == [("district", "朝阳区"), ("subdistrict", "望京街道")]
    assert ents(nlp, "no, it's in Haidian District") == [("district", "海淀区")]
    assert ents(nlp, "near shunyi") == [("district", "顺义区")]


def test_landline_and_case_number_beats_phone(nlp):
    assert ents(nlp, "座机010-65123456") == [("phone", "010-65123456")]
    assert ents(nlp, "2026113000042") == [("case_number", "2026113000042")]


def test_jieba_dictionary_has_places_and_terms(tmp_path):
    path = build_resources.build_jieba_dictionary(tmp_path)
    words = {line.split()[0] for line in path.read_text(encoding="utf-8").splitlines()}
    assert {"海淀区", "海淀", "望京街道", "住房公积金", "居住证"} <= words


def test_gazetteer_lookup_and_parents():
    (haidian,) = gazetteer.lookup("Haidian District")
    assert haidian.name == "海淀区" and haidian.code == "110108"
    (wangjing,) = gazetteer.lookup("望京", level="subdistrict")
    assert gazetteer.parent_of(wangjing).name == "朝阳区"
    assert len(gazetteer.lookup("八里庄街道")) == 2  # in Chaoyang and in Haidian
    assert len(gazetteer.districts()) == 16 and len(gazetteer.subdistricts()) == 349


def test_district_short_names_beat_town_names_and_common_words_are_not_places(nlp):
    assert ents(nlp, "密云那边") == [("district", "密云区")]
    assert ents(nlp, "密云镇") == [("subdistrict", "密云镇")]
    assert ents(nlp, "今天天气很光明") == []
    assert ents(nlp, "光明街道") == [("subdistrict", "光明街道")]
