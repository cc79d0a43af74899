import { markReceived } from '../stores/freshness';
import { handleRefusal } from '../auth/authActions';
import { classifyRefusal } from '../auth/authState';
import type { DashboardSocket } from '../socket';
import { requestSnapshot } from './requests';
import { detailVitals } from '../stores/detailState';
import { addAdverseEffect, addInfusionEvent, addObservation, addRescueDose, addResponse, applyAlarmUpdate, applyChecklist, applyOrder, applyEscalation, applySession, applySnapshot, applyVitals } from '../stores/monitorState';
import { dispatchConnection } from '../stores/useConnection';
import { updateDetail } from '../stores/useDetail';
import { updateMonitor, useMonitor } from '../stores/useMonitor';
import { applyStorageStatus, markAlarmUpdate } from '../stores/storageState';
import { updateStorage } from '../stores/useStorage';

const WATCHDOG_TICK_MS = 250;
const SUBSCRIBE_RETRY_MS = 3000;
const REFUSED_RETRY_MS = 5000;

/** Refusals after which retrying is pointless until the user logs in (again) or changes the password. */
const endsLogin = (message: string) => {
  const r = classifyRefusal(message);
  return r === 'notLoggedIn' || r === 'passwordRequired';
};

/**
 * Feed the stores from the socket: subscribe on every connect (sending the last alarm event id so
 * missed alarm updates are replayed), apply live events, and watch for silence. Returns a stop function.
 * Started only for a logged-in user; a refusal saying the login is gone ends the login (the caller
 * then stops this) instead of retrying.
 */
export function startLiveUpdates(socket: DashboardSocket): () => void {
  let subscribeRun = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const heard = () => dispatchConnection({ type: 'heard', now: Date.now() });

  async function subscribe() {
    const run = ++subscribeRun;
    clearTimeout(retryTimer);
    const sent = useMonitor.getState().lastAlarmEventId;
    const res = await requestSnapshot(socket, sent);
    // A newer connect has started its own subscribe, or the link dropped meanwhile.
    if (run !== subscribeRun || !socket.connected) return;
    if (res.ok) {
      updateMonitor((s) => applySnapshot(s, res.data, sent, Date.now()));
      const storage = res.data.storage;
      if (storage) updateStorage((s) => applyStorageStatus(s, storage));
      dispatchConnection({ type: 'subscribed', now: Date.now() });
    } else if (endsLogin(res.error)) {
      // Already applied to the login by the request layer: this socket is about to be stopped.
      return;
    } else {
      dispatchConnection({ type: 'subscribeFailed', now: Date.now(), error: res.error });
      retryTimer = setTimeout(() => {
        if (socket.connected) void subscribe();
      }, SUBSCRIBE_RETRY_MS);
    }
  }

  const onConnect = () => {
    dispatchConnection({ type: 'connected', now: Date.now() });
    void subscribe();
  };
  // Refused or dropped by the server itself (e.g. a server-side disconnect after a failed check):
  // Socket.IO does not retry that on its own. Keep trying slowly; a refusal of the login ends it.
  let refusedTimer: ReturnType<typeof setTimeout> | undefined;
  const retryIfInactive = () => {
    if (socket.active) return;
    clearTimeout(refusedTimer);
    refusedTimer = setTimeout(() => socket.connect(), REFUSED_RETRY_MS);
  };
  const onDisconnect = (reason: string) => {
    subscribeRun++;
    dispatchConnection({ type: 'disconnected', now: Date.now(), reason });
    retryIfInactive();
  };
  const onConnectError = (err: Error) => {
    // 'not logged in' / 'password change required': the page leaves the monitor, nothing to retry.
    // 'role … has no dashboard': the page re-reads the user. Anything else (server down,
    // 'forbidden origin') is a lost connection: banner, and retried.
    handleRefusal(err.message);
    if (endsLogin(err.message)) return;
    dispatchConnection({ type: 'connectError', now: Date.now(), error: err.message });
    retryIfInactive();
  };

  socket.on('connect', onConnect);
  socket.on('disconnect', onDisconnect);
  socket.on('connect_error', onConnectError);
  socket.on('vitals', (batch) => {
    updateMonitor((s) => applyVitals(s, batch));
    markReceived(batch.filter((b) => b.samples.length > 0).map((b) => b.sessionId));
    updateDetail((s) => detailVitals(s, batch));
  });
  socket.on('alarm', (u) => {
    updateMonitor((s) => applyAlarmUpdate(s, u));
    updateStorage((s) => markAlarmUpdate(s, u));
  });
  socket.on('storage', (st) => updateStorage((s) => applyStorageStatus(s, st)));
  socket.on('session', (session) => updateMonitor((s) => applySession(s, session)));
  socket.on('infusionEvent', (ev) => updateMonitor((s) => addInfusionEvent(s, ev)));
  socket.on('observation', (o) => updateMonitor((s) => addObservation(s, o)));
  socket.on('rescueDose', (d) => updateMonitor((s) => addRescueDose(s, d)));
  socket.on('adverseEffect', (a) => updateMonitor((s) => addAdverseEffect(s, a)));
  socket.on('escalation', (e) => updateMonitor((s) => applyEscalation(s, e)));
  socket.on('response', (r) => updateMonitor((s) => addResponse(s, r)));
  socket.on('order', (o) => updateMonitor((s) => applyOrder(s, o.sessionId, o)));
  socket.on('checklist', (c) => updateMonitor((s) => applyChecklist(s, c.sessionId, c)));
  // Watchdog inputs: any event, and engine.io pings (the server pings on a short interval).
  socket.onAny(heard);
  socket.io.on('ping', heard);

  const watchdog = setInterval(() => dispatchConnection({ type: 'tick', now: Date.now() }), WATCHDOG_TICK_MS);
  socket.connect();

  return () => {
    clearInterval(watchdog);
    clearTimeout(retryTimer);
    clearTimeout(refusedTimer);
    socket.offAny(heard);
    socket.io.off('ping', heard);
    socket.off('connect', onConnect);
    socket.off('disconnect', onDisconnect);
    socket.off('connect_error', onConnectError);
    socket.off('vitals');
    socket.off('alarm');
    socket.off('session');
    socket.off('infusionEvent');
    socket.off('observation');
    socket.off('rescueDose');
    socket.off('adverseEffect');
    socket.off('escalation');
    socket.off('response');
    socket.off('order');
    socket.off('checklist');
    socket.off('storage');
    socket.disconnect();
  };
}
