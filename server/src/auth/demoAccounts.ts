import { renameSync, rmSync, writeFileSync } from 'node:fs';
import type { DemoDeviceFile, Role } from '@infusion/shared';
import type { App } from '../app';

/** Documented in README: created by `npm start` (demo mode) only, never otherwise. */
export const DEMO_ACCOUNTS: { username: string; role: Role; displayName: string; password: string }[] = [
  { username: 'nurse', role: 'nurse', displayName: 'Demo Nurse', password: 'nurse-demo-2026' },
  { username: 'physician', role: 'physician', displayName: 'Demo Physician', password: 'physician-demo-2026' },
  { username: 'trainer', role: 'trainer', displayName: 'Demo Trainer', password: 'trainer-demo-2026' },
];
export const DEMO_ADMIN_PASSWORD = 'admin-demo-2026';
const DEMO_DEVICE = 'demo simulator';

export async function ensureDemoAccounts(app: App): Promise<void> {
  for (const a of DEMO_ACCOUNTS) {
    if (await app.users.findByUsername(a.username)) continue;
    await app.users.create({ ...a, units: ['infusion-suite'], mustChangePassword: false }, { id: 'system:demo' });
  }
}

/** A fresh simulator key for the demo simulator each start (it feeds only simulated sessions); the previous demo key is revoked. */
export async function demoDeviceKey(app: App): Promise<string> {
  for (const d of await app.devices.list()) if (d.name === DEMO_DEVICE && !d.revokedAt) await app.devices.revoke(d.id, { id: 'system:demo' });
  return (await app.devices.create({ name: DEMO_DEVICE, simulator: true }, { id: 'system:demo' })).key;
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
