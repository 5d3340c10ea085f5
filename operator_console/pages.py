"""The two HTML pages. Everything variable is escaped; no inline script or style (the CSP forbids
them): the console page hands the CSRF token and the user to ``console.js`` through ``data-``
attributes, and the script renders all citizen text with ``textContent``."""
from __future__ import annotations

from html import escape

from operator_console.accounts import User


def login_page(csrf_token: str, error: str | None = None) -> str:
    message = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>12345 坐席登录 / Operator login</title>
<link rel="stylesheet" href="/static/console.css"></head>
<body class="login"><main>
<h1>12345 人工坐席 <span lang="en">Operator console</span></h1>
{message}
<form method="post" action="/login">
<input type="hidden" name="csrf_token" value="{escape(csrf_token)}">
<label for="name">账号 / Name</label><input id="name" name="name" autocomplete="username" required maxlength="64">
<label for="password">密码 / Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200">
<button type="submit">登录 / Log in</button>
</form></main></body></html>"""


def console_page(csrf_token: str, user: User) -> str:
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>12345 人工坐席 / Operator console</title>
<link rel="stylesheet" href="/static/console.css">
<script src="/static/console.js" defer></script></head>
<body data-csrf="{escape(csrf_token)}" data-user="{escape(user.name)}" data-role="{escape(user.role)}">
<header><h1>12345 人工坐席</h1><span id="me"></span>
<form method="post" action="/logout"><input type="hidden" name="csrf_token" value="{escape(csrf_token)}">
<button type="submit" id="logout">退出 / Log out</button></form></header>
<main>
<section aria-labelledby="queue-title"><h2 id="queue-title">转人工队列 / Queue</h2>
<p id="queue-empty">暂无等待的对话 / Nobody is waiting.</p><ul id="queue"></ul></section>
<section id="chat" hidden aria-labelledby="chat-title"><h2 id="chat-title">对话 / Conversation</h2>
<div id="summary"></div>
<ol id="transcript" role="log" aria-live="polite"></ol>
<form id="reply-form"><label for="reply">回复 / Reply</label>
<textarea id="reply" maxlength="2000" required></textarea>
<button type="submit" id="send">发送 / Send</button></form>
<button id="release" type="button">交还机器人 / Release to the bot</button>
<p id="chat-error" role="alert"></p></section>
</main></body></html>"""
