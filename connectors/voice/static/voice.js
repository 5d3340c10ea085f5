// Push-to-talk page of the 12345 voice gateway. No innerHTML anywhere: every text is inert.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const T = {
    zh: { talk: "按住说话", listening: "正在听… 松开发送", thinking: "正在识别…", noMic: "无法使用麦克风，请检查浏览器权限，或使用按键输入。", error: "网络出错，请重试。", expired: "会话已过期，已重新开始。" },
    en: { talk: "Hold to talk", listening: "Listening… release to send", thinking: "Recognising…", noMic: "The microphone is not available. Check the browser permission, or use the keypad.", error: "Network problem, please try again.", expired: "The session expired and was restarted." },
  };
  let lang = (navigator.language || "zh").toLowerCase().startsWith("en") ? "en" : "zh";
  let session = null, recorder = null, chunks = [], stream = null, busy = false, lastEvent = 0, keys = "";
  const queue = []; let playing = false;

  function say(kind, text) {
    const li = document.createElement("li");
    li.className = kind; li.textContent = text; li.dataset.kind = kind;
    $("log").appendChild(li); li.scrollIntoView({ block: "end" });
  }
  function status(text) { $("status").textContent = text || ""; }
  function setLang(next) {
    lang = next; document.documentElement.lang = next === "zh" ? "zh-CN" : "en";
    $("lang-zh").setAttribute("aria-pressed", String(next === "zh"));
    $("lang-en").setAttribute("aria-pressed", String(next === "en"));
    $("talk-label").textContent = T[lang].talk;
  }
  async function newSession() {
    const r = await fetch("/api/session", { method: "POST" });
    session = (await r.json()).session;
  }
  function play() {
    if (playing || !queue.length) return;
    const url = queue.shift(); playing = true;
    const audio = new Audio(url);
    audio.dataset.testid = "reply-audio";
    const next = () => { playing = false; window.__played = (window.__played || 0) + 1; play(); };
    audio.onended = next; audio.onerror = next;
    audio.play().catch(next);
  }
  function show(data) {
    if (data.transcript) say("user", data.transcript);
    for (const reply of data.replies || []) {
      say(data.notice && data.notice !== "readback" ? "notice" : "bot", reply.text);
      if (reply.audio) { queue.push(reply.audio); }
    }
    if (data.language && data.language !== lang) setLang(data.language);
    play();
  }
  async function post(url, options, retry = true) {
    const r = await fetch(url, options);
    if (r.status === 401 && retry) { await newSession(); status(T[lang].expired); return null; }
    const data = await r.json().catch(() => null);
    if (!data) throw new Error("bad response " + r.status);
    return data;
  }
  async function send(blob) {
    busy = true; $("talk").disabled = true; status(T[lang].thinking);
    try {
      const data = await post(`/api/turn?session=${encodeURIComponent(session)}&lang=${lang}`,
        { method: "POST", body: blob, headers: { "Content-Type": blob.type || "application/octet-stream" } });
      if (data) show(data);
      status("");
    } catch (e) { status(T[lang].error); }
    finally { busy = false; $("talk").disabled = false; }
  }
  async function sendKeys(value) {
    try {
      const data = await post("/api/keys", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ session, keys: value }) });
      if (data) { say("user", "⌨ " + value); show(data); }
    } catch (e) { status(T[lang].error); }
  }
  async function start() {
    if (busy || recorder) return;
    try {
      stream = stream || await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    } catch (e) { status(T[lang].noMic); return; }
    chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.ondataavailable = (e) => { if (e.data && e.data.size) chunks.push(e.data); };
    recorder.onstop = () => { const blob = new Blob(chunks, { type: recorder.mimeType }); recorder = null; send(blob); };
    recorder.start(250);
    $("talk").setAttribute("aria-pressed", "true"); status(T[lang].listening);
  }
  function stop() {
    if (!recorder) return;
    $("talk").setAttribute("aria-pressed", "false");
    recorder.stop();
  }
  async function poll() {
    for (;;) {
      try {
        if (!session) { await new Promise((r) => setTimeout(r, 1000)); continue; }
        const r = await fetch(`/api/events?session=${encodeURIComponent(session)}&after=${lastEvent}`);
        if (r.ok) {
          const data = await r.json();
          for (const ev of data.events || []) { lastEvent = Math.max(lastEvent, ev.id); show({ replies: ev.replies }); }
        } else { await new Promise((r) => setTimeout(r, 3000)); }
      } catch (e) { await new Promise((r) => setTimeout(r, 3000)); }
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    setLang(lang);
    $("lang-zh").onclick = () => setLang("zh");
    $("lang-en").onclick = () => setLang("en");
    const talk = $("talk");
    // Hold to talk (release sends), or tap to start and tap again to send.
    let pressedAt = 0;
    talk.addEventListener("pointerdown", (e) => { e.preventDefault(); if (recorder) { stop(); return; } pressedAt = Date.now(); start(); });
    talk.addEventListener("pointerup", () => { if (recorder && Date.now() - pressedAt > 400) stop(); });
    talk.addEventListener("keydown", (e) => { if ((e.key === " " || e.key === "Enter") && !e.repeat) { e.preventDefault(); recorder ? stop() : start(); } });
    const pad = $("keypad");
    for (const k of ["1","2","3","4","5","6","7","8","9","*","0","#"]) {
      const b = document.createElement("button"); b.type = "button"; b.textContent = k; b.dataset.key = k;
      b.onclick = () => {
        keys += k; $("keys-shown").textContent = keys;
        if (k === "#") { const v = keys; keys = ""; $("keys-shown").textContent = ""; sendKeys(v); }
      };
      pad.appendChild(b);
    }
    for (const b of document.querySelectorAll(".quick button")) b.onclick = () => sendKeys(b.dataset.keys);
    await newSession();
    window.__voiceReady = true;
    poll();
  });
})();
