/* The idle-timeout warning with "stay signed in", and typing counted as activity.
   Loaded by base.html for logged-in pages; the server's session record is the truth, this
   only reads it (GET /session/status) and extends it (POST /session/keep-alive). */
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box) { return; }
  var text = document.getElementById("session-warning-text");
  var stay = document.getElementById("session-stay");
  var cfg = box.dataset;
  var warnMs = Number(cfg.warnSeconds) * 1000;
  // Typing keeps the session alive, but at most one request per this interval.
  var typingEveryMs = Math.min(120000, Number(cfg.idleSeconds) * 500);
  var idleEnd = Date.now() + Number(cfg.idleSeconds) * 1000;
  var lifeEnd = Date.now() + Number(cfg.lifetimeSeconds) * 1000;
  var lastPing = Date.now();
  var checkTimer = null;
  var tickTimer = null;
  var ended = false;

  function clock(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    var m = Math.floor(s / 60);
    s = s % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function apply(state) {
    var now = Date.now();
    idleEnd = now + state.idle_seconds * 1000;
    lifeEnd = now + state.lifetime_seconds * 1000;
  }

  function endsAt() { return Math.min(idleEnd, lifeEnd); }

  function render() {
    var left = endsAt() - Date.now();
    if (left <= 0 || ended) {
      ended = true;
      text.textContent = cfg.endedText;
      stay.hidden = true;
      clearInterval(tickTimer);
      return;
    }
    var byLifetime = lifeEnd <= idleEnd;
    text.textContent = (byLifetime ? cfg.lifetimeText : cfg.idleText).replace("{time}", clock(left));
    stay.hidden = byLifetime;
  }

  function show() {
    if (box.hidden) {
      box.hidden = false;
      if (!stay.hidden) { stay.focus(); }
    }
    render();
    clearInterval(tickTimer);
    tickTimer = setInterval(render, 1000);
  }

  function hide() {
    box.hidden = true;
    clearInterval(tickTimer);
  }

  function schedule() {
    clearTimeout(checkTimer);
    var wait = Math.max(1000, endsAt() - warnMs - Date.now());
    checkTimer = setTimeout(check, wait);
  }

  function handle(response) {
    if (response.status === 401) {
      ended = true;
      show();
      return null;
    }
    if (!response.ok) { throw new Error(String(response.status)); }
    return response.json();
  }

  function update(state) {
    if (!state) { return; }
    apply(state);
    if (endsAt() - Date.now() <= warnMs) { show(); } else { hide(); }
    schedule();
  }

  // Another tab may have been active: ask the server before warning.
  function check() {
    fetch(cfg.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(handle).then(update).catch(schedule);
  }

  function keepAlive() {
    lastPing = Date.now();
    return fetch(cfg.keepAliveUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": cfg.csrfToken}
    }).then(handle).then(update).catch(schedule);
  }

  stay.addEventListener("click", keepAlive);
  document.addEventListener("input", function (event) {
    var t = event.target;
    if (ended || !t || !(t.tagName === "TEXTAREA" || t.tagName === "INPUT")) { return; }
    if (Date.now() - lastPing >= typingEveryMs) { keepAlive(); }
  });
  schedule();
}());
