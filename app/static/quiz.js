// Quiz attempt page: save answers as the learner goes, show the time left, confirm submission.
// The page works without this script (buttons save and submit); the server enforces the time limit.
//
// No answer is lost while the server or the database is away: every answer the server has not
// acknowledged stays in the page and in the browser's storage (one entry per attempt, cleared
// answer by answer as the server acknowledges them, restored into the form on reload unless the
// server has newer answers). The page says plainly how many answers wait, and retries, waiting
// longer each time (2 s, 4 s, 8 s … at most 30 s), at once when the browser is back online, or
// when the learner asks. A submission made meanwhile waits in the page too, says so, and is sent
// when the server answers again.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var status = document.querySelector(".save-status");
  var note = document.querySelector(".unsaved-note");
  var count = note && note.querySelector(".unsaved-count");
  var retryNow = document.querySelector(".retry-now");
  var bar = document.querySelector(".attempt-bar");
  var submitButton = form.querySelector("[data-confirm]");
  var storeKey = "boiduong-attempt-" + form.dataset.attempt;
  var timer = null;        // the next save, when one is planned
  var inFlight = null;     // the answers on their way: {qid: version}
  var backoff = 0;         // the next retry's wait, in milliseconds
  var failing = false;     // the last request failed: answers wait for a retry
  var submitting = false;  // a submission waits to be sent (or is on its way)
  var version = 0;
  // {qid: {pairs: [[name, value], …], v: version}}: the answers the server has not acknowledged
  var store = { base: form.dataset.savedAt || "", answers: {} };

  function keep() {
    try {
      if (Object.keys(store.answers).length) localStorage.setItem(storeKey, JSON.stringify(store));
      else localStorage.removeItem(storeKey);
    } catch (e) { /* storage full or refused: the page still holds them */ }
  }

  function waiting() { return Object.keys(store.answers).length; }

  function say(text, failed) {
    if (status && text) status.textContent = text;
    if (bar) bar.classList.toggle("unsaved", !!failed);
    var n = waiting();
    if (note) note.hidden = !failed || (!n && !submitting);
    if (count) count.textContent = n;
  }

  function snapshot(fieldset) {
    var pairs = [];
    var fields = fieldset.querySelectorAll("input, select, textarea");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (!f.name || f.name === "qids" || f.disabled) continue;
      if ((f.type === "radio" || f.type === "checkbox") && !f.checked) continue;
      pairs.push([f.name, f.value]);
    }
    return pairs;
  }

  function changed(event) {
    var fieldset = event.target.closest && event.target.closest("fieldset.question");
    if (!fieldset) return;
    store.answers[fieldset.id.replace(/^question-/, "")] = { pairs: snapshot(fieldset), v: ++version };
    keep();
    if (failing) say(null, true);
    plan(failing ? Math.min(backoff, 600) : 600);
  }

  function body() {
    var data = new FormData();
    data.append("csrf_token", form.querySelector("[name=csrf_token]").value);
    var sent = {};
    Object.keys(store.answers).forEach(function (qid) {
      data.append("qids", qid);
      store.answers[qid].pairs.forEach(function (p) { data.append(p[0], p[1]); });
      sent[qid] = store.answers[qid].v;
    });
    return { data: data, sent: sent };
  }

  function acknowledged(sent, savedAt) {
    Object.keys(sent).forEach(function (qid) {
      if (store.answers[qid] && store.answers[qid].v === sent[qid]) delete store.answers[qid];
    });
    if (savedAt) store.base = savedAt;
    keep();
  }

  function failed() {
    failing = true;
    backoff = Math.min(backoff ? backoff * 2 : 2000, 30000);
    say(submitting ? form.dataset.pending : status && status.dataset.offline, true);
    if (retryNow) retryNow.hidden = false;
    plan(backoff);
  }

  function recovered() {
    failing = false;
    backoff = 0;
    if (retryNow) retryNow.hidden = true;
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    });
  }

  function save() {
    timer = null;
    if (inFlight) return;
    if (submitting) { send(); return; }
    if (!waiting()) return;
    var out = body();
    inFlight = out.sent;
    post(form.dataset.autosave, out.data).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (reply) {
        return { status: response.status, ok: response.ok, reply: reply };
      });
    }).then(function (result) {
      inFlight = null;
      if (!result.ok && result.status !== 409) { failed(); return; }
      recovered();
      acknowledged(out.sent, result.reply.saved_at);
      if (result.reply.deadline) moveDeadline(result.reply.deadline);
      say(result.reply.message, false);
      if (result.reply.closed && result.reply.result) {
        try { localStorage.removeItem(storeKey); } catch (e) { /* nothing kept */ }
        window.location.assign(result.reply.result);
        return;
      }
      if (submitting) send();  // asked for while this save was on its way
      else if (waiting()) plan(0);
    }).catch(function () {
      inFlight = null;
      failed();
    });
  }

  // The waiting answers of questions not on this page (one question per page), added to `data`.
  function others(data) {
    var sent = {};
    Object.keys(store.answers).forEach(function (qid) {
      sent[qid] = store.answers[qid].v;
      if (document.getElementById("question-" + qid)) return;  // the form carries it
      data.append("qids", qid);
      store.answers[qid].pairs.forEach(function (p) { data.append(p[0], p[1]); });
    });
    return sent;
  }

  // The submission: the page's answers and every waiting one, then the result page.
  function send() {
    submitting = true;
    if (inFlight) return;
    var data = new FormData(form);
    data.delete("go");
    var sent = others(data);
    inFlight = sent;
    post(form.dataset.submit, data).then(function (response) {
      inFlight = null;
      if (response.status >= 500) { failed(); return; }
      acknowledged(sent);
      try { localStorage.removeItem(storeKey); } catch (e) { /* nothing kept */ }
      if (response.redirected) { window.location.assign(response.url); return; }
      form.action = form.dataset.submit;  // a refusal to show (an expired form): the server's own page
      form.submit();
    }).catch(function () {
      inFlight = null;
      failed();
    });
  }

  function plan(wait) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, wait);
  }

  function restore() {
    var kept = null;
    try { kept = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { kept = null; }
    if (!kept || !kept.answers) return;
    if ((kept.base || "") < (form.dataset.savedAt || "")) {  // the server has newer answers
      try { localStorage.removeItem(storeKey); } catch (e) { /* nothing kept */ }
      return;
    }
    store.answers = kept.answers;
    Object.keys(store.answers).forEach(function (qid) {
      store.answers[qid].v = ++version;
      var fieldset = document.getElementById("question-" + qid);
      if (!fieldset) return;  // on another page of the attempt: sent with the next save
      var pairs = store.answers[qid].pairs;
      var fields = fieldset.querySelectorAll("input, select, textarea");
      for (var i = 0; i < fields.length; i++) {
        var f = fields[i];
        if (!f.name || f.name === "qids") continue;
        var mine = pairs.filter(function (p) { return p[0] === f.name; });
        if (f.type === "radio" || f.type === "checkbox") {
          f.checked = mine.some(function (p) { return p[1] === f.value; });
        } else if (mine.length) {
          f.value = mine[0][1];
        }
      }
    });
    if (waiting()) plan(0);
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", function (event) {
    if (event.target.type === "text" || event.target.tagName === "TEXTAREA") changed(event);
  });
  window.addEventListener("online", function () { if (failing) plan(0); });
  if (retryNow) retryNow.addEventListener("click", function () { plan(0); });

  if (submitButton) {
    submitButton.addEventListener("click", function (event) {
      if (!window.confirm(submitButton.dataset.confirm)) { event.preventDefault(); return; }
      if (!window.fetch || !window.FormData) return;  // the form submits itself
      event.preventDefault();
      if (!submitting) send();
    });
  }
  // Moving between pages of the attempt sends the waiting answers of other pages along.
  form.addEventListener("submit", function () {
    var data = new FormData();
    others(data);
    data.forEach(function (value, name) {
      var f = document.createElement("input");
      f.type = "hidden"; f.name = name; f.value = value;
      form.appendChild(f);
    });
  });

  var clock = document.querySelector("[data-deadline]");
  var deadline = clock ? new Date(clock.dataset.deadline).getTime() : null;
  function moveDeadline(iso) {
    if (!clock) return;
    var moved = new Date(iso).getTime();
    if (moved > deadline) deadline = moved;  // an outage the server recorded gives its time back
  }
  if (clock) {
    var outs = document.querySelectorAll(".countdown");
    var shown = document.querySelector(".bar-timer");
    if (shown) shown.hidden = false;
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      for (var i = 0; i < outs.length; i++) outs[i].textContent = m + ":" + (s < 10 ? "0" : "") + s;
      if (bar) bar.classList.toggle("urgent", left <= 60);
      if (left === 0 && !submitting) {
        clearInterval(handle);
        if (window.fetch && window.FormData) send(); else form.requestSubmit(submitButton || undefined);
      }
    };
    var handle = setInterval(tick, 1000);
    tick();
  }
  restore();
})();
