// Dashboard shell: the menu button of narrow screens opens and closes the navigation.
(function () {
  var shell = document.querySelector("[data-menu]");
  var toggle = shell && shell.querySelector("[data-menu-toggle]");
  if (!toggle) return;
  var label = toggle.querySelector("[data-menu-label]");
  function set(open) {
    shell.classList.toggle("menu-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (label) label.textContent = open ? "Close" : "Menu";
  }
  toggle.addEventListener("click", function () { set(!shell.classList.contains("menu-open")); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && shell.classList.contains("menu-open")) { set(false); toggle.focus(); }
  });
})();
