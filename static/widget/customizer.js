// Widget customizer: live preview (the real widget script, through Shiplog.configure), copy, confirms.
(function () {
  var form = document.getElementById("widget-form");
  var stage = document.getElementById("widget-stage");

  function checked(name) { var input = form.querySelector("[name=" + name + "]:checked"); return input && input.value; }
  function current() {
    var f = form.elements;
    return {
      colors: {primary: f.primary.value, background: f.background.value, text: f.text.value},
      position: checked("position"), size: checked("size"),
      options: {showDate: f.showDate.checked, showCategory: f.showCategory.checked, showNewBadge: f.showNewBadge.checked}
    };
  }
  function update() {
    form.querySelectorAll("output[data-for]").forEach(function (out) { out.textContent = form.elements[out.dataset.for].value; });
    if (window.Shiplog && window.Shiplog.configure) window.Shiplog.configure(current());
  }
  if (form) {
    form.addEventListener("input", update);
    form.addEventListener("change", update);
  }

  var dark = document.getElementById("wz-dark");
  if (dark && stage) dark.addEventListener("change", function () {
    stage.classList.toggle("dark", dark.checked);
    if (window.Shiplog) window.Shiplog.configure({});
  });
  var toggle = document.getElementById("wz-toggle");
  if (toggle) toggle.addEventListener("click", function () { if (window.Shiplog) window.Shiplog.toggle(); });

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.querySelector(button.dataset.copy);
      function done() { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 1600); }
      if (navigator.clipboard) {
        navigator.clipboard.writeText(source.textContent).then(done);
      } else {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      }
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (confirmForm) {
    confirmForm.addEventListener("submit", function (event) {
      if (!window.confirm(confirmForm.dataset.confirm)) event.preventDefault();
    });
  });
})();
