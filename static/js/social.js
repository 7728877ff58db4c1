// Social posts page: live counters and previews as you edit, copy buttons, "…see more", confirmations.
// X's count follows entries/tweet_length.py exactly (same patterns, from #x-counter-config).
(function () {
  var configNode = document.getElementById("x-counter-config");
  if (!configNode) return;
  var config = JSON.parse(configNode.textContent);
  var urlRe = new RegExp(config.urlPattern, "giu");
  var asciiDomainRe = new RegExp(config.asciiDomainPattern, "giu");
  var emojiRe = new RegExp(config.emojiPattern, "gu");

  function normalize(text) { return text.normalize("NFC").replace(/\r\n|\r/g, "\n"); }

  // twitter-text's extractUrlsWithIndices, as url_spans() in tweet_length.py.
  function urlSpans(text) {
    var spans = [];
    Array.from(text.matchAll(urlRe)).forEach(function (m) {
      var before = m[1] || "", protocol = m[2] || "", domain = m[3];
      var start = m.index + before.length;
      if (protocol) { spans.push([start, m.index + m[0].length]); return; }
      if ("-_./".indexOf(before) !== -1 && before !== "") return;
      var names = Array.from(domain.matchAll(asciiDomainRe)).map(function (name) {
        return [start + name.index, start + name.index + name[0].length];
      });
      if (names.length && m[4]) names[names.length - 1][1] = m.index + m[0].length;
      spans = spans.concat(names);
    });
    return spans;
  }

  function codePointWeight(code) {
    for (var i = 0; i < config.oneWeightRanges.length; i++) {
      var range = config.oneWeightRanges[i];
      if (code >= range[0] && code <= range[1]) return 1;
    }
    return 2;
  }

  function xLength(raw) {
    var text = normalize(raw), urlEnds = {}, emojiEnds = {};
    urlSpans(text).forEach(function (span) { urlEnds[span[0]] = span[1]; });
    Array.from(text.matchAll(emojiRe)).forEach(function (m) { emojiEnds[m.index] = m.index + m[0].length; });
    var weight = 0, index = 0;
    while (index < text.length) {
      if (index in urlEnds) { weight += config.urlWeight; index = urlEnds[index]; }
      else if (index in emojiEnds) { weight += config.emojiWeight; index = emojiEnds[index]; }
      else {
        var code = text.codePointAt(index);
        weight += codePointWeight(code);
        index += code > 0xffff ? 2 : 1;
      }
    }
    return weight;
  }

  // Preview: text nodes, links and hashtags as spans (never innerHTML).
  var TAG = /(^|[^\w&#@])(#(?=\w*[^\W\d_])\w+|@\w+)/gu;  // "#482" is no hashtag
  function appendPlain(node, text) {
    var last = 0;
    Array.from(text.matchAll(TAG)).forEach(function (m) {
      var at = m.index + m[1].length;
      node.appendChild(document.createTextNode(text.slice(last, at)));
      var tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = m[2];
      node.appendChild(tag);
      last = at + m[2].length;
    });
    node.appendChild(document.createTextNode(text.slice(last)));
  }
  function xShownUrl(url) {
    var shown = url.replace(/^https?:\/\/(www\.)?/i, "");
    return shown.length <= 26 ? shown : shown.slice(0, 26) + "…";
  }
  function render(node, raw, shownUrl) {
    var text = normalize(raw), last = 0;
    node.textContent = "";
    var holder = document.createDocumentFragment();
    urlSpans(text).forEach(function (span) {
      appendPlain(holder, text.slice(last, span[0]));
      var link = document.createElement("span");
      link.className = "link";
      link.textContent = shownUrl(text.slice(span[0], span[1]));
      holder.appendChild(link);
      last = span[1];
    });
    appendPlain(holder, text.slice(last));
    Array.from(holder.childNodes).forEach(function (child) {
      if (child.nodeType !== 3 || child.nodeValue.indexOf("\n") === -1) { node.appendChild(child); return; }
      child.nodeValue.split("\n").forEach(function (line, i) {
        if (i) node.appendChild(document.createElement("br"));
        node.appendChild(document.createTextNode(line));
      });
    });
  }

  function setCounter(counter, value, max) {
    counter.textContent = value + "/" + max;
    counter.classList.toggle("over", value > max);
  }

  function update(field) {
    var id = field.id, text = field.value, over = false;
    document.querySelectorAll('[data-counter-of="' + id + '"]').forEach(function (counter) {
      var kind = counter.dataset.counterKind;
      if (kind === "li-hook") setCounter(counter, text.split("\n")[0].length, config.hookMax);
      else if (kind === "li") { setCounter(counter, text.length, config.linkedinMax); over = text.length > config.linkedinMax; }
      else { var n = xLength(text); setCounter(counter, n, config.maxWeight); over = n > config.maxWeight; }
    });
    field.setAttribute("aria-invalid", over ? "true" : "false");
    document.querySelectorAll('[data-preview-of="' + id + '"]').forEach(function (preview) {
      var kind = preview.dataset.previewKind, firstBreak = text.indexOf("\n");
      if (kind === "x") render(preview, text, xShownUrl);
      else if (kind === "li-hook") render(preview, firstBreak === -1 ? text : text.slice(0, firstBreak), String);
      else render(preview, firstBreak === -1 ? "" : text.slice(firstBreak + 1).replace(/^\n+/, ""), String);
    });
    seeMore();
  }

  document.querySelectorAll("textarea[data-count]").forEach(function (field) {
    field.addEventListener("input", function () { update(field); });
    update(field);
  });

  // LinkedIn shows the first line, then "…see more".
  var expanded = false;
  function seeMore() {
    var box = document.querySelector("[data-li-preview]");
    if (!box) return;
    var rest = box.querySelector(".li-rest"), button = box.querySelector("[data-see-more]");
    var hasMore = rest.textContent.trim() !== "";
    rest.hidden = !hasMore || !expanded;
    button.hidden = !hasMore || expanded;
  }
  var moreButton = document.querySelector("[data-see-more]");
  if (moreButton) moreButton.addEventListener("click", function () { expanded = true; seeMore(); });
  seeMore();

  // Copy: the clipboard API where allowed, else select the text for Ctrl+C.
  function copy(text, button, field) {
    var label = button.textContent;
    function done(message) {
      button.textContent = message;
      setTimeout(function () { button.textContent = label; }, 1600);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done("Copied ✓"); }, function () { done("Copy failed"); });
      return;
    }
    if (field) {
      field.closest("details") && (field.closest("details").open = true);
      field.focus();
      field.select();
      done(document.execCommand && document.execCommand("copy") ? "Copied ✓" : "Press Ctrl+C");
    }
  }
  document.querySelectorAll(".js-only").forEach(function (button) { button.hidden = false; });
  document.querySelectorAll("[data-copy-from]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copyFrom);
      copy(field.value.trim(), button, field);
    });
  });
  document.querySelectorAll("[data-copy-thread]").forEach(function (button) {
    button.addEventListener("click", function () {
      var fields = Array.from(document.querySelectorAll('textarea[data-count="x"]'));
      copy(fields.map(function (field) { return field.value.trim(); }).join("\n\n"), button, fields[0]);
    });
  });

  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });
})();
