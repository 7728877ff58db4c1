// Repositories page: follow a queued or running import of past pull requests until it ends, and
// show how it ended (a failure says what to do, with a link when Settings can fix it).
(function () {
  document.querySelectorAll(".import[data-progress-url]").forEach(function (box) {
    if (box.dataset.state !== "queued" && box.dataset.state !== "running") return;
    var status = box.querySelector(".import-status");
    var row = box.closest("li");
    var button = row && row.querySelector("[data-import-button]");
    function show(p) {
      status.className = "import-status import-" + p.state;
      status.textContent = p.message + (p.actionUrl ? " " : "");
      if (p.actionUrl) {
        var link = document.createElement("a");
        link.href = p.actionUrl;
        link.textContent = p.actionLabel;
        status.appendChild(link);
      }
    }
    var timer = setInterval(function () {
      fetch(box.dataset.progressUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (p) {
          if (!p) return;
          show(p);
          if ((p.state !== "queued" || p.stale) && p.state !== "running") {
            clearInterval(timer);
            if (button) button.disabled = false;
          }
        })
        .catch(function () {});
    }, 2000);
  });
})();
