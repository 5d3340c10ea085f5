"""bot/parsing: the plain functions behind the validators."""
from __future__ import annotations

import pytest

from bot.parsing import addresses, appeal_types, case_numbers, categories, codes, descriptions, digits
from bot.parsing import emergencies, names, phones, places, replies, text, times

ODD_VALUES = [None, 0, 3.5, True, [], {}, b"bytes", object()]


# ---------------------------------------------------------------------------- digits
@pytest.mark.parametrize("raw, expected", [
    ("二〇二六", "2026"), ("二零二六", "2026"), ("幺三八", "138"), ("两三四", "234"), ("１２３", "123"),
    ("○一", "01"), ("一个", "一个"), ("两点", "两点"), ("第一", "第一"), ("1一2", "112"),
])
def test_normalize_digits(raw, expected):
    assert digits.normalize_digits(raw) == expected


def test_digit_groups_and_joined_candidates():
    assert digits.digit_groups("138 0013-8000") == ["138", "00138000"]
    assert "13800138000" in list(digits.joined_candidates("138 0013 8000"))
    assert digits.digit_groups("") == []


# ---------------------------------------------------------------------------- case numbers
@pytest.mark.parametrize("raw", [
    "2026113000042", "2026 1130 00042", "20261130-00042", "2026-1130-0004-2", "第2026113000042号",
    "二〇二六一一三〇〇〇〇四二", "二零二六一一三零零零零四二", "编号：２０２６１１３００００４２", "No. 2026113000042",
    "我想查一下2026113000042的进度", "case #2026113000042 please", "二零二六 一一三零 零零零四二",
])
def test_case_number_formats(raw):
    assert case_numbers.parse_case_number(raw) == "2026113000042"


@pytest.mark.parametrize("raw", [
    "202611300004", "20261130000421", "2026133000042", "1999113000042", "13800138000", "abc", "", "二〇二六",
])
def test_not_case_numbers(raw):
    assert case_numbers.parse_case_number(raw) is None


def test_case_number_next_to_a_phone():
    assert case_numbers.parse_case_number("电话13800138000 编号2026113000042") == "2026113000042"


@pytest.mark.parametrize("value", ODD_VALUES)
def test_case_number_odd_types(value):
    assert case_numbers.parse_case_number(value) is None


def test_case_number_helpers():
    assert case_numbers.format_case_number("2026113000042") == "20261130-00042"
    assert case_numbers.looks_like_case_number_attempt("202611300004")
    assert not case_numbers.looks_like_case_number_attempt("不知道")
    assert case_numbers.is_valid_case_number("2026022900001") is False  # 2026 is no leap year


# ---------------------------------------------------------------------------- phones
@pytest.mark.parametrize("raw, expected", [
    ("13800138000", "13800138000"), ("138 0013 8000", "13800138000"), ("138-0013-8000", "13800138000"),
    ("+86 138 0013 8000", "13800138000"), ("0086 13800138000", "13800138000"), ("8613800138000", "13800138000"),
    ("幺三八零零幺三八零零零", "13800138000"), ("一三八〇〇一三八〇〇〇", "13800138000"), ("幺38两两两两三三三三", "13822223333"),
    ("010-62345678", "010-62345678"), ("01062345678", "010-62345678"), ("(010) 6234 5678", "010-62345678"),
    ("+86 10 6234 5678", "010-62345678"), ("62345678", "010-62345678"), ("021-61234567", "021-61234567"),
    ("我的电话是13800138000，谢谢", "13800138000"), ("手机：１３８００１３８０００", "13800138000"),
])
def test_phone_formats(raw, expected):
    assert phones.parse_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "110", "1380013800", "23800138000", "abc", "", "2026113000042"])
def test_not_phones(raw):
    assert phones.parse_phone(raw) is None


def test_find_phone_ignores_bare_local_numbers_in_narratives():
    assert phones.find_phone("楼下饭馆营业到23点，投诉了8次") is None
    assert phones.find_phone("我是张三，电话13800138000") == "13800138000"


@pytest.mark.parametrize("value", ODD_VALUES)
def test_phone_odd_types(value):
    assert phones.parse_phone(value) is None


def test_phone_helpers():
    assert phones.mask_phone("13800138000") == "*******8000"
    assert phones.is_mobile("13800138000") and not phones.is_mobile("010-62345678")
    assert phones.looks_like_phone_attempt("1380013") and not phones.looks_like_phone_attempt("不想说")


# ---------------------------------------------------------------------------- codes
@pytest.mark.parametrize("raw, expected", [
    ("123456", "123456"), ("123 456", "123456"), ("验证码是 654321", "654321"), ("一二三四五六", "123456"),
    ("幺两三四五六", "123456"), ("12345", None), ("1234567", None), ("", None), (None, None),
])
def test_verification_codes(raw, expected):
    assert codes.parse_code(raw) == expected


# ---------------------------------------------------------------------------- places
@pytest.mark.parametrize("raw, expected", [
    ("海淀区", "海淀区"), ("在海淀", "海淀区"), ("Haidian", "海淀区"), ("haidian district", "海淀区"),
    ("no, it's in Chaoyang", "朝阳区"), ("朝阳区望京街道", "朝阳区"), ("望京街道", "朝阳区"), ("延庆", "延庆区"),
])
def test_find_district(raw, expected):
    assert places.find_district(raw) == expected


def test_district_not_confused_by_longer_place_names():
    assert places.find_district("朝阳门外大街") is None  # 朝阳门 is in 东城区, and only a short name
    assert places.normalize_district("朝阳门") == "东城区"
    assert places.find_district("今天天气不错") is None


def test_subdistricts():
    assert places.find_subdistrict("我家在交道口街道附近") == "交道口街道"
    assert places.find_subdistrict("望京") is None  # a short name alone is too weak in a narrative
    assert places.normalize_subdistrict("望京") == "望京街道"
    assert places.normalize_subdistrict("望京", "朝阳区") == "望京街道"
    assert places.normalize_subdistrict("望京", "海淀区") is None
    assert places.find_subdistrict("八里庄街道") is None  # exists in two districts
    assert places.normalize_subdistrict("八里庄街道", "海淀区") == "八里庄街道"
    assert places.district_of_subdistrict("望京街道") == "朝阳区"
    assert places.subdistrict_mentioned_elsewhere("望京", "海淀区") == "朝阳区"


def test_division_codes():
    assert places.district_code("海淀区") == "110108"
    assert places.subdistrict_code("八里庄街道", "海淀区").startswith("110108")
    assert places.subdistrict_code("八里庄街道", "朝阳区").startswith("110105")
    assert places.district_english("海淀区") == "Haidian District"
    assert len(places.district_names()) == 16
    assert "望京街道" in places.subdistricts_of("朝阳区")


@pytest.mark.parametrize("value", ODD_VALUES)
def test_places_odd_types(value):
    assert places.normalize_district(value) is None
    assert places.normalize_subdistrict(value) is None
    assert places.scan(value) == []


# ---------------------------------------------------------------------------- addresses
@pytest.mark.parametrize("raw, expected", [
    ("楼下饭馆在学院路12号，每天晚上很吵", "学院路12号"),
    ("我家楼下的学院路12号", "学院路12号"),
    ("海淀区学院路12号", "学院路12号"),
    ("阳光小区3号楼门口有垃圾", "阳光小区3号楼门口"),
    ("天通苑东三区5号楼楼下", "天通苑东三区5号楼楼下"),
    ("成府路与志新路交叉口", "成府路与志新路交叉口"),
    ("南锣鼓巷北口", "南锣鼓巷北口"),
    ("建国路88号东门", "建国路88号东门"),
    ("每天晚上在学院路上", "学院路"),
    ("the restaurant at 12 Xinjiekou Street is noisy", "12 Xinjiekou Street"),
    ("noise on Xinjiekou Street every night", "Xinjiekou Street"),
    ("near the east gate of Chaoyang Park", "Chaoyang Park"),
])
def test_find_address(raw, expected):
    assert addresses.find_address(raw) == expected


@pytest.mark.parametrize("raw", ["我们小区垃圾没人清理", "路灯坏了", "每天晚上十点以后", "我家小区门口的路灯坏了", ""])
def test_no_address_in_narrative(raw):
    assert addresses.find_address(raw) is None


@pytest.mark.parametrize("raw, expected", [
    ("学院路12号", "学院路12号"), ("地址是建国路88号", "建国路88号"), ("望京西园三区", "望京西园三区"),
    ("就在阳光小区门口", "阳光小区门口"), ("Xinjiekou", "Xinjiekou"), ("at 5 Dongzhimen Street", "5 Dongzhimen Street"),
])
def test_address_answers(raw, expected):
    assert addresses.clean_address_answer(raw) == expected


@pytest.mark.parametrize("raw", ["不知道", "yes", "He said I was wrong", "每天晚上十点以后", "嗯", "", None, 5])
def test_not_address_answers(raw):
    assert addresses.clean_address_answer(raw) is None


# ---------------------------------------------------------------------------- times
@pytest.mark.parametrize("raw, expected", [
    ("楼下饭馆每天晚上很吵", "每天晚上"), ("昨天下午三点", "昨天下午三点"), ("从上周开始就这样", "从上周开始"),
    ("每天晚上十点以后", "每天晚上十点以后"), ("周末早上七点就开始施工", "周末早上七点"), ("12月3号晚上", "12月3号晚上"),
    ("since last week", "since last week"), ("It happens every night after 10pm", "every night after 10pm"),
    ("the noise started 3 days ago", "3 days ago"), ("yesterday afternoon", "yesterday afternoon"),
])
def test_find_time_phrase(raw, expected):
    assert times.find_time_phrase(raw) == expected


@pytest.mark.parametrize("raw", ["我家楼下的学院路12号", "楼下垃圾一直没人清理", "this is a test", "I want to complain", "3号楼"])
def test_no_time_in_narrative(raw):
    assert times.find_time_phrase(raw) is None


def test_time_answers():
    assert times.parse_time_answer("一直都这样") == "一直都这样"
    assert times.parse_time_answer("recently") == "recently"
    assert times.parse_time_answer("不记得了") is None and times.is_unknown_time("不记得了")
    assert times.parse_time_answer("I don't remember") is None
    assert times.parse_time_answer(None) is None


# ---------------------------------------------------------------------------- names
@pytest.mark.parametrize("raw, expected", [
    ("我叫张三，住在海淀区", "张三"), ("我叫张三我住在海淀", "张三"), ("我姓王", "王"), ("免贵姓李，电话138", "李"),
    ("我是李明", "李明"), ("本人王小二", "王小二"), ("my name is li wei and I live in Haidian", "Li Wei"),
    ("My name is John Smith.", "John Smith"), ("I'm Anna", "Anna"), ("call me Bob", "Bob"),
])
def test_find_name(raw, expected):
    assert names.find_name(raw) == expected


@pytest.mark.parametrize("raw", ["我是朝阳区居民", "我是一名老师", "I am worried about the noise", "I want to complain", "你好"])
def test_no_name(raw):
    assert names.find_name(raw) is None


@pytest.mark.parametrize("raw, expected", [
    ("张先生", "张先生"), ("Li Wei", "Li Wei"), ("欧阳娜娜", "欧阳娜娜"), ("王", "王"), ("叫我小王", "小王"),
])
def test_name_answers(raw, expected):
    assert names.parse_name_answer(raw) == expected


@pytest.mark.parametrize("raw", ["不想说", "13800138000", "hello", "你好", "我是朝阳区居民", "", None, 12])
def test_not_name_answers(raw):
    assert names.parse_name_answer(raw) is None


# ---------------------------------------------------------------------------- appeal types
@pytest.mark.parametrize("raw, expected", [
    ("我要投诉楼下饭馆", "投诉"), ("举报有人违建", "举报"), ("我想咨询一下怎么举报", "咨询"), ("我建议增加公交线路", "建议"),
    ("帮帮忙，我家老人走丢了", "求助"), ("I want to complain about noise", "投诉"),
    ("I want to report illegal construction", "举报"), ("I suggest more bus lines", "建议"),
    ("I need help with my heating", "求助"), ("I'd like to inquire about pensions", "咨询"), ("楼下很吵", None),
    ("I want to report a problem with the heating", None),
])
def test_find_appeal_type(raw, expected):
    assert appeal_types.find_appeal_type(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("投诉", "投诉"), ("Complaint", "投诉"), ("Request for help", "求助"), ("Report of wrongdoing", "举报"),
    ("Inquiry", "咨询"), ("Suggestion", "建议"), ("2", "求助"), ("第三个", "投诉"), ("the second one", "求助"),
    ("算是建议吧", "建议"), ("xyz", None), ("", None), (None, None),
])
def test_appeal_type_answers(raw, expected):
    assert appeal_types.parse_appeal_type_answer(raw) == expected


def test_appeal_labels():
    assert appeal_types.appeal_label("投诉", "en") == "Complaint"
    assert appeal_types.appeal_label("投诉", "zh") == "投诉"
    assert set(appeal_types.TIME_RELEVANT) == {"投诉", "举报", "求助"}


# ---------------------------------------------------------------------------- replies
@pytest.mark.parametrize("raw", ["对", "是的，提交吧", "没问题", "yes please", "Correct", "确认", "对，没错",
                                 "是的，没错", "没错，对的", "对对对", "yes, that's right", "right, correct"])
def test_affirm(raw):
    assert replies.is_affirm(raw) and not replies.is_deny(raw)


@pytest.mark.parametrize("raw", ["不对", "不是", "No", "wrong", "需要修改"])
def test_deny(raw):
    assert replies.is_deny(raw) and not replies.is_affirm(raw)


def test_skip_anonymity_correction_fields():
    assert all(replies.is_skip(t) for t in ["跳过", "不知道", "不清楚", "skip", "not sure", "I don't know"])
    assert not replies.is_skip("海淀区")
    assert replies.wants_anonymity("我不想留名字") and replies.wants_anonymity("I'd rather stay anonymous")
    assert replies.is_correction("不对，是海淀区") and replies.is_correction("no, it's in Haidian")
    assert replies.is_correction("地址改成学院路5号") and not replies.is_correction("海淀区")
    assert replies.find_fields("地址错了") == ["address"]
    assert replies.find_fields("电话号码") == ["contact_phone"]
    assert replies.find_fields("分类") == ["category"] and replies.find_fields("Description") == ["description"]
    assert replies.find_fields("没问题") == []
    for value in ODD_VALUES:
        assert not replies.is_affirm(value) and replies.find_fields(value) == []


# ---------------------------------------------------------------------------- emergencies
@pytest.mark.parametrize("raw, kind", [
    ("着火了！", "fire"), ("厨房着火了快来人", "fire"), ("there is a fire in my building", "fire"),
    ("燃气泄漏了", "gas"), ("I smell gas in the stairwell", "gas"), ("闻到很浓的煤气味", "gas"),
    ("有人持刀抢劫", "crime"), ("someone is breaking in", "crime"),
    ("我爸晕倒了", "medical"), ("my neighbour collapsed and is not breathing", "medical"),
])
def test_detect_emergency(raw, kind):
    assert emergencies.detect_emergency(raw) == kind


@pytest.mark.parametrize("raw", ["上周小区着过一次火，物业不管", "小区路灯不亮", "I want to complain about a fire door", ""])
def test_not_acute(raw):
    assert emergencies.detect_emergency(raw) is None


def test_classify_emergency_and_numbers():
    assert emergencies.classify_emergency("fire") == "fire"
    assert emergencies.classify_emergency("police!") == "crime"
    assert emergencies.classify_emergency("help") is None
    assert emergencies.NUMBERS["gas"] == ("119", "96777")


# ---------------------------------------------------------------------------- descriptions and text
def test_descriptions():
    assert descriptions.opening_description("我要投诉") is None
    assert descriptions.opening_description("你好，我想反映一个问题") is None
    assert descriptions.opening_description("I want to complain") is None
    assert descriptions.opening_description("我要投诉楼下饭馆每天晚上很吵") == "我要投诉楼下饭馆每天晚上很吵"
    assert descriptions.opening_description("路灯坏了") == "路灯坏了"
    assert descriptions.opening_description("I want to complain about the noise from a restaurant")
    assert descriptions.parse_description("嗯") is None
    assert descriptions.parse_description("👍") is None
    assert descriptions.parse_description("/affirm") is None
    assert len(descriptions.parse_description("很吵" * 6000)) == 4000
    for value in ODD_VALUES:
        assert descriptions.parse_description(value) is None


def test_text_hygiene():
    assert text.sanitize("a\x00b\x07c\u200bd") == "abcd"
    assert text.sanitize("  多个   空格\t ") == "多个 空格"
    assert text.sanitize(None) == "" and text.sanitize(["x"]) == "" and text.sanitize(12) == "12"
    assert len(text.sanitize("x" * 10_000)) == 4000
    assert text.is_emoji_only("👍") and text.is_emoji_only("😡😡 !") and text.is_emoji_only("❤️")
    assert not text.is_emoji_only("好👍") and not text.is_emoji_only("")
    assert text.is_payload("/affirm") and text.is_payload('/inform{"a": 1}') and not text.is_payload("a/b")
    assert text.guess_language("hello there") == "en" and text.guess_language("你好") == "zh"
    assert text.guess_language("123") is None
    assert text.shorten("x" * 200, 10) == "x" * 9 + "…"


# ---------------------------------------------------------------------------- categories
def test_taxonomy_labels_and_answers():
    tree = categories.load_taxonomy()
    assert len(tree) == 15 and all(l1 in categories.LEVEL1_EN for l1 in tree)
    assert all(l2 in categories.LEVEL2_EN for l2s in tree.values() for l2 in l2s)
    assert set(categories.MAIN_LEVEL1) <= set(tree)
    offered = ["城乡建设/城市建设和市政管理", "环境保护/环境污染", "交通运输"]
    parse = categories.parse_category_answer
    assert parse("城乡建设 · 城市建设和市政管理", offered) == ("城乡建设", "城市建设和市政管理")
    assert parse("Environmental protection · Pollution", offered) == ("环境保护", "环境污染")
    assert parse("第二个", offered) == ("环境保护", "环境污染")
    assert parse("the first one", offered) == ("城乡建设", "城市建设和市政管理")
    assert parse("3", offered) == ("交通运输", None)
    assert parse("食品药品监管") == ("卫生计生", "食品药品监管")
    assert parse("Transport") == ("交通运输", None)
    assert parse("其他") is None and parse("xyz") is None and parse(None) is None
    assert categories.label("环境保护", "环境污染", "en") == "Environmental protection · Pollution"
    assert categories.decode(categories.encode("交通运输")) == ("交通运输", None)
