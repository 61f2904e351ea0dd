/**
 * The page shell: header, navigation, stylesheet and the live-update script. The part of the
 * page that changes lives in `<main id="live">`; the script re-fetches it (the same URL with
 * `?fragment=1`) when the server pushes an event, so pages update without a reload and all
 * markup is rendered (and escaped) on the server.
 */
import { html, type SafeHtml } from './html.ts';

export interface Page {
  title: string;
  /** Breadcrumbs: [label, href] pairs, the last one being the current page. */
  crumbs: readonly (readonly [string, string])[];
  /** Events to listen to: a sweep id, or all sweeps. */
  liveSweep?: string;
  body: SafeHtml;
}

export function layout(page: Page): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · frcnn</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/dashboard.css">
<script src="/static/live.js" defer></script>
</head>
<body data-live="off">
<header class="top">
  <a class="brand" href="/">frcnn</a>
  <nav>${page.crumbs.map(([label, href], i) => html`<span class="sep">/</span>${i === page.crumbs.length - 1 ? html`<span>${label}</span>` : html`<a href="${href}">${label}</a>`}`)}</nav>
  <span class="live-dot" title="live updates"></span>
</header>
<main id="live" data-sweep="${page.liveSweep ?? ''}">${page.body}</main>
</body>
</html>
`;
}

/** Served as /static/live.js (a file, so the Content-Security-Policy can forbid inline script). */
export const LIVE_SCRIPT = `'use strict';
(function () {
  var live = document.getElementById('live');
  if (!live || !window.EventSource) return;
  var sweep = live.getAttribute('data-sweep');
  var es = new EventSource('/api/events' + (sweep ? '?sweep=' + encodeURIComponent(sweep) : ''));
  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var url = new URL(window.location.href);
    url.searchParams.set('fragment', '1');
    fetch(url, { headers: { accept: 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (text !== null) {
          live.innerHTML = text;
          live.setAttribute('data-version', String(Number(live.getAttribute('data-version') || 0) + 1));
        }
      })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  es.addEventListener('update', refresh);
  es.addEventListener('open', function () { document.body.setAttribute('data-live', 'on'); });
  es.addEventListener('error', function () { document.body.setAttribute('data-live', 'reconnecting'); });
})();
`;

export const STYLESHEET = `:root { --fg:#1f2328; --muted:#656d76; --line:#d8dee4; --bg:#fff; --head:#f6f8fa; --accent:#0969da; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
header.top { display:flex; align-items:center; gap:.5rem; padding:.6rem 1.5rem; border-bottom:1px solid var(--line); background:var(--head); }
.brand { font-weight:700; color:var(--fg); letter-spacing:.02em; }
nav .sep { color:var(--muted); margin:0 .4rem; }
.live-dot { margin-left:auto; width:.6rem; height:.6rem; border-radius:50%; background:#bbb; }
body[data-live="on"] .live-dot { background:#2da44e; }
body[data-live="reconnecting"] .live-dot { background:#d4a72c; }
main { padding:1rem 1.5rem 3rem; max-width:1280px; }
h1 { font-size:1.4rem; margin:.4rem 0 .2rem; } h2 { font-size:1.1rem; margin:1.8rem 0 .5rem; border-bottom:1px solid var(--line); padding-bottom:.25rem; }
.sub { color:var(--muted); margin:0 0 .8rem; }
table { border-collapse:collapse; margin:.3rem 0 .6rem; font-variant-numeric:tabular-nums; }
th, td { border-bottom:1px solid var(--line); padding:.3rem .7rem; text-align:left; vertical-align:top; }
th { background:var(--head); font-weight:600; white-space:nowrap; }
td.num, th.num { text-align:right; }
td.nw { white-space:nowrap; }
tr.best td { font-weight:600; background:#eef6ee; }
tr.total td { font-weight:600; border-top:2px solid var(--line); }
caption { caption-side:bottom; text-align:left; color:var(--muted); font-size:.85em; padding-top:.3rem; }
.badge { display:inline-block; padding:0 .45rem; border-radius:1rem; font-size:.8em; font-weight:600; border:1px solid; }
.status-succeeded { color:#1a7f37; border-color:#1a7f37; background:#dafbe1; }
.status-running { color:#0550ae; border-color:#0550ae; background:#ddf4ff; }
.status-pending { color:#6e7781; border-color:#afb8c1; background:#f6f8fa; }
.status-failed, .status-lost { color:#cf222e; border-color:#cf222e; background:#ffebe9; }
.status-cancelled { color:#57606a; border-color:#8c959f; background:#eaeef2; }
.progress { display:inline-block; width:5rem; height:.45rem; background:#eaeef2; border-radius:.3rem; overflow:hidden; vertical-align:middle; }
.progress span { display:block; height:100%; background:#0969da; }
.apbar { display:inline-block; height:.5rem; background:#8fb8e8; margin-left:.4rem; vertical-align:middle; border-radius:2px; }
.cards { display:flex; gap:.8rem; flex-wrap:wrap; margin:.6rem 0; }
.card { border:1px solid var(--line); border-radius:.4rem; padding:.45rem .9rem; min-width:8rem; }
.card .v { font-size:1.35rem; font-weight:600; } .card .k { color:var(--muted); font-size:.8em; }
.grid { display:flex; flex-wrap:wrap; gap:.6rem; }
.chart { border:1px solid var(--line); border-radius:.3rem; line-height:0; display:inline-block; overflow:hidden; }
.err { color:#cf222e; max-width:28rem; }
.muted { color:var(--muted); }
pre { background:var(--head); padding:.7rem; border-radius:.3rem; overflow:auto; max-height:24rem; font-size:12px; }
.empty { color:var(--muted); font-style:italic; }
`;
