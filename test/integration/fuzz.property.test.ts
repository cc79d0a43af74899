import { describe, expect, it } from 'vitest';
import { hl7AppProperty, hl7ReadProperty, ingestProperty, mllpProperty, SMALL_RUNS } from '../fuzz/properties';

// The same properties `npm run fuzz` runs at 100,000 cases, small enough for every test run.
describe('ingest and HL7 under arbitrary input (property tests)', () => {
  it('HL7 parse and ORU reading never throw anything but a parse error, and keep no value out of range', () => {
    expect(hl7ReadProperty(SMALL_RUNS.hl7Read)).toBe(SMALL_RUNS.hl7Read);
  });
  it('MLLP framing survives arbitrary chunks', () => {
    expect(mllpProperty(SMALL_RUNS.mllp)).toBe(SMALL_RUNS.mllp);
  });
  it('every HL7 message gets a well-formed ACK from a real app, and a refusal stores nothing', async () => {
    expect(await hl7AppProperty(SMALL_RUNS.hl7App)).toBe(SMALL_RUNS.hl7App);
  });
  it('ingest answers every frame of a batch and stores exactly what it calls accepted', async () => {
    expect(await ingestProperty(SMALL_RUNS.ingest)).toBe(SMALL_RUNS.ingest);
  });
});
