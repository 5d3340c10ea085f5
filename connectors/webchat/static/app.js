/* The citizen page: a socket.io client of connectors.webchat (rasa-webchat protocol plus
   numbered replay), with quick replies, typing indicator, location, photo upload and a
   zh/en switch. Every text from the citizen or the bot is set with textContent. */
(function () {
  "use strict";
  var i18n = window.Hotline.i18n;
  var store = window.Hotline.store;
  var body = document.body;
  var SOCKET_PATH = body.getAttribute("data-socket-path") || "/webhooks/webchat/socket.io";
  var MAX_CHARS = parseInt(body.getAttribute("data-max-chars"), 10) || 4000;
  var MAX_UPLOAD = parseInt(body.getAttribute("data-max-upload"), 10) || 5 * 1024 * 1024;
  var PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];

  var el = {
    log: document.getElementById("log"),
    typing: document.getElementById("typing"),
    replies: document.getElementById("replies"),
    composer: document.getElementById("composer"),
    message: document.getElementById("message"),
    send: document.getElementById("send"),
    counter: document.getElementById("counter"),
    alert: document.getElementById("alert"),
    attachments: document.getElementById("attachments"),
    locate: document.getElementById("locate"),
    photoButton: document.getElementById("photo-button"),
    photo: document.getElementById("photo"),
    language: document.getElementById("language"),
    restart: document.getElementById("restart"),
    connection: document.getElementById("connection"),
    conversation: document.getElementById("conversation")
  };

  var state = store.load();
  var language = state.language || i18n.browserLanguage();
  var pending = { location: null, media: [] };   // sent with the next message
  var outgoing = [];                              // typed while the session was not confirmed
  var sessionReady = false;
  var ackTimer = null;
  var typingTimer = null;
  var socket = null;

  function t(key, values) { return i18n.t(language, key, values); }

  /* ------------------------------------------------------------------ language */

  function applyLanguage() {
    document.documentElement.lang = t("htmlLang");
    document.title = t("documentTitle");
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (node) {
      node.textContent = t(node.getAttribute("data-i18n"));
    });
    el.language.textContent = t("switchLanguage");
    el.language.setAttribute("aria-label", t("switchLanguageLabel"));
    el.language.setAttribute("lang", t("switchLanguageLang"));
    el.message.setAttribute("placeholder", t("placeholder"));
    el.log.setAttribute("aria-label", t("logLabel"));
    el.replies.setAttribute("aria-label", t("repliesLabel"));
    el.attachments.setAttribute("aria-label", t("attachmentsLabel"));
    el.locate.setAttribute("aria-label", t("locate"));
    el.locate.setAttribute("title", t("locate"));
    el.photoButton.setAttribute("aria-label", t("photo"));
    el.photoButton.setAttribute("title", t("photo"));
    renderAttachments();
    updateCounter();
  }

  el.language.addEventListener("click", function () {
    language = language === "zh" ? "en" : "zh";
    state.language = language;            // from now on sent as metadata with each message
    store.save(state);
    applyLanguage();
  });

  /* ------------------------------------------------------------------ rendering */

  function timeLabel(at) {
    try {
      return new Date(at).toLocaleTimeString(language === "zh" ? "zh-CN" : "en-GB", { hour: "2-digit", minute: "2-digit" });
    } catch (error) { return ""; }
  }

  function safeImageUrl(url) {
    return typeof url === "string" && /^(https?:|blob:)/i.test(url) ? url : null;
  }

  function renderEntry(entry) {
    var item = document.createElement("li");
    item.className = "message " + (entry.from === "user" ? "from-user" : "from-bot");
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = (entry.from === "user" ? t("you") : t("bot")) + ": ";
    item.appendChild(who);
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    if (entry.text) {
      var text = document.createElement("p");
      text.className = "text";
      text.textContent = entry.text;
      bubble.appendChild(text);
    }
    var image = safeImageUrl(entry.image);
    if (image) {
      var img = document.createElement("img");
      img.className = "picture";
      img.alt = entry.from === "user" ? t("photoAlt") : t("image");
      img.src = image;
      bubble.appendChild(img);
    }
    if (entry.note) {
      var note = document.createElement("p");
      note.className = "note";
      note.textContent = entry.note;
      bubble.appendChild(note);
    }
    item.appendChild(bubble);
    if (entry.at) {
      var time = document.createElement("time");
      time.dateTime = new Date(entry.at).toISOString();
      time.textContent = timeLabel(entry.at);
      item.appendChild(time);
    }
    el.log.appendChild(item);
    el.conversation.scrollTop = el.conversation.scrollHeight;
  }

  function renderReplies(replies) {
    while (el.replies.firstChild) { el.replies.removeChild(el.replies.firstChild); }
    (replies || []).forEach(function (reply) {
      if (!reply || typeof reply.title !== "string") { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "reply";
      button.textContent = reply.title;
      button.addEventListener("click", function () {
        sendMessage(typeof reply.payload === "string" && reply.payload ? reply.payload : reply.title, reply.title);
        el.message.focus();
      });
      el.replies.appendChild(button);
    });
  }

  function addEntry(entry) {
    var saved = Object.assign({}, entry);
    if (saved.image && /^blob:/i.test(saved.image)) {   // a local preview does not survive a reload
      saved.image = null;
      saved.note = ((saved.note || "") + " " + t("photoAttached")).trim();
    }
    state.transcript.push(saved);
    store.save(state);
    renderEntry(entry);
  }

  function showAlert(text) {
    el.alert.textContent = text || "";
  }

  function setConnection(key) {
    el.connection.textContent = key ? t(key) : "";
    el.connection.className = "connection" + (key === "reconnecting" ? " is-warning" : "");
  }

  function setTyping(on) {
    el.typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) { typingTimer = setTimeout(function () { el.typing.hidden = true; }, 30000); }
  }

  /* ------------------------------------------------------------------ bot messages */

  function scheduleAck() {
    clearTimeout(ackTimer);
    ackTimer = setTimeout(function () {
      if (socket && sessionReady) { socket.emit("outbox_ack", { seq: state.lastSeq, epoch: state.epoch }); }
    }, 250);
  }

  function onBotMessage(message) {
    if (!message || typeof message !== "object") { return; }
    if (typeof message.seq === "number") {
      if (message.seq <= state.lastSeq) { return; }   // already shown: replay never duplicates
      state.lastSeq = message.seq;
    }
    var attachment = message.attachment;
    var image = attachment && attachment.type === "image" && attachment.payload ? attachment.payload.src : null;
    var replies = message.quick_replies || message.buttons || [];
    var text = typeof message.text === "string" ? message.text : "";
    if (!text && !image) { store.save(state); scheduleAck(); return; }
    setTyping(false);
    addEntry({ from: "bot", text: text, image: image, replies: replies, at: Date.now(), seq: message.seq });
    renderReplies(replies);
    scheduleAck();
  }

  /* ------------------------------------------------------------------ the socket */

  function requestSession() {
    sessionReady = false;
    socket.emit("session_request", { session_id: state.sessionId, replay_after: state.lastSeq || 0, epoch: state.epoch });
  }

  function onSessionConfirm(confirm) {
    var sessionId = confirm && confirm.session_id ? confirm.session_id : confirm;
    if (typeof sessionId !== "string") { return; }
    if (sessionId !== state.sessionId) {
      state.sessionId = sessionId;
      state.lastSeq = 0;
    }
    if (confirm && confirm.epoch !== state.epoch) {   // the server's outbox restarted: it replays all it has
      state.epoch = confirm.epoch;
      state.lastSeq = 0;
    }
    store.save(state);
    sessionReady = true;
    setConnection(null);
    while (outgoing.length) { socket.emit("user_uttered", outgoing.shift()); }
  }

  function connect() {
    if (typeof window.io !== "function") {
      setConnection("reconnecting");
      return;
    }
    setConnection("connecting");
    socket = window.io({ path: SOCKET_PATH, transports: ["polling", "websocket"] });
    socket.on("connect", requestSession);
    socket.on("session_confirm", onSessionConfirm);
    socket.on("bot_uttered", onBotMessage);
    socket.on("bot_typing", function (event) { setTyping(!!(event && event.typing)); });
    socket.on("disconnect", function () { sessionReady = false; setConnection("reconnecting"); setTyping(false); });
    socket.on("connect_error", function () { setConnection("reconnecting"); });
  }

  /* ------------------------------------------------------------------ sending */

  function metadata() {
    var data = {};
    if (state.language) { data.language = state.language; }
    if (pending.location) { data.location = pending.location; }
    if (pending.media.length) { data.media_urls = pending.media.map(function (item) { return item.url; }); }
    return data;
  }

  function sendMessage(payload, shown) {
    var text = (payload || "").trim();
    if (!text) {
      showAlert(t("empty"));
      el.message.focus();
      return false;
    }
    showAlert("");
    var note = [];
    if (pending.location) { note.push(t("located")); }
    var image = pending.media.length ? pending.media[0].preview : null;
    var event = { message: text, customData: metadata(), session_id: state.sessionId };
    addEntry({ from: "user", text: (shown || text), image: image, note: note.join(" "), at: Date.now() });
    renderReplies([]);
    pending.location = null;
    pending.media = [];
    renderAttachments();
    if (socket && sessionReady) {
      socket.emit("user_uttered", event);
    } else {
      outgoing.push(event);
    }
    setTyping(true);
    return true;
  }

  function updateCounter() {
    var count = el.message.value.length;
    el.counter.textContent = count > MAX_CHARS ? t("tooLong", { count: count, limit: MAX_CHARS }) : "";
  }

  function autoGrow() {
    el.message.style.height = "auto";
    el.message.style.height = Math.min(el.message.scrollHeight, 160) + "px";
  }

  el.composer.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sendMessage(el.message.value)) {
      el.message.value = "";
      autoGrow();
      updateCounter();
    }
    el.message.focus();
  });

  el.message.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      el.composer.requestSubmit ? el.composer.requestSubmit() : el.send.click();
    }
  });
  el.message.addEventListener("input", function () { updateCounter(); autoGrow(); });

  /* ------------------------------------------------------------------ attachments */

  function chip(label, previewUrl, removeLabel, onRemove) {
    var item = document.createElement("li");
    item.className = "chip";
    if (previewUrl) {
      var img = document.createElement("img");
      img.src = previewUrl;
      img.alt = "";
      item.appendChild(img);
    }
    var text = document.createElement("span");
    text.textContent = label;
    item.appendChild(text);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chip-remove";
    remove.textContent = "×";
    remove.setAttribute("aria-label", removeLabel);
    remove.addEventListener("click", function () { onRemove(); renderAttachments(); el.message.focus(); });
    item.appendChild(remove);
    return item;
  }

  function renderAttachments() {
    while (el.attachments.firstChild) { el.attachments.removeChild(el.attachments.firstChild); }
    if (pending.location) {
      el.attachments.appendChild(chip(t("located"), null, t("removeLocation"), function () { pending.location = null; }));
    }
    pending.media.forEach(function (item, index) {
      el.attachments.appendChild(chip(t("uploaded"), item.preview, t("removePhoto"), function () { pending.media.splice(index, 1); }));
    });
  }

  el.locate.addEventListener("click", function () {
    if (!navigator.geolocation) { showAlert(t("locationUnsupported")); return; }
    showAlert("");
    setConnection(null);
    el.connection.textContent = t("locating");
    navigator.geolocation.getCurrentPosition(function (position) {
      el.connection.textContent = "";
      pending.location = { lat: position.coords.latitude, long: position.coords.longitude };
      renderAttachments();
      el.message.focus();
    }, function () {
      el.connection.textContent = "";
      showAlert(t("locationDenied"));
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  el.photoButton.addEventListener("click", function () { el.photo.click(); });

  function uploadError(response, body) {
    if (body && body.messages && typeof body.messages[language] === "string") { return body.messages[language]; }
    if (response && response.status === 413) { return t("tooLarge", { limit: MAX_UPLOAD / 1048576 }); }
    if (response && response.status === 415) { return t("notAnImage"); }
    return t("uploadFailed");
  }

  el.photo.addEventListener("change", function () {
    var file = el.photo.files && el.photo.files[0];
    el.photo.value = "";
    if (!file) { return; }
    if (PHOTO_TYPES.indexOf(file.type) < 0) { showAlert(t("notAnImage")); el.photoButton.focus(); return; }
    if (file.size > MAX_UPLOAD) { showAlert(t("tooLarge", { limit: MAX_UPLOAD / 1048576 })); el.photoButton.focus(); return; }
    showAlert("");
    el.connection.textContent = t("uploading");
    var url = "upload?session_id=" + encodeURIComponent(state.sessionId || "");
    fetch(url, { method: "POST", body: file, headers: { "Content-Type": file.type }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (data) {
          el.connection.textContent = "";
          if (response.status === 201 && data && typeof data.media_url === "string") {
            pending.media.push({ url: data.media_url, preview: URL.createObjectURL(file) });
            renderAttachments();
            el.message.focus();
          } else {
            showAlert(uploadError(response, data));
            el.photoButton.focus();
          }
        });
      })
      .catch(function () {
        el.connection.textContent = "";
        showAlert(t("uploadFailed"));
      });
  });

  /* ------------------------------------------------------------------ new conversation */

  el.restart.addEventListener("click", function () {
    if (state.transcript.length && !window.confirm(t("restartConfirm"))) { return; }
    var chosen = state.language;
    store.clear();
    state = store.empty();
    state.language = chosen;
    store.save(state);
    while (el.log.firstChild) { el.log.removeChild(el.log.firstChild); }
    renderReplies([]);
    pending = { location: null, media: [] };
    renderAttachments();
    welcome();
    if (socket && socket.connected) { requestSession(); }
    el.message.focus();
  });

  /* ------------------------------------------------------------------ start */

  function welcome() {
    renderEntry({ from: "bot", text: t("welcome") });
  }

  function restoreTranscript() {
    welcome();
    state.transcript.forEach(function (entry) { renderEntry(entry); });
    var last = state.transcript[state.transcript.length - 1];
    if (last && last.from === "bot") { renderReplies(last.replies); }
  }

  applyLanguage();
  restoreTranscript();
  connect();
  window.Hotline.page = {
    state: function () { return JSON.parse(JSON.stringify(state)); },
    socket: function () { return socket; }
  };
})();
