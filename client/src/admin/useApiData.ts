import { useCallback, useEffect, useState } from 'react';
import { api } from '../auth/authActions';

interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
}

/** GET a path when mounted and on reload(); a failed reload keeps the last data and shows the error. */
export function useApiData<T>(path: string): Loaded<T> & { reload: () => void } {
  const [state, setState] = useState<Loaded<T>>({ data: null, error: null, loading: true });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let cancelled = false;
    void api<T>('GET', path).then((r) => {
      if (cancelled) return;
      if (r.ok) setState({ data: r.data, error: null, loading: false });
      else setState((s) => ({ ...s, error: r.error, loading: false }));
    });
    return () => {
      cancelled = true;
    };
  }, [path, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { ...state, reload };
}
