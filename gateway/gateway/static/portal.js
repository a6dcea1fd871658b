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

  document.addEventListener("DOMContentLoaded", function () {
    focusErrors();
    tokenFromFragment();
    confirmations();
  });
})();
