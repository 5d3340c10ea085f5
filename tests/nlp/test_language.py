import pytest

from bot.nlp.language import detect_language


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我家楼下的路灯坏了", "zh"),
        ("The street light outside my home is broken", "en"),
        ("我想 report 一个问题", "zh"),
        ("my 社保 card is lost, what do I do", "en"),
        ("😀😀😀", None),
        ("", None),
        (None, None),
        ("13800138000", None),
        ("ok", "en"),
        ("好", "zh"),
        ("\x00\x07控制字符", "zh"),
        ("x" * 10_000, "en"),
    ],
)
def test_detect_language(text, expected):
    assert detect_language(text) == expected
