/** Product rule: a simulated session is marked wherever it is named. */
export function SimulatedBadge() {
  return (
    <span className="simulated-badge" data-testid="simulated-badge" title="Simulated session: not a real patient">
      SIMULATED
    </span>
  );
}
