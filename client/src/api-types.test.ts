// The client's types are generated from the edge's OpenAPI document (client/scripts/contract.ts): this fails
// when the zod contract changed and client/src/api-types.ts was not regenerated (npm run build -w client).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesSource } from '../scripts/contract.ts';

it('api-types.ts matches the edge’s current /openapi.json', async () => {
  const fresh = await apiTypesSource();
  expect(readFileSync(API_TYPES_FILE, 'utf8') === fresh, 'client/src/api-types.ts is stale: run `npm run build -w client`').toBe(true);
  // The session field the widget relies on is part of the generated contract, not added by hand.
  expect(fresh).toMatch(/sessionId\?: string;/);
}, 30_000);
