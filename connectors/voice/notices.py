"""Everything the gateway itself says (not the assistant), in both languages.

Kept short: on the phone every second of prompt is a second the caller waits.
"""

from __future__ import annotations

NOTICES: dict[str, dict[str, str]] = {
    "welcome": {
        "zh": "12345热线，请讲。按0转人工。",
        "en": "English is welcome too.",
    },
    "bad_format": {
        "zh": "抱歉，这段录音的格式无法识别，请重新录一遍。",
        "en": "Sorry, I could not open that recording. Please record it again.",
    },
    "too_long": {
        "zh": "这段录音太长了，请分几次说，每次一分钟以内。",
        "en": "That recording is too long. Please speak in parts of under a minute each.",
    },
    "no_speech": {
        "zh": "抱歉，我没有听清，请靠近话筒再说一遍。",
        "en": "Sorry, I did not hear anything I could understand. Please speak closer to the microphone.",
    },
    "clipped": {
        "zh": "声音太大有些失真了，请离话筒远一点再说一遍。",
        "en": "The sound was too loud and distorted. Please hold the microphone a little further away and try again.",
    },
    "bad_audio": {
        "zh": "抱歉，这段录音无法使用，请再说一遍。",
        "en": "Sorry, I could not use that recording. Please say it again.",
    },
    "engine": {
        "zh": "抱歉，语音识别暂时出了问题，请稍后再试，或按0转人工。",
        "en": "Sorry, speech recognition is not working right now. Please try again, or press 0 for an operator.",
    },
    "busy": {
        "zh": "线路繁忙，请稍后再说一遍，或按0转人工。",
        "en": "All lines are busy. Please say it again in a moment, or press 0 for an operator.",
    },
    "bot_down": {
        "zh": "抱歉，系统暂时无法应答，请稍后再拨，或拨打12345人工服务。",
        "en": "Sorry, the assistant cannot answer right now. Please try again later or ask for an operator.",
    },
    "readback_phone": {
        "zh": "我听到的号码是：{value}。对吗？对请说“对”或按1，不对请说“不对”或按2。",
        "en": "I heard the number {value}. Is that right? Say yes or press 1; say no or press 2.",
    },
    "readback_case_number": {
        "zh": "我听到的工单编号是：{value}。对吗？对请说“对”或按1，不对请说“不对”或按2。",
        "en": "I heard the case number {value}. Is that right? Say yes or press 1; say no or press 2.",
    },
    "readback_address": {
        "zh": "我听到的地址是：{value}。对吗？对请说“对”或按1，不对请说“不对”或按2。",
        "en": "I heard the address: {value}. Is that right? Say yes or press 1; say no or press 2.",
    },
    "repeat_please": {
        "zh": "好的，请再说一遍。",
        "en": "All right, please say it again.",
    },
    "repeat_digits": {
        "zh": "好的，请再说一遍，也可以用电话按键输入，以井号键结束。",
        "en": "All right, please say it again, or type it on the keypad and finish with the hash key.",
    },
    "confirm_first": {
        "zh": "请先确认：对请按1，不对请按2。",
        "en": "Please confirm first: press 1 for yes, 2 for no.",
    },
    "transferring": {
        "zh": "正在为您转接人工服务，请稍候。",
        "en": "Transferring you to an operator, please hold.",
    },
    "operator_will_answer": {
        "zh": "已为您转人工，工作人员的回复会在这里播放。",
        "en": "An operator will take over; their replies will be played here.",
    },
    "goodbye": {
        "zh": "感谢您的来电，再见。",
        "en": "Thank you for calling. Goodbye.",
    },
}


def notice(key: str, language: str, **values: str) -> str:
    texts = NOTICES.get(key) or NOTICES["bad_audio"]
    return (texts.get(language) or texts["zh"]).format(**values)
