import { lazy, Suspense, useEffect, useMemo, useState, type ReactNode } from 'react';
import { PRIORITY_RANK, type AlarmPriority } from '@infusion/shared';
import { signalClass, signalStyle } from '../components/alarmSignal';
import { useAuth } from '../auth/useAuth';
import { AlarmBanner } from '../components/AlarmBanner';
import { AudioControl } from '../components/AudioControl';
import { useCan } from '../auth/useCan';
import { ConnectionBanner } from '../components/ConnectionBanner';
import { StorageBanner } from '../components/StorageBanner';
import { EscalationInbox } from '../components/EscalationInbox';
import { KeyboardShortcuts } from '../components/KeyboardShortcuts';
import { TrainingMarker, UserBar } from '../components/UserBar';
import { startLiveUpdates } from '../realtime/liveUpdates';
import { createDashboardSocket, type DashboardSocket } from '../socket';
import { resetDashboardStores } from '../stores/reset';
import { useMonitor } from '../stores/useMonitor';
import { ReportsPage } from '../reports/ReportsPage';
import { OverviewView } from '../views/OverviewView';
import { PasswordForm } from '../views/PasswordView';
import { SessionView } from '../views/SessionView';
import { AdmitView } from '../views/AdmitView';
import { InboxView } from '../views/InboxView';
import { PatientsView, PatientView } from '../views/PatientView';
import { DebriefPage } from '../training/DebriefPage';
import { ProgressPage } from '../training/ProgressPage';
import { openEscalations } from '../stores/escalationState';
import { TrainingFeed } from '../training/TrainingFeed';
import { useTraining } from '../training/useTraining';
import { INBOX_HREF, OVERVIEW_HREF, PATIENTS_HREF, REPORTS_HREF, TRAINING_HREF } from './route';
import { SocketContext } from './socketContext';
import { useRoute } from './useRoute';

/** The trainer console (and a trainee's runs): loaded only when opened, the ward screens never carry it. */
const TrainingPage = lazy(() => import('../training/TrainingPage'));

function RuleSetLabel() {
  const ruleSet = useMonitor((s) => s.ruleSet);
  if (!ruleSet) return null;
  return (
    <span className="ruleset" data-testid="ruleset">
      Rules: {ruleSet.name} v{ruleSet.version}
    </span>
  );
}

/**
 * The dashboard socket of one login: created when mounted (keyed by the login's CSRF token, so a new
 * login or a password change gets a fresh socket with the new cookie), stopped and forgotten when
 * unmounted. The stores start empty and are emptied again, so nothing passes to the next user.
 */
function LiveLink({ children, onSocket }: { children: ReactNode; onSocket: (socket: DashboardSocket | null) => void }) {
  const [socket] = useState(createDashboardSocket);
  useEffect(() => {
    resetDashboardStores();
    const stop = startLiveUpdates(socket);
    onSocket(socket);
    return () => {
      onSocket(null);
      stop();
      resetDashboardStores();
    };
  }, [socket, onSocket]);
  return <SocketContext value={socket}>{children}</SocketContext>;
}

function RoutedView() {
  const route = useRoute();
  const canReport = useCan('report.view');
  const canRespond = useCan('response.record');
  const canSeePatients = useCan('patient.view');
  const canTrain = useCan('training.view');
  if (route.view === 'training' && canTrain)
    return (
      <Suspense fallback={<p className="empty">Loading the training console…</p>}>
        <TrainingPage />
      </Suspense>
    );
  if (route.view === 'debrief' && canTrain) return <DebriefPage key={route.runId} runId={route.runId} />;
  if (route.view === 'progress' && canTrain) return <ProgressPage key={route.username} username={route.username} />;
  if (route.view === 'session') return <SessionView key={route.sessionId} sessionId={route.sessionId} />;
  if (route.view === 'reports' && canReport) return <ReportsPage />;
  if (route.view === 'inbox' && canRespond) return <InboxView />;
  if (route.view === 'admit') return <AdmitView />;
  if (route.view === 'patients' && canSeePatients) return <PatientsView />;
  if (route.view === 'patient' && canSeePatients) return <PatientView key={route.patientId} patientId={route.patientId} />;
  return <OverviewView />;
}

function PatientsLink() {
  if (!useCan('patient.view')) return null;
  return (
    <a className="header-link" href={PATIENTS_HREF} data-testid="patients-link">
      Patients
    </a>
  );
}

/** Trainers: the console. Anyone else: their own runs, once they have one. */
function TrainingLink() {
  const trainer = useCan('training.run');
  const viewer = useCan('training.view');
  const hasRuns = useTraining((s) => Object.keys(s.runs).length > 0);
  if (!trainer && !(viewer && hasRuns)) return null;
  return (
    <a className="header-link" href={TRAINING_HREF} data-testid="training-link">
      {trainer ? 'Training console' : 'My training runs'}
    </a>
  );
}

function ReportsLink() {
  const canReport = useCan('report.view');
  if (!canReport) return null;
  return (
    <a className="header-link" href={REPORTS_HREF} data-testid="reports-link">
      Reports
    </a>
  );
}

/**
 * The physician's one place for escalations: a badge button that opens the inbox, with the count of
 * open escalations and the signal of the loudest (it flashes for a level-2 or high one, and the
 * escalation sound plays until it is acknowledged). Roles without an inbox get the header's panel instead.
 */
function InboxLink() {
  const canRespond = useCan('response.record');
  const all = useMonitor((s) => s.escalations);
  const open = useMemo(() => openEscalations(all), [all]);
  const onInbox = useRoute().view === 'inbox';
  if (!canRespond) return null;
  const loudest = open.reduce<AlarmPriority | null>((p, e) => (p === null || PRIORITY_RANK[e.priority] > PRIORITY_RANK[p] ? e.priority : p), null);
  return (
    <a
      className={`escalation-button inbox-button ${loudest ? signalClass(loudest) : ''} ${onInbox ? 'inbox-here' : ''}`}
      style={loudest ? signalStyle(loudest) : undefined}
      href={INBOX_HREF}
      data-testid="inbox-link"
      data-count={open.length}
      aria-current={onInbox ? 'page' : undefined}
      title={open.length ? `${open.length} open escalation${open.length === 1 ? '' : 's'}: open the inbox` : 'Escalation inbox and the sessions you supervise'}
    >
      Inbox <span className="escalation-badge">{open.length}</span>
    </a>
  );
}

/** Shell of a clinical user: header with the global alarm banner, connection warning, user, and the routed page. */
export function MonitorShell() {
  const csrfToken = useAuth((s) => s.csrfToken);
  const [changingPassword, setChangingPassword] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  // The header sits outside the per-login link (so alarm sound keeps playing across re-logins); it reaches the
  // current socket through `headerSocket`, which the link publishes while it is mounted.
  const [headerSocket, setHeaderSocket] = useState<DashboardSocket | null>(null);
  return (
    <div className="app">
      <SocketContext value={headerSocket}>
        <header className="app-header">
          <ConnectionBanner />
          <StorageBanner />
          <TrainingMarker />
          <div className="app-header-row">
            <div className="app-brand">
              <a href={OVERVIEW_HREF}>Ketamine infusion monitor</a>
              <RuleSetLabel />
              <ReportsLink />
              <PatientsLink />
              <TrainingLink />
            </div>
            <AlarmBanner />
            <InboxLink />
            <EscalationInbox />
            <AudioControl />
            <UserBar
              onChangePassword={() => {
                setMessage(null);
                setChangingPassword(true);
              }}
            />
          </div>
        </header>
      </SocketContext>
      <main className="app-main">
        {message && (
          <p className="flash" role="status">
            {message}
          </p>
        )}
        <LiveLink key={csrfToken ?? ''} onSocket={setHeaderSocket}>
          <KeyboardShortcuts />
          <TrainingFeed />
          {changingPassword ? (
            <section className="page-panel">
              <h2>Change password</h2>
              <PasswordForm
                onCancel={() => setChangingPassword(false)}
                onDone={() => {
                  setChangingPassword(false);
                  setMessage('Password changed. Your other logins have been ended.');
                }}
              />
            </section>
          ) : (
            <RoutedView />
          )}
        </LiveLink>
      </main>
    </div>
  );
}
