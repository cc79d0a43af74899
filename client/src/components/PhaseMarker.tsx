import { PHASE_LABELS, type Session } from '@infusion/shared';

/** Where the session is in the course of care (pre-infusion, infusion, recovery, discharged, …). */
export function PhaseMarker({ session, testId }: { session: Pick<Session, 'phase'>; testId?: string }) {
  return (
    <span className={`phase-marker phase-${session.phase}`} data-testid={testId} data-phase={session.phase}>
      {PHASE_LABELS[session.phase]}
    </span>
  );
}
