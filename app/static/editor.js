// The lesson editor's live preview: the Markdown is sent to the server, which renders and
// sanitises it exactly as a published lesson; the answer replaces the preview pane. Without
// script, the "Preview" button does the same with a full page.
(function () {
  "use strict";
  var form = document.querySelector("form.editor[data-preview-url]");
  if (!form) return;
  var source = form.querySelector("textarea.markdown-source");
  var pane = form.querySelector("[data-preview]");
  var timer = null;
  var sent = 0;

  function refresh() {
    var body = new FormData();
    var token = form.querySelector("input[name=csrf_token]");
    if (token) body.append("csrf_token", token.value);
    body.append("text", source.value);
    var mine = ++sent;
    fetch(form.dataset.previewUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (mine !== sent) return; // a later keystroke's answer will come
        if (data.html !== undefined) pane.innerHTML = data.html;
      })
      .catch(function () { /* the preview stays as it was; saving still checks everything */ });
  }

  source.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
