// Progress reporting for long CLI work (dataset preparation, evaluation): always on stderr so stdout stays machine-readable.
// A redrawn bar (count/total, rate, ETA) when stderr is a TTY; otherwise a plain line at most every few seconds.

export interface ProgressOptions {
  /** Stream to write to; defaults to process.stderr. */
  stream?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
  /** Minimum milliseconds between plain (non-TTY) lines. */
  intervalMs?: number;
  /** Unit shown after the rate, e.g. "lines", "users". */
  unit?: string;
  /** Silence all output (e.g. for --quiet or tests). */
  quiet?: boolean;
}

export interface Progress {
  /** Advance by n (default 1). */
  tick(n?: number): void;
  /** Set the absolute count. */
  update(done: number): void;
  /** Print the final line (with elapsed time) and stop. */
  done(msg?: string): void;
}

function fmtDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '?';
  if (sec < 60) return `${sec.toFixed(sec < 10 ? 1 : 0)}s`;
  const m = Math.floor(sec / 60);
  const s = Math.round(sec % 60);
  return m < 60 ? `${m}m${String(s).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function fmtRate(r: number): string {
  if (r >= 1e6) return `${(r / 1e6).toFixed(1)}M`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(1)}k`;
  return r.toFixed(r < 10 ? 1 : 0);
}

/** Start a progress reporter for `label` over `total` units (0 or undefined = unknown total). */
export function progress(label: string, total?: number, opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const tty = Boolean((stream as { isTTY?: boolean }).isTTY);
  const interval = opts.intervalMs ?? (tty ? 100 : 5000);
  const unit = opts.unit ? ` ${opts.unit}` : '';
  const start = Date.now();
  let count = 0;
  let last = 0;
  let finished = false;

  const line = (): string => {
    const el = (Date.now() - start) / 1000;
    const rate = el > 0 ? count / el : 0;
    if (total && total > 0) {
      const frac = Math.min(1, count / total);
      const eta = rate > 0 ? (total - count) / rate : NaN;
      const width = 24;
      const bar = tty ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] ` : '';
      return `${label} ${bar}${count}/${total} (${(frac * 100).toFixed(0)}%) ${fmtRate(rate)}${unit}/s ETA ${fmtDuration(eta)}`;
    }
    return `${label} ${count}${unit} ${fmtRate(rate)}${unit}/s ${fmtDuration(el)}`;
  };

  const render = (force = false) => {
    if (opts.quiet || finished) return;
    const now = Date.now();
    if (!force && now - last < interval) return;
    last = now;
    stream.write(tty ? `\r\x1b[2K${line()}` : `${line()}\n`);
  };
  if (!tty) last = Date.now(); // plain mode: first line only after one interval, short jobs print just the final line

  return {
    tick(n = 1) {
      count += n;
      render();
    },
    update(d: number) {
      count = d;
      render();
    },
    done(msg?: string) {
      if (finished) return;
      if (!opts.quiet) {
        const el = fmtDuration((Date.now() - start) / 1000);
        const text = `${label} done: ${count}${total ? `/${total}` : ''}${unit} in ${el}${msg ? ` — ${msg}` : ''}`;
        stream.write(tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
      }
      finished = true;
    },
  };
}

let quietLogs = Boolean(process.env.LLMREC_QUIET);

/** Silence `log` (e.g. tests or --quiet). */
export function setQuiet(q: boolean): void {
  quietLogs = q;
}

/** One concise progress line on stderr: `[step] msg`. */
export function log(step: string, msg: string): void {
  if (!quietLogs) process.stderr.write(`[${step}] ${msg}\n`);
}
