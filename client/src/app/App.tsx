import { AlarmBanner } from '../components/AlarmBanner';
import { AudioControl } from '../components/AudioControl';
import { ConnectionBanner } from '../components/ConnectionBanner';
import { useMonitor } from '../stores/useMonitor';
import { OverviewView } from '../views/OverviewView';
import { SessionView } from '../views/SessionView';
import { OVERVIEW_HREF } from './route';
import { useRoute } from './useRoute';

function RuleSetLabel() {
  const ruleSet = useMonitor((s) => s.ruleSet);
  if (!ruleSet) return null;
  return (
    <span className="ruleset" data-testid="ruleset">
      Rules: {ruleSet.name} v{ruleSet.version}
    </span>
  );
}

/** Shell: header with the global alarm banner, connection warning, and the routed page. */
export function App() {
  const route = useRoute();
  return (
    <div className="app">
      <header className="app-header">
        <ConnectionBanner />
        <div className="app-header-row">
          <div className="app-brand">
            <a href={OVERVIEW_HREF}>Ketamine infusion monitor</a>
            <RuleSetLabel />
          </div>
          <AlarmBanner />
          <AudioControl />
        </div>
      </header>
      <main className="app-main">
        {route.view === 'session' ? <SessionView key={route.sessionId} sessionId={route.sessionId} /> : <OverviewView />}
      </main>
    </div>
  );
}
