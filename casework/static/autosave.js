/* casework: never lose typed text (issue 11.5), and say what a save did where it was done.
 *
 * Two kinds of forms, marked in the templates; without JavaScript both submit as usual.
 *
 * <form data-autosave>: a versioned save (minutes, the report's narrative). A few seconds
 *   after the user stops typing, the form is posted to its own action as a JSON client
 *   (Accept: application/json). The answer carries the new version, which goes into the
 *   form's hidden "version" field, so the next save (and the normal submit) is not stale.
 *   A 409 stops the autosave and says so: the text stays in the field for the user to
 *   compare. Before any other form of the page is submitted (adding a decision, "send for
 *   review"), unsaved changes are saved first.
 *
 * <form data-draft>: a create form (a note, a decision or task draft). What is typed is kept
 *   in this tab's sessionStorage and put back if the page is reloaded or opened again before
 *   it was sent; sending it, or logging out, removes it. sessionStorage ends with the tab, so
 *   nothing stays on a shared computer.
 */
(function () {
  "use strict";

  var DELAY_MS = 2500;
  var DRAFT_PREFIX = "casework-draft:";

  function status(form, text, isError) {
    var el = form.querySelector("[data-autosave-status]");
    if (!el) {
      return;
    }
    el.textContent = text;
    el.classList.toggle("error", Boolean(isError));
  }

  function now() {
    var d = new Date();
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  // -- versioned autosave ---------------------------------------------------------------------
  function setupAutosave(form) {
    var timer = null;
    var dirty = false;
    var stopped = false;
    var inFlight = null;

    function save() {
      if (!dirty || stopped) {
        return inFlight || Promise.resolve();
      }
      dirty = false;
      var body = new FormData(form);
      inFlight = fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok) {
            var version = form.querySelector("input[name=version]");
            if (version && data.version !== undefined) {
              version.value = data.version;
            }
            status(form, (form.dataset.savedText || "Saved") + " " + now());
          } else if (response.status === 409) {
            stopped = true;
            status(form, data.error || form.dataset.staleText || "", true);
          } else {
            dirty = true;  // try again with the next change or the normal submit
            status(form, data.error || form.dataset.failedText || "", true);
          }
        });
      }).catch(function () {
        dirty = true;
        status(form, form.dataset.failedText || "", true);
      }).then(function () {
        inFlight = null;
      });
      return inFlight;
    }

    form.addEventListener("input", function () {
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(save, DELAY_MS);
    });
    form.addEventListener("submit", function () {
      clearTimeout(timer);
      stopped = true;  // the normal submit saves it; no autosave may race it
    });
    form.caseworkFlush = function () {
      clearTimeout(timer);
      return save();
    };
    form.caseworkPending = function () {
      return (dirty && !stopped) || inFlight !== null;
    };
  }

  // Before another form of the page is sent, save what the autosave forms hold.
  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (target.hasAttribute("data-autosave") || target.dataset.flushed === "1") {
      return;
    }
    // Only forms with unsaved text hold the submission up; with nothing to save it goes on.
    var pending = Array.prototype.filter.call(
      document.querySelectorAll("form[data-autosave]"),
      function (form) {
        return typeof form.caseworkPending === "function" && form.caseworkPending();
      });
    if (!pending.length) {
      return;
    }
    event.preventDefault();
    var submitter = event.submitter || null;
    Promise.all(pending.map(function (form) { return form.caseworkFlush(); }))
      .catch(function () { return null; })
      .then(function () {
        target.dataset.flushed = "1";
        // Sent from a new task: while the first submit event is still being dispatched the
        // browser ignores requestSubmit (the form is "firing submission events").
        window.setTimeout(function () {
          if (typeof target.requestSubmit === "function") {
            target.requestSubmit(submitter);
          } else {
            target.submit();
          }
        }, 0);
      });
  }, true);

  // -- local drafts of create forms -----------------------------------------------------------
  function draftKey(form, field) {
    return DRAFT_PREFIX + form.getAttribute("action") + "#" + field.name;
  }

  function setupDraft(form) {
    var fields = form.querySelectorAll("textarea, input[type=text]");
    var restored = false;
    Array.prototype.forEach.call(fields, function (field) {
      var key = draftKey(form, field);
      var kept = null;
      try {
        kept = window.sessionStorage.getItem(key);
      } catch (e) {
        return;
      }
      if (kept && !field.value) {
        field.value = kept;
        restored = true;
      }
      field.addEventListener("input", function () {
        try {
          window.sessionStorage.setItem(key, field.value);
        } catch (e) { /* storage full or disabled: the normal submit still works */ }
      });
    });
    if (restored) {
      status(form, form.dataset.restoredText || "");
      var details = form.closest("details");
      if (details) {
        details.open = true;
      }
    }
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(fields, function (field) {
        try {
          window.sessionStorage.removeItem(draftKey(form, field));
        } catch (e) { /* nothing kept */ }
      });
    });
  }

  function clearDrafts() {
    try {
      Object.keys(window.sessionStorage).forEach(function (key) {
        if (key.indexOf(DRAFT_PREFIX) === 0) {
          window.sessionStorage.removeItem(key);
        }
      });
    } catch (e) { /* nothing kept */ }
  }

  // After a save the server sends the page back at the edited section (#its-heading): the
  // message is shown there and takes the focus, so that a screen reader reads it first.
  function focusMessage() {
    var flashes = document.querySelector(".flashes");
    if (!flashes) {
      return;
    }
    var id = decodeURIComponent(window.location.hash.slice(1));
    var heading = id ? document.getElementById(id) : null;
    if (heading && heading.tagName && /^H[1-6]$/.test(heading.tagName)) {
      heading.insertAdjacentElement("afterend", flashes);
    }
    var message = flashes.querySelector(".flash");
    if (message) {
      message.setAttribute("tabindex", "-1");
      message.focus();
    }
  }

  function init() {
    focusMessage();
    Array.prototype.forEach.call(document.querySelectorAll("form[data-autosave]"), setupAutosave);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), setupDraft);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-logout]"), function (form) {
      form.addEventListener("submit", clearDrafts);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
