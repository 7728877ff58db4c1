// Dashboard roadmap page: move and hide items through PATCH /api/roadmap/{id}/ without a reload
// (the forms POST without JS), switch repositories on change, and follow a running sync.
(function () {
  var picker = document.querySelector("select[data-autosubmit]");
  if (picker) picker.addEventListener("change", function () { picker.form.submit(); });

  // The counts are the columns' totals (a column shows one page of them): a move shifts one.
  function recount(from, to) {
    [[from, -1], [to, 1]].forEach(function (change) {
      document.querySelectorAll("[data-column-count='" + change[0] + "']").forEach(function (el) {
        el.textContent = Math.max(0, parseInt(el.textContent, 10) + change[1]);
      });
    });
    document.querySelectorAll(".rm-column").forEach(function (column) {
      var empty = column.querySelector(".rm-empty");
      if (empty) empty.hidden = column.querySelectorAll(".rm-card").length > 0;
    });
  }

  function patch(form, body) {
    var card = form.closest(".rm-card");
    var token = form.querySelector("[name=csrfmiddlewaretoken]").value;
    return fetch("/api/roadmap/" + card.dataset.item + "/", {
      method: "PATCH", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.detail || "Not saved");
        return data;
      });
    }).then(function (item) {
      card.classList.toggle("is-hidden", item.hidden);
      var hide = card.querySelector(".rm-hide");
      hide.textContent = item.hidden ? "Show" : "Hide";
      hide.form.querySelector("[name=hidden]").value = item.hidden ? "0" : "1";
      var column = document.querySelector(".rm-column[data-column='" + item.status + "'] .rm-list");
      if (column && card.parentNode !== column) {
        var from = card.closest(".rm-column").dataset.column;
        column.insertBefore(card, column.firstChild);
        recount(from, item.status);
      }
    }).catch(function (error) { alert(error.message); });
  }

  document.querySelectorAll("form[data-roadmap-item]").forEach(function (form) {
    var select = form.querySelector("select[name=status]");
    var move = form.querySelector("[data-noscript]");
    if (move) move.hidden = true;
    if (select) select.addEventListener("change", function () { patch(form, {status: select.value}); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var hidden = form.querySelector("[name=hidden]");
      patch(form, hidden ? {hidden: hidden.value === "1"} : {status: select.value});
    });
  });

  var sync = document.querySelector(".rm-sync[data-progress-url]");
  if (sync && /^Syncing/.test(sync.querySelector(".rm-sync-status").textContent)) {
    var status = sync.querySelector(".rm-sync-status");
    var timer = setInterval(function () {
      fetch(sync.dataset.progressUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (p) {
        if (p.state === "running") {
          status.textContent = "Syncing: page " + p.page + (p.pages && p.pages !== "0" ? " of " + p.pages : "") + ", " + p.seen + " open issues read";
          return;
        }
        clearInterval(timer);
        if (p.state === "done") { window.location.reload(); return; }
        status.textContent = "Last sync failed: " + p.error;
        sync.querySelector("button").disabled = false;
      });
    }, 2000);
  }
})();
