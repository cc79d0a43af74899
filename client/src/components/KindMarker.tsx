import type { AlarmKind } from '@infusion/shared';

const TEXT: Record<AlarmKind, string | null> = { clinical: null, technical: 'TECHNICAL', advisory: 'ADVISORY' };

/**
 * Technical alarms (sensor off, no data) and advisories (dose guardrails, schedules) are labelled so
 * they are never mistaken for a clinical alarm (IEC 60601-1-8); clinical alarms carry no extra label.
 */
export function KindMarker({ kind }: { kind: AlarmKind }) {
  const text = TEXT[kind];
  if (!text) return null;
  return (
    <span className={`${kind}-marker kind-marker`} data-kind={kind}>
      {text}
    </span>
  );
}
