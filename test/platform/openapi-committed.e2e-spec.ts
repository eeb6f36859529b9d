import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp } from '@app/testing';
import { toCommittedDocument } from '../../src/openapi-document.js';

describe('the committed OpenAPI document', () => {
  it('is the document the server serves (run `npm run openapi:export` after an API change)', async () => {
    const t = await createTestApp();
    try {
      const served = (await t.get('/docs/openapi.json')).json();
      const committed = readFileSync(join(import.meta.dirname, '../../openapi.json'), 'utf8');
      expect(toCommittedDocument(served)).toBe(committed);
    } finally {
      await t.close();
    }
  });
});
