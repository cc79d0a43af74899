import { create } from 'zustand';
import { initialStorageState, type StorageState } from './storageState';

/** Recording state of the server; written only by the realtime layer (src/realtime). */
export const useStorage = create<StorageState>()(() => initialStorageState);

export const updateStorage = (fn: (s: StorageState) => StorageState) => useStorage.setState(fn, true);
