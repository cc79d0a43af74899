// The integration suite also runs against PostgreSQL, started by the tests from Debian's server
// binaries (never a downloaded one). Install them when missing (as root), or stop with a message that
// says how: the PostgreSQL run is never skipped silently.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = '/usr/lib/postgresql';
const found = () =>
  process.env.PG_BIN ? existsSync(join(process.env.PG_BIN, 'postgres')) : existsSync(ROOT) && readdirSync(ROOT).some((v) => existsSync(join(ROOT, v, 'bin', 'postgres')));
if (found()) process.exit(0);

const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!root) {
  console.error(`PostgreSQL server binaries are missing (${process.env.PG_BIN ?? ROOT + '/<version>/bin'}); the integration suite on PostgreSQL needs them.\nInstall them with: sudo apt-get install -y postgresql (or set PG_BIN).`);
  process.exit(1);
}
console.log("PostgreSQL server binaries are missing: installing Debian's postgresql package...");
try {
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql', { stdio: 'inherit' });
} catch {
  console.error('Installing postgresql failed. Install it with: apt-get install -y postgresql');
  process.exit(1);
}
if (!found()) {
  console.error('postgresql was installed but no server binaries were found under ' + ROOT + '; set PG_BIN.');
  process.exit(1);
}
