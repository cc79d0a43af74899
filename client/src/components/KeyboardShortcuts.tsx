import { useEffect, useRef, useState } from 'react';
import { useCan } from '../auth/useCan';
import { pauseAudio } from '../care/careActions';
import { acknowledgeAlarm } from '../realtime/requests';
import { applyAckResult } from '../stores/monitorState';
import { navigationOrder, useTileOrder } from '../overview/tileOrder';
import { overviewSessions } from '../stores/selectors';
import { updateMonitor, useMonitor } from '../stores/useMonitor';
import { OVERVIEW_HREF, sessionHref } from '../app/route';
import { neighbour, shortcutAction, SHORTCUTS, topUnacknowledged } from '../app/shortcuts';
import { useRoute } from '../app/useRoute';
import { useSocket } from '../app/socketContext';

const KEY_TEXT: Record<string, string> = { ArrowDown: '↓', ArrowUp: '↑', Escape: 'Esc' };
const TILE_PREFIX = 'tile-';

/** The session whose tile has the keyboard focus on the overview. */
function focusedTileSession(): string | null {
  const id = (document.activeElement as HTMLElement | null)?.dataset?.testid;
  return id?.startsWith(TILE_PREFIX) ? id.slice(TILE_PREFIX.length) : null;
}

/**
 * Keyboard operation of the monitor: acknowledge the highest alarm, move between sessions, open one,
 * pause its audio, and '?' for the list. Keys typed into a form field are never shortcuts.
 */
export function KeyboardShortcuts() {
  const socket = useSocket();
  const route = useRoute();
  const canAck = useCan('alarm.acknowledge');
  const [help, setHelp] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  // The handler reads the latest state through a ref, so it is registered once.
  const latest = useRef({ socket, route, canAck, help });
  latest.current = { socket, route, canAck, help };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = shortcutAction(e);
      if (!action) return;
      const { socket: sock, route: r, canAck: mayAck, help: open } = latest.current;
      const { alarms, sessions } = useMonitor.getState();
      // The tiles' displayed order (sort and filter of the overview), else chair order before the overview was shown.
      const order = navigationOrder(overviewSessions(sessions), useTileOrder.getState().ids);
      const current = r.view === 'session' ? r.sessionId : focusedTileSession();
      e.preventDefault();
      switch (action) {
        case 'help':
          setHelp(!open);
          return;
        case 'overview':
          if (open) setHelp(false);
          else if (r.view !== 'overview') window.location.hash = OVERVIEW_HREF;
          return;
        case 'next':
        case 'previous': {
          const id = neighbour(order, current, action === 'next' ? 1 : -1);
          if (!id) return;
          if (r.view === 'session') window.location.hash = sessionHref(id);
          else document.querySelector<HTMLElement>(`[data-testid="${TILE_PREFIX}${id}"]`)?.focus();
          return;
        }
        case 'open': {
          const id = current ?? order[0]?.id;
          if (id) window.location.hash = sessionHref(id);
          return;
        }
        case 'ackTop': {
          if (!mayAck) return setStatus('Your role cannot acknowledge alarms.');
          const top = topUnacknowledged(alarms, r.view === 'session' ? r.sessionId : undefined);
          if (!top) return setStatus('No unacknowledged alarm.');
          const where = sessions[top.sessionId];
          void acknowledgeAlarm(sock, top.id).then((res) => {
            if (res.ok) updateMonitor((s) => applyAckResult(s, res.data));
            setStatus(res.ok ? `Acknowledged: ${where ? `${where.location} · ${where.patientLabel}: ` : ''}${top.message}` : `Acknowledge failed: ${res.error}`);
          });
          return;
        }
        case 'pauseAudio': {
          if (!mayAck) return setStatus('Your role cannot pause alarm sound.');
          const s = current ? sessions[current] : undefined;
          if (!s) return setStatus('Select a session first (j / k), then press p.');
          void pauseAudio(s.id).then((res) => setStatus(res.ok ? `Audio paused: ${s.location} · ${s.patientLabel}` : `Audio pause failed: ${res.error}`));
          return;
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <>
      {status && (
        <p className="shortcut-status" role="status" data-testid="shortcut-status">
          {status}
        </p>
      )}
      {help && (
        <div className="shortcut-help" role="dialog" aria-label="Keyboard shortcuts" data-testid="shortcut-help">
          <h2>Keyboard shortcuts</h2>
          <table>
            <tbody>
              {SHORTCUTS.map((s) => (
                <tr key={s.action}>
                  <td>
                    {s.keys.map((k) => (
                      <kbd key={k}>{KEY_TEXT[k] ?? k}</kbd>
                    ))}
                  </td>
                  <td>{s.text}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="hint">Keys typed into a form field are never shortcuts.</p>
          <button type="button" onClick={() => setHelp(false)}>
            Close
          </button>
        </div>
      )}
    </>
  );
}
