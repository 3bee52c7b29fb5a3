import { describe, expect, it } from 'vitest';
import { progress } from './progress.ts';

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, write: (s: string) => out.push(s) } };
}

describe('progress', () => {
  it('plain mode prints a final line with count/total and no control codes', () => {
    const { out, stream } = sink(false);
    const p = progress('load', 10, { stream, unit: 'lines' });
    for (let i = 0; i < 10; i++) p.tick();
    p.done('ok');
    expect(out.join('')).toMatch(/^load done: 10\/10 lines in .* — ok\n$/);
    expect(out.join('')).not.toContain('\x1b');
  });

  it('tty mode redraws a bar with ETA', () => {
    const { out, stream } = sink(true);
    const p = progress('eval', 4, { stream, intervalMs: 0 });
    p.tick(2);
    expect(out.at(-1)).toMatch(/\r\x1b\[2Keval \[#{12}\.{12}\] 2\/4 \(50%\) .* ETA /);
    p.done();
    expect(out.at(-1)).toMatch(/eval done: 2\/4 in /);
  });

  it('quiet prints nothing', () => {
    const { out, stream } = sink(false);
    const p = progress('x', 1, { stream, quiet: true, intervalMs: 0 });
    p.tick();
    p.done();
    expect(out).toEqual([]);
  });
});
