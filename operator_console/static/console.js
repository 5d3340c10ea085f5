// Operator console: polls the queue and the open conversation. Every citizen or bot text is
// set with textContent (never innerHTML), so nothing a citizen types can run here.
"use strict";
(function () {
  const body = document.body;
  const csrf = body.dataset.csrf;
  const state = { current: null, shown: 0, busy: false };
  const $ = (id) => document.getElementById(id);

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  async function api(method, path, payload) {
    const options = { method, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    const response = await fetch(path, options);
    if (response.status === 401) { window.location.assign("/login"); throw new Error("login"); }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const detail = Array.isArray(data.detail) ? data.detail.join("; ") : data.detail;
      const e = new Error((data.error || String(response.status)) + (detail ? ": " + detail : ""));
      e.status = response.status;
      throw e;
    }
    return data;
  }

  function renderSummary(item) {
    const box = $("summary");
    box.replaceChildren();
    const facts = el("dl");
    const add = (label, value) => {
      if (value === null || value === undefined || value === "") return;
      facts.append(el("dt", label), el("dd", typeof value === "object" ? JSON.stringify(value) : value));
    };
    add("语言 / Language", item.language);
    add("渠道 / Channel", item.channel);
    add("原因 / Reason", item.reason);
    add("类别 / Category", item.category);
    add("工单号 / Case", item.case_number);
    Object.entries(item.slots || {}).forEach(([k, v]) => add(k, v));
    box.append(facts);
    if ((item.last_turns || []).length) {
      box.append(el("h3", "转人工前的对话 / Before the hand-off"));
      const list = el("ul", null, "before");
      item.last_turns.forEach((t) => list.append(el("li", (t.who === "user" ? "市民: " : "机器人: ") + t.text, "turn-" + t.who)));
      box.append(list);
    }
  }

  function renderQueue(data) {
    $("me").textContent = data.me.name + " (" + data.me.role + ")";
    const list = $("queue");
    list.replaceChildren();
    $("queue-empty").hidden = data.handoffs.length > 0;
    data.handoffs.forEach((item) => {
      const li = el("li", null, "handoff status-" + item.status);
      li.dataset.id = item.id;
      const title = item.status === "queued" ? "#" + item.position + " " : "";
      li.append(el("strong", title + (item.category || item.reason || "转人工")));
      li.append(el("span", " [" + item.language + "] " + (item.last_turns.length ? item.last_turns[item.last_turns.length - 1].text : "")));
      if (item.status === "queued") {
        const button = el("button", "接入 / Claim", "claim");
        button.type = "button";
        button.addEventListener("click", () => claim(item));
        li.append(button);
      } else {
        li.append(el("em", " — " + (item.claimed_by_name || "")));
        if (item.mine || data.me.role === "supervisor") {
          const open = el("button", "打开 / Open", "open");
          open.type = "button";
          open.addEventListener("click", () => openChat(item));
          li.append(open);
        }
      }
      list.append(li);
    });
  }

  async function refreshQueue() {
    try { renderQueue(await api("GET", "/api/queue")); } catch (e) { /* next round */ }
  }

  async function claim(item) {
    try {
      await api("POST", "/api/handoffs/" + item.id + "/claim");
      item.status = "claimed";
      item.mine = true;
      openChat(item);
    } catch (e) {
      $("chat-error").textContent = e.status === 409 ? "已被其他坐席接入 / Someone else took it." : "接入失败 / Could not claim.";
    }
    refreshQueue();
  }

  // The case form starts from what the bot collected (slot names of the hand-off summary).
  const CASE_FIELDS = { description: "description", appeal_type: "appeal_type", level1: "category_level1",
    level2: "category_level2", district: "district", subdistrict: "subdistrict", address: "address",
    occurred_at: "occurred_at", contact_name: "contact_name", contact_phone: "contact_phone" };

  function prefillCase(item) {
    const slots = item.slots || {};
    Object.entries(CASE_FIELDS).forEach(([field, slot]) => {
      const value = slots[slot];
      $("case-" + field).value = value === null || value === undefined ? "" : String(value);
    });
    if (!$("case-level1").value && item.category) $("case-level1").value = item.category;
    $("case-anonymous").checked = slots.anonymous === true;
    $("note-case").value = item.case_number || "";
    $("case-result").textContent = "";
    $("case-panel").hidden = !item.mine;  // only the holder files or adds notes
  }

  function openChat(item) {
    state.current = item;
    state.shown = 0;
    $("transcript").replaceChildren();
    $("chat-error").textContent = "";
    $("chat").hidden = false;
    renderSummary(item);
    prefillCase(item);
    refreshMessages();
    $("reply").focus();
  }

  async function refreshMessages() {
    const item = state.current;
    if (!item || state.busy) return;
    state.busy = true;
    try {
      const data = await api("GET", "/api/handoffs/" + item.id + "/messages");
      data.messages.filter((m) => m.seq > state.shown).forEach((m) => {
        $("transcript").append(el("li", m.text, "msg from-" + m.who));
        state.shown = m.seq;
      });
      if (data.status === "released") closeChat("对话已交还 / Released.");
    } catch (e) {
      if (e.status === 403 || e.status === 404) closeChat("");
    } finally {
      state.busy = false;
    }
  }

  function closeChat(note) {
    state.current = null;
    $("chat").hidden = true;
    $("chat-error").textContent = note;
  }

  $("reply-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("reply").value.trim();
    if (!text || !state.current) return;
    try {
      await api("POST", "/api/handoffs/" + state.current.id + "/reply", { text });
      $("reply").value = "";
      refreshMessages();
    } catch (e) {
      $("chat-error").textContent = "发送失败 / Not sent: " + e.message;
    }
  });

  $("case-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!state.current) return;
    const payload = { anonymous: $("case-anonymous").checked };
    Object.keys(CASE_FIELDS).forEach((field) => { payload[field] = $("case-" + field).value.trim() || null; });
    try {
      const data = await api("POST", "/api/handoffs/" + state.current.id + "/case", payload);
      state.current.case_number = data.case_number;
      $("note-case").value = data.case_number;
      $("case-result").textContent = "已登记，工单号 / Filed as case " + data.case_number +
        (data.notified ? "（已告知市民 / sent to the citizen）" : "（未能告知市民 / not sent to the citizen）");
      refreshMessages();
    } catch (e) {
      $("case-result").textContent = "登记失败 / Not filed: " + e.message;
    }
  });

  $("note-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!state.current) return;
    const payload = { note: $("note").value.trim(), case_number: $("note-case").value.trim() || null };
    try {
      const data = await api("POST", "/api/handoffs/" + state.current.id + "/note", payload);
      $("note").value = "";
      $("case-result").textContent = "已添加进展 / Note added to case " + data.case_number;
    } catch (e) {
      $("case-result").textContent = "添加失败 / Note not added: " + e.message;
    }
  });

  $("release").addEventListener("click", async () => {
    if (!state.current) return;
    try {
      await api("POST", "/api/handoffs/" + state.current.id + "/release");
      closeChat("已交还机器人 / Released to the bot.");
      refreshQueue();
    } catch (e) {
      $("chat-error").textContent = "交还失败 / Release failed: " + e.message;
    }
  });

  refreshQueue();
  setInterval(refreshQueue, 2000);
  setInterval(refreshMessages, 1000);
  window.OperatorConsole = { state };
})();
