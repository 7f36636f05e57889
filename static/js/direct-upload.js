// Files sent straight to S3 (reports/wizard/_direct_upload.html): S3 itself would answer
// a file that is too large, or none, with a technical error page of its own. Check both
// before the file leaves the browser and say what is wrong at the field, as the portal's
// own errors do. Without JavaScript the form still works; S3 enforces the limit.
(function () {
  "use strict";

  function showError(form, input, message) {
    var box = input.closest(".kern-form-input");
    var error = form.querySelector("[data-direct-upload-error]");
    if (!error) {
      error = document.createElement("p");
      error.className = "kern-error";
      error.id = input.id + "_client_error";
      error.setAttribute("data-direct-upload-error", "");
      error.setAttribute("role", "alert");
      box.appendChild(error);
    }
    error.textContent = message;
    box.classList.add("kern-form-input--error");
    input.classList.add("kern-form-input__input--error");
    input.setAttribute("aria-invalid", "true");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (described.indexOf(error.id) < 0) {
      described.push(error.id);
      input.setAttribute("aria-describedby", described.join(" "));
    }
    input.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form.portal-direct-upload");
    if (!form) {
      return;
    }
    var input = form.querySelector("input[type=file]");
    var file = input.files && input.files[0];
    if (!file) {
      event.preventDefault();
      showError(form, input, form.getAttribute("data-nothing-chosen"));
    } else if (file.size > Number(form.getAttribute("data-max-bytes"))) {
      event.preventDefault();
      showError(form, input, form.getAttribute("data-too-large"));
    }
  });
})();
