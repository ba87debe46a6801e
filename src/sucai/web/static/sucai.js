/* sucai 素材库 — the few behaviours the pages need, hand-written, no libraries.
 *
 * Everything works without this file (plain links and forms); it only makes them quicker:
 *   [data-suggest]   as-you-type suggestions from /api/suggest (titles, outline points, pinyin initials)
 *   [data-copy]      copy a paragraph; [data-copy-self] copy the element's own text
 *   [data-jump]      outline links scroll smoothly and flash the heading; the current section is marked
 *   form[data-async] post in the background and show the answer's message (like htmx's hx-post)
 *   form[data-upload] upload with a progress bar, then open the ingest job page
 *   [data-job]       poll an ingest job's progress until it finishes
 *   form[data-confirm], [data-back], textarea[data-autosize]
 */
(function () {
  "use strict";

  function $all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  var toastTimer = null;
  function toast(message) {
    var box = document.querySelector(".toast");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { box.hidden = true; }, 2600);
  }

  function errorMessage(text, fallback) {
    try { return JSON.parse(text).error || fallback; } catch (e) { return fallback; }
  }

  /* -- suggestions ------------------------------------------------------------------------------ */
  function setupSuggest(input) {
    var list = document.createElement("ul");
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("aria-autocomplete", "list");
    var timer = null, sequence = 0, active = -1;

    function close() { list.hidden = true; active = -1; }

    function show(items) {
      list.textContent = "";
      active = -1;
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        var a = document.createElement("a");
        a.href = "/d/" + encodeURIComponent(item.id);
        var kind = document.createElement("span");
        kind.className = "kind " + (item.kind === "title" ? "title" : "heading");
        kind.textContent = item.kind === "title" ? "标题" : "提纲";
        var text = document.createElement("span");
        text.textContent = item.text;
        a.appendChild(kind);
        a.appendChild(text);
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      var mine = ++sequence;
      if (!q) { close(); return; }
      fetch("/api/suggest?limit=8&q=" + encodeURIComponent(q), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) { if (mine === sequence) show(data.suggestions || []); })
        .catch(function () { close(); });
    }

    function move(step) {
      var items = $all("li", list);
      if (!items.length) return;
      if (active >= 0) items[active].classList.remove("active");
      active = (active + step + items.length) % items.length;
      items[active].classList.add("active");
      items[active].scrollIntoView({ block: "nearest" });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = $all("li a", list)[active].href;
      }
    });
    document.addEventListener("click", function (event) {
      if (!input.parentNode.contains(event.target)) close();
    });
  }

  /* -- copy -------------------------------------------------------------------------------------- */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http on an intranet has no Clipboard API: fall back to a selected textarea.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  function setupCopy(button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var block = document.getElementById(button.getAttribute("data-copy"));
      var text = block ? block.querySelector("p, h2, h3, h4").textContent : "";
      copyText(text).then(function () { toast("已复制（" + text.length + " 字）"); },
                          function () { toast("复制失败，请手动选择文字复制"); });
    });
  }

  function setupCopySelf(element) {
    element.title = "点击复制";
    element.addEventListener("click", function () {
      copyText(element.textContent).then(function () { toast("已复制"); }, function () {});
    });
  }

  /* -- outline ----------------------------------------------------------------------------------- */
  function flash(target) {
    target.classList.remove("flash");
    void target.offsetWidth; // restart the animation
    target.classList.add("flash");
  }

  function setupOutline() {
    var outline = document.querySelector("details[data-outline]");
    // On a phone the outline starts folded so the text comes first; one tap opens it.
    if (outline && window.innerWidth < 860) outline.open = false;
    var links = $all("a[data-jump]");
    if (!links.length) return;
    links.forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        event.preventDefault();
        target.scrollIntoView({ behavior: "smooth", block: "start" });
        history.replaceState(null, "", link.getAttribute("href"));
        flash(target);
        var details = link.closest("details");
        if (details && window.innerWidth < 860) details.open = false;
      });
    });
    if (!("IntersectionObserver" in window)) return;
    var byId = {};
    links.forEach(function (link) { byId[link.getAttribute("href").slice(1)] = link; });
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        links.forEach(function (l) { l.classList.remove("current"); });
        var link = byId[entry.target.id];
        if (link) link.classList.add("current");
      });
    }, { rootMargin: "0px 0px -70% 0px" });
    Object.keys(byId).forEach(function (id) {
      var heading = document.getElementById(id);
      if (heading) observer.observe(heading);
    });
  }

  function flashHash() {
    if (!location.hash) return;
    var target = document.getElementById(location.hash.slice(1));
    if (target && target.classList.contains("blk")) flash(target);
  }

  /* -- forms ------------------------------------------------------------------------------------- */
  function setupAsyncForm(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (r) {
        return r.text().then(function (text) {
          if (r.status === 401) { window.location.href = "/login?next=" + encodeURIComponent(location.pathname); return; }
          if (!r.ok) { toast(errorMessage(text, "操作失败（" + r.status + "）")); return; }
          toast(JSON.parse(text).message || "已完成");
        });
      }).catch(function () { toast("网络错误，请重试"); })
        .then(function () { if (button) button.disabled = false; });
    });
  }

  function setupUpload(form) {
    var bar = form.querySelector(".upload-progress");
    var status = form.querySelector(".upload-status");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      bar.hidden = false;
      bar.value = 0;
      status.textContent = "正在上传…";
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        bar.value = Math.round(100 * e.loaded / e.total);
        status.textContent = "正在上传 " + bar.value + "%";
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 202) {
          status.textContent = "上传完成，正在导入…";
          window.location.href = JSON.parse(xhr.responseText).url;
        } else {
          bar.hidden = true;
          status.textContent = errorMessage(xhr.responseText, "上传失败（" + xhr.status + "）");
        }
      });
      xhr.addEventListener("error", function () { status.textContent = "网络错误，上传失败"; });
      xhr.send(new FormData(form));
    });
  }

  function setupJob(card) {
    if (card.getAttribute("data-finished") === "yes") return;
    var id = card.getAttribute("data-job");
    var bar = card.querySelector(".job-progress");
    function poll() {
      fetch("/admin/jobs/" + encodeURIComponent(id) + "/progress", {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (r) { return r.json(); }).then(function (job) {
        if (job.finished) { window.location.reload(); return; }
        bar.max = Math.max(job.total, 1);
        bar.value = job.done;
        card.querySelector(".done").textContent = job.done;
        card.querySelector(".total").textContent = job.total;
        card.querySelector(".current").textContent = job.current ? "：" + job.current : "";
        setTimeout(poll, 600);
      }).catch(function () { setTimeout(poll, 2000); });
    }
    setTimeout(poll, 300);
  }

  function setupConfirm(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  }

  function setupBack(link) {
    link.addEventListener("click", function (event) {
      if (history.length > 1) { event.preventDefault(); history.back(); }
    });
  }

  function setupAutosize(area) {
    function fit() {
      area.style.height = "auto";
      area.style.height = Math.min(area.scrollHeight + 4, window.innerHeight * 0.8) + "px";
    }
    area.addEventListener("input", fit);
    fit();
  }

  document.addEventListener("DOMContentLoaded", function () {
    $all("input[data-suggest]").forEach(setupSuggest);
    $all("button[data-copy]").forEach(setupCopy);
    $all("[data-copy-self]").forEach(setupCopySelf);
    $all("form[data-async]").forEach(setupAsyncForm);
    $all("form[data-upload]").forEach(setupUpload);
    $all("[data-job]").forEach(setupJob);
    $all("form[data-confirm]").forEach(setupConfirm);
    $all("[data-back]").forEach(setupBack);
    $all("textarea[data-autosize]").forEach(setupAutosize);
    setupOutline();
    flashHash();
    // A lint or check report is rendered below the draft: bring it into view.
    var report = document.querySelector(".report");
    if (report) report.scrollIntoView({ block: "start" });
  });
})();
