import { can, type Permission } from '@infusion/shared';
import { useAuth } from './useAuth';

/** Whether the logged-in user's role may do `p` (no user: never). Hiding is for clarity; the server decides. */
export const useCan = (p: Permission): boolean => useAuth((s) => !!s.user && can(s.user.role, p));
