import type { InfusionState } from '@infusion/shared';
import { INFUSION_STATUS_LABEL, formatMg, formatMgPerKg, formatRate } from '../format';

/** Infusion status, ordered rate and running cumulative dose (mg and mg/kg). */
export function InfusionSummary({ infusion }: { infusion: InfusionState }) {
  return (
    <div className={`infusion infusion-${infusion.status}`} data-testid="infusion-summary">
      <span className="infusion-status" data-testid="infusion-status">
        {INFUSION_STATUS_LABEL[infusion.status]}
      </span>
      <span className="infusion-rate" data-testid="infusion-rate">
        {formatRate(infusion.rateMgKgH)}
      </span>
      <span className="infusion-dose" data-testid="infusion-dose">
        {formatMg(infusion.cumulativeMg)} · {formatMgPerKg(infusion.cumulativeMgPerKg)}
      </span>
    </div>
  );
}
