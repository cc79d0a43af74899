/**
 * Logs in at the server's REST API and returns the headers every later call needs
 * (the session cookie and the CSRF token). Simulated sessions are created by a trainer (or a clinician).
 */
export async function loginHeaders(url: string, username: string, password: string): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json().catch(() => ({}))) as { ok?: boolean; error?: string; data?: { csrfToken?: string } };
  if (!res.ok || !body.data?.csrfToken) throw new Error(`login as ${username} failed with ${res.status}: ${body.error ?? 'no answer'}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { cookie, 'x-csrf-token': body.data.csrfToken };
}
