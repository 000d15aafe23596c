// The word count under a written assignment's text box, updated as the learner types.
// Progressive enhancement: without it the server counts the words when the text is sent.
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-word-count]").forEach(function (box) {
    var out = document.getElementById(box.getAttribute("data-word-count"));
    if (!out) return;
    var max = parseInt(out.getAttribute("data-max") || "0", 10);
    function update() {
      var words = (box.value.match(/[\p{L}\p{N}_]+(?:[-'’][\p{L}\p{N}_]+)*/gu) || []).length;
      out.textContent = out.getAttribute("data-label") + " " + (max ? words + " / " + max : words);
      out.classList.toggle("fail", max > 0 && words > max);
    }
    box.addEventListener("input", update);
    update();
  });
})();
