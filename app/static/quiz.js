// Quiz attempt page: save answers as the learner goes, show the time left, confirm submission.
// The page works without this script (buttons save and submit); the server enforces the time limit.
// A save that fails (offline, server unreachable) says so plainly and is retried, waiting longer
// each time (2 s, 4 s, 8 s … at most a minute), until the server acknowledges it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var status = document.querySelector(".save-status");
  var bar = document.querySelector(".attempt-bar");
  var timer = null;       // the next save, when one is planned
  var pending = false;    // a save is on its way
  var again = false;      // answers changed while a save was on its way
  var unsaved = false;    // the last save failed: answers wait for a retry
  var backoff = 0;        // the next retry's wait, in milliseconds

  function say(text, failed) {
    if (status) status.textContent = text;
    if (bar) bar.classList.toggle("unsaved", !!failed);
  }

  function retry() {
    unsaved = true;
    backoff = Math.min(backoff ? backoff * 2 : 2000, 60000);
    say(status && status.dataset.offline || "…", true);
    plan(backoff);
  }

  function save() {
    timer = null;
    if (pending) { again = true; return; }
    var data = new FormData(form);
    data.delete("go");
    pending = true;
    again = false;
    fetch(form.dataset.autosave, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, status: response.status, body: body }; });
    }).then(function (result) {
      pending = false;
      if (!result.ok && result.status !== 409) { retry(); return; }
      unsaved = false;
      backoff = 0;
      if (result.body.message) say(result.body.message, false);
      if (result.body.closed && result.body.result) { window.location.assign(result.body.result); return; }
      if (again) save();
    }).catch(function () {
      pending = false;
      retry();
    });
  }

  function plan(wait) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, wait);
  }

  function later() {
    plan(unsaved ? Math.min(backoff, 600) : 600);
  }

  form.addEventListener("change", later);
  form.addEventListener("input", function (event) {
    if (event.target.type === "text" || event.target.type === "textarea") later();
  });
  window.addEventListener("online", function () {
    if (unsaved) plan(0);
  });

  var submit = form.querySelector("[data-confirm]");
  if (submit) {
    submit.addEventListener("click", function (event) {
      if (!window.confirm(submit.dataset.confirm)) event.preventDefault();
    });
  }

  var clock = document.querySelector("[data-deadline]");
  if (clock) {
    var deadline = new Date(clock.dataset.deadline).getTime();
    var outs = document.querySelectorAll(".countdown");
    var shown = document.querySelector(".bar-timer");
    if (shown) shown.hidden = false;
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      for (var i = 0; i < outs.length; i++) outs[i].textContent = m + ":" + (s < 10 ? "0" : "") + s;
      if (bar) bar.classList.toggle("urgent", left <= 60);
      if (left === 0) {
        clearInterval(handle);
        if (!pending) form.requestSubmit(submit || undefined);
      }
    };
    var handle = setInterval(tick, 1000);
    tick();
  }
})();
