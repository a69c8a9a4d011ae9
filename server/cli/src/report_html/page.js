// marginalia report: hover details, click to filter the network, file lists of the findings.
// Data comes from the JSON blob and is put into the page with textContent only.
"use strict";
(function () {
  var D = JSON.parse(document.getElementById("data").textContent);
  // Articles come as [path, title, published, node indices, [[code index, count]…],
  // timeline bucket indices].
  D.articles = D.articles.map(function (r) { return { p: r[0], t: r[1], d: r[2], n: r[3], f: r[4], e: r[5] }; });
  var svg = document.getElementById("net");
  var panel = document.getElementById("panel");
  var tip = document.getElementById("tip");
  var nodes = D.nodes, edges = D.edges;
  var adj = nodes.map(function () { return []; });
  edges.forEach(function (e, k) { adj[e.a].push(k); adj[e.b].push(k); });
  var byNode = nodes.map(function () { return []; });
  D.articles.forEach(function (a, k) { a.n.forEach(function (i) { byNode[i].push(k); }); });

  function el(tag, text, cls) {
    var x = document.createElement(tag);
    if (text !== undefined && text !== null) x.textContent = String(text);
    if (cls) x.className = cls;
    return x;
  }
  function href(p) {
    return D.base + p.split("/").map(encodeURIComponent).join("/");
  }
  function articleItem(a) {
    var li = el("li");
    var link = el("a", a.t || a.p);
    link.href = href(a.p);
    li.appendChild(link);
    if (a.d) li.appendChild(el("small", " " + a.d));
    if (a.t) { li.appendChild(el("br")); li.appendChild(el("small", a.p)); }
    return li;
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  // ---- tooltip
  function showTip(ev, title, lines) {
    tip.textContent = "";
    tip.appendChild(el("b", title));
    lines.forEach(function (l) { tip.appendChild(el("div", l)); });
    tip.hidden = false;
    var x = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    var y = Math.min(ev.clientY + 14, window.innerHeight - tip.offsetHeight - 8);
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }
  function hideTip() { tip.hidden = true; }

  // ---- selection
  var selected = -1;
  function select(i) {
    selected = i;
    if (!svg) return;
    var keep = {};
    var lines = svg.querySelectorAll(".edges line");
    var circles = svg.querySelectorAll(".nodes circle");
    var labels = svg.querySelectorAll(".labels text");
    if (i < 0) {
      svg.classList.remove("filtered");
      [].forEach.call(lines, function (l) { l.classList.remove("dim", "hl"); });
      [].forEach.call(circles, function (c) { c.classList.remove("dim", "sel"); });
      [].forEach.call(labels, function (t) { t.classList.remove("dim"); });
      panel.textContent = "";
      panel.appendChild(el("p", "Click an institution to list its partners and articles.", "hint"));
      showTimeline(-1);
      return;
    }
    keep[i] = true;
    adj[i].forEach(function (k) { keep[edges[k].a] = true; keep[edges[k].b] = true; });
    svg.classList.add("filtered");
    [].forEach.call(lines, function (l) {
      var e = edges[+l.getAttribute("data-e")];
      var on = e.a === i || e.b === i;
      l.classList.toggle("dim", !on);
      l.classList.toggle("hl", on);
    });
    [].forEach.call(circles, function (c) {
      var n = +c.getAttribute("data-n");
      c.classList.toggle("dim", !keep[n]);
      c.classList.toggle("sel", n === i);
    });
    [].forEach.call(labels, function (t) { t.classList.toggle("dim", !keep[+t.getAttribute("data-n")]); });
    showPanel(i);
    showTimeline(i);
  }
  // The selected institution's share of each timeline bar.
  var tl = document.getElementById("tl");
  var tlNote = document.getElementById("tl-sel");
  function showTimeline(i) {
    if (!tl) return;
    [].forEach.call(tl.querySelectorAll("rect.part"), function (r) { r.remove(); });
    tlNote.hidden = i < 0;
    tl.classList.toggle("filtered", i >= 0);
    if (i < 0) return;
    var counts = {};
    var total = 0;
    byNode[i].forEach(function (k) {
      D.articles[k].e.forEach(function (b) { counts[b] = (counts[b] || 0) + 1; total++; });
    });
    var bars = tl.querySelectorAll("rect.bar");
    Object.keys(counts).forEach(function (b) {
      var bar = bars[+b];
      var all = D.timeline.buckets[+b][1];
      if (!bar || !all) return;
      var h = +bar.getAttribute("height") * counts[b] / all;
      var r = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      r.setAttribute("class", "part");
      r.setAttribute("x", bar.getAttribute("x"));
      r.setAttribute("width", bar.getAttribute("width"));
      r.setAttribute("y", +bar.getAttribute("y") + +bar.getAttribute("height") - h);
      r.setAttribute("height", h);
      tl.appendChild(r);
    });
    tlNote.textContent = "Dark: the " + plural(total, "event date", "event dates") + " of the articles naming " + nodes[i].name + ".";
  }
  function showPanel(i) {
    var n = nodes[i];
    panel.textContent = "";
    panel.appendChild(el("h3", n.name));
    panel.appendChild(el("div", n.id + (n.country ? " · " + n.country : "")));
    panel.appendChild(el("div", plural(n.articles, "article", "articles") + " · " + plural(n.partners, "partner", "partners")));
    var clear = el("button", "Show all");
    clear.type = "button";
    clear.addEventListener("click", function () { select(-1); });
    panel.appendChild(clear);
    var partners = adj[i].map(function (k) {
      var e = edges[k];
      return { n: e.a === i ? e.b : e.a, c: e.articles };
    }).sort(function (x, y) { return y.c - x.c || x.n - y.n; });
    panel.appendChild(el("h3", "Partners in the network (" + partners.length + ")"));
    var ul = el("ul", null, "partners");
    partners.forEach(function (p) {
      var li = el("li");
      var a = el("a", nodes[p.n].name);
      a.href = "#";
      a.addEventListener("click", function (ev) { ev.preventDefault(); select(p.n); });
      li.appendChild(a);
      li.appendChild(el("small", " " + (nodes[p.n].country || "") + " · " + plural(p.c, "article", "articles")));
      ul.appendChild(li);
    });
    panel.appendChild(ul);
    var list = byNode[i].slice().sort(function (x, y) {
      var a = D.articles[x], b = D.articles[y];
      return a.d < b.d ? 1 : a.d > b.d ? -1 : x - y;
    });
    panel.appendChild(el("h3", "Articles (" + list.length + ")"));
    var ol = el("ol", null, "articles");
    list.forEach(function (k) { ol.appendChild(articleItem(D.articles[k])); });
    panel.appendChild(ol);
  }

  if (svg) {
    svg.addEventListener("mouseover", function (ev) {
      var t = ev.target;
      if (t.hasAttribute("data-n") && t.tagName === "circle") {
        var n = nodes[+t.getAttribute("data-n")];
        showTip(ev, n.name, [n.id, (n.country || "no country") + " · " + plural(n.articles, "article", "articles") + " · " + plural(n.partners, "partner", "partners")]);
      } else if (t.hasAttribute("data-e")) {
        var e = edges[+t.getAttribute("data-e")];
        showTip(ev, nodes[e.a].name + " – " + nodes[e.b].name, [plural(e.articles, "article names", "articles name") + " both"]);
      }
    });
    svg.addEventListener("mousemove", function (ev) {
      if (!tip.hidden) {
        tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 8) + "px";
        tip.style.top = Math.min(ev.clientY + 14, window.innerHeight - tip.offsetHeight - 8) + "px";
      }
    });
    svg.addEventListener("mouseout", hideTip);
    svg.addEventListener("click", function (ev) {
      var t = ev.target;
      if (t.tagName === "circle" && t.hasAttribute("data-n")) select(+t.getAttribute("data-n"));
      else select(-1);
    });
    svg.addEventListener("keydown", function (ev) {
      var t = ev.target;
      if ((ev.key === "Enter" || ev.key === " ") && t.hasAttribute("data-n")) {
        ev.preventDefault();
        select(+t.getAttribute("data-n"));
      } else if (ev.key === "Escape") select(-1);
    });
  }
  [].forEach.call(document.querySelectorAll("tr.pick"), function (tr) {
    tr.addEventListener("click", function () {
      select(+tr.getAttribute("data-n"));
      if (svg) svg.scrollIntoView({ block: "start" });
    });
  });

  // ---- annotation health: the files of each code
  [].forEach.call(document.querySelectorAll("#health details[data-c]"), function (d) {
    var c = +d.getAttribute("data-c");
    var ol = d.querySelector("ol");
    D.articles.forEach(function (a) {
      a.f.forEach(function (f) {
        if (f[0] !== c) return;
        var li = articleItem(a);
        li.appendChild(el("small", " (" + plural(f[1], "finding", "findings") + ")"));
        ol.appendChild(li);
      });
    });
  });
  var all = document.querySelector("#with-findings ol");
  if (all) {
    D.articles.forEach(function (a) {
      if (!a.f.length) return;
      var li = articleItem(a);
      li.appendChild(el("small", " " + a.f.map(function (f) {
        return D.codes[f[0]].code + (f[1] > 1 ? " ×" + f[1] : "");
      }).join(", ")));
      all.appendChild(li);
    });
  }
  document.documentElement.setAttribute("data-ready", "1");
})();
