// The demo page (GET /demo, issue 13): the <llmrec-recommendations> widget for this browser's session on the
// edge's own origin, with a panel of what the session chose so far. Everything it loads comes from the edge
// (the CSP forbids anything else); the page script is /demo/demo.js, no inline scripts.

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const DEMO_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The page; `key` is a publishable key allowed on this origin, or null (the page says how to add one). */
export function demoPage(key: string | null): string {
  const widget = key
    ? `<llmrec-recommendations id="recs" api-key="${esc(key)}" k="10" explain heading="Recommended for this session"></llmrec-recommendations>`
    : `<p class="warn">No publishable key is configured for this origin. Set <code>LLMREC_PUBLISHABLE_KEYS='[{"key":"pk_...","origins":["self"]}]'</code> (at least 16 characters after <code>pk_</code>) and restart; <code>llmrec demo</code> does it for you.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>llmrec-edge demo</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; background: #f8f9fa; color: #1f2430; }
  main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
  h1 { font-size: 1.4rem; margin: .25rem 0; }
  p { line-height: 1.45; }
  .session { background: #fff; border: 1px solid #dee2e6; border-radius: .5rem; padding: .5rem .75rem; margin: .75rem 0 1rem; }
  .session ol { margin: .25rem 0; padding-left: 1.25rem; }
  .session button { font: inherit; padding: .3rem .7rem; border-radius: .4rem; border: 1px solid #adb5bd; background: #fff; cursor: pointer; }
  .session button:focus-visible { outline: 3px solid #3b5bdb; outline-offset: 2px; }
  .warn { background: #fff3bf; padding: .75rem; border-radius: .5rem; }
  code { overflow-wrap: anywhere; }
</style>
</head>
<body>
<main>
<h1>llmrec-edge demo</h1>
<p>Recommendations for this browser session from the edge's HTTP API. Choose a movie (click, or Tab then Enter):
the choice is posted as an event for your session and the list is ranked again right away, with the reasons and
the evidence they cite.</p>
<section class="session" aria-labelledby="session-h">
  <h2 id="session-h" style="font-size:1rem;margin:.25rem 0">Your session: <span id="count">0</span> chosen</h2>
  <ol id="history"></ol>
  <button type="button" id="reset">Start a new session</button>
</section>
${widget}
</main>
<script type="module" src="/demo/widget.js"></script>
<script type="module" src="/demo/demo.js"></script>
</body>
</html>
`;
}

/** The page script: keeps the session panel in step with the widget. */
export const DEMO_JS = `const recs = document.getElementById('recs');
const history = document.getElementById('history');
const count = document.getElementById('count');
const key = 'llmrec-demo-history';
const load = () => { try { return JSON.parse(sessionStorage.getItem(key) || '[]'); } catch { return []; } };
const show = (titles) => { history.replaceChildren(...titles.map((t) => Object.assign(document.createElement('li'), { textContent: t }))); count.textContent = String(titles.length); };
show(load());
recs?.addEventListener('llmrec-select', (e) => { const t = [...load(), e.detail.item.title]; sessionStorage.setItem(key, JSON.stringify(t)); show(t); });
document.getElementById('reset').addEventListener('click', () => { sessionStorage.removeItem(key); show([]); recs?.resetSession(); });
`;
