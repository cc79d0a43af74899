import { useTileOrder } from '../overview/tileOrder';
import { resetFeed } from './freshness';
import { initialDetailState } from './detailState';
import { useConnection } from './useConnection';
import { initialConnectionState } from './connectionState';
import { useDetail } from './useDetail';
import { initialMonitorState } from './monitorState';
import { useMonitor } from './useMonitor';
import { initialStorageState } from './storageState';
import { useStorage } from './useStorage';
import { resetTraining } from '../training/useTraining';

/** Forget everything the socket delivered: a logout or another login must not see the previous user's patients. */
export function resetDashboardStores(now = Date.now()): void {
  useMonitor.setState(initialMonitorState, true);
  useDetail.setState(initialDetailState, true);
  useConnection.setState(initialConnectionState(now), true);
  useStorage.setState(initialStorageState, true);
  useTileOrder.setState({ ids: null }, true);
  resetTraining();
  resetFeed();
}
