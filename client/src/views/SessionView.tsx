import { useEffect, useMemo } from 'react';
import type { Formulary, InfusionEvent, Observation, RescueDose, Session, TrendPoint } from '@infusion/shared';
import { useApiData } from '../admin/useApiData';
import { OVERVIEW_HREF } from '../app/route';
import { useSocket } from '../app/socketContext';
import { useCan } from '../auth/useCan';
import { ObservationList, RescueDoseList } from '../care/CareLists';
import { ChecklistPanel } from '../care/ChecklistPanel';
import { InfusionControls } from '../care/InfusionControls';
import { LimitsEditor } from '../care/LimitsEditor';
import { ObservationForm } from '../care/ObservationForm';
import { OrderPanel } from '../care/OrderPanel';
import { RescueForm } from '../care/RescueForm';
import { AlarmList } from '../components/AlarmList';
import { InfusionEvents } from '../components/InfusionEvents';
import { Numerics } from '../components/Numerics';
import { ResponseNote } from '../components/ResponseNote';
import { SessionHeader } from '../components/SessionHeader';
import { TrendChart, type TrendSeries } from '../components/TrendChart';
import { requestSessionDetail } from '../realtime/requests';
import { detailClosed, detailFailed, detailReceived, detailRequested } from '../stores/detailState';
import { applySessionDetail } from '../stores/monitorState';
import { alarmingFields, runningInfusion, sessionAlarmHistory } from '../stores/selectors';
import { lastSampleTime, latestValues } from '../stores/trend';
import { useConnection } from '../stores/useConnection';
import { updateDetail, useDetail } from '../stores/useDetail';
import { updateMonitor, useMonitor } from '../stores/useMonitor';

const NO_SAMPLES: TrendPoint[] = [];
const NO_EVENTS: InfusionEvent[] = [];
const NO_OBSERVATIONS: Observation[] = [];
const NO_DOSES: RescueDose[] = [];
const NO_CLASSES: string[] = [];

const CHARTS: { name: string; title: string; unit: string; series: TrendSeries[] }[] = [
  { name: 'hr', title: 'Heart rate', unit: '/min', series: [{ field: 'hr', label: 'HR', colour: '#4ade80' }] },
  {
    name: 'bp',
    title: 'Blood pressure (NIBP)',
    unit: 'mmHg',
    series: [
      { field: 'sbp', label: 'SBP', colour: '#f8fafc' },
      { field: 'dbp', label: 'DBP', colour: '#94a3b8' },
      { field: 'map', label: 'MAP', colour: '#fda4af' },
    ],
  },
  { name: 'spo2', title: 'SpO2', unit: '%', series: [{ field: 'spo2', label: 'SpO2', colour: '#38bdf8' }] },
  { name: 'etco2', title: 'EtCO2', unit: 'mmHg', series: [{ field: 'etco2', label: 'EtCO2', colour: '#c4b5fd' }] },
  { name: 'rr', title: 'Respiratory rate', unit: '/min', series: [{ field: 'rr', label: 'RR', colour: '#e2e8f0' }] },
];

/** Fetch the session's detail once subscribed, and again after each re-subscribe (only what is newer). */
function useSessionDetail(sessionId: string) {
  const socket = useSocket();
  const epoch = useConnection((s) => s.epoch);

  useEffect(() => {
    if (epoch === 0) return;
    const held = useDetail.getState();
    const sinceT = held.sessionId === sessionId && held.status === 'ready' ? (lastSampleTime(held.trend) ?? undefined) : undefined;
    updateDetail((s) => detailRequested(s, sessionId));
    let cancelled = false;
    void requestSessionDetail(socket, sessionId, sinceT).then((res) => {
      if (cancelled) return;
      if (res.ok) {
        updateMonitor((s) => applySessionDetail(s, res.data));
        updateDetail((s) => detailReceived(s, res.data));
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

export function SessionView({ sessionId }: { sessionId: string }) {
  useSessionDetail(sessionId);
  const session = useMonitor((s) => s.sessions[sessionId]);
  const liveTrend = useMonitor((s) => s.trends[sessionId]) ?? NO_SAMPLES;
  const events = useMonitor((s) => s.infusionEvents[sessionId]) ?? NO_EVENTS;
  const allAlarms = useMonitor((s) => s.alarms);
  const observations = useMonitor((s) => s.observations[sessionId]) ?? NO_OBSERVATIONS;
  const rescueDoses = useMonitor((s) => s.rescueDoses[sessionId]) ?? NO_DOSES;
  const detail = useDetail();
  const { data: formulary, error: formularyError } = useApiData<Formulary>('/api/formulary');
  const canRescue = useCan('rescue.document');
  const active = session?.status === 'active';

  const alarms = useMemo(() => sessionAlarmHistory(allAlarms, sessionId), [allAlarms, sessionId]);
  const trend = detail.sessionId === sessionId && detail.trend.length > 0 ? detail.trend : liveTrend;
  const latest = useMemo(() => latestValues(trend), [trend]);
  const newestT = lastSampleTime(trend);

  return (
    <div className="session-page" data-testid="session-page" data-session-id={sessionId}>
      <a className="back-link" href={OVERVIEW_HREF}>
        ← All infusions
      </a>
      {session ? (
        <SessionHeader session={session} infusion={runningInfusion(session, newestT)} />
      ) : (
        <p className="empty">{detail.status === 'error' ? `Session not available: ${detail.error}` : 'Loading session…'}</p>
      )}
      <ResponseNote sessionId={sessionId} />
      {detail.status === 'error' && session && <p className="fetch-error">Could not load the full history: {detail.error}</p>}
      {session && <CarePanel session={session} observations={observations} />}
      <div className="session-body">
        <div className="session-charts">
          <Numerics latest={latest} newestT={newestT} sessionId={sessionId} alarming={alarmingFields(alarms)} ended={session?.status === 'ended'} />
          {CHARTS.map((c) => (
            <TrendChart key={c.name} name={c.name} title={c.title} unit={c.unit} series={c.series} trend={trend} />
          ))}
        </div>
        <div className="session-side">
          <section>
            <h3>Alarms</h3>
            {formularyError && <p className="fetch-error">Site formulary not available: {formularyError}</p>}
            <AlarmList alarms={alarms} formulary={formulary} rescueDoses={rescueDoses} sessionActive={active} />
          </section>
          <section>
            <h3>Rescue doses</h3>
            <RescueDoseList doses={rescueDoses} />
            {canRescue && active && <RescueForm sessionId={sessionId} formulary={formulary} classes={NO_CLASSES} idSuffix="session" />}
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
      </div>
    </div>
  );
}
