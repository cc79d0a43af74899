import { useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import { ADMIT_HREF } from '../app/route';
import { useCan } from '../auth/useCan';
import { SessionTile } from '../components/SessionTile';
import { arrangeTiles, nurseKey, nursesOf, type TileFilter, type TileSort } from '../overview/arrange';
import { useRemembered } from '../overview/prefs';
import { publishTileOrder } from '../overview/tileOrder';
import { TILE_GAP, tileGrid, type Density } from '../overview/tileGrid';
import { overviewSessions } from '../stores/selectors';
import { useMonitor } from '../stores/useMonitor';

const DENSITIES = ['comfortable', 'compact'] as const;
const SORTS = ['chair', 'alarm', 'patient', 'nurse'] as const;
/** The nurse filter's value for every nurse (a name is never empty: the API requires one). */
const ALL_NURSES = '';
const FILTERS = ['all', 'alarming', 'unacknowledged'] as const;
const BOTTOM_PADDING = 12;

/** The area left for tiles: the grid's width, and the screen height below it (header and toolbar excluded). */
function useTileArea() {
  const ref = useRef<HTMLDivElement>(null);
  const [area, setArea] = useState({ width: 1200, height: 700 });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const top = el.getBoundingClientRect().top + window.scrollY;
      const next = { width: el.clientWidth, height: Math.max(0, window.innerHeight - top - BOTTOM_PADDING) };
      setArea((held) => (held.width === next.width && held.height === next.height ? held : next));
    };
    measure();
    // The header grows and shrinks (connection or storage warning): the space below it changes too.
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    const header = document.querySelector('.app-header');
    if (header) observer.observe(header);
    window.addEventListener('resize', measure);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', measure);
    };
  }, []);
  return { ref, area };
}

function Choice<T extends string>({ label, value, options, names, onChange, testId }: { label: string; value: T; options: readonly T[]; names: Record<T, string>; onChange: (v: T) => void; testId: string }) {
  return (
    <label className="overview-choice">
      {label}
      <select value={value} data-testid={testId} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {names[o]}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * One sector per active infusion, like a central station: every session fits on the screen (up to 32
 * on 1920x1080), sectors resize as sessions are added and drop detail below a size, never the alarm
 * state or the primary numerics.
 */
export function OverviewView() {
  const sessionMap = useMonitor((s) => s.sessions);
  const alarms = useMonitor((s) => s.alarms);
  const [density, setDensity] = useRemembered<Density>('overview.density', DENSITIES, 'comfortable');
  const [sort, setSort] = useRemembered<TileSort>('overview.sort', SORTS, 'chair');
  const [filter, setFilter] = useState<TileFilter>('all');
  const [search, setSearch] = useState('');
  const [nurse, setNurse] = useState(ALL_NURSES);
  const active = useMemo(() => overviewSessions(sessionMap), [sessionMap]);
  const nurses = useMemo(() => nursesOf(active), [active]);
  // A chosen nurse whose last session ended falls back to every nurse, so no screen stays filtered to nobody.
  const nurseShown = nurse !== ALL_NURSES && nurses.some((n) => nurseKey(n) === nurseKey(nurse)) ? nurse : ALL_NURSES;
  const sessions = useMemo(() => arrangeTiles(active, alarms, sort, filter, search, nurseShown === ALL_NURSES ? null : nurseShown), [active, alarms, sort, filter, search, nurseShown]);
  // Keyboard navigation follows the tiles as displayed.
  useEffect(() => publishTileOrder(sessions.map((s) => s.id)), [sessions]);
  const { ref, area } = useTileArea();
  // Sized for every active session, so filtering does not blow the remaining tiles up.
  const grid = tileGrid(active.length, area.width, area.height, density);
  const style = {
    gridTemplateColumns: `repeat(${grid.cols}, ${grid.tileW}px)`,
    gridAutoRows: `${grid.tileH}px`,
    gap: `${TILE_GAP}px`,
  } as CSSProperties;
  const hidden = active.length - sessions.length;
  const canAdmit = useCan('session.create');

  return (
    <div className="overview" data-testid="overview" data-density={density}>
      <div className="overview-toolbar">
        {canAdmit && (
          <a className="admit-link" href={ADMIT_HREF} data-testid="admit-link">
            + New session
          </a>
        )}
        <span className="overview-count" data-testid="overview-count">
          {active.length} active infusion{active.length === 1 ? '' : 's'}
          {hidden > 0 && ` · ${hidden} hidden by the filter`}
        </span>
        <Choice label="Sort" value={sort} options={SORTS} names={{ chair: 'Chair', alarm: 'Alarm priority', patient: 'Patient', nurse: 'Nurse' }} onChange={setSort} testId="overview-sort" />
        <Choice label="Show" value={filter} options={FILTERS} names={{ all: 'All', alarming: 'With alarms', unacknowledged: 'Unacknowledged alarms' }} onChange={setFilter} testId="overview-filter" />
        <label className="overview-choice">
          Nurse
          <select value={nurseShown} data-testid="overview-nurse" onChange={(e) => setNurse(e.target.value)}>
            <option value={ALL_NURSES}>All nurses</option>
            {nurses.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label className="overview-choice">
          Find
          <input type="search" value={search} placeholder="chair or patient" data-testid="overview-search" onChange={(e) => setSearch(e.target.value)} />
        </label>
        <Choice label="Density" value={density} options={DENSITIES} names={{ comfortable: 'Comfortable', compact: 'Compact' }} onChange={setDensity} testId="overview-density" />
      </div>
      <div ref={ref} className="tiles-area">
        {active.length === 0 ? (
          <p className="empty">No active infusions.</p>
        ) : sessions.length === 0 ? (
          <p className="empty">No infusion matches the filter.</p>
        ) : (
          <div className="tiles" style={style} data-testid="tiles" data-cols={grid.cols}>
            {sessions.map((s) => (
              <SessionTile key={s.id} session={s} />
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
