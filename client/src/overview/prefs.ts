import { useCallback, useState } from 'react';

/** A display choice remembered by this browser (not a clinical setting: nothing is sent to the server). */
export function useRemembered<T extends string>(key: string, allowed: readonly T[], fallback: T): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => {
    try {
      const held = window.localStorage.getItem(key);
      return allowed.includes(held as T) ? (held as T) : fallback;
    } catch {
      return fallback;
    }
  });
  const set = useCallback(
    (v: T) => {
      setValue(v);
      try {
        window.localStorage.setItem(key, v);
      } catch {
        // Storage refused (private mode): the choice lasts for this page only.
      }
    },
    [key],
  );
  return [value, set];
}
