// Quiz attempt page: save answers as the learner goes, show the time left, confirm submission.
// The page works without this script (buttons save and submit); the server enforces the time limit.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var status = document.querySelector(".save-status");
  var timer = null;
  var pending = false;

  function save() {
    timer = null;
    var data = new FormData(form);
    data.delete("go");
    pending = true;
    fetch(form.dataset.autosave, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      pending = false;
      if (status && result.body.message) status.textContent = result.body.message;
      if (result.body.closed && result.body.result) window.location.assign(result.body.result);
    }).catch(function () {
      pending = false;
      if (status) status.textContent = status.dataset.offline || "…";
    });
  }

  function later() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 600);
  }

  form.addEventListener("change", later);
  form.addEventListener("input", function (event) {
    if (event.target.type === "text") later();
  });
  window.addEventListener("online", save);

  var submit = form.querySelector("[data-confirm]");
  if (submit) {
    submit.addEventListener("click", function (event) {
      if (!window.confirm(submit.dataset.confirm)) event.preventDefault();
    });
  }

  var clock = document.querySelector("[data-deadline]");
  if (clock) {
    var deadline = new Date(clock.dataset.deadline).getTime();
    var out = clock.querySelector(".countdown");
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      out.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      if (left === 0) {
        clearInterval(handle);
        if (!pending) form.requestSubmit(submit || undefined);
      }
    };
    var handle = setInterval(tick, 1000);
    tick();
  }
})();
