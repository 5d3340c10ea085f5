"""The citizen page and the stock widget in a real browser (Debian chromium via Playwright).

Against the echo server (channel behaviour, fast and predictable): injection, limits,
replay after reload, location, language, photo upload. The conversations with the real
bot are in ``test_webchat_stack.py``.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from tests.support.webchat_client import tiny_png

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(90)]

PAYLOADS = ('<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=2</script>",
            '[click](javascript:window.__pwned=3) <svg onload="window.__pwned=4">')


def push(server_url: str, session_id: str, text: str) -> None:
    request = urllib.request.Request(
        f"{server_url}/push/{session_id}", data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def watch_dialogs(page: Any) -> list[str]:
    """alert()/confirm() messages the page shows (an injected payload would call one)."""
    seen: list[str] = []

    async def dismiss(dialog: Any) -> None:
        seen.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", dismiss)
    return seen


async def open_chat(new_page: Any, url: str, **options: Any) -> Any:
    page = await new_page(**options)
    await page.goto(url)
    await page.wait_for_function("() => window.Hotline && window.Hotline.page && window.Hotline.page.state().sessionId")
    return page


async def send(page: Any, text: str) -> None:
    await page.fill("#message", text)
    await page.press("#message", "Enter")


async def bot_texts(page: Any) -> list[str]:
    return await page.locator(".from-bot .text").all_inner_texts()


async def session_id(page: Any) -> str:
    return await page.evaluate("window.Hotline.page.state().sessionId")


async def test_page_identity_accessibility_and_keyboard(new_page, webchat_echo):
    page = await open_chat(new_page, webchat_echo.page_url)
    assert await page.locator("h1").inner_text() == "12345 北京市民热线"
    assert await page.evaluate("document.documentElement.lang") == "zh-CN"
    log = page.locator("#log")
    assert await log.get_attribute("role") == "log" and await log.get_attribute("aria-live") == "polite"
    assert await page.locator("label[for=message]").count() == 1
    for control in ("#locate", "#photo-button", "#language"):
        assert await page.locator(control).get_attribute("aria-label")
    await page.keyboard.press("Tab")  # the skip link comes first and leads to the message box
    assert await page.evaluate("document.activeElement.className") == "skip-link"
    await page.keyboard.press("Enter")
    await page.locator("#message").focus()
    await page.keyboard.type("键盘输入")
    await page.keyboard.press("Enter")
    await page.wait_for_function("() => document.querySelectorAll('.from-bot .text').length >= 3")
    assert "echo: 键盘输入" in await bot_texts(page)
    assert await page.evaluate("document.activeElement.id") == "message"  # focus stays in the message box
    assert page.errors == []


async def test_injected_markup_never_runs_on_the_page(new_page, webchat_echo):
    page = await open_chat(new_page, webchat_echo.page_url)
    dialogs = watch_dialogs(page)
    for payload in PAYLOADS:
        await send(page, payload)
        await page.wait_for_function("text => [...document.querySelectorAll('.from-bot .text')].some(n => n.textContent === 'echo: ' + text)", arg=payload)
    push(webchat_echo.url, await session_id(page), PAYLOADS[0] + PAYLOADS[1])
    await page.wait_for_function("() => [...document.querySelectorAll('.from-bot .text')].some(n => n.textContent.startsWith('<img'))")
    await page.wait_for_timeout(300)
    assert await page.evaluate("window.__pwned") is None and dialogs == []
    assert await page.locator("#log img, #log script, #log svg, #log a").count() == 0  # shown as text only
    assert PAYLOADS[1] in await page.locator(".from-user .text").all_inner_texts()


async def test_injected_markup_never_runs_in_the_widget(new_page, webchat_echo):
    page = await new_page()
    dialogs = watch_dialogs(page)
    await page.goto(webchat_echo.url + "/webhooks/webchat/widget")
    await page.wait_for_selector(".rw-new-message")
    await page.wait_for_selector("text=echo: /greet")  # the widget's init payload went through the channel
    for payload in PAYLOADS:
        await page.fill(".rw-new-message", payload)
        await page.press(".rw-new-message", "Enter")
    await page.wait_for_function("() => document.querySelectorAll('.rw-from-response .rw-response').length >= 8")
    widget_session = await page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id")
    push(webchat_echo.url, widget_session, PAYLOADS[0])
    await page.wait_for_function("() => document.querySelectorAll('.rw-from-response .rw-response').length >= 9")
    await page.wait_for_timeout(300)
    assert await page.evaluate("window.__pwned") is None and dialogs == []
    assert await page.locator(".rw-messages-container img, .rw-messages-container script, .rw-messages-container svg").count() == 0
    # the widget's markdown renders the javascript: link; the page's CSP (no 'unsafe-inline') makes it inert
    links = page.locator(".rw-messages-container a[href^='javascript']")
    if await links.count():
        await links.first.click()
        await page.wait_for_timeout(300)
    assert await page.evaluate("window.__pwned") is None and dialogs == []


async def test_pushed_message_arrives_after_reload_without_duplicates(new_page, webchat_echo):
    page = await open_chat(new_page, webchat_echo.page_url)
    await send(page, "第一条")
    await page.wait_for_function("() => document.querySelectorAll('.from-bot .text').length >= 3")
    before = await bot_texts(page)
    sid = await session_id(page)
    await page.context.set_offline(True)  # the phone loses its connection…
    push(webchat_echo.url, sid, "工作人员回复：已派单到朝阳区城管。")  # …while the operator answers
    await page.context.set_offline(False)
    await page.reload()
    await page.wait_for_selector("text=工作人员回复：已派单到朝阳区城管。")
    await page.wait_for_timeout(800)
    after = await bot_texts(page)
    assert after == before + ["工作人员回复：已派单到朝阳区城管。"]
    push(webchat_echo.url, sid, "状态更新：处理中")  # while the page is open
    await page.wait_for_selector("text=状态更新：处理中")
    await page.reload()
    await page.wait_for_selector("text=状态更新：处理中")
    await page.wait_for_timeout(800)
    texts = await bot_texts(page)
    assert texts.count("状态更新：处理中") == 1 and texts.count("工作人员回复：已派单到朝阳区城管。") == 1
    assert await session_id(page) == sid


async def test_empty_long_and_emoji_messages(new_page, webchat_echo):
    page = await open_chat(new_page, webchat_echo.page_url)
    await page.click("#send")
    assert await page.locator("#alert").inner_text() == "请先输入内容再发送。"
    assert await page.locator(".from-user").count() == 0
    await page.fill("#message", "长" * 10_000)
    assert "10000" in await page.locator("#counter").inner_text()
    await page.press("#message", "Enter")
    await page.wait_for_selector("text=只收到了前 4000 个字")
    await page.wait_for_function("() => [...document.querySelectorAll('.from-bot .text')].some(n => n.textContent === 'echo: ' + '长'.repeat(4000))")
    await send(page, "😀🎉👍")
    await page.wait_for_selector("text=echo: 😀🎉👍")
    assert page.errors == []


async def test_flooding_gets_one_polite_message(new_page, webchat_echo):
    page = await open_chat(new_page, webchat_echo.page_url)
    for n in range(12):
        await send(page, f"刷屏 {n}")
    await page.wait_for_selector("text=您发送得有点快")
    await page.wait_for_timeout(1500)
    texts = await bot_texts(page)
    assert sum("您发送得有点快" in text for text in texts) == 1
    assert sum(text.startswith("echo: 刷屏") for text in texts) < 12


async def test_language_toggle_location_and_photo_go_as_metadata(new_page, webchat_echo):
    page = await open_chat(new_page, webchat_echo.page_url, locale="en-US", geolocation={"latitude": 39.9087, "longitude": 116.3975},
                     permissions=["geolocation"])
    assert await page.locator("h1").inner_text() == "Beijing 12345 Citizen Hotline"  # browser language
    await send(page, "hello")
    await page.wait_for_selector("text=metadata: {}")  # no language until the citizen chooses one
    await page.click("#language")
    assert await page.locator("h1").inner_text() == "12345 北京市民热线"
    await page.click("#locate")
    await page.wait_for_selector("#attachments .chip")
    png = tiny_png()
    await page.set_input_files("#photo", files=[{"name": "lamp.png", "mimeType": "image/png", "buffer": png}])
    await page.wait_for_selector("#attachments .chip img")
    await send(page, "路灯坏了")
    await page.wait_for_selector("text=echo: 路灯坏了")
    await page.wait_for_function("() => [...document.querySelectorAll('.from-bot .text')].filter(n => n.textContent.includes('media_urls')).length")
    line = [t for t in await bot_texts(page) if "media_urls" in t][-1]
    metadata = json.loads(line.split("metadata: ", 1)[1])
    assert metadata["language"] == "zh" and metadata["location"] == {"lat": 39.9087, "long": 116.3975}
    (media_url,) = metadata["media_urls"]
    with urllib.request.urlopen(media_url, timeout=10) as stored:  # stored in the case service
        assert stored.read() == png
    assert await page.locator("#attachments .chip").count() == 0  # sent with that message only


async def test_oversize_and_non_image_uploads_are_refused_clearly(new_page, webchat_echo):
    page = await open_chat(new_page, webchat_echo.page_url)
    big = b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024 + 10)
    await page.set_input_files("#photo", files=[{"name": "big.jpg", "mimeType": "image/jpeg", "buffer": big}])
    assert "照片太大了" in await page.locator("#alert").inner_text() and "5 MB" in await page.locator("#alert").inner_text()
    await page.set_input_files("#photo", files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}])
    assert "只能上传 JPEG、PNG 或 WebP" in await page.locator("#alert").inner_text()
    await page.click("#language")
    await page.set_input_files("#photo", files=[{"name": "fake.png", "mimeType": "image/png", "buffer": b"<svg onload=alert(1)>"}])
    await page.wait_for_function("() => document.querySelector('#alert').textContent.includes('JPEG, PNG or WebP')")  # the server said 415
    assert await page.locator("#attachments .chip").count() == 0
