/* The unit picker: a text input for a unit code (templates/_macros.html, unit_picker) becomes a
   combobox that searches the admin's units by name, with or without diacritics, or by code.
   Without this script the input takes a code typed by hand, which the server checks. */
(function () {
  "use strict";
  if (window.boiduongUnitPicker) { return; }
  window.boiduongUnitPicker = true;

  function setup(input) {
    var list = document.getElementById(input.getAttribute("data-unit-list"));
    var chosen = document.getElementById(input.getAttribute("data-unit-chosen"));
    if (!list) { return; }
    var url = input.getAttribute("data-unit-search");
    var timer = null;
    var active = -1;
    var options = [];
    var asked = 0;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      options.forEach(function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var li = options[index];
      if (!li) { return; }
      input.value = li.getAttribute("data-code");
      if (chosen) { chosen.textContent = li.getAttribute("data-label"); }
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(units) {
      list.textContent = "";
      options = [];
      units.forEach(function (unit, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-code", unit.code);
        li.setAttribute("data-label", unit.name + (unit.path ? " — " + unit.path : ""));
        var name = document.createElement("span");
        name.className = "unit-option-name";
        name.textContent = unit.name + " (" + unit.code + ")";
        li.appendChild(name);
        if (unit.path) {
          var path = document.createElement("span");
          path.className = "unit-option-path";
          path.textContent = unit.path;
          li.appendChild(path);
        }
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
        options.push(li);
      });
      if (!options.length) {
        var none = document.createElement("li");
        none.className = "unit-option-none";
        none.textContent = list.getAttribute("data-none");
        list.appendChild(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function search() {
      var ask = ++asked;
      fetch(url + "?q=" + encodeURIComponent(input.value.trim()), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (units) { if (ask === asked && document.activeElement === input) { show(units); } })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      if (chosen) { chosen.textContent = ""; }
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) { search(); return; }
        highlight(Math.min(active + 1, options.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function start() {
    document.querySelectorAll("input[data-unit-search]").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
