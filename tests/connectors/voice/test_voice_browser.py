"""Push-to-talk in a real browser: Debian Chromium with a WAV file as its microphone records with
MediaRecorder, uploads, shows the transcript and the reply, and plays the reply audio."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.connectors.voice.conftest import CLIPS
from tests.connectors.webchat.conftest import CHROMIUM, CHROMIUM_ARGS


async def open_browser(microphone: Path):
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed: run scripts/webchat-deps.sh")
    async_api = pytest.importorskip("playwright.async_api")
    playwright = await async_api.async_playwright().start()
    browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS + [
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}%noloop", "--autoplay-policy=no-user-gesture-required"])
    return playwright, browser


@pytest.mark.parametrize("clip, language, expected", [("en1", "en", "street light"), ("zh5", "zh", "停水")])
async def test_push_to_talk_records_sends_and_plays_the_answer(voice_gateway, clip, language, expected, tmp_path):
    playwright, browser = await open_browser(CLIPS / f"{clip}.wav")
    try:
        context = await browser.new_context(locale="en-US" if language == "en" else "zh-CN",
                                            permissions=["microphone"])
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(voice_gateway.url + "/")
        await page.wait_for_function("() => window.__voiceReady === true")
        talk = page.locator("#talk")
        await talk.click()  # tap: start recording
        await page.wait_for_function("() => document.querySelector('#talk').getAttribute('aria-pressed') === 'true'")
        await page.wait_for_timeout(4000)
        await talk.click()  # tap again: stop and send
        user = page.locator("#log li.user")
        await user.first.wait_for(timeout=30_000)
        assert expected in (await user.first.text_content()).lower()
        bot = page.locator("#log li.bot")
        await bot.first.wait_for(timeout=30_000)
        reply = await bot.first.text_content()
        if language == "en":
            assert reply and not any("\u4e00" <= ch <= "\u9fff" for ch in reply)
        await page.wait_for_function("() => (window.__played || 0) >= 1", timeout=60_000)
        assert await page.locator("html").get_attribute("lang") == ("en" if language == "en" else "zh-CN")
        await page.screenshot(path=str(tmp_path / f"voice-{language}.png"))
        assert errors == []
    finally:
        await browser.close()
        await playwright.stop()


async def test_the_keypad_sends_digits_and_the_operator_key(voice_gateway, tmp_path):
    playwright, browser = await open_browser(CLIPS / "zh1.wav")
    try:
        page = await (await browser.new_context(locale="zh-CN")).new_page()
        await page.goto(voice_gateway.url + "/")
        await page.wait_for_function("() => window.__voiceReady === true")
        await page.locator("#keypad-title").click()
        for key in "13800138000#":
            await page.locator(f"#keypad button[data-key='{key}']").click()
        await page.locator("#log li.user").first.wait_for()
        assert "13800138000#" in await page.locator("#log li.user").first.text_content()
        await page.locator("#key-operator").click()
        await page.wait_for_function("() => document.querySelectorAll('#log li.bot').length >= 2", timeout=30_000)
    finally:
        await browser.close()
        await playwright.stop()
