import type { ReactNode } from 'react';
import type { InfusionState, Session } from '@infusion/shared';
import { CARE_SETTING_LABEL, RULE_PROFILE_LABEL } from '../format';
import { AudioPausedCountdown, AudioPauseButton } from './AudioPause';
import { ChangedLimitsPanel, ProfileMarker } from './ChangedLimits';
import { InfusionSummary } from './InfusionSummary';
import { PhaseMarker } from './PhaseMarker';
import { SimulatedBadge } from './SimulatedBadge';
import { TrainingBadge } from '../training/TrainingBadge';
import { patientHref } from '../app/route';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function SessionHeader({ session, infusion }: { session: Session; infusion: InfusionState }) {
  return (
    <header className="session-header">
      <div className="session-title">
        <h2>{session.patientLabel}</h2>
        {session.simulated && <SimulatedBadge />}
        {session.simulated && <TrainingBadge sessionId={session.id} />}
        <PhaseMarker session={session} testId="session-phase" />
        {session.status === 'ended' && <span className="ended-marker">ENDED</span>}
        <ProfileMarker session={session} />
        <div className="header-spacer" />
        <AudioPausedCountdown session={session} />
        <AudioPauseButton session={session} />
      </div>
      <dl className="session-fields">
        {session.patientId !== null && (
          <Field label="Patient">
            <a href={patientHref(session.patientId)} data-testid="patient-link">
              {session.patientRef ?? 'course of care'}
            </a>
          </Field>
        )}
        <Field label="Location">{session.location}</Field>
        <Field label="Setting">{CARE_SETTING_LABEL[session.setting]}</Field>
        <Field label="Weight">
          {session.weightKg} kg{session.heightCm !== null ? ` · ${session.heightCm} cm` : ''}
          {session.sex !== null ? ` · ${session.sex}` : ''}
        </Field>
        <Field label="Dosing weight">
          <span data-testid="dosing-weight-basis">{session.dosingWeight.label}</span>
        </Field>
        <Field label="Age">{session.ageYears} y</Field>
        <Field label="Physician">{session.supervisingPhysician}</Field>
        <Field label="Nurse">{session.nurse}</Field>
        <Field label="Indication">{session.indication}</Field>
        <Field label="Rules">
          v{session.ruleSetVersion} · {RULE_PROFILE_LABEL[session.profile]} profile
        </Field>
      </dl>
      <ChangedLimitsPanel session={session} />
      <InfusionSummary infusion={infusion} dosingWeight={session.dosingWeight} rateTestId="infusion-rate-shown" />
    </header>
  );
}
