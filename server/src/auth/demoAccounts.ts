import { renameSync, rmSync, writeFileSync } from 'node:fs';
import type { DemoDeviceFile, Role } from '@infusion/shared';
import type { App } from '../app';

/** Documented in README: created by `npm start` (demo mode) only, never otherwise. */
export const DEMO_ACCOUNTS: { username: string; role: Role; displayName: string; password: string; units?: string[] }[] = [
  { username: 'nurse', role: 'nurse', displayName: 'Demo Nurse', password: 'nurse-demo-2026' },
  { username: 'physician', role: 'physician', displayName: 'Demo Physician', password: 'physician-demo-2026' },
  { username: 'trainer', role: 'trainer', displayName: 'Demo Trainer', password: 'trainer-demo-2026', units: ['infusion-suite', 'training'] },
  // A trainee of the demo's training unit (training runs are created for them by the trainer).
  { username: 'trainee', role: 'nurse', displayName: 'Demo Trainee', password: 'trainee-demo-2026', units: ['training'] },
];
export const DEMO_ADMIN_PASSWORD = 'admin-demo-2026';
const DEMO_DEVICE = 'demo simulator';

export async function ensureDemoAccounts(app: App): Promise<void> {
  for (const a of DEMO_ACCOUNTS) {
    if (await app.users.findByUsername(a.username)) continue;
    await app.users.create({ ...a, units: a.units ?? ['infusion-suite'], mustChangePassword: false }, { id: 'system:demo' });
  }
}

/**
 * Demo sessions from an earlier run have no device any more: they are closed so they do not linger as
 * active. Training runs are not the demo simulator's: they go on (their host resumes them).
 */
export async function endDemoSessions(app: App): Promise<number> {
  let n = 0;
  for (const s of app.sessions.listActive()) {
    if (!s.simulated || app.training.traineeOf(s.id)) continue;
    await app.sessions.stopAndEnd(s.id, 'demo session from an earlier run: its simulated device is gone', { id: 'system:demo' });
    n++;
  }
  return n;
}

/** A fresh simulator key for the demo simulator each start (it feeds only simulated sessions); the previous demo key is revoked. */
export async function demoDeviceKey(app: App): Promise<string> {
  for (const d of await app.devices.list()) if (d.name === DEMO_DEVICE && !d.revokedAt) await app.devices.revoke(d.id, { id: 'system:demo' });
  return (await app.devices.create({ name: DEMO_DEVICE, simulator: true }, { id: 'system:demo' })).key;
}

const DEMO_TRAINING_HOST = 'demo training host';

/**
 * A fresh key for the demo's training host each start (a key is shown only once). Its training runs
 * go on: they move to the new device before the old one is revoked, and the host resumes them.
 */
export async function demoTrainingHostKey(app: App): Promise<string> {
  const created = await app.devices.create({ name: DEMO_TRAINING_HOST, simulator: true }, { id: 'system:demo' });
  for (const d of await app.devices.list()) {
    if (d.name !== DEMO_TRAINING_HOST || d.revokedAt || d.id === created.device.id) continue;
    await app.training.moveRuns(d.id, created.device.id, { id: 'system:demo' });
    await app.devices.revoke(d.id, { id: 'system:demo' });
  }
  return created.key;
}

/**
 * Hands the demo simulator (its own process) its address and key: written to a temporary file created
 * with mode 0600 (only this user can read the key), then renamed, so a reader never sees half a file.
 */
export function writeDemoDeviceFile(path: string, content: DemoDeviceFile): void {
  const tmp = `${path}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, JSON.stringify(content), { mode: 0o600 });
  renameSync(tmp, path);
}

/** The key dies with the server (the next start revokes it anyway): the file goes too. */
export function removeDemoDeviceFile(path: string): void {
  rmSync(path, { force: true });
}
