import { describe, expect, it } from 'vitest';
import { UsageError, parseCliArgs } from './cli-args';

describe('parseCliArgs', () => {
  it('has defaults for a local demo', () => {
    expect(parseCliArgs([], {})).toEqual({
      url: 'http://localhost:3000',
      sessions: 4,
      speed: 1,
      durationS: undefined,
      seed: 1,
      scenarios: undefined,
      leaveSessions: false,
      help: false,
      user: 'trainer',
      password: undefined,
      deviceKey: undefined,
    });
  });

  it('takes the password and device key from the environment, the command line winning', () => {
    expect(parseCliArgs([], { SIM_PASSWORD: 'pw-from-env-123', SIM_DEVICE_KEY: 'dk_1_env' })).toMatchObject({ password: 'pw-from-env-123', deviceKey: 'dk_1_env' });
    expect(parseCliArgs(['--user', 'nurse', '--device-key', 'dk_2_cli'], { SIM_DEVICE_KEY: 'dk_1_env' })).toMatchObject({ user: 'nurse', deviceKey: 'dk_2_cli' });
  });

  it('reads every option', () => {
    const o = parseCliArgs(['--sessions', '12', '--speed', '10', '--url', 'https://monitor.example/', '--duration', '90', '--seed', '7', '--scenario', 'stable,desaturation', '--scenario', 'tachycardia', '--leave-sessions', '--unit', 'ward-b']);
    expect(o).toMatchObject({ sessions: 12, speed: 10, url: 'https://monitor.example', durationS: 90, seed: 7, leaveSessions: true, unit: 'ward-b' });
    expect(o.scenarios).toEqual(['stable', 'desaturation', 'tachycardia']);
  });

  it.each([
    [['--sessions', '0'], /--sessions must be an integer from 1 to 1000 \(got 0\)/],
    [['--sessions', '2.5'], /--sessions must be an integer/],
    [['--sessions', 'many'], /--sessions must be a number \(got "many"\)/],
    [['--speed', '0'], /--speed must be greater than 0/],
    [['--speed=-3'], /--speed must be greater than 0/],
    [['--speed', '601'], /at most 600/],
    [['--duration', '0'], /--duration must be a positive number of seconds/],
    [['--seed', '1.5'], /--seed must be an integer/],
    [['--url', 'localhost:3000'], /--url must use http or https/],
    [['--url', 'not a url'], /--url must be a URL/],
    [['--scenario', 'stable,panic'], /unknown scenario "panic" \(known: stable, desaturation, hypertensive, tachycardia, emergence, bradycardia, artifacts, bolus-over-limit, checklist-fail\)/],
    [['--unit', ' '], /--unit must be a unit name of 1 to 40 characters/],
    [['--sesions', '3'], /Unknown option '--sesions'/],
    [['extra'], /Unexpected argument 'extra'/],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
