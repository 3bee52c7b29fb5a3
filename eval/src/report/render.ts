// Prints the report document: Markdown (tables; plots linked as SVG files beside it) and one self-contained HTML
// page (inline CSS, every plot as inline SVG, no script, no external request). Tables and plots carry
// data-report-table / data-report-plot attributes so a browser test can find each one by id.
import type { ReportDoc, Section, Table } from './model.ts';
import { renderSvg } from './charts.ts';

/** Renders every plot's SVG (in place) and returns the document. */
export async function renderPlots(doc: ReportDoc): Promise<ReportDoc> {
  for (const s of doc.sections) for (const p of s.plots) p.svg = await renderSvg(p.spec);
  return doc;
}

const mdCell = (x: string) => x.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function mdTable(t: Table): string[] {
  return [`**${t.title}**`, '', `| ${t.columns.map(mdCell).join(' | ')} |`, `|${t.columns.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`), ...(t.notes.length ? ['', ...t.notes.map((n) => `_${n}_`)] : []), ''];
}

export function renderMarkdown(doc: ReportDoc, plotFile: (id: string) => string): string {
  const out = [`# ${doc.title}`, '', `Command: \`${doc.command}\` · commit \`${doc.commit ?? 'unknown'}\` · ${doc.createdAt}`, '', `Machine: ${doc.machine}`, ''];
  out.push('Contents: ' + doc.sections.map((s) => `[${s.title}](#${s.id})`).join(' · '), '');
  for (const s of doc.sections) {
    out.push(`<a id="${s.id}"></a>`, '', `## ${s.title}`, '', ...s.intro.flatMap((p) => [p, '']));
    for (const u of s.unavailable) out.push(`> ${u}`, '');
    for (const t of s.tables) out.push(...mdTable(t));
    for (const p of s.plots) out.push(`![${p.title}](${plotFile(p.id)})`, '');
  }
  return out.join('\n');
}

const esc = (x: string) => x.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Inline code spans (`x`) in prose become <code>. */
const prose = (x: string) => esc(x).replace(/`([^`]+)`/g, '<code>$1</code>');

function htmlTable(t: Table): string {
  return [
    `<table data-report-table="${esc(t.id)}">`,
    `<caption>${prose(t.title)}</caption>`,
    `<thead><tr>${t.columns.map((c) => `<th>${prose(c)}</th>`).join('')}</tr></thead>`,
    `<tbody>${t.rows.map((r) => `<tr>${r.map((c) => `<td>${prose(c)}</td>`).join('')}</tr>`).join('\n')}</tbody>`,
    `</table>`,
    ...t.notes.map((n) => `<p class="note">${prose(n)}</p>`),
  ].join('\n');
}

function htmlSection(s: Section): string {
  return [
    `<section id="${esc(s.id)}" data-report-section="${esc(s.id)}">`,
    `<h2>${prose(s.title)}</h2>`,
    ...s.intro.map((p) => `<p>${prose(p)}</p>`),
    ...s.unavailable.map((u) => `<p class="unavailable">${prose(u)}</p>`),
    ...s.tables.map(htmlTable),
    ...s.plots.map((p) => `<figure data-report-plot="${esc(p.id)}">${p.svg ?? ''}<figcaption>${prose(p.title)}</figcaption></figure>`),
    `</section>`,
  ].join('\n');
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}caption{text-align:left;font-weight:600;margin-bottom:.3em}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f3f3f3}
p.note{font-size:12px;color:#555;margin:.2em 0}p.unavailable{background:#fff6e0;border-left:4px solid #e0a000;padding:.4em .6em}
figure{margin:1em 0}figcaption{font-size:12px;color:#555}code{background:#f5f5f5;padding:0 2px}nav a{margin-right:.8em}`;

export function renderHtml(doc: ReportDoc): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${esc(doc.title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${esc(doc.title)}</h1>`,
    `<p>Command: <code>${esc(doc.command)}</code> · commit <code>${esc(doc.commit ?? 'unknown')}</code> · ${esc(doc.createdAt)}</p>`,
    `<p>Machine: ${esc(doc.machine)}</p>`,
    `<nav>${doc.sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.title)}</a>`).join('')}</nav>`,
    ...doc.sections.map(htmlSection),
    '</body></html>',
    '',
  ].join('\n');
}
