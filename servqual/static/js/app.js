// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
});

// Running total of the 100-point importance question (the server checks it again).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("fieldset.allocation").forEach(function (box) {
    var out = box.querySelector(".total");
    var inputs = box.querySelectorAll("input.points");
    function update() {
      var sum = 0;
      inputs.forEach(function (input) { sum += parseInt(input.value, 10) || 0; });
      out.textContent = out.dataset.label.replace("{points}", sum);
      out.classList.toggle("off", String(sum) !== out.dataset.target);
    }
    inputs.forEach(function (input) { input.addEventListener("input", update); });
    update();
  });
});

// A report is written while the request waits (no Redis) or queued: say so, and keep a
// second click from asking for it twice.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form.request-report").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      var status = form.querySelector(".progress-text");
      if (status) { status.textContent = form.dataset.busy; }
      if (button) { button.disabled = true; button.setAttribute("aria-busy", "true"); }
    });
  });
});
