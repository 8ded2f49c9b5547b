// The dashboard page: one self-contained document (styles and script inline, nothing fetched from
// elsewhere), bundled into the daemon. The script is in client.ts.
import { DASHBOARD_JS } from './client.js';

const CSS = String.raw`
:root { --bg:#f6f7f9; --card:#fff; --ink:#1d2430; --mute:#667085; --line:#e3e6eb; --ok:#1a7f37; --warn:#b54708; --bad:#c0262d; --lead:#2456c7; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; background:var(--bg); color:var(--ink); }
header { display:flex; flex-wrap:wrap; gap:6px 18px; align-items:baseline; padding:12px 20px; background:#1d2430; color:#fff; }
header h1 { font-size:17px; margin:0; font-weight:600; }
header .meta { color:#c9d1dd; font-size:13px; }
header .stale { color:#ffb4b4; font-weight:600; }
main { padding:14px 20px; max-width:1600px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:10px 14px; margin-bottom:14px; }
.facts { display:flex; flex-wrap:wrap; gap:6px 22px; }
.facts b { font-weight:600; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; white-space:nowrap; }
.b-leader { background:#e3ebff; color:var(--lead); } .b-replica { background:#eef0f3; color:#344054; }
.b-sync { background:#e6f4ea; color:var(--ok); } .b-paused { background:#fff1dc; color:var(--warn); }
.b-yes { background:#e6f4ea; color:var(--ok); } .b-no { background:#fde8e8; color:var(--bad); } .b-lead { background:#dbe7ff; color:var(--lead); }
table { border-collapse:collapse; width:100%; }
th { text-align:left; font-size:12px; color:var(--mute); font-weight:600; padding:6px 8px; border-bottom:1px solid var(--line); white-space:nowrap; }
td { padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
tr.is-leader td { background:#f5f8ff; }
td.name { font-weight:600; white-space:nowrap; } td.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
.sub { color:var(--mute); font-size:12px; }
.why { margin:0; padding-left:16px; font-size:12px; color:#344054; } .why li { margin:0; }
.bar { width:110px; height:7px; background:#eef0f3; border-radius:4px; overflow:hidden; margin-top:3px; }
.bar > span { display:block; height:100%; background:var(--ok); }
.bar.warn > span { background:var(--warn); } .bar.bad > span { background:var(--bad); }
.tag { display:inline-block; font-size:11px; background:#f2f4f7; border:1px solid var(--line); border-radius:4px; padding:0 5px; margin:1px 2px 1px 0; }
.controls { display:flex; flex-wrap:wrap; gap:8px 18px; align-items:center; }
.controls label { font-size:12px; color:var(--mute); }
input, select, button { font:inherit; font-size:13px; }
input, select { padding:3px 6px; border:1px solid #cfd4dc; border-radius:5px; }
button { padding:3px 10px; border:1px solid #cfd4dc; border-radius:5px; background:#fff; cursor:pointer; }
button.primary { background:var(--lead); border-color:var(--lead); color:#fff; }
button:disabled { opacity:.5; cursor:default; }
#result { margin-top:8px; font-size:13px; min-height:1.4em; }
#result.ok { color:var(--ok); } #result.err { color:var(--bad); }
h2 { font-size:14px; margin:2px 0 8px; }
.indent { color:var(--mute); }
a { color:var(--lead); text-decoration:none; } a:hover { text-decoration:underline; }
@media (max-width: 1100px) { .wide { display:none; } }
`;

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>patroni-ts dashboard</title>
<style>${CSS}</style>
</head>
<body>
<header>
  <h1 id="title">patroni-ts</h1>
  <span class="meta" id="summary">loading...</span>
  <span class="meta" id="updated"></span>
</header>
<main>
  <div class="card facts" id="facts"></div>
  <div class="card">
    <div class="controls">
      <span><label for="user">REST user</label> <input id="user" size="10" autocomplete="username"></span>
      <span><label for="password">password</label> <input id="password" type="password" size="10" autocomplete="current-password"></span>
      <span><label for="candidate">switchover to</label> <select id="candidate"></select>
        <button class="primary" id="switchover">Switchover</button></span>
      <span><button id="pause">Pause</button> <button id="resume">Resume</button></span>
      <span><button id="restart">Restart this node</button> <button id="reload">Reload this node</button></span>
    </div>
    <div id="result" role="status"></div>
  </div>
  <div class="card">
    <table id="members">
      <thead><tr>
        <th>Member</th><th>Role</th><th>State</th><th class="wide">Host</th><th>TL</th><th>Lag</th>
        <th>If the leader were lost now</th><th>Last decision</th><th class="wide">Tags</th>
      </tr></thead>
      <tbody></tbody>
    </table>
  </div>
  <div class="card">
    <h2>Timeline history</h2>
    <table id="history"><thead><tr><th>TL</th><th>LSN</th><th>Reason</th><th>Timestamp</th><th>New leader</th></tr></thead><tbody></tbody></table>
  </div>
</main>
<script>${DASHBOARD_JS}</script>
</body>
</html>
`;
