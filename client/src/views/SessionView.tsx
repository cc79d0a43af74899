import { memo, useCallback, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { AdverseEffect, Alarm, Formulary, InfusionEvent, Observation, RescueDose, RuleChange, RuleSet, Session, TrendPoint } from '@infusion/shared';
import { useApiData } from '../admin/useApiData';
import { api } from '../auth/authActions';
import { OVERVIEW_HREF } from '../app/route';
import { useSocket } from '../app/socketContext';
import { useCan } from '../auth/useCan';
import { ObservationList, RescueDoseList } from '../care/CareLists';
import { ChecklistPanel } from '../care/ChecklistPanel';
import { CoursePanel } from '../care/CoursePanel';
import { InfusionControls } from '../care/InfusionControls';
import { LimitsEditor } from '../care/LimitsEditor';
import { ObservationForm } from '../care/ObservationForm';
import { OrderPanel } from '../care/OrderPanel';
import { RescueForm } from '../care/RescueForm';
import { AdverseEffectForm, AdverseEffectList } from '../course/AdverseEffectPanel';
import { ResponsePanel } from '../course/ResponsePanel';
import { SeriesNoticePanel } from '../course/SeriesNoticePanel';
import { AlarmGuidance, AlarmList } from '../components/AlarmList';
import { endedLimitLines, limitLines } from '../charts/limitLines';
import { SessionTrends } from '../charts/SessionTrends';
import { InfusionEvents } from '../components/InfusionEvents';
import { Numerics } from '../components/Numerics';
import { ResponseNote } from '../components/ResponseNote';
import { ExportButtons } from '../export/ExportButtons';
import { SessionHeader } from '../components/SessionHeader';
import { requestSessionDetail } from '../realtime/requests';
import { detailClosed, detailFailed, detailReceived, detailReplaced, detailRequested, detailWindowChosen, windowSince, type TrendWindow } from '../stores/detailState';
import { applySessionDetail } from '../stores/monitorState';
import { alarmingFields, runningInfusion, sessionAlarmHistory } from '../stores/selectors';
import { lastSampleTime, latestValues } from '../stores/trend';
import { sessionRulesPath } from '../care/careActions';
import { useConnection } from '../stores/useConnection';
import { updateDetail, useDetail } from '../stores/useDetail';
import { updateMonitor, useMonitor } from '../stores/useMonitor';

const NO_SAMPLES: TrendPoint[] = [];
const NO_EVENTS: InfusionEvent[] = [];
const NO_OBSERVATIONS: Observation[] = [];
const NO_DOSES: RescueDose[] = [];
const NO_EFFECTS: AdverseEffect[] = [];
const NO_CLASSES: string[] = [];

/** The newest sample time known for a session before its page has loaded (the overview's live trend), else now. */
function newestKnown(sessionId: string): number {
  return lastSampleTime(useMonitor.getState().trends[sessionId]) ?? Date.now();
}

/**
 * Load the session's detail with the chosen window once subscribed; after each re-subscribe only what
 * is newer is fetched and merged. Choosing another window loads it and replaces the trend.
 */
function useSessionDetail(sessionId: string) {
  const socket = useSocket();
  const epoch = useConnection((s) => s.epoch);

  useEffect(() => {
    if (epoch === 0) return;
    const held = useDetail.getState();
    const refresh = held.sessionId === sessionId && held.status === 'ready';
    updateDetail((s) => detailRequested(s, sessionId));
    const { window, generation } = useDetail.getState();
    const sinceT = refresh ? (lastSampleTime(held.trend) ?? undefined) : windowSince(window, newestKnown(sessionId));
    let cancelled = false;
    void requestSessionDetail(socket, sessionId, sinceT).then((res) => {
      if (cancelled) return;
      if (res.ok) {
        updateMonitor((s) => applySessionDetail(s, res.data));
        updateDetail((s) => (refresh ? detailReceived(s, res.data) : detailReplaced(s, res.data, generation)));
      } else {
        updateDetail((s) => detailFailed(s, sessionId, res.error));
      }
    });
    return () => {
      cancelled = true;
    };
  }, [socket, sessionId, epoch]);

  // Free the whole-session trend when the page closes.
  useEffect(() => () => updateDetail(detailClosed), []);

  return useCallback(
    (w: TrendWindow) => {
      updateDetail((s) => detailWindowChosen(s, w));
      const { trend, generation } = useDetail.getState();
      const sinceT = windowSince(w, lastSampleTime(trend) ?? newestKnown(sessionId));
      void requestSessionDetail(socket, sessionId, sinceT).then((res) => {
        if (res.ok) updateDetail((s) => detailReplaced(s, res.data, generation));
        else updateDetail((s) => detailFailed(s, sessionId, res.error));
      });
    },
    [socket, sessionId],
  );
}

/** GET /api/sessions/:id/rules: the session's effective rules. */
interface SessionRules {
  ruleSet: RuleSet;
  changes: RuleChange[];
}

/**
 * The threshold limits in force for an active session, re-read whenever its limits change; for an ended
 * one, those it ran on (its rule set version, profile and overrides).
 */
function useLimitLines(session: Session | undefined) {
  const live = useLiveLimitLines(session);
  const ended = useEndedLimitLines(session);
  return session?.status === 'ended' ? ended : live;
}

/** An ended session's limits: its rule set version is read once (roles without the rule sets see none). */
function useEndedLimitLines(session: Session | undefined) {
  const version = session?.status === 'ended' ? session.ruleSetVersion : null;
  const [ruleSet, setRuleSet] = useState<RuleSet | null>(null);
  useEffect(() => {
    if (version === null) return;
    let cancelled = false;
    void api<RuleSet>('GET', `/api/rulesets/versions/${version}`).then((r) => {
      if (!cancelled && r.ok) setRuleSet(r.data);
    });
    return () => {
      cancelled = true;
    };
  }, [version]);
  const profile = session?.profile;
  const overrides = session?.limitOverrides ?? null;
  return useMemo(
    () => (version !== null && profile && ruleSet?.version === version ? endedLimitLines(ruleSet, { profile, limitOverrides: overrides }) : []),
    [version, ruleSet, profile, overrides],
  );
}

function useLiveLimitLines(session: Session | undefined) {
  const id = session?.status === 'active' ? session.id : null;
  const changedKey = session?.limitsChanged.join('\n') ?? '';
  const [rules, setRules] = useState<SessionRules | null>(null);
  useEffect(() => {
    if (id === null) return;
    let cancelled = false;
    void api<SessionRules>('GET', sessionRulesPath(id)).then((r) => {
      if (!cancelled && r.ok) setRules(r.data);
    });
    return () => {
      cancelled = true;
    };
  }, [id, changedKey]);
  return useMemo(() => (id !== null && rules ? limitLines(rules.ruleSet, rules.changes) : []), [id, rules]);
}

/**
 * Bedside documentation. Before the first start: scores, the checklist and its result, then the
 * infusion controls. Once started: the infusion controls and score entry stay (sedation is due every
 * 15 minutes).
 */
function CarePanel({ session, observations }: { session: Session; observations: readonly Observation[] }) {
  const checklist = useMonitor((s) => s.checklists[session.id]) ?? null;
  if (session.status !== 'active') return null;
  const orderedRate = checklist?.input.orderedRateMgKgH ?? null;
  if (session.infusion.status === 'not_started') {
    return (
      <section className="prestart-panel" data-testid="prestart-panel">
        <h3>Before the infusion</h3>
        {session.patientId !== null && <SeriesNoticePanel path={`/api/sessions/${encodeURIComponent(session.id)}/series`} />}
        <ObservationForm sessionId={session.id} observations={observations} />
        <OrderPanel session={session} />
        <ChecklistPanel sessionId={session.id} record={checklist} />
        <InfusionControls session={session} orderedRate={orderedRate} />
      </section>
    );
  }
  return (
    <section className="care-panel" data-testid="care-panel">
      <OrderPanel session={session} />
      <InfusionControls session={session} orderedRate={orderedRate} />
      <ObservationForm sessionId={session.id} observations={observations} />
    </section>
  );
}

/**
 * Keep the alarm strip right under the sticky page header, whatever that header's height (it grows
 * with a lost connection or a storage warning): its height is published as --app-header-h.
 */
function useHeaderOffset(page: RefObject<HTMLDivElement | null>) {
  useEffect(() => {
    const header = document.querySelector<HTMLElement>('.app-header');
    const el = page.current;
    if (!header || !el) return;
    const set = () => el.style.setProperty('--app-header-h', `${header.offsetHeight}px`);
    set();
    const ro = new ResizeObserver(set);
    ro.observe(header);
    return () => ro.disconnect();
  }, [page]);
}

interface SideProps {
  sessionId: string;
  session: Session | undefined;
  alarms: Alarm[];
  formulary: Formulary | null;
  formularyError: string | null;
  rescueDoses: readonly RescueDose[];
  observations: readonly Observation[];
  events: readonly InfusionEvent[];
  adverseEffects: readonly AdverseEffect[];
}

/**
 * What to do, bedside documentation and the session's lists. Memoised: a vitals push (several a
 * second) re-renders the numerics and charts, not these forms.
 */
const SessionSide = memo(function SessionSide({ sessionId, session, alarms, formulary, formularyError, rescueDoses, observations, events, adverseEffects }: SideProps) {
  const canRescue = useCan('rescue.document');
  const active = session?.status === 'active';
  const stopped = session !== undefined && (session.infusion.status === 'stopped' || (session.status === 'ended' && session.infusion.status !== 'not_started'));
  const painScores = observations.filter((o) => o.scale === 'NRS_PAIN').length;
  return (
    <div className="session-side">
      {alarms.length > 0 && (
        <section>
          <h3>What to do</h3>
          {formularyError && <p className="fetch-error">Site formulary not available: {formularyError}</p>}
          <AlarmGuidance alarms={alarms} formulary={formulary} rescueDoses={rescueDoses} sessionActive={active} />
        </section>
      )}
      {session && <CarePanel session={session} observations={observations} />}
      {session && <CoursePanel session={session} observations={observations} events={events} />}
      <section>
        <h3>Rescue doses</h3>
        <RescueDoseList doses={rescueDoses} />
        {canRescue && active && <RescueForm sessionId={sessionId} formulary={formulary} classes={NO_CLASSES} idSuffix="session" />}
      </section>
      {stopped && <ResponsePanel sessionId={sessionId} painScores={painScores} />}
      <section data-testid="adverse-section">
        <h3>Adverse effects</h3>
        <AdverseEffectList effects={adverseEffects} />
        {session && <AdverseEffectForm sessionId={sessionId} ruleSetVersion={session.ruleSetVersion} rescueDoses={rescueDoses} alarms={alarms} />}
      </section>
      <section>
        <h3>Sedation and pain scores</h3>
        <ObservationList observations={observations} />
      </section>
      {session && <LimitsEditor session={session} />}
      <section>
        <h3>Infusion events</h3>
        <InfusionEvents events={events} />
      </section>
    </div>
  );
});

export function SessionView({ sessionId }: { sessionId: string }) {
  const chooseWindow = useSessionDetail(sessionId);
  const page = useRef<HTMLDivElement>(null);
  useHeaderOffset(page);
  const session = useMonitor((s) => s.sessions[sessionId]);
  const liveTrend = useMonitor((s) => s.trends[sessionId]) ?? NO_SAMPLES;
  const events = useMonitor((s) => s.infusionEvents[sessionId]) ?? NO_EVENTS;
  const allAlarms = useMonitor((s) => s.alarms);
  const observations = useMonitor((s) => s.observations[sessionId]) ?? NO_OBSERVATIONS;
  const rescueDoses = useMonitor((s) => s.rescueDoses[sessionId]) ?? NO_DOSES;
  const adverseEffects = useMonitor((s) => s.adverseEffects[sessionId]) ?? NO_EFFECTS;
  const detail = useDetail();
  const { data: formulary, error: formularyError } = useApiData<Formulary>('/api/formulary');
  const limits = useLimitLines(session);

  const alarms = useMemo(() => sessionAlarmHistory(allAlarms, sessionId), [allAlarms, sessionId]);
  const trend = detail.sessionId === sessionId && detail.trend.length > 0 ? detail.trend : liveTrend;
  const latest = useMemo(() => latestValues(trend), [trend]);
  const newestT = lastSampleTime(trend);
  const unresolved = alarms.filter((a) => a.state !== 'resolved').length;

  return (
    <div className="session-page" ref={page} data-testid="session-page" data-session-id={sessionId}>
      <div className="session-top">
        <a className="back-link" href={OVERVIEW_HREF}>
          ← All infusions
        </a>
        {session ? (
          <SessionHeader session={session} infusion={runningInfusion(session, newestT)} />
        ) : (
          <p className="empty">{detail.status === 'error' ? `Session not available: ${detail.error}` : 'Loading session…'}</p>
        )}
        {session && <ExportButtons sessionId={sessionId} />}
        <ResponseNote sessionId={sessionId} />
        {detail.status === 'error' && session && <p className="fetch-error">Could not load the full history: {detail.error}</p>}
      </div>
      <section className="session-alarms" data-testid="session-alarms" aria-label="Alarms of this session">
        <h3>
          Alarms{' '}
          <span className="hint">
            {unresolved} open · {alarms.length - unresolved} resolved
          </span>
        </h3>
        <div className="session-alarms-list">
          <AlarmList alarms={alarms} />
        </div>
      </section>
      {/* Before the start the bedside forms (scores, checklist, start) are the task: on a narrow screen they come first. */}
      <div className={`session-body${session?.status === 'active' && session.infusion.status === 'not_started' ? ' prestart' : ''}`}>
        <div className="session-charts">
          <Numerics latest={latest} newestT={newestT} sessionId={sessionId} alarming={alarmingFields(alarms)} ended={session?.status === 'ended'} />
          {session && (
            <SessionTrends
              trend={trend}
              events={events}
              observations={observations}
              rescueDoses={rescueDoses}
              adverseEffects={adverseEffects}
              alarms={alarms}
              limits={limits}
              dosingWeightKg={session.dosingWeight.kg}
              doseAsOf={session.infusion.asOf}
              openedAt={session.createdAt}
              newestT={Math.max(newestT ?? 0, session.endedAt ?? 0, lastEventTime(events, observations, rescueDoses)) || session.createdAt}
              window={detail.window}
              onWindow={chooseWindow}
              status={detail.status}
            />
          )}
        </div>
        <SessionSide
          sessionId={sessionId}
          session={session}
          alarms={alarms}
          formulary={formulary}
          formularyError={formularyError}
          rescueDoses={rescueDoses}
          observations={observations}
          events={events}
          adverseEffects={adverseEffects}
        />
      </div>
    </div>
  );
}

/** The latest documented time: the charts' live edge also moves with events when no vitals arrive. */
function lastEventTime(events: readonly InfusionEvent[], observations: readonly Observation[], doses: readonly RescueDose[]): number {
  let t = 0;
  for (const list of [events, observations, doses]) for (const x of list) if (x.t > t) t = x.t;
  return t;
}
