import { hash, verify, type Algorithm } from '@node-rs/argon2';

// argon2id with the OWASP-recommended minimum (19 MiB, t=2, p=1): @node-rs/argon2 ships prebuilt
// binaries through the npm registry, so no compiler or download is needed at install.
const OPTIONS = { algorithm: 2 as Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string) => hash(password, OPTIONS);

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

/** Minimum policy for chosen passwords. */
export function passwordProblem(pw: string): string | null {
  if (pw.length < 12) return 'must be at least 12 characters';
  if (pw.length > 200) return 'must be at most 200 characters';
  return null;
}
