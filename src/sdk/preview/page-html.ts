/** The preview page's markup and style; its behaviour is page-script.ts, served beside it as /preview.js. */
export const PREVIEW_PAGE_HTML: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fer-edge preview</title>
<style>
  :root { color-scheme: dark; font: 14px/1.4 system-ui, sans-serif; }
  body { margin: 0; background: #111; color: #ddd; }
  header { display: flex; gap: 1.5em; align-items: baseline; padding: 0.6em 1em; background: #1b1b1b; border-bottom: 1px solid #333; }
  header h1 { font-size: 1.1em; margin: 0; color: #fff; }
  #status { margin-left: auto; }
  #status.live { color: #3f6; }
  main { display: flex; flex-wrap: wrap; gap: 1em; padding: 1em; }
  .view { flex: 3 1 480px; min-width: 0; }
  canvas { display: block; width: 100%; height: auto; background: #000; }
  #frame-info { margin: 0.3em 0 0; color: #999; font-variant-numeric: tabular-nums; }
  aside { flex: 1 1 260px; min-width: 0; }
  h2 { font-size: 1em; margin: 0 0 0.4em; color: #fff; }
  table { border-collapse: collapse; width: 100%; margin-bottom: 1em; font-variant-numeric: tabular-nums; }
  td { padding: 0.1em 0.4em 0.1em 0; } td:last-child { text-align: right; }
  #stats-time { color: #999; font-weight: normal; }
  ol { list-style: none; margin: 0; padding: 0; max-height: 50vh; overflow-y: auto; font: 12px/1.5 ui-monospace, monospace; }
  li.new { color: #3f6; } li.end { color: #999; }
</style>
</head>
<body>
<header><h1>fer-edge preview</h1><span id="source"></span><span id="status">connecting…</span></header>
<main>
  <section class="view">
    <canvas id="frame" width="640" height="360"></canvas>
    <p id="frame-info">waiting for a frame…</p>
  </section>
  <aside>
    <h2>Stats <span id="stats-time"></span></h2>
    <table id="stats"><tbody></tbody></table>
    <h2>Events</h2>
    <ol id="events"></ol>
  </aside>
</main>
<script src="preview.js"></script>
</body>
</html>
`;
