// How report cells print: a figure as mean ± 95% CI half-width (over what, in the table notes), p-values in
// scientific notation, and a fixed text for cells that are not available.
import type { Figure } from './run-record.ts';

export function fmtFigure(f: Figure | undefined, digits = 4): string {
  if (!f) return '—';
  return f.ci95 === null ? f.mean.toFixed(digits) : `${f.mean.toFixed(digits)} ± ${f.ci95.toFixed(digits)}`;
}

export function fmtP(p: number): string {
  if (p < 1e-300) return '<1e-300';
  return p < 1e-3 ? p.toExponential(1) : p.toFixed(3);
}

export function fmtSigned(x: number, digits = 4): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
}

export function notAvailable(why: string): string {
  return `not available: ${why}`;
}
