import { SATISFACTION, type Satisfaction } from '@infusion/shared';

/** Patient satisfaction as the response and the follow-ups record it; '' when not asked. */
export function SatisfactionSelect({ testId, value, onChange }: { testId: string; value: '' | Satisfaction; onChange: (v: '' | Satisfaction) => void }) {
  return (
    <select data-testid={testId} value={value} onChange={(e) => onChange(e.target.value as '' | Satisfaction)}>
      <option value="">not asked</option>
      {SATISFACTION.map((x) => (
        <option key={x} value={x}>
          {x}
        </option>
      ))}
    </select>
  );
}
