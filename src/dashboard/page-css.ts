/**
 * The dashboard's styles: readable at a glance, red only for core failure, amber for AI degraded, green for well;
 * the colour always comes with words (never colour alone).
 */
export const PAGE_CSS = `:root {
  --ok: #1a7f37; --ok-bg: #dafbe1;
  --degraded: #9a6700; --degraded-bg: #fff8c5;
  --critical: #cf222e; --critical-bg: #ffebe9;
  --unknown: #57606a; --unknown-bg: #eaeef2;
  --line: #d0d7de; --text: #1f2328; --muted: #57606a;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); background: #f6f8fa;
}
body { margin: 0; }
h1 { font-size: 1.1rem; margin: 0 0 .2rem; letter-spacing: .02em; }
h2 { font-size: 1rem; margin: 0 0 .6rem; }
h3 { font-size: .9rem; margin: 1rem 0 .4rem; }
.muted { color: var(--muted); font-size: .85rem; margin: .2rem 0; }
.banner { display: flex; justify-content: space-between; align-items: flex-start; gap: 1rem; padding: .9rem 1.2rem; border-bottom: 4px solid var(--unknown); background: var(--unknown-bg); }
.banner #headline { font-size: 1.35rem; font-weight: 600; margin: 0; }
.banner.level-ok { background: var(--ok-bg); border-color: var(--ok); }
.banner.level-degraded { background: var(--degraded-bg); border-color: var(--degraded); }
.banner.level-critical { background: var(--critical-bg); border-color: var(--critical); }
.banner.stale { opacity: .6; }
#token-form { display: grid; grid-template-columns: auto auto auto auto; gap: .3rem; align-items: center; font-size: .85rem; }
#token-form p { grid-column: 1 / -1; margin: 0; max-width: 28rem; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: 1rem; padding: 1rem 1.2rem; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; min-width: 0; }
.panel.wide { grid-column: 1 / -1; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); gap: .8rem; }
.card { border: 1px solid var(--line); border-left: 6px solid var(--ok); border-radius: 4px; padding: .5rem .7rem; font-size: .85rem; }
.card.level-degraded { border-left-color: var(--degraded); background: var(--degraded-bg); }
.card.level-critical { border-left-color: var(--critical); background: var(--critical-bg); }
.card h3 { margin: 0 0 .3rem; display: flex; justify-content: space-between; }
.card .words { font-weight: 600; margin: .2rem 0 .4rem; }
.card dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .6rem; margin: 0; }
.card dt { color: var(--muted); }
.card dd { margin: 0; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; }
th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 500; }
td.num { font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: .75rem; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.badge.level-ok { color: var(--ok); }
.badge.level-degraded { color: var(--degraded); background: var(--degraded-bg); }
.badge.level-critical { color: var(--critical); background: var(--critical-bg); }
.badge.level-unknown { color: var(--unknown); }
ul.plain { list-style: none; padding: 0; margin: 0; font-size: .85rem; }
ul.plain li { padding: .25rem 0; border-bottom: 1px solid var(--line); }
.switch { display: flex; align-items: center; justify-content: space-between; gap: .6rem; padding: .3rem 0; border-bottom: 1px solid var(--line); font-size: .85rem; }
.switch button { min-width: 6.5rem; }
button { font: inherit; font-size: .8rem; padding: .2rem .6rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; cursor: pointer; }
button:disabled { cursor: not-allowed; opacity: .6; }
button.link { border: none; background: none; padding: 0; color: #0969da; text-align: left; cursor: pointer; }
#timeline { margin-top: .6rem; font-size: .85rem; }
#timeline ol { padding-left: 1.2rem; margin: .3rem 0; }
#timeline time { color: var(--muted); font-variant-numeric: tabular-nums; margin-right: .4rem; }
.error { color: var(--critical); }
.load-chart { margin-bottom: .8rem; }
`;
