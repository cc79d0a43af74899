import { create } from 'zustand';
import { connectionReducer, initialConnectionState, type ConnectionEvent, type ConnectionState } from './connectionState';

export const useConnection = create<ConnectionState>()(() => initialConnectionState(Date.now()));

export const dispatchConnection = (e: ConnectionEvent) => useConnection.setState((s) => connectionReducer(s, e), true);
