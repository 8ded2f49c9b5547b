// The dashboard's browser script (plain ES2020, no libraries): polls GET /dashboard/state once a second,
// renders it, and sends the actions to this node's ordinary REST endpoints (POST /switchover, /restart,
// /reload, PATCH /config) with the Basic credentials typed into the page. Kept free of backticks and
// dollar-brace so it can live in a template string.
export const DASHBOARD_JS = String.raw`
"use strict";
var POLL_MS = 1000;
var last = null;
var busy = false;

function $(id) { return document.getElementById(id); }
function el(tag, attrs, children) {
  var e = document.createElement(tag);
  if (attrs) for (var k in attrs) { if (k === "text") e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]); }
  (children || []).forEach(function (c) { if (c !== null && c !== undefined) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
  return e;
}
function roleText(r) { return r.replace(/_/g, " "); }
function bytes(n) {
  if (n === null || n === undefined) return "";
  if (n < 1024) return n + " B";
  if (n < 1048576) return (n / 1024).toFixed(1) + " kB";
  if (n < 1073741824) return (n / 1048576).toFixed(1) + " MB";
  return (n / 1073741824).toFixed(2) + " GB";
}
function ago(iso) {
  var s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (!isFinite(s)) return "";
  return s < 1 ? "just now" : s < 120 ? s + " s ago" : Math.round(s / 60) + " min ago";
}

/** Leader first, then each member under its upstream (replicatefrom), for cascades. */
function topoOrder(members, leader) {
  var names = {}; members.forEach(function (m) { names[m.name] = m; });
  var kids = {};
  members.forEach(function (m) {
    if (m.name === leader) return;
    var parent = m.upstream && names[m.upstream] && m.upstream !== m.name ? m.upstream : (leader || "");
    (kids[parent] = kids[parent] || []).push(m);
  });
  var out = [], seen = {};
  function walk(m, depth) {
    if (seen[m.name]) return; seen[m.name] = true;
    out.push({ m: m, depth: depth });
    (kids[m.name] || []).forEach(function (k) { walk(k, depth + 1); });
  }
  if (leader && names[leader]) walk(names[leader], 0);
  (kids[""] || []).forEach(function (k) { walk(k, 0); });
  members.forEach(function (m) { walk(m, 0); });
  return out;
}

function outlookBadge(m) {
  var map = { leader: ["b-leader", "leader"], would_lead: ["b-lead", "would lead"], eligible: ["b-yes", "eligible"], ineligible: ["b-no", "not eligible"] };
  var b = map[m.outlook] || ["b-no", m.outlook];
  return el("span", { "class": "badge " + b[0], "data-field": "outlook", text: b[1] });
}

function lagCell(m, maxLag) {
  var td = el("td", { "class": "num", "data-field": "lag", "data-bytes": m.lagBytes === null ? "" : String(m.lagBytes) });
  if (m.lagBytes === null) { td.textContent = m.role.indexOf("leader") >= 0 ? "" : "unknown"; return td; }
  td.appendChild(document.createTextNode(bytes(m.lagBytes)));
  var ratio = maxLag > 0 ? m.lagBytes / maxLag : 0;
  var bar = el("div", { "class": "bar" + (ratio > 1 ? " bad" : ratio > 0.5 ? " warn" : ""), title: m.lagBytes + " bytes of maximum_lag_on_failover " + maxLag });
  var fill = el("span"); fill.style.width = Math.max(m.lagBytes > 0 ? 3 : 0, Math.min(100, ratio * 100)) + "%";
  bar.appendChild(fill); td.appendChild(bar);
  if (m.replayPaused || m.replayBehindBytes) {
    td.appendChild(el("div", { "class": "sub", text: (m.replayPaused ? "replay paused, " : "") + bytes(m.replayBehindBytes || 0) + " not replayed" }));
  }
  return td;
}

function memberRow(row, view, servedBy) {
  var m = row.m;
  var tr = el("tr", { "data-member": m.name, "class": m.name === view.leader ? "is-leader" : "" });
  var name = el("td", { "class": "name" }, [row.depth > 0 ? el("span", { "class": "indent", text: "\u2514 " }) : null, m.name]);
  // A cascading replica sits one step further right than its upstream.
  if (row.depth > 1) name.style.paddingLeft = (8 + (row.depth - 1) * 16) + "px";
  if (m.name === servedBy) name.appendChild(el("div", { "class": "sub", text: "this node" }));
  else if (m.dashboardUrl) name.appendChild(el("div", { "class": "sub" }, [el("a", { href: m.dashboardUrl, "data-field": "open", title: "restart or reload " + m.name + " from its own dashboard", text: "open its dashboard" })]));
  tr.appendChild(name);
  var roleCls = m.role.indexOf("leader") >= 0 ? "b-leader" : m.role.indexOf("standby") >= 0 && m.role !== "standby_leader" ? "b-sync" : "b-replica";
  tr.appendChild(el("td", {}, [el("span", { "class": "badge " + roleCls, "data-field": "role", text: roleText(m.role) })]));
  var state = el("td", { "data-field": "state" }, [m.state || ""]);
  if (m.pendingRestart) state.appendChild(el("div", {}, [el("span", { "class": "badge b-paused", text: "pending restart" })]));
  if (!m.reachable) state.appendChild(el("div", { "class": "sub", text: "REST API unreachable" }));
  tr.appendChild(state);
  tr.appendChild(el("td", { "class": "wide sub" }, [m.host || ""]));
  tr.appendChild(el("td", { "class": "num", "data-field": "timeline" }, [m.timeline === null ? "" : String(m.timeline)]));
  tr.appendChild(lagCell(m, view.maximumLagOnFailover));
  var why = el("ul", { "class": "why" }, m.why.map(function (w) { return el("li", { text: w }); }));
  tr.appendChild(el("td", {}, [outlookBadge(m), why]));
  var dec = m.lastDecision;
  tr.appendChild(el("td", { "data-field": "decision" }, dec ? [dec.message, el("div", { "class": "sub", title: dec.at, text: ago(dec.at) })]
    : [el("span", { "class": "sub", text: m.reachable ? "not reported (not patroni-ts?)" : "unknown" })]));
  var tags = el("td", { "class": "wide" });
  Object.keys(m.tags || {}).forEach(function (k) { tags.appendChild(el("span", { "class": "tag", text: k + ": " + JSON.stringify(m.tags[k]) })); });
  tr.appendChild(tags);
  return tr;
}

function render(state) {
  var view = state.view;
  $("title").textContent = "patroni-ts \u00b7 " + view.scope;
  $("summary").textContent = (view.leader ? "leader " + view.leader : "no leader") + " \u00b7 " + view.members.length + " members" + (view.systemId ? " \u00b7 system id " + view.systemId : "");
  $("updated").className = "meta"; $("updated").textContent = "served by " + state.servedBy + ", updated " + new Date(state.generatedAt).toLocaleTimeString();
  var facts = $("facts"); facts.textContent = "";
  function fact(label, value, cls) { facts.appendChild(el("span", {}, [label + ": ", el("b", cls ? { "class": cls } : {}, [value])])); }
  fact("Maintenance", view.paused ? "paused (no automatic failover)" : "off");
  if (view.paused) facts.firstChild.lastChild.className = "badge b-paused";
  fact("Synchronous mode", view.synchronousMode);
  if (view.synchronousMode !== "off") fact(view.synchronousMode === "quorum" ? "Quorum set (quorum " + view.quorum + ")" : "Sync standbys", view.syncSet.join(", ") || "(none)");
  fact("Failover possible now", view.failoverPossible ? "yes" : "no");
  fact("maximum_lag_on_failover", bytes(view.maximumLagOnFailover));
  if (view.scheduledSwitchover) fact("Scheduled switchover", view.scheduledSwitchover.at + (view.scheduledSwitchover.to ? " to " + view.scheduledSwitchover.to : ""));
  facts.setAttribute("data-paused", view.paused ? "true" : "false");

  var body = $("members").tBodies[0]; body.textContent = "";
  topoOrder(view.members, view.leader).forEach(function (row) { body.appendChild(memberRow(row, view, state.servedBy)); });

  var sel = $("candidate"), keep = sel.value; sel.textContent = "";
  view.members.filter(function (m) { return m.name !== view.leader; }).forEach(function (m) {
    sel.appendChild(el("option", { value: m.name, text: m.name + (m.outlook === "ineligible" && !view.paused ? " (not eligible)" : "") }));
  });
  // Keep the operator's choice while it is still a candidate (it is not once it became the leader).
  if (keep && Array.prototype.some.call(sel.options, function (o) { return o.value === keep; })) sel.value = keep;
  $("pause").disabled = busy || view.paused; $("resume").disabled = busy || !view.paused;
  $("switchover").disabled = busy || !view.leader || sel.options.length === 0;

  var hist = $("history").tBodies[0]; hist.textContent = "";
  view.history.slice().reverse().forEach(function (h) {
    hist.appendChild(el("tr", {}, [0, 1, 2, 3, 4].map(function (i) { return el("td", { text: h[i] === null || h[i] === undefined ? "" : String(h[i]) }); })));
  });
  if (view.history.length === 0) hist.appendChild(el("tr", {}, [el("td", { colspan: "5", "class": "sub", text: "no failover or switchover yet (timeline 1)" })]));
}

function poll() {
  fetch("/dashboard/state", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (state) {
    if (state.ok) { last = state; render(state); }
    else { $("updated").className = "meta stale"; $("updated").textContent = state.servedBy + ": " + state.error; }
  }).catch(function (e) {
    $("updated").className = "meta stale"; $("updated").textContent = "this node does not answer (" + e.message + ")";
  }).finally(function () { setTimeout(poll, POLL_MS); });
}

function authHeaders() {
  var h = { "Content-Type": "application/json" };
  var u = $("user").value;
  if (u) h.Authorization = "Basic " + btoa(u + ":" + $("password").value);
  return h;
}

/** PATCH /config answers with the whole new config: the outcome is what the operator needs. */
function act(label, method, path, body, okText) {
  busy = true;
  var out = $("result"); out.className = ""; out.textContent = label + "...";
  fetch(path, { method: method, headers: authHeaders(), body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit" })
    .then(function (r) { return r.text().then(function (t) { return { status: r.status, text: t }; }); })
    .then(function (r) {
      var ok = r.status >= 200 && r.status < 300;
      var text = r.text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
      out.className = ok ? "ok" : "err";
      out.setAttribute("data-status", String(r.status));
      out.textContent = label + ": " + (ok ? "" : "refused, HTTP " + r.status + ": ") + ((ok && okText) || text || "done");
    })
    .catch(function (e) { out.className = "err"; out.removeAttribute("data-status"); out.textContent = label + " failed: " + e.message; })
    .finally(function () { busy = false; if (last) render(last); });
}

$("switchover").addEventListener("click", function () {
  if (!last || !last.view.leader) return;
  var to = $("candidate").value;
  act("Switchover from " + last.view.leader + " to " + to, "POST", "/switchover", { leader: last.view.leader, candidate: to });
});
$("pause").addEventListener("click", function () { act("Pause", "PATCH", "/config", { pause: true }, "maintenance mode on, no automatic failover"); });
$("resume").addEventListener("click", function () { act("Resume", "PATCH", "/config", { pause: false }, "maintenance mode off"); });
$("restart").addEventListener("click", function () { act("Restart of " + (last ? last.servedBy : "this node"), "POST", "/restart", {}); });
$("reload").addEventListener("click", function () { act("Reload of " + (last ? last.servedBy : "this node"), "POST", "/reload"); });
poll();
`;
