import { create } from 'zustand';
import { initialMonitorState, type MonitorState } from './monitorState';

/** Sessions, alarms, trends and infusion events; written only by the realtime layer (src/realtime). */
export const useMonitor = create<MonitorState>()(() => initialMonitorState);

export const updateMonitor = (fn: (s: MonitorState) => MonitorState) => useMonitor.setState(fn, true);
