// Login page during an exam's login storm: the server marks the form (data-login-queue) when every
// password check was taken as it served the page. This script then sends the form itself; when
// the server answers 429 with a wait, it says so, counts down and sends the same form again, so
// the cadre does not retype the password. On any other page the browser submits the form as
// usual; without the script the page says to press the button again.
(function () {
  "use strict";
  var form = document.querySelector("form[data-login-queue]");
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
      if (response.status === 429) {
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
