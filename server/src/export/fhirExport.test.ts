import { describe, expect, it } from 'vitest';
import { bundleJson } from './fhirExport';

describe('FHIR bundle as JSON in pieces', () => {
  it('gives exactly the text JSON.stringify gives, whatever the number of entries', () => {
    for (const n of [0, 1, 200, 450]) {
      const bundle = {
        resourceType: 'Bundle' as const,
        type: 'collection' as const,
        timestamp: '2026-11-22T09:00:00Z',
        entry: Array.from({ length: n }, (_, i) => ({ fullUrl: `urn:uuid:${i}`, resource: { resourceType: 'Patient' as const, id: String(i), identifier: [{ value: `p "${i}"` }] } })),
      };
      const { entry, ...head } = bundle;
      const pieces = [...bundleJson({ head, entries: entry }, 200)];
      expect(pieces.join(''), `${n} entries`).toBe(JSON.stringify(bundle));
      expect(pieces.length).toBe(2 + Math.ceil(n / 200));
      expect(pieces.every((p) => p.length > 0)).toBe(true);
    }
  });
});
