import type { DosingWeight, InfusionState } from '@infusion/shared';
import { INFUSION_STATUS_LABEL, formatMg, formatMgPerKg, formatRate } from '../format';

/**
 * Infusion status, ordered rate and running cumulative dose (mg and mg/kg), with the weight the per-kg
 * figures are on (the site's choice: actual, ideal or adjusted body weight). On the session page the
 * rate's hook is renamed (`rateTestId`): `infusion-rate` is the rate input of the infusion controls there.
 */
export function InfusionSummary({ infusion, dosingWeight, rateTestId = 'infusion-rate' }: { infusion: InfusionState; dosingWeight: DosingWeight; rateTestId?: string }) {
  return (
    <div className={`infusion infusion-${infusion.status}`} data-testid="infusion-summary">
      <span className="infusion-status" data-testid="infusion-status">
        {INFUSION_STATUS_LABEL[infusion.status]}
      </span>
      <span className="infusion-rate" data-testid={rateTestId}>
        {formatRate(infusion.rateMgKgH)}
      </span>
      <span className="infusion-dose" data-testid="infusion-dose">
        {formatMg(infusion.cumulativeMg)} · {formatMgPerKg(infusion.cumulativeMgPerKg)}
      </span>
      <span className={`dosing-weight${dosingWeight.note ? ' dosing-weight-note' : ''}`} data-testid="dosing-weight">
        {dosingWeight.label}
      </span>
    </div>
  );
}
