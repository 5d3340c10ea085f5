"""The keyword safety net for emergencies: more acute situations in zh and en, and ordinary
complaints (nuisances, hazards to fix, things that are over) that must not be taken for one."""
from __future__ import annotations

import pytest

from bot.parsing import emergencies

POSITIVES = [
    # choking
    ("有人吃东西噎住了，脸都紫了", "medical"), ("老人吃饭噎着了，快不行了", "medical"),
    ("someone is choking and can't breathe", "medical"), ("my baby is choking on a grape", "medical"),
    # drowning, falling through ice (119 does water rescue)
    ("小孩掉进冰窟窿里了，快来人", "fire"), ("有人落水了", "fire"), ("游泳池有人溺水了", "fire"),
    ("a child fell through the ice on the lake", "fire"), ("there's a man drowning in the canal", "fire"),
    # unconscious
    ("老人刚才突然倒下，怎么叫都不醒", "medical"), ("有人在地铁站晕过去了", "medical"), ("我爸昏迷了", "medical"),
    ("a man passed out on the subway platform", "medical"), ("my grandma is unconscious", "medical"),
    # overdose
    ("我朋友吃了一整瓶安眠药", "medical"), ("someone overdosed in the public toilet", "medical"),
    ("my friend took too many pills and won't wake up", "medical"),
    # weapons, violence in progress
    ("一群人拿砖头追着一个人打", "crime"), ("楼下有人拿着刀在打架", "crime"), ("有个醉汉拿酒瓶砸人", "crime"),
    ("two men are fighting with knives outside the bar", "crime"),
    ("a group of people are chasing someone with bricks", "crime"),
    ("an old man is being beaten by a group of people", "crime"), ("my husband is beating me right now", "crime"),
    # smashing / breaking in right now
    ("有人正在砸我家窗户", "crime"), ("有人在撬隔壁的门，人还没走", "crime"),
    ("someone is smashing my windows right now", "crime"), ("someone is breaking into my home", "crime"),
    # trapped, buried
    ("地下通道进水了，有人被困在里面", "fire"), ("墙倒了，有工人被埋了", "fire"),
    ("people are trapped in a flooded underpass", "fire"), ("smoke is pouring out of the basement and there are people inside", "fire"),
    ("地下室在往外冒浓烟，里面还有人", "fire"),
    # gas pipe broken
    ("燃气管道被挖断了，正在往外喷气", "gas"), ("construction workers broke a gas pipe and gas is spraying out", "gas"),
    # electrocution
    ("有人触电了，倒在电箱旁边", "medical"), ("工地上有个工人被电打了", "medical"),
    ("a worker got electrocuted", "medical"),
    # car crash with injured
    ("出车祸了，有个人躺在地上不动", "medical"), ("电动车和汽车撞了，有人受伤", "medical"),
    ("a cyclist was hit by a truck and is lying on the road", "medical"),
    ("car crash on the third ring road, two people injured", "medical"),
    # a child missing just now
    ("孩子刚刚在超市走丢了", "crime"), ("我家孩子五分钟前还在小区门口，现在不见了", "crime"),
    ("my son went missing at the park just now", "crime"),
    ("my 4-year-old disappeared from the playground ten minutes ago", "crime"),
    # others
    ("有人要跳楼", "crime"), ("someone is about to jump off the roof", "crime"), ("刚才有东西爆炸了", "fire"),
    ("工地有人从高处摔下来了", "medical"),
]


@pytest.mark.parametrize("raw, kind", POSITIVES)
def test_more_acute_emergencies(raw, kind):
    assert emergencies.detect_emergency(raw) == kind
    assert emergencies.classify_emergency(raw) == kind


NEGATIVES = [
    # everyday nuisances
    "油烟", "噪音", "路灯坏了", "smoke from barbecue stalls every night", "楼下烧烤店油烟太大，熏得没法开窗",
    "楼道里全是烟，有人天天在楼道抽烟", "楼上装修天天砸墙", "the smoke from the factory is choking us every night",
    "楼下饭馆每天晚上冒烟", "noise from the bar every night",
    # hazards to fix, risks
    "河边没有护栏，孩子容易落水", "小区电箱门没锁，担心孩子触电", "路口没有红绿灯，很容易出车祸有人受伤",
    "the pond has no fence, kids could fall into the water", "exposed wires, I'm worried someone gets electrocuted",
    "冰面上没有警示牌，万一有人掉进冰窟窿怎么办",
    # things that are over
    "昨天被困在电梯里半小时，物业不管", "上周出了车祸有人受伤，想问问赔偿怎么办",
    "I was trapped in the lift last week and nobody fixed it", "上次有人在小区门口打架，物业也不管",
    # ordinary words that look close
    "孩子的书包不见了", "my kid lost his phone at school", "we're drowning in garbage, nobody collects it",
    "燃气管道老化，希望更换", "他一直在打我电话推销", "被楼上噪音困扰好几年了",
    "共享单车倒在地上没人管", "物业没有意识到问题的严重性", "打了好几次电话都没反应了",
    "the bike lane is buried under snow", "how many days of sick leave can I take",
    "产假能休多少天", "装修能不能改燃气管道的位置", "小区路灯不亮", "",
]


@pytest.mark.parametrize("raw", NEGATIVES)
def test_ordinary_complaints_are_not_emergencies(raw):
    assert emergencies.detect_emergency(raw) is None


@pytest.mark.parametrize("raw", ["油烟", "噪音", "路灯坏了", "smoke from barbecue stalls every night",
                                 "楼下烧烤摊天天冒烟", "二手烟太呛了", "the neighbours are smoking cigarettes in the hallway"])
def test_nuisances_get_no_emergency_number(raw):
    assert emergencies.classify_emergency(raw) is None


def test_loose_words_still_pick_a_number_when_nothing_else_fits():
    assert emergencies.classify_emergency("fire") == "fire"
    assert emergencies.classify_emergency("冒烟了") == "fire"
    assert emergencies.classify_emergency("police!") == "crime"
    assert emergencies.classify_emergency("gas") == "gas"
