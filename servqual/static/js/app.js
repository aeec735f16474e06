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
