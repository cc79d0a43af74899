export { DeviceClient, type DeviceClientOptions, type DeviceStats } from './device-client';
export { Outbox, type Batch, type Settlement } from './outbox';
