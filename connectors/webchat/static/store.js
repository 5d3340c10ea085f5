/* What the page keeps in localStorage so that a reload continues the conversation:
   the session id, the outbox position (epoch + highest message number shown), the
   language the citizen chose (only if they chose one) and the last messages shown. */
(function () {
  "use strict";
  var KEY = "hotline12345.webchat.v1";
  var MAX_TRANSCRIPT = 200;

  function empty() {
    return { sessionId: null, epoch: null, lastSeq: 0, language: null, transcript: [] };
  }

  function load() {
    try {
      var raw = window.localStorage.getItem(KEY);
      if (!raw) { return empty(); }
      var state = JSON.parse(raw);
      var base = empty();
      Object.keys(base).forEach(function (name) { if (state[name] !== undefined) { base[name] = state[name]; } });
      if (!Array.isArray(base.transcript)) { base.transcript = []; }
      if (typeof base.lastSeq !== "number") { base.lastSeq = 0; }
      return base;
    } catch (error) {
      return empty();
    }
  }

  function save(state) {
    if (state.transcript.length > MAX_TRANSCRIPT) {
      state.transcript = state.transcript.slice(-MAX_TRANSCRIPT);
    }
    try { window.localStorage.setItem(KEY, JSON.stringify(state)); } catch (error) { /* private mode: the page still works */ }
  }

  function clear() {
    try { window.localStorage.removeItem(KEY); } catch (error) { /* ignore */ }
  }

  window.Hotline = window.Hotline || {};
  window.Hotline.store = { load: load, save: save, clear: clear, empty: empty, KEY: KEY };
})();
