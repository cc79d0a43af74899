// The session export tests read the PDF with poppler's pdftotext and render it with pdftoppm
// (Debian's poppler-utils). Install it when missing (as root), or stop with a message that says how.
import { execSync } from 'node:child_process';

const has = (cmd) => {
  try {
    execSync(`command -v ${cmd}`, { stdio: 'ignore', shell: '/bin/sh' });
    return true;
  } catch {
    return false;
  }
};
if (has('pdftotext') && has('pdftoppm')) process.exit(0);

const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!root) {
  console.error('pdftotext/pdftoppm are missing; the session export tests need them.\nInstall them with: sudo apt-get install -y poppler-utils');
  process.exit(1);
}
console.log("pdftotext is missing: installing Debian's poppler-utils package...");
try {
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils', { stdio: 'inherit' });
} catch {
  console.error('Installing poppler-utils failed. Install it with: apt-get install -y poppler-utils');
  process.exit(1);
}
if (!has('pdftotext') || !has('pdftoppm')) {
  console.error('poppler-utils was installed but pdftotext or pdftoppm is still missing.');
  process.exit(1);
}
