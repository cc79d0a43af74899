import type { ReactNode } from 'react';
import { PRIORITY_SIGNAL, VITAL_FIELDS, VITAL_META, type AlarmPriority, type VitalField } from '@infusion/shared';
import { useNow } from '../app/useNow';
import { formatAge, formatClock, formatVital } from '../format';
import { connectionLost } from '../stores/connectionState';
import { freshness, useFeed, valueAge, type Freshness } from '../stores/freshness';
import type { LatestValue } from '../stores/trend';
import { useConnection } from '../stores/useConnection';
import { useMonitor } from '../stores/useMonitor';

type Latest = Partial<Record<VitalField, LatestValue>>;
/** The priority of the alarm each value is causing right now, if any. */
export type AlarmingFields = Partial<Record<VitalField, AlarmPriority>>;

interface Shown {
  text: string;
  state: Freshness;
  age: number | null;
  t: number | null;
}

interface ValueProps {
  field: VitalField;
  shown: Record<VitalField, Shown>;
  alarming: AlarmingFields;
}

/** Just the number (or '--'): the test hook value-<field> holds nothing else. A value in alarm takes the alarm colour. */
function Value({ field, shown, alarming }: ValueProps) {
  const s = shown[field];
  const priority = alarming[field];
  const cls = ['value', s.state !== 'live' ? 'stale' : '', priority ? 'value-alarm' : ''].filter(Boolean).join(' ');
  return (
    <span
      className={cls}
      data-testid={`value-${field}`}
      data-freshness={s.state}
      data-alarm-priority={priority ?? 'none'}
      style={priority ? { color: PRIORITY_SIGNAL[priority].colour } : undefined}
      title={s.t !== null ? `${VITAL_META[field].label} ${UNIT[field]}, measured ${formatClock(s.t)}${s.state !== 'live' ? ' (not live)' : ''}` : 'no value'}
    >
      {s.text}
    </span>
  );
}

function Cell({ field, label, unit, age, secondary, children }: { field: string; label: string; unit: string; age: number | null; secondary?: boolean; children: ReactNode }) {
  return (
    <div className={`numeric numeric-${field}${secondary ? ' numeric-secondary' : ''}`}>
      <div className="numeric-label">
        {label} <span className="numeric-unit">{unit}</span>
        {age !== null && (
          <span className="value-age" data-testid={`age-${field}`}>
            {formatAge(age)}
          </span>
        )}
      </div>
      <div className="numeric-value">{children}</div>
    </div>
  );
}

/** The monitor layout above places these; a vital sign added to the table later is shown after them. */
const LAID_OUT: readonly VitalField[] = ['hr', 'sbp', 'dbp', 'map', 'spo2', 'etco2', 'rr'];
const EXTRA = VITAL_FIELDS.filter((f) => !LAID_OUT.includes(f));
const UNIT = Object.fromEntries(VITAL_FIELDS.map((f) => [f, VITAL_META[f].displayUnit])) as Record<VitalField, string>;

interface NumericsProps {
  latest: Latest;
  newestT: number | null;
  /** Whose values these are: their arrival time tells how old they are. */
  sessionId?: string;
  alarming?: AlarmingFields;
  /** An ended session: nothing it shows is live. */
  ended?: boolean;
}

const NONE: AlarmingFields = {};

/**
 * Latest HR, NIBP (SBP/DBP (MAP)), SpO2, EtCO2 and RR in monitor layout. A value older than its stale
 * time, every value while the link is lost, and those of an ended session are greyed with their age;
 * after a longer time they are replaced by "--".
 */
export function Numerics({ latest, newestT, sessionId, alarming = NONE, ended = false }: NumericsProps) {
  const serverNow = useNow(true, 1000);
  const offset = useMonitor((s) => s.clockOffsetMs);
  const receivedAt = useFeed((s) => (sessionId ? s[sessionId] : undefined));
  const lost = useConnection(connectionLost);
  const notLive = lost || ended;
  const ages = { pageNow: serverNow - offset, serverNow, receivedAt, newestT };
  const shown = {} as Record<VitalField, Shown>;
  let newestAge: number | null = null;
  for (const f of VITAL_FIELDS) {
    const v = latest[f];
    if (!v) {
      shown[f] = { text: '--', state: 'live', age: null, t: null };
      continue;
    }
    const age = valueAge(v, ages);
    const state = freshness(f, age, notLive);
    // A cell shows its own age only when the value itself is old; link lost or ended is said once for all.
    const ownAge = freshness(f, age, false) !== 'live' ? age : null;
    shown[f] = { text: state === 'blank' ? '--' : formatVital(v.value), state, age: ownAge, t: v.t };
    if (newestAge === null || age < newestAge) newestAge = age;
  }
  const old = VITAL_FIELDS.filter((f) => f !== 'dbp' && f !== 'map' && shown[f].age !== null);
  const p = { shown, alarming };
  return (
    <div className={`numerics${notLive ? ' numerics-not-live' : ''}`} data-live={!notLive}>
      {notLive ? (
        <div className="numerics-status" data-testid="numerics-not-live">
          NOT LIVE<span className="numerics-status-why"> · {ended ? 'session ended' : 'connection lost'}</span>
          {newestAge !== null && ` · data ${formatAge(newestAge)}`}
        </div>
      ) : (
        old.length > 0 && (
          // Said once as well, for sectors too narrow for an age beside each label.
          <div className="numerics-status numerics-status-old" data-testid="numerics-old">
            OLD {formatAge(Math.min(...old.map((f) => shown[f].age ?? 0)))} · {old.map((f) => (f === 'sbp' ? 'NIBP' : VITAL_META[f].label)).join(' ')}
          </div>
        )
      )}
      <Cell field="hr" label={VITAL_META.hr.label} unit={UNIT.hr} age={shown.hr.age}>
        <Value field="hr" {...p} />
      </Cell>
      <Cell field="bp" label="NIBP" unit={UNIT.sbp} age={shown.sbp.age}>
        {/* One unit: SBP without its DBP is a misread value; only MAP may go under them. */}
        <span className="bp-pair">
          <Value field="sbp" {...p} />
          <span className="sep">/</span>
          <Value field="dbp" {...p} />
        </span>
        <span className="map">
          (<Value field="map" {...p} />)
        </span>
      </Cell>
      <Cell field="spo2" label={VITAL_META.spo2.label} unit={UNIT.spo2} age={shown.spo2.age}>
        <Value field="spo2" {...p} />
      </Cell>
      <Cell field="etco2" label={VITAL_META.etco2.label} unit={UNIT.etco2} age={shown.etco2.age} secondary>
        <Value field="etco2" {...p} />
      </Cell>
      <Cell field="rr" label={VITAL_META.rr.label} unit={UNIT.rr} age={shown.rr.age} secondary>
        <Value field="rr" {...p} />
      </Cell>
      {EXTRA.map((f) => (
        <Cell key={f} field={f} label={VITAL_META[f].label} unit={UNIT[f]} age={shown[f].age} secondary>
          <Value field={f} {...p} />
        </Cell>
      ))}
    </div>
  );
}
