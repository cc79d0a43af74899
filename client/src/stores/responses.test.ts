import { describe, expect, it } from 'vitest';
import type { PhysicianResponse } from '@infusion/shared';
import { parseRoute } from '../app/route';
import { T0, detail, escalation, session, snapshot } from '../testFixtures';
import { acknowledgedEscalations, escalationCue, upsertEscalation } from './escalationState';
import { addResponse, applySession, applySessionDetail, applySnapshot, initialMonitorState, latestResponse } from './monitorState';

const resp = (over: Partial<PhysicianResponse> = {}): PhysicianResponse => ({
  id: 1,
  sessionId: 's1',
  escalationId: null,
  text: 'reduce to 0.3 mg/kg/h',
  at: T0,
  by: 'lee',
  byName: 'Dr Lee',
  ...over,
});

describe('physician responses at the bedside', () => {
  it('the latest response of a session is the newest by time, whatever order they arrive in; repeats are merged by id', () => {
    let s = applySession(initialMonitorState, session());
    s = addResponse(s, resp({ id: 2, at: T0 + 60_000, text: 'stop' }));
    s = addResponse(s, resp({ id: 1 }));
    s = addResponse(s, resp({ id: 2, at: T0 + 60_000, text: 'stop' }));
    expect(s.responses.s1?.map((r) => r.id)).toEqual([1, 2]);
    expect(latestResponse(s, 's1')?.text).toBe('stop');
    expect(latestResponse(s, 'other')).toBeUndefined();
  });

  it('a snapshot brings each session its latest response; the session page brings all of them', () => {
    let s = applySnapshot(initialMonitorState, snapshot({ sessions: [session()], responses: [resp({ id: 3, at: T0 + 5000, text: 'stop' })] }), undefined);
    expect(latestResponse(s, 's1')?.text).toBe('stop');
    s = applySessionDetail(s, detail({ responses: [resp({ id: 1 }), resp({ id: 3, at: T0 + 5000, text: 'stop' })] }));
    expect(s.responses.s1?.map((r) => r.id)).toEqual([1, 3]);
    // A session gone from the next snapshot takes its responses with it.
    s = applySnapshot(s, snapshot({ sessions: [] }), undefined);
    expect(s.responses.s1).toBeUndefined();
  });
});

describe('escalation inbox', () => {
  it('lists acknowledged escalations latest first, and sounds the loudest open one (a new one restarts the cue)', () => {
    let m = upsertEscalation({}, escalation({ id: 1, priority: 'medium' }));
    expect(escalationCue(m)).toEqual({ priority: 'medium', newestId: 1 });
    m = upsertEscalation(m, escalation({ id: 2, alarmId: 2, priority: 'high' }));
    expect(escalationCue(m)).toEqual({ priority: 'high', newestId: 2 });
    m = upsertEscalation(m, escalation({ id: 2, alarmId: 2, priority: 'high', state: 'acknowledged', acknowledgedAt: T0 + 1000 }));
    m = upsertEscalation(m, escalation({ id: 1, state: 'acknowledged', acknowledgedAt: T0 + 2000 }));
    expect(escalationCue(m)).toBeNull();
    expect(acknowledgedEscalations(m).map((e) => e.id)).toEqual([1, 2]);
  });

  it('routes the inbox and the admission form', () => {
    expect(parseRoute('#/inbox')).toEqual({ view: 'inbox' });
    expect(parseRoute('#/admit/')).toEqual({ view: 'admit' });
  });
});
