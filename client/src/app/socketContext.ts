import { createContext, useContext } from 'react';
import type { DashboardSocket } from '../socket';

export const SocketContext = createContext<DashboardSocket | null>(null);

export function useSocket(): DashboardSocket {
  const socket = useContext(SocketContext);
  if (!socket) throw new Error('useSocket outside SocketContext');
  return socket;
}
