// The browser tests drive Debian's Chromium (never a downloaded browser). Install it when missing
// (as root), or stop with a message that says how: the browser tests are never skipped silently.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const BIN = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (existsSync(BIN)) process.exit(0);

const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!root) {
  console.error(`Chromium is missing at ${BIN}; the browser tests need it.\nInstall it with: sudo apt-get install -y chromium (or set CHROMIUM_PATH).`);
  process.exit(1);
}
console.log(`Chromium is missing at ${BIN}: installing Debian's chromium package...`);
try {
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
} catch {
  console.error('Installing chromium failed. Install it with: apt-get install -y chromium');
  process.exit(1);
}
if (!existsSync(BIN)) {
  console.error(`chromium was installed but ${BIN} is still missing; set CHROMIUM_PATH.`);
  process.exit(1);
}
