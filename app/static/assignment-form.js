// The new-assignment form: show only the fields of the target chosen ("Assign to"). Without
// script every field shows, with a hint to fill in the chosen one; the server checks either way.
(function () {
  "use strict";
  var form = document.querySelector("[data-assignment-form]");
  if (!form) return;
  var kind = form.querySelector("#target_kind");
  var groups = form.querySelectorAll("[data-targets]");
  var hint = form.querySelector("[data-target-hint]");
  if (!kind || !groups.length) return;
  function show() {
    for (var i = 0; i < groups.length; i++) {
      var targets = groups[i].getAttribute("data-targets").split(" ");
      groups[i].hidden = targets.indexOf(kind.value) < 0;
    }
  }
  if (hint) hint.hidden = true;
  kind.addEventListener("change", show);
  show();
})();
