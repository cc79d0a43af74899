import type { Session } from '@infusion/shared';
import { formatDateTime } from '../format';
import { shownPerson } from '../clinicianWords';

/** Tile variant: a marker whose tooltip lists every limit that differs from the site's rule set. */
export function ChangedLimitsMarker({ session }: { session: Pick<Session, 'limitsChanged'> }) {
  if (session.limitsChanged.length === 0) return null;
  return (
    <span className="changed-limits-marker" data-testid="changed-limits" title={`Limits differ from the site's rule set:\n${session.limitsChanged.join('\n')}`}>
      CHANGED LIMITS ({session.limitsChanged.length})
    </span>
  );
}

/** The session runs on the tighter elderly/comorbid profile (shown; the standard profile is not marked). */
export function ProfileMarker({ session }: { session: Pick<Session, 'profile'> }) {
  if (session.profile !== 'elderly_comorbid') return null;
  return (
    <span className="profile-marker" data-testid="profile-marker" title="Elderly/comorbid profile: lower thresholds (ASRA/AAPM/ASA 2018 Q6)">
      ELDERLY/COMORBID PROFILE
    </span>
  );
}

/**
 * Session page variant: always shown, the count in the heading; the full list and who changed limits
 * for this patient and why one click away (a long list would push the alarms off a tablet screen;
 * the charts draw the changed limits dashed).
 */
export function ChangedLimitsPanel({ session }: { session: Pick<Session, 'limitsChanged' | 'limitOverrides' | 'profile'> }) {
  if (session.limitsChanged.length === 0) return null;
  const o = session.limitOverrides;
  return (
    <details className="changed-limits" data-testid="changed-limits">
      <summary className="changed-limits-title">
        CHANGED LIMITS ({session.limitsChanged.length}) — differ from the site's rule set <span className="changed-limits-show">show</span>
      </summary>
      <ul>
        {session.limitsChanged.map((text) => (
          <li key={text}>{text}</li>
        ))}
      </ul>
      {session.profile === 'elderly_comorbid' && <div className="hint">Includes the elderly/comorbid profile's limits.</div>}
      {o && (
        <div className="hint" data-testid="limits-override-info">
          Patient-specific limits by {shownPerson(o.by)} at {formatDateTime(o.at)}: {o.reason}
        </div>
      )}
    </details>
  );
}
