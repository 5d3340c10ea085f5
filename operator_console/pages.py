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
<details id="case-panel"><summary>代为登记 / 补充工单 — File or update the case</summary>
<form id="case-form">
<label for="case-description">诉求内容 / Description</label><textarea id="case-description" maxlength="4000" required></textarea>
<label for="case-appeal_type">诉求类型 / Appeal type</label>
<select id="case-appeal_type"><option value=""></option><option>咨询</option><option>求助</option><option>投诉</option>
<option>举报</option><option>建议</option></select>
<label for="case-level1">一级分类 / Category</label><input id="case-level1" maxlength="200" required>
<label for="case-level2">二级分类 / Subcategory</label><input id="case-level2" maxlength="200">
<label for="case-district">区 / District</label><input id="case-district" maxlength="200">
<label for="case-subdistrict">街道 / Subdistrict</label><input id="case-subdistrict" maxlength="200">
<label for="case-address">地址 / Address</label><input id="case-address" maxlength="200">
<label for="case-occurred_at">时间 / When</label><input id="case-occurred_at" maxlength="100">
<label for="case-contact_name">联系人 / Name</label><input id="case-contact_name" maxlength="60">
<label for="case-contact_phone">电话 / Phone</label><input id="case-contact_phone" maxlength="40">
<label><input id="case-anonymous" type="checkbox"> 匿名 / Anonymous</label>
<button type="submit" id="file-case">登记工单 / File the case</button></form>
<form id="note-form"><label for="note-case">工单号 / Case number</label><input id="note-case" maxlength="40">
<label for="note">补充说明 / Timeline note</label><textarea id="note" maxlength="2000" required></textarea>
<button type="submit" id="add-note">添加进展 / Add note</button></form>
<p id="case-result" role="status"></p></details>
<button id="release" type="button">交还机器人 / Release to the bot</button>
<p id="chat-error" role="alert"></p></section>
</main></body></html>"""
