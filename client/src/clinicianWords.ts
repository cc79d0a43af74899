import { clinicianText, personName } from '@infusion/shared';
import { useAuth } from './auth/useAuth';

/** A source, message or label as a clinician reads it: no file names, rule ids or placeholders. */
export const shownText = (s: string): string => clinicianText(s);

/**
 * A person as a clinician knows them: the logged-in user by display name, others by login name,
 * never "user:…". (Read at render time; the screen is rebuilt at every login.)
 */
export function shownPerson(actor: string): string {
  const user = useAuth.getState().user;
  return personName(actor, user ? { [user.username]: user.displayName } : {});
}
