/*! Shiplog "what's new" widget · vanilla JS, no dependencies, no cookies · docs/widget.md */
(function (w, d) {
  "use strict";
  var api = w.Shiplog = w.Shiplog || {};
  if (api.version) return;
  var queued = api.q || [];
  var SIZES = {small: [300, 380, 46], medium: [360, 480, 54], large: [420, 600, 62]};
  var TIMEOUT = 8000;
  var tag, id, base, storeKey, preview, host, root, box, launcher, badge, panel, list, title, more;
  var data = null, over = {}, opened = false, pending = false, unread = 0, seen = 0, fresh = {}, listeners = [], lastFocus = null;

  function noop() {}
  function guard(fn) {
    return function () { try { return fn.apply(this, arguments); } catch (e) { /* never throw into the host */ } };
  }
  function el(name, cls, text) {
    var node = d.createElement(name);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }
  function storeGet() { try { return +w.localStorage.getItem(storeKey) || 0; } catch (e) { return 0; } }
  function storeSet(value) { try { w.localStorage.setItem(storeKey, String(value)); } catch (e) { /* storage off */ } }
  function time(entry) { return Date.parse(entry.publishedAt) || 0; }
  function config(name) { return over[name] != null ? over[name] : data[name]; }

  function rgb(hex) {
    var h = String(hex || "").replace("#", "");
    if (h.length === 3) h = h.replace(/./g, "$&$&");
    var n = parseInt(h.slice(0, 6), 16);
    return isNaN(n) ? [255, 255, 255] : [n >> 16, (n >> 8) & 255, n & 255];
  }
  function luminance(c) { return (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255; }
  function alpha(c, a) { return "rgba(" + c.join(",") + "," + a + ")"; }
  function cssLuminance(value) {
    var m = /rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?/.exec(value || "");
    return !m || m[4] === "0" ? -1 : luminance([+m[1], +m[2], +m[3]]);
  }
  function hostIsDark() {
    var theme = tag.getAttribute("data-theme");
    if (theme === "light" || theme === "dark") return theme === "dark";
    for (var node = host.parentNode; node && node.nodeType === 1; node = node.parentNode) {
      var l = cssLuminance(getComputedStyle(node).backgroundColor);
      if (l >= 0) return l < 0.4;
    }
    return /dark/.test(getComputedStyle(d.documentElement).colorScheme || "") &&
      w.matchMedia && w.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  var CSS = [
    ":host{all:initial!important;display:block!important;position:fixed!important;z-index:2147483000!important;",
    "width:0!important;height:0!important;margin:0!important;padding:0!important;border:0!important;",
    "transform:none!important;pointer-events:none!important}",
    ":host([box]){position:absolute!important}",
    ":host([pos^=bottom]){bottom:20px!important}:host([pos^=top]){top:20px!important}",
    ":host([pos$=right]){right:20px!important}:host([pos$=left]){left:20px!important}",
    "[hidden]{display:none!important}",
    ".w{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);-webkit-font-smoothing:antialiased}",
    ".w *{box-sizing:border-box}",
    "button{font:inherit;color:inherit;background:none;border:0;margin:0;padding:0;cursor:pointer}",
    "a{color:inherit;text-decoration:none}",
    ":focus-visible{outline:2px solid var(--p);outline-offset:2px}",
    ".launch{position:absolute;pointer-events:auto;width:var(--l);height:var(--l);border-radius:50%;display:grid;",
    "place-items:center;background:var(--p);color:var(--pi);box-shadow:0 6px 20px rgba(0,0,0,.22);transition:transform .15s}",
    ".launch:hover{transform:scale(1.06)}.launch svg{width:45%;height:45%}",
    ":host([pos$=right]) .launch,:host([pos$=right]) .panel{right:0}:host([pos$=left]) .launch,:host([pos$=left]) .panel{left:0}",
    ":host([pos^=bottom]) .launch{bottom:0}:host([pos^=top]) .launch{top:0}",
    ":host([pos^=bottom]) .panel{bottom:calc(var(--l) + 12px)}:host([pos^=top]) .panel{top:calc(var(--l) + 12px)}",
    ".badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;",
    "background:#ef4444;color:#fff;font-size:12px;font-weight:700;line-height:20px;text-align:center;",
    "box-shadow:0 0 0 2px var(--bg)}",
    ".panel{position:absolute;pointer-events:auto;display:flex;flex-direction:column;width:min(var(--pw),calc(100vw - 40px));",
    "max-height:min(var(--ph),calc(100vh - var(--l) - 60px));background:var(--bg);color:var(--fg);border-radius:14px;",
    "border:1px solid var(--line);box-shadow:0 18px 50px rgba(0,0,0,.28);overflow:hidden;opacity:0;",
    "transform:translateY(8px);transition:opacity .16s ease,transform .16s ease}",
    ".panel.in{opacity:1;transform:none}",
    ".head{display:flex;align-items:center;gap:8px;padding:14px 14px 12px 16px;border-bottom:1px solid var(--line)}",
    ".title{margin:0;font-size:16px;font-weight:700;flex:1;min-width:0}",
    ".sub{display:block;font-size:12px;font-weight:500;opacity:.65;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}",
    ".x{width:30px;height:30px;border-radius:8px;display:grid;place-items:center;opacity:.7}",
    ".x:hover{opacity:1;background:var(--hover)}.x svg{width:16px;height:16px}",
    ".list{list-style:none;margin:0;padding:6px;overflow:auto;overscroll-behavior:contain;flex:1}",
    ".item{display:block;padding:10px;border-radius:10px}.item:hover{background:var(--hover)}",
    ".meta{display:flex;flex-wrap:wrap;align-items:center;gap:6px;font-size:12px;margin-bottom:3px}",
    ".meta time{opacity:.65}",
    ".cat{padding:1px 8px;border-radius:999px;font-weight:600;background:rgba(100,116,139,.16)}",
    ".cat-New{background:rgba(16,185,129,.18)}.cat-Improved{background:rgba(59,130,246,.18)}",
    ".cat-Fixed{background:rgba(245,158,11,.2)}",
    ".new{padding:1px 7px;border-radius:999px;font-weight:700;font-size:11px;background:var(--p);color:var(--pi)}",
    ".t{display:block;font-weight:600;font-size:14.5px}",
    ".s{margin-top:2px;font-size:13px;opacity:.72;overflow:hidden;display:-webkit-box;",
    "-webkit-line-clamp:2;-webkit-box-orient:vertical}",
    ".empty{padding:28px 12px;text-align:center;opacity:.65}",
    ".foot{display:flex;justify-content:space-between;align-items:center;padding:10px 16px;font-size:13px;",
    "border-top:1px solid var(--line)}",
    ".all{color:var(--link);font-weight:600}.all:hover{text-decoration:underline}.by{opacity:.5;font-size:11px}",
    "@media (max-width:480px){:host(:not([box])) .panel{width:calc(100vw - 40px)}}",
    "@media (prefers-reduced-motion:reduce){.panel,.launch{transition:none}.launch:hover{transform:none}}"
  ].join("");
  var BELL = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" ' +
    'stroke-linejoin="round" aria-hidden="true"><path d="M18 8A6 6 0 0 0 6 8c0 7-3 9-3 9h18s-3-2-3-9"/>' +
    '<path d="M13.73 21a2 2 0 0 1-3.46 0"/></svg>';
  var CROSS = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" ' +
    'aria-hidden="true"><path d="M18 6 6 18M6 6l12 12"/></svg>';

  function styleInto(shadow) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      shadow.adoptedStyleSheets = [sheet];
    } catch (e) {
      var style = el("style", null, CSS);
      if (tag.nonce) style.nonce = tag.nonce;
      shadow.appendChild(style);
    }
  }

  function build() {
    host = d.createElement("shiplog-widget");
    root = host.attachShadow({mode: "open"});
    styleInto(root);
    box = el("div", "w");
    launcher = el("button", "launch");
    launcher.type = "button";
    launcher.setAttribute("aria-haspopup", "dialog");
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "sl-panel");
    launcher.innerHTML = BELL;
    badge = el("span", "badge");
    badge.setAttribute("aria-hidden", "true");
    badge.hidden = true;
    launcher.appendChild(badge);
    panel = el("div", "panel");
    panel.id = "sl-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "true");
    panel.setAttribute("aria-labelledby", "sl-title");
    var head = el("div", "head"), heading = el("div");
    heading.style.flex = "1";
    heading.style.minWidth = "0";
    title = el("h2", "title", tag.getAttribute("data-title") || "What's new");
    title.id = "sl-title";
    var sub = el("span", "sub");
    var close = el("button", "x");
    close.type = "button";
    close.setAttribute("aria-label", "Close");
    close.innerHTML = CROSS;
    close.addEventListener("click", guard(function () { hide(true); }));
    heading.appendChild(title);
    heading.appendChild(sub);
    head.appendChild(heading);
    head.appendChild(close);
    list = el("ul", "list");
    var foot = el("div", "foot");
    more = el("a", "all", "View full changelog \u2192");
    more.target = "_blank";
    more.rel = "noopener";
    foot.appendChild(more);
    foot.appendChild(el("span", "by", "Shiplog"));
    panel.appendChild(head);
    panel.appendChild(list);
    panel.appendChild(foot);
    box.appendChild(panel);
    box.appendChild(launcher);
    root.appendChild(box);
    launcher.addEventListener("click", guard(toggle));
    root.addEventListener("keydown", guard(onKey));
    list.addEventListener("click", guard(onEntryClick));
    list.addEventListener("auxclick", guard(onEntryClick));
    d.addEventListener("click", guard(onDocumentClick), true);
    var container = tag.getAttribute("data-shiplog-container");
    var parent = container && d.querySelector(container);
    if (parent) host.setAttribute("box", "");
    (parent || d.body).appendChild(host);
    return sub;
  }

  function apply() {
    var colors = config("colors") || {}, size = SIZES[config("size")] || SIZES.medium;
    var p = rgb(colors.primary), bg = rgb(colors.background), fg = rgb(colors.text);
    var pw = size[0], ph = size[1], parent = host.parentNode;
    if (host.hasAttribute("box")) {
      pw = Math.min(pw, parent.clientWidth - 40);
      ph = Math.min(ph, parent.clientHeight - size[2] - 52);
    }
    if (hostIsDark() && luminance(bg) > 0.6) { bg = [17, 24, 39]; fg = [243, 244, 246]; }
    var vars = {
      "--p": "rgb(" + p + ")", "--pi": luminance(p) > 0.6 ? "#111827" : "#fff",
      "--bg": "rgb(" + bg + ")", "--fg": "rgb(" + fg + ")", "--line": alpha(fg, 0.12), "--hover": alpha(fg, 0.06),
      "--link": Math.abs(luminance(p) - luminance(bg)) > 0.3 ? "rgb(" + p + ")" : "rgb(" + fg + ")",
      "--pw": pw + "px", "--ph": ph + "px", "--l": size[2] + "px"
    };
    for (var name in vars) box.style.setProperty(name, vars[name]);
    host.setAttribute("pos", config("position") || "bottom-right");
    launcher.hidden = !!d.querySelector("[data-shiplog-trigger]");
  }

  function render() {
    var options = config("options") || {}, entries = data.entries || [];
    list.textContent = "";
    more.href = /^https?:\/\//.test(data.changelogUrl) ? data.changelogUrl : "#";
    if (!entries.length) list.appendChild(el("li", "empty", "No updates yet."));
    entries.forEach(function (entry) {
      var item = el("li"), link = el("a", "item"), meta = el("span", "meta");
      link.href = /^https?:\/\//.test(entry.url) ? entry.url : "#";
      link.target = "_blank";
      link.rel = "noopener";
      link.setAttribute("data-id", entry.id);
      if (options.showCategory !== false && entry.category) meta.appendChild(el("span", "cat cat-" + entry.category, entry.category));
      if (options.showDate !== false && time(entry)) {
        var when = el("time", null, new Date(time(entry)).toLocaleDateString(undefined, {month: "short", day: "numeric", year: "numeric"}));
        when.dateTime = entry.publishedAt;
        meta.appendChild(when);
      }
      if (options.showNewBadge !== false && fresh[entry.id]) meta.appendChild(el("span", "new", "New"));
      if (meta.childNodes.length) link.appendChild(meta);
      link.appendChild(el("span", "t", entry.title));
      if (entry.summary) link.appendChild(el("span", "s", entry.summary));
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  function setUnread(count, always) {
    var changed = always || count !== unread;
    unread = count;
    badge.textContent = count > 9 ? "9+" : String(count);
    badge.hidden = !count;
    launcher.setAttribute("aria-label", (title.textContent) + (count ? ", " + count + " unread" : ""));
    var triggers = d.querySelectorAll("[data-shiplog-trigger]");
    for (var i = 0; i < triggers.length; i++) {
      if (count) triggers[i].setAttribute("data-shiplog-unread", count);
      else triggers[i].removeAttribute("data-shiplog-unread");
    }
    if (changed) listeners.forEach(function (fn) { notify(fn); });
  }
  function notify(fn) { try { fn(unread); } catch (e) { /* the host's callback */ } }

  function show(body) {
    var sub = host ? null : build();
    data = body;
    if (sub) sub.textContent = data.name || data.repoId || "";
    fresh = {};
    (data.entries || []).forEach(function (entry) { if (time(entry) > seen) fresh[entry.id] = 1; });
    apply();
    render();
    setUnread(Object.keys(fresh).length, true);
    if (pending || tag.hasAttribute("data-shiplog-open")) open();
  }

  function open() {
    pending = !data;
    if (!data || opened) return;
    opened = true;
    lastFocus = root.activeElement || d.activeElement;
    apply();
    render();
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    w.requestAnimationFrame(function () { panel.classList.add("in"); });
    var first = panel.querySelector(".item") || panel.querySelector("button");
    if (!tag.hasAttribute("data-shiplog-open")) first.focus();
    var newest = Math.max.apply(null, [seen].concat((data.entries || []).map(time)));
    if (newest > seen) { seen = newest; if (!preview) storeSet(seen); }
    fresh = {};
    setUnread(0);
  }

  function hide(restore) {
    if (!opened) return;
    opened = false;
    panel.classList.remove("in");
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    if (restore && lastFocus && lastFocus.focus) lastFocus.focus();
  }

  function toggle() { if (opened) hide(true); else open(); }

  function onKey(event) {
    if (!opened) return;
    if (event.key === "Escape") { event.stopPropagation(); hide(true); return; }
    if (event.key !== "Tab") return;
    var items = panel.querySelectorAll("a[href],button"), first = items[0], last = items[items.length - 1];
    var active = root.activeElement;
    if (event.shiftKey && (active === first || !panel.contains(active))) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && (active === last || !panel.contains(active))) { event.preventDefault(); first.focus(); }
  }

  function onDocumentClick(event) {
    var target = event.target, trigger = target && target.closest && target.closest("[data-shiplog-trigger]");
    if (trigger) { event.preventDefault(); toggle(); return; }
    if (opened && !host.hasAttribute("box") && (event.composedPath ? event.composedPath() : []).indexOf(host) < 0) hide(false);
  }

  function onEntryClick(event) {
    var link = event.target.closest && event.target.closest(".item");
    if (link && (event.type === "click" || event.button === 1)) track({event: "click", entryId: link.getAttribute("data-id")});
  }

  function track(body) {
    if (preview) return;
    var url = base + "/api/widget/" + encodeURIComponent(id) + "/track", payload = JSON.stringify(body);
    try {
      if (w.fetch) {
        w.fetch(url, {method: "POST", body: payload, keepalive: true, credentials: "omit", mode: "no-cors",
          headers: {"Content-Type": "text/plain"}}).catch(noop);
        return;
      }
    } catch (e) { /* fall back to the beacon */ }
    if (navigator.sendBeacon) navigator.sendBeacon(url, payload);
  }

  function load() {
    var ctrl = w.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, TIMEOUT);
    w.fetch(base + "/api/widget/" + encodeURIComponent(id), {credentials: "omit", signal: ctrl && ctrl.signal})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(guard(function (body) {
        clearTimeout(timer);
        if (body && body.entries) { show(body); track({event: "impression"}); }
      }))
      .catch(noop);
  }

  function start() {
    tag = d.querySelector("script[data-widget-id]");
    if (!tag || !w.fetch || !w.Element.prototype.attachShadow) return;
    id = tag.getAttribute("data-widget-id");
    base = new URL(tag.src, location.href).origin;
    storeKey = "shiplog:" + id + ":seen";
    preview = tag.getAttribute("data-shiplog-preview");
    seen = preview ? 0 : storeGet();
    if (preview) show(JSON.parse(d.getElementById(preview).textContent));
    else load();
  }

  api.open = guard(open);
  api.close = guard(function () { hide(true); });
  api.toggle = guard(toggle);
  api.onUnreadChange = guard(function (fn) {
    if (typeof fn !== "function") return noop;
    listeners.push(fn);
    if (data) notify(fn);
    return function () { listeners = listeners.filter(function (other) { return other !== fn; }); };
  });
  api.configure = guard(function (changes) {
    for (var name in changes) over[name] = changes[name];
    if (data) { apply(); render(); }
  });
  api.version = "1";
  guard(function () {
    if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", guard(start));
    else start();
    queued.forEach(function (call) { if (api[call[0]]) api[call[0]].apply(null, call[1]); });
  })();
})(window, document);
