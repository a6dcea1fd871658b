// InfoCenter portal: small enhancements of server-rendered pages. Everything works without it.
(function () {
  "use strict";

  // An error summary gets the focus, so screen readers and keyboards start there (GOV.UK pattern).
  function focusErrors() {
    var summary = document.getElementById("feiloppsummering");
    if (summary) {
      summary.focus();
    }
  }

  // Links in e-mails carry their secret in the fragment (#token=…), which browsers never send
  // to a server: copy it into the form's field and take it out of the address bar.
  function tokenFromFragment() {
    var field = document.querySelector("input[data-fragment-token]");
    var match = /[#&]token=([^&]+)/.exec(window.location.hash || "");
    if (!field || !match) {
      return;
    }
    field.value = decodeURIComponent(match[1]);
    var wrapper = document.getElementById(field.getAttribute("data-fragment-token"));
    if (wrapper) {
      wrapper.hidden = true;
    }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
  }

  // Buttons that end something ask first (data-confirm holds the question).
  function confirmations() {
    document.addEventListener("submit", function (event) {
      var button = event.submitter;
      var question = button && button.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
      }
    });
  }

  // A file upload shows how much of the file has gone (the form is sent as it would be).
  function uploadProgress() {
    var form = document.querySelector("form[data-upload-progress]");
    if (!form || !window.XMLHttpRequest || !window.FormData || !window.DOMParser) {
      return;
    }
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      if (!input || !input.files || !input.files.length) {
        return; // nothing to show: let the server say what is missing
      }
      event.preventDefault();
      var box = document.getElementById(form.getAttribute("data-upload-progress"));
      var bar = box && box.querySelector("progress");
      if (box) {
        box.hidden = false;
      }
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = true;
      }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action"));
      xhr.upload.addEventListener("progress", function (e) {
        if (bar && e.lengthComputable) {
          bar.value = Math.round((e.loaded / e.total) * 100);
        }
      });
      xhr.addEventListener("load", function () {
        // Accepted: the server redirected to the job's page, and so does the browser.
        var target = xhr.responseURL || "";
        var landed = target.split("?")[0].split("#")[0];
        if (xhr.status === 200 && landed && !/\/import$/.test(landed)) {
          window.location.assign(target);
          return;
        }
        var fresh = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var main = fresh.getElementById("innhold");
        var current = document.getElementById("innhold");
        if (main && current) {
          current.replaceWith(document.importNode(main, true));
          uploadProgress();
          focusErrors();
        }
      });
      xhr.addEventListener("error", function () {
        form.submit();
      });
      xhr.send(new FormData(form));
    });
  }

  // An import's page follows the job live (Server-Sent Events) and shows the result when done.
  function importProgress() {
    var box = document.getElementById("importjobb");
    var url = box && box.getAttribute("data-events");
    if (!url || !window.EventSource) {
      return;
    }
    var texts = {};
    var template = document.getElementById("import-status-texts");
    if (template && template.content) {
      Array.prototype.forEach.call(template.content.querySelectorAll("[data-status]"), function (el) {
        texts[el.getAttribute("data-status")] = el.textContent;
      });
    }
    var source = new EventSource(url);
    function show(event) {
      var job = JSON.parse(event.data);
      ["rows_read", "rows_accepted", "rows_rejected"].forEach(function (name) {
        var el = box.querySelector("[data-field=" + name + "]");
        if (el) {
          el.textContent = String(job[name]);
        }
      });
      var status = box.querySelector("[data-field=status]");
      if (status && texts[job.status]) {
        status.textContent = texts[job.status];
      }
    }
    function finished(event) {
      show(event);
      source.close();
      window.location.reload();
    }
    source.addEventListener("progress", show);
    source.addEventListener("completed", finished);
    source.addEventListener("failed", finished);
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) {
        window.setTimeout(function () { window.location.reload(); }, 3000);
      }
    });
  }

  // «Inkluder alle»: a checkbox (data-select-all="name") ticks or clears every checkbox of
  // that name in its form; ticking one off clears it again. Without a script the server
  // reads it as "the whole page" (the form carries the page's ids).
  function selectAll() {
    var boxes = document.querySelectorAll("input[data-select-all]");
    Array.prototype.forEach.call(boxes, function (all) {
      var form = all.form;
      var name = all.getAttribute("data-select-all");
      if (!form) {
        return;
      }
      var items = form.querySelectorAll("input[type=checkbox][name='" + name + "']");
      all.addEventListener("change", function () {
        Array.prototype.forEach.call(items, function (item) {
          item.checked = all.checked;
        });
      });
      Array.prototype.forEach.call(items, function (item) {
        item.addEventListener("change", function () {
          if (!item.checked) {
            all.checked = false;
          }
        });
      });
    });
  }

  // The main menu's groups: one open at a time, closed by Escape or a click elsewhere.
  function menuGroups() {
    var groups = document.querySelectorAll(".site-header details.menu");
    if (!groups.length) {
      return;
    }
    function closeAll(except) {
      Array.prototype.forEach.call(groups, function (group) {
        if (group !== except) {
          group.open = false;
        }
      });
    }
    Array.prototype.forEach.call(groups, function (group) {
      group.addEventListener("toggle", function () {
        if (group.open) {
          closeAll(group);
        }
      });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest || !event.target.closest("details.menu")) {
        closeAll(null);
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") {
        return;
      }
      var open = document.querySelector(".site-header details.menu[open]");
      if (open) {
        open.open = false;
        open.querySelector("summary").focus();
      }
    });
  }

  // On a phone the case list's filters fold away behind their summary, unless they hold errors.
  function foldFiltersOnPhone() {
    var panel = document.querySelector("details[data-fold-on-phone]");
    if (!panel || !window.matchMedia || !window.matchMedia("(max-width: 40rem)").matches) {
      return;
    }
    if (!document.getElementById("feiloppsummering")) {
      panel.open = false;
    }
  }

  // The registration form asks for the identity number of the debtor kind chosen only (the
  // other is not optional but wrong for that kind); a field holding an error stays shown.
  function debtorKindFields() {
    var wrappers = document.querySelectorAll("[data-debtor-kind]");
    var radios = document.querySelectorAll("input[name='debtor.kind']");
    if (!wrappers.length || !radios.length) {
      return;
    }
    function show() {
      var checked = document.querySelector("input[name='debtor.kind']:checked");
      var kind = checked ? checked.value : "person";
      Array.prototype.forEach.call(wrappers, function (wrapper) {
        var erroneous = wrapper.querySelector(".field-error");
        wrapper.hidden = wrapper.getAttribute("data-debtor-kind") !== kind && !erroneous;
      });
    }
    Array.prototype.forEach.call(radios, function (radio) {
      radio.addEventListener("change", show);
    });
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    menuGroups();
    foldFiltersOnPhone();
    focusErrors();
    tokenFromFragment();
    confirmations();
    uploadProgress();
    importProgress();
    selectAll();
    debtorKindFields();
  });
})();
