/* casework: small progressive enhancements; every page works without them (issue 18).
 *
 * - the error summary of a form takes focus on load, and its links focus their field;
 * - the menu button collapses the header's links and the main menu at narrow widths
 *   (without JS the button stays hidden and the menu is simply shown);
 * - a search box over a long list of checkboxes ([data-filter-list]);
 * - fields that apply only to some choices of a radio group ([data-show-when="name=a b"]),
 *   hidden otherwise; the server still validates every field;
 * - a link that opens a form of the same page with a choice made ([data-open-form]: the
 *   meeting's "add a decision on this item"): the form opens in place, so nothing typed
 *   elsewhere on the page is lost to a reload; without JS the link reloads the page with the
 *   form opened by the server.
 */
(function () {
  "use strict";

  function errorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    var details = summary.closest("details");
    if (details) { details.open = true; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var input = document.getElementById(link.getAttribute("href").slice(1));
      if (!input) { return; }
      event.preventDefault();
      var holder = input.closest("details");
      if (holder) { holder.open = true; }
      var legend = input.closest("fieldset") && input.closest("fieldset").querySelector("legend");
      var label = legend || document.querySelector("label[for='" + input.id + "']");
      (label || input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }

  function menu() {
    var button = document.querySelector("[data-menu-toggle]");
    if (!button) { return; }
    var parts = (button.getAttribute("aria-controls") || "").split(" ")
      .map(function (id) { return document.getElementById(id); })
      .filter(function (el) { return el; });
    var narrow = window.matchMedia("(max-width: 48rem)");
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      parts.forEach(function (el) { el.classList.toggle("collapsed", !open); });
    }
    button.hidden = false;
    set(!narrow.matches);
    button.addEventListener("click", function () {
      set(button.getAttribute("aria-expanded") !== "true");
    });
    narrow.addEventListener("change", function () { set(!narrow.matches); });
  }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function filterLists() {
    document.querySelectorAll("[data-filter-list]").forEach(function (list, n) {
      var rows = Array.prototype.slice.call(list.querySelectorAll(".check"));
      if (rows.length < 2) { return; }
      var id = "filter-" + n;
      var box = document.createElement("div");
      box.className = "field filter-box";
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = list.getAttribute("data-filter-label");
      var input = document.createElement("input");
      input.type = "search";
      input.id = id;
      input.autocomplete = "off";
      var status = document.createElement("p");
      status.className = "hint";
      status.setAttribute("aria-live", "polite");
      box.appendChild(label);
      box.appendChild(input);
      box.appendChild(status);
      var choices = list.querySelector(".choice-list") || rows[0].parentNode;
      choices.parentNode.insertBefore(box, choices);
      input.addEventListener("input", function () {
        var wanted = fold(input.value.trim());
        var shown = 0;
        rows.forEach(function (row) {
          var match = !wanted || fold(row.textContent).indexOf(wanted) !== -1;
          // A checked person stays visible: nothing chosen disappears from view.
          var checked = row.querySelector("input:checked");
          row.hidden = !(match || checked);
          if (match) { shown += 1; }
        });
        status.textContent = shown ? "" : list.getAttribute("data-filter-empty");
      });
    });
  }

  function conditionalFields() {
    document.querySelectorAll("[data-show-when]").forEach(function (block) {
      var rule = block.getAttribute("data-show-when").split("=");
      var form = block.closest("form") || document;
      var radios = form.querySelectorAll("input[type=radio][name='" + rule[0] + "']");
      var values = (rule[1] || "").split(" ");
      function update() {
        var chosen = form.querySelector("input[type=radio][name='" + rule[0] + "']:checked");
        // A field with an error from the server is never hidden.
        block.hidden = !(chosen && values.indexOf(chosen.value) !== -1) &&
          !block.querySelector(".field-error, .error");
      }
      radios.forEach(function (radio) { radio.addEventListener("change", update); });
      update();
    });
  }

  function openFormLinks() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-open-form]");
      if (!link) { return; }
      var holder = document.getElementById(link.getAttribute("data-open-form"));
      if (!holder) { return; }
      event.preventDefault();
      var select = holder.querySelector("select[name='" + link.getAttribute("data-choice-name") + "']");
      if (select) { select.value = link.getAttribute("data-choice-value"); }
      if (holder.tagName === "DETAILS") { holder.open = true; }
      holder.scrollIntoView();
      var first = holder.querySelector("textarea, input:not([type=hidden]), select");
      if (first) { first.focus({ preventScroll: true }); }
    });
  }

  function start() {
    menu();
    filterLists();
    conditionalFields();
    errorSummary();
    openFormLinks();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
