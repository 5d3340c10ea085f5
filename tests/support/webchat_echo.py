"""A Sanic server with only the web chat channel and an echo "bot", for channel tests.

Why: the channel's own behaviour (replay, limits, metadata filtering, upload) does not
depend on the dialogue model, and a trained model takes long to load. This runs the real
channel code in a real server, with a bot that answers predictably:

* ``buttons`` → a question with two quick replies (payloads ``/affirm`` and ``/deny``);
* ``slow``    → waits one second first (to see the typing indicator);
* ``boom``    → raises (the channel must apologise, not crash);
* anything else → ``echo: <text>`` plus a second message ``metadata: <json>``.

``POST /push/<session_id>`` with ``{"text": ...}`` sends a message through the channel's
output channel, like Rasa's ``trigger_intent`` does. Run: ``python -m tests.support.webchat_echo --port N``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging

from rasa.core.channels.channel import UserMessage
from sanic import Sanic, response
from sanic.request import Request

from connectors.webchat import WebChatInput


def build_app() -> Sanic:
    app = Sanic("webchat_echo")
    channel = WebChatInput()

    async def on_new_message(message: UserMessage) -> None:
        out, sender = message.output_channel, message.sender_id
        if message.text == "boom":
            raise RuntimeError("echo bot exploded on purpose")
        if message.text == "slow":
            await asyncio.sleep(1.0)
        if message.text == "buttons":
            await out.send_text_with_buttons(
                sender, "Is that right?", [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
            )
            return
        await out.send_text_message(sender, f"echo: {message.text}")
        await out.send_text_message(sender, "metadata: " + json.dumps(message.metadata or {}, sort_keys=True))

    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/webchat")
    app.ctx.input_channels = [channel]

    @app.post("/push/<session_id>")
    async def push(request: Request, session_id: str) -> response.HTTPResponse:
        output = channel.get_output_channel()
        assert output is not None
        await output.send_text_message(session_id, str((request.json or {}).get("text", "")))
        return response.json({"ok": True})

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    build_app().run(host="127.0.0.1", port=args.port, access_log=False)


if __name__ == "__main__":
    main()
