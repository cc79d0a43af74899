import { create } from 'zustand';

/**
 * The session ids in the order the overview last displayed its tiles (after its sort and filter).
 * Keyboard navigation (j / k) follows it, on the overview and on a session page opened from it.
 * Null until the overview has been shown on this page.
 */
export const useTileOrder = create<{ ids: string[] | null }>()(() => ({ ids: null }));

export function publishTileOrder(ids: string[]): void {
  const held = useTileOrder.getState().ids;
  if (held && held.length === ids.length && held.every((id, i) => id === ids[i])) return;
  useTileOrder.setState({ ids });
}

/**
 * The sessions to step through with j / k: the displayed order where the overview has shown one
 * (sessions it hid by its filter are skipped, ones that ended are dropped), else `fallback`.
 */
export function navigationOrder<T extends { id: string }>(fallback: readonly T[], displayed: readonly string[] | null): T[] {
  if (!displayed) return [...fallback];
  const byId = new Map(fallback.map((s) => [s.id, s]));
  return displayed.flatMap((id) => byId.get(id) ?? []);
}
