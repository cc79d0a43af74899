import type { TrainingRunEvent } from '@infusion/shared';
import { describe, expect, it } from 'vitest';
import { SimulatedPatient } from '../patient';
import { SCENARIOS } from '../scenarios';
import { replayPlan } from './replay';

const step = (p: SimulatedPatient, plan: ReturnType<typeof replayPlan>, from: number, to: number, state: { next: number }) => {
  const out: (number | null)[] = [];
  for (let s = from; s < to; s++) {
    for (let a = plan.actions[state.next]; a && a.atS <= s; a = plan.actions[++state.next]) p.act(a.action);
    const x = p.advanceTo(s / 60);
    out.push(x.reading.values.rr ?? null);
  }
  return out;
};

describe('training replay plan', () => {
  const events: TrainingRunEvent[] = [
    { id: 2, scenarioMs: 1500, kind: 'action', action: { type: 'infusion', event: { type: 'start', rateMgKgH: 1 } }, by: 'user:t', at: 0 },
    { id: 3, scenarioMs: 600_000, kind: 'action', action: { type: 'drug', drug: 'midazolam', doseMg: 3.5 }, by: 'user:t', at: 0 },
    { id: 1, scenarioMs: 0, kind: 'inject', event: { kind: 'prompt', label: 'Hello', atMin: 0, text: 'hi' }, by: 'user:c', at: 0 },
  ];

  it('puts injected events into the scenario and actions at the first whole scenario second at or after them', () => {
    const plan = replayPlan(SCENARIOS.stable, events);
    expect(plan.scenario.events.at(-1)).toMatchObject({ kind: 'prompt', label: 'Hello' });
    expect(plan.scenario.events.length).toBe(SCENARIOS.stable.events.length + 1);
    expect(plan.actions.map((a) => a.atS)).toEqual([2, 600]);
    expect(plan.actions[1]!.action).toEqual({ type: 'drug', drug: 'midazolam', doseMg: 3.5 });
  });

  it('a patient rebuilt from the plan and stepped to any second continues exactly as the one that never stopped', () => {
    const plan = replayPlan(SCENARIOS.stable, events);
    const whole = step(new SimulatedPatient({ scenario: plan.scenario, weightKg: 70, seed: 4, followPlan: false }), plan, 0, 1200, { next: 0 });
    const rebuilt = new SimulatedPatient({ scenario: plan.scenario, weightKg: 70, seed: 4, followPlan: false });
    const state = { next: 0 };
    step(rebuilt, plan, 0, 700, state);
    expect(step(rebuilt, plan, 700, 1200, state)).toEqual(whole.slice(700));
    // And the timeline matters: without the midazolam the same seed breathes differently after the dose.
    const none = replayPlan(SCENARIOS.stable, events.filter((e) => e.id !== 3));
    const other = step(new SimulatedPatient({ scenario: none.scenario, weightKg: 70, seed: 4, followPlan: false }), none, 0, 1200, { next: 0 });
    expect(other.slice(0, 600)).toEqual(whole.slice(0, 600));
    expect(other.slice(700)).not.toEqual(whole.slice(700));
  });
});
