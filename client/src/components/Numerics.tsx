import type { ReactNode } from 'react';
import { VITAL_META, type VitalField } from '@infusion/shared';
import { formatClock, formatVital } from '../format';
import { isStale, type LatestValue } from '../stores/trend';

type Latest = Partial<Record<VitalField, LatestValue>>;

interface ValueProps {
  field: VitalField;
  latest: Latest;
  newestT: number | null;
}

/** Just the number (or '--'): the test hook value-<field> holds nothing else. */
function Value({ field, latest, newestT }: ValueProps) {
  const v = latest[field];
  const stale = isStale(field, v, newestT);
  return (
    <span
      className={stale ? 'value stale' : 'value'}
      data-testid={`value-${field}`}
      title={v ? `${VITAL_META[field].label} at ${formatClock(v.t)}${stale ? ' (old value)' : ''}` : 'no value'}
    >
      {formatVital(v?.value)}
    </span>
  );
}

function Cell({ field, label, unit, children }: { field: string; label: string; unit: string; children: ReactNode }) {
  return (
    <div className={`numeric numeric-${field}`}>
      <div className="numeric-label">
        {label} <span className="numeric-unit">{unit}</span>
      </div>
      <div className="numeric-value">{children}</div>
    </div>
  );
}

const UNIT: Record<VitalField, string> = { hr: '/min', sbp: 'mmHg', dbp: 'mmHg', map: 'mmHg', spo2: '%', etco2: 'mmHg', rr: '/min' };

/** Latest HR, NIBP (SBP/DBP (MAP)), SpO2, EtCO2 and RR in monitor layout. */
export function Numerics({ latest, newestT }: { latest: Latest; newestT: number | null }) {
  const p = { latest, newestT };
  return (
    <div className="numerics">
      <Cell field="hr" label="HR" unit={UNIT.hr}>
        <Value field="hr" {...p} />
      </Cell>
      <Cell field="bp" label="NIBP" unit={UNIT.sbp}>
        <Value field="sbp" {...p} />
        <span className="sep">/</span>
        <Value field="dbp" {...p} />
        <span className="map">
          (<Value field="map" {...p} />)
        </span>
      </Cell>
      <Cell field="spo2" label="SpO2" unit={UNIT.spo2}>
        <Value field="spo2" {...p} />
      </Cell>
      <Cell field="etco2" label="EtCO2" unit={UNIT.etco2}>
        <Value field="etco2" {...p} />
      </Cell>
      <Cell field="rr" label="RR" unit={UNIT.rr}>
        <Value field="rr" {...p} />
      </Cell>
    </div>
  );
}
