/**
 * The dashboard's HTML: a static shell (no data in it); `app.js` fills it from `/dashboard/state` every second.
 * uPlot is a classic script (its IIFE build defines `uPlot`), loaded before the page's modules.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>failsoft</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/uplot.css">
<link rel="stylesheet" href="/dashboard/style.css">
<script src="/dashboard/uplot.js"></script>
<script type="module" src="/dashboard/app.js"></script>
</head>
<body>
<header id="banner" class="banner level-unknown" data-testid="banner">
  <div class="banner-text">
    <h1>failsoft</h1>
    <p id="headline" data-testid="headline" aria-live="polite">loading…</p>
    <p id="updated" class="muted"></p>
  </div>
  <form id="token-form" autocomplete="off">
    <label for="token">Admin token</label>
    <input id="token" type="password" placeholder="FAILSOFT_ADMIN_TOKEN" spellcheck="false">
    <button type="submit">Use</button>
    <button type="button" id="forget">Forget</button>
    <p id="token-note" class="muted" data-testid="token-note"></p>
  </form>
</header>
<main>
  <section class="panel wide">
    <h2>Providers</h2>
    <div id="providers" class="cards"></div>
  </section>
  <section class="panel">
    <h2>Features</h2>
    <table id="features"><thead><tr><th>feature</th><th>tier</th><th>mode</th><th>what users get</th><th>route</th></tr></thead><tbody></tbody></table>
  </section>
  <section class="panel">
    <h2>Kill switches</h2>
    <div id="switches"></div>
    <p id="switch-note" class="muted"></p>
  </section>
  <section class="panel">
    <h2>Core checks</h2>
    <ul id="core" class="plain"></ul>
  </section>
  <section class="panel">
    <h2>Incidents</h2>
    <ul id="incidents" class="plain"></ul>
    <div id="timeline"></div>
  </section>
  <section class="panel wide">
    <h2>Jobs</h2>
    <table id="jobs"><thead><tr><th>job</th><th>schedule → planned</th><th>provider</th><th>next run</th><th>last result</th></tr></thead><tbody></tbody></table>
    <p id="jobs-note" class="muted"></p>
    <h3>Today's planned load against the budget (UTC)</h3>
    <div id="load-charts"></div>
  </section>
</main>
</body>
</html>
`;
