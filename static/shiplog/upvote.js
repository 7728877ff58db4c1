// Progressive enhancement: upvote with fetch (no reload); without JS the form POSTs and redirects.
// On load, ask which entries this reader upvoted already (the page is cached for everyone; the
// answer comes from the same cookieless per-entry voter id the upvote used).
(function () {
  var UPVOTE = /(\d+)\/upvote\/$/;

  function mark(form, count) {
    var button = form.querySelector("button");
    button.setAttribute("aria-pressed", "true");
    button.title = "You upvoted this";
    if (count !== undefined) form.querySelector("[data-count]").textContent = count;
  }

  function say(form, text) {
    var note = form.querySelector(".upvote-note");
    if (!note) {
      note = document.createElement("span");
      note.className = "upvote-note";
      note.setAttribute("role", "status");
      form.appendChild(note);
    }
    note.textContent = text;
  }

  function forms() { return Array.prototype.slice.call(document.querySelectorAll("form[data-upvote]")); }

  function showMine() {
    var all = forms();
    if (!all.length || !window.fetch) return;
    var byPr = {}, query = [];
    all.forEach(function (form) {
      var match = form.getAttribute("action").match(UPVOTE);
      if (match) { byPr[match[1]] = form; query.push("pr=" + match[1]); }
    });
    if (!query.length) return;
    var url = all[0].getAttribute("action").replace(UPVOTE, "upvoted/") + "?" + query.join("&");
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "omit"})
      .then(function (response) { return response.ok ? response.json() : {upvoted: []}; })
      .then(function (data) { (data.upvoted || []).forEach(function (pr) { if (byPr[pr]) mark(byPr[pr]); }); })
      .catch(function () {});
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-upvote]") || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {method: "POST", headers: {"Accept": "application/json"}, credentials: "omit"})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) { return [response, data]; });
      })
      .then(function (result) {
        var response = result[0], data = result[1];
        if (response.ok) {
          mark(form, data.count);
          say(form, data.counted ? "Thanks!" : "You upvoted this already.");
        } else {
          say(form, data.detail || "Your upvote could not be counted; try again in a moment.");
          form.classList.add("upvote-failed");
        }
      })
      .catch(function () { say(form, "You seem to be offline; your upvote was not counted."); form.classList.add("upvote-failed"); })
      .finally(function () { button.disabled = false; });
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showMine);
  else showMine();
})();
