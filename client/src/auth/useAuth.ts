import { create } from 'zustand';
import { authReducer, initialAuthState, type AuthEvent, type AuthState } from './authState';

/** The login of this page; written only through dispatchAuth (src/auth/authActions.ts). */
export const useAuth = create<AuthState>()(() => initialAuthState);

export const dispatchAuth = (e: AuthEvent) => useAuth.setState((s) => authReducer(s, e), true);
