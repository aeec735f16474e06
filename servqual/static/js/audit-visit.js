// The auditor's checklist: save each changed answer at once, so a lost connection
// loses at most the answer being typed. The form still works without this file
// (its Save button posts everything).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form.checklist");
  if (!form || !window.fetch) { return; }
  var url = form.dataset.answerUrl;
  var csrf = form.querySelector("input[name=csrf_token]").value;

  function valueOf(box) {
    var na = box.querySelector("input[name^='na-']");
    if (na && na.checked) { return "na"; }
    var checked = box.querySelector("input[type=radio]:checked");
    if (checked) { return checked.value; }
    var field = box.querySelector("input[type=text], input[type=time], textarea");
    return field ? field.value : "";
  }

  function show(box, text, isError) {
    var out = box.querySelector(".state");
    if (!out) { return; }
    out.textContent = "";
    var span = document.createElement("span");
    span.className = isError ? "error" : "saved";
    span.textContent = text;
    out.appendChild(span);
    box.classList.toggle("has-error", !!isError);
  }

  function save(box) {
    var data = new FormData();
    data.append("csrf_token", csrf);
    data.append("question", box.dataset.question);
    data.append("value", valueOf(box));
    show(box, form.dataset.saving, false);
    fetch(url, {method: "POST", body: data, credentials: "same-origin",
                headers: {"X-Requested-With": "fetch"}})
      .then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      })
      .then(function (result) {
        var text = result.body.message;
        if (result.ok && result.body.verdict) { text += " · " + result.body.verdict; }
        show(box, text, !result.ok);
      })
      .catch(function () { show(box, form.dataset.offline, true); });
  }

  form.dataset.autosave = "on";
  form.querySelectorAll("[data-question]").forEach(function (box) {
    box.querySelectorAll("input:not([type=file]), textarea").forEach(function (input) {
      input.addEventListener("change", function () {
        if (input.name && input.name.indexOf("na-") === 0 && !input.checked) {
          // Unticking "not applicable" leaves the question unanswered until a value is given.
          if (valueOf(box) === "") { return save(box); }
        }
        save(box);
      });
    });
  });
});
