import { describe, expect, it } from 'vitest';
import { scenarioMsOfWall, wallOfScenarioMs, type ScenarioClock } from './training';

const W = 1_800_000_000_000;
/** Created at W; started at W+10 s at x1; x60 from W+20 s; paused at W+30 s; resumed at W+90 s (still x60). */
const history: ScenarioClock[] = [
  { scenarioMs: 0, wallAt: W, speed: 1, running: false },
  { scenarioMs: 0, wallAt: W + 10_000, speed: 1, running: true },
  { scenarioMs: 10_000, wallAt: W + 20_000, speed: 60, running: true },
  { scenarioMs: 610_000, wallAt: W + 30_000, speed: 60, running: false },
  { scenarioMs: 610_000, wallAt: W + 90_000, speed: 60, running: true },
];

describe("a training run's clock history", () => {
  it('maps a wall instant to its scenario time across starts, speed changes and pauses', () => {
    expect(scenarioMsOfWall(history, W - 5_000)).toBe(0);
    expect(scenarioMsOfWall(history, W + 5_000)).toBe(0);
    expect(scenarioMsOfWall(history, W + 15_000)).toBe(5_000);
    expect(scenarioMsOfWall(history, W + 21_000)).toBe(70_000);
    // Paused: a minute of wall time is no scenario time at all.
    expect(scenarioMsOfWall(history, W + 30_000)).toBe(610_000);
    expect(scenarioMsOfWall(history, W + 89_999)).toBe(610_000);
    expect(scenarioMsOfWall(history, W + 91_000)).toBe(670_000);
  });

  it('maps a scenario instant back to the first wall instant that reached it', () => {
    expect(wallOfScenarioMs(history, 0)).toBe(W);
    expect(wallOfScenarioMs(history, 5_000)).toBe(W + 15_000);
    expect(wallOfScenarioMs(history, 70_000)).toBe(W + 21_000);
    // The pause's scenario instant is reached when the pause begins.
    expect(wallOfScenarioMs(history, 610_000)).toBe(W + 30_000);
    expect(wallOfScenarioMs(history, 670_000)).toBe(W + 91_000);
    for (const wall of [W + 12_345, W + 25_000, W + 120_000]) expect(wallOfScenarioMs(history, scenarioMsOfWall(history, wall))).toBe(wall);
  });

  it('a run that is stopped maps every later scenario instant to its last change', () => {
    const ended = [...history.slice(0, 3), { scenarioMs: 610_000, wallAt: W + 30_000, speed: 60, running: false }];
    expect(wallOfScenarioMs(ended, 700_000)).toBe(W + 30_000);
  });
});
