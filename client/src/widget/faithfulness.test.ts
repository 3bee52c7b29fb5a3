import { expect, it } from 'vitest';
import type { Explanation } from '../types.ts';
import { faithfulness } from './faithfulness.ts';

const base = { item: { id: '1', title: 't' }, rationale: { text: 'r', source: 'template' }, evidence: { neighbours: [], attributes: [], minCoUsers: 5 }, cited: { neighbours: [], attributes: [] } } as Explanation;

it('reads a reported faithfulness (number or { score }), nothing otherwise', () => {
  expect(faithfulness(base)).toBeUndefined();
  expect(faithfulness({ ...base, faithfulness: 0.92 } as Explanation)).toBe(0.92);
  expect(faithfulness({ ...base, faithfulness: { score: 0.5, checked: 4 } } as Explanation)).toBe(0.5);
  expect(faithfulness({ ...base, faithfulness: 'high' } as unknown as Explanation)).toBeUndefined();
  expect(faithfulness({ ...base, faithfulness: 7 } as Explanation)).toBeUndefined();
});
