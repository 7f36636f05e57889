// Error summary (GOV.UK pattern): move focus to it when the page loads, in case the
// browser ignored `autofocus`; and let its links focus the field, not only scroll to it.
(function () {
  "use strict";

  function labelFor(field) {
    var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
    if (legend && field.closest(".kern-fieldset")) {
      return legend;
    }
    return document.querySelector('label[for="' + field.id + '"]');
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    if (document.activeElement !== summary) {
      summary.focus();
    }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) {
        return;
      }
      var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!field) {
        return;
      }
      event.preventDefault();
      var label = labelFor(field);
      (label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  });
})();
