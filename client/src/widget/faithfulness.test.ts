import { expect, it } from 'vitest';
import type { Explanation } from '../types.ts';
import { faithfulness } from './faithfulness.ts';

const base: Explanation = {
  item: { id: '1', title: 't' },
  rationale: { text: 'r', source: 'template' },
  evidence: { method: 'attribution', neighbours: [], attributes: [], content: [], minCoUsers: 5 },
  cited: { neighbours: [], attributes: [] },
  faithfulness: null,
};
const measured = (size: number, scoreDrop: number, randomScoreDrop: number): Explanation => ({
  ...base,
  faithfulness: { size, score: 4, rank: 1, samples: 10, comprehensiveness: { scoreDrop, rank: 3, randomScoreDrop, randomRank: 1.5 }, sufficiency: { scoreDrop: 0, rank: 1, randomScoreDrop: 2, randomRank: 100 } },
});

it('reads the ERASER comprehensiveness against random evidence; nothing when unmeasured or nothing cited', () => {
  expect(faithfulness(base)).toBeUndefined();
  expect(faithfulness(measured(0, 0, 0))).toBeUndefined();
  expect(faithfulness(measured(2, 0.9, 0.1))).toBeCloseTo(0.9);
  expect(faithfulness(measured(2, 0.1, 0.1))).toBeCloseTo(0.5);
  expect(faithfulness(measured(2, -0.2, 0.1))).toBeUndefined();
});
