// Login page: when every password check of the server is busy (an exam's login storm), the server
// answers 503 with a wait; this script shows it and sends the same form again after that wait,
// so the cadre does not retype the password. Without the script the page says to press again.
(function () {
  "use strict";
  var form = document.querySelector("form[data-login]");
  if (!form || !window.fetch || !window.FormData) return;
  var note = document.querySelector(".login-queue");
  var button = form.querySelector("button[type=submit]");
  var sending = false;

  function wait(seconds) {
    var left = seconds;
    function tick() {
      note.textContent = form.dataset.waiting.replace("{s}", left);
      note.hidden = false;
      if (left <= 0) { send(); return; }
      left -= 1;
      setTimeout(tick, 1000);
    }
    tick();
  }

  function send() {
    sending = true;
    if (button) button.disabled = true;
    fetch(form.action || window.location.href, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.status === 503) {
        return response.json().then(function (reply) {
          if (!reply.queued) throw new Error("unavailable");
          wait(Math.max(1, reply.retry_after || 3) + Math.floor(Math.random() * 3));
        });
      }
      if (response.redirected) { window.location.assign(response.url); return; }
      return response.text().then(function (html) {  // a wrong password, a form error: the page
        document.open(); document.write(html); document.close();
      });
    }).catch(function () {
      sending = false;
      if (button) button.disabled = false;
      form.submit();  // the server's own answer, without the script
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!sending) send();
  });
})();
