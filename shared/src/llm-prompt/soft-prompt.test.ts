import { describe, expect, it } from 'vitest';
import { assemblePrompt } from '../prompt/segments.ts';
import { buildSoftPrompt, SoftPrompt, SYSTEM_LINE, TASK_LINE } from './soft-prompt.ts';

describe('soft prompt layout', () => {
  const seg = assemblePrompt({
    userId: '7',
    history: [{ idx: 1, title: 'Heat (1995)' }, { idx: 2, title: 'Fargo (1996)' }],
    evidence: [{ kind: 'co-interaction', text: '"Fargo (1996)": 40 viewers watched both', itemIdx: 2 }],
    candidates: [{ idx: 5, title: 'Casino (1995)' }, { idx: 9, title: 'Babe (1995)' }],
    maxHistory: 50,
  });

  it('follows the paper layout with a soft token after the user marker, each title and each cited item', () => {
    const p = buildSoftPrompt(seg, { userIdx: 6 });
    expect(SoftPrompt.parse(p)).toEqual(p);
    expect(p.pieces).toEqual([
      { text: `${SYSTEM_LINE}\n<USR>` },
      { soft: 'user', idx: 6 },
      { text: '\n<HIST> Heat (1995)' },
      { soft: 'item', idx: 1 },
      { text: '; Fargo (1996)' },
      { soft: 'item', idx: 2 },
      { text: ';\n<EVID> "Fargo (1996)": 40 viewers watched both' },
      { soft: 'evidence', idx: 2 },
      { text: ';\n<CANDS> Casino (1995)' },
      { soft: 'item', idx: 5 },
      { text: '; Babe (1995)' },
      { soft: 'item', idx: 9 },
      { text: `;\n${TASK_LINE}` },
    ]);
    expect(p.candidates.map((c) => c.idx)).toEqual([5, 9]);
  });

  it('without a user latent there is no user token, and history is capped', () => {
    const p = buildSoftPrompt({ ...seg, user: { id: null, anonymous: true } }, { maxHistory: 1 });
    expect(p.pieces.some((x) => 'soft' in x && x.soft === 'user')).toBe(false);
    expect(JSON.stringify(p.pieces)).not.toContain('Heat');
  });
});
