import { describe, expect, it } from 'vitest';
import { appendAudit, auditPage, emptyAuditBuffer, prettyJson, type AuditRow } from './auditLog';

const row = (id: number): AuditRow => ({ id, at: id * 1000, actor: 'user:admin', action: 'user.create', entity: 'user', entity_id: String(id), before: null, after: null, request_id: null });
const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => row(from + i));

describe('audit log buffer', () => {
  it('appends in id order and moves the cursor to the highest id', () => {
    const b = appendAudit(emptyAuditBuffer, [row(3), row(1), row(2)]);
    expect(b.rows.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(b.lastId).toBe(3);
    expect(b.truncated).toBe(false);
  });

  it('ignores rows already held, and returns the same buffer when nothing is new', () => {
    const b = appendAudit(emptyAuditBuffer, rows(1, 3));
    expect(appendAudit(b, rows(2, 3))).toBe(b);
    expect(appendAudit(b, rows(2, 4)).rows.map((r) => r.id)).toEqual([1, 2, 3, 4]);
  });

  it('keeps only the newest rows and says older ones were let go', () => {
    const b = appendAudit(appendAudit(emptyAuditBuffer, rows(1, 4), 5), rows(5, 7), 5);
    expect(b.rows.map((r) => r.id)).toEqual([3, 4, 5, 6, 7]);
    expect(b.lastId).toBe(7);
    expect(b.truncated).toBe(true);
  });

  it('pages newest first, and clamps pages out of range', () => {
    const b = appendAudit(emptyAuditBuffer, rows(1, 7));
    expect(auditPage(b, 0, 3)).toEqual({ rows: [row(7), row(6), row(5)], page: 0, pages: 3 });
    expect(auditPage(b, 2, 3).rows.map((r) => r.id)).toEqual([1]);
    expect(auditPage(b, 9, 3).page).toBe(2);
    expect(auditPage(b, -1, 3).page).toBe(0);
    expect(auditPage(emptyAuditBuffer, 0, 3)).toEqual({ rows: [], page: 0, pages: 1 });
  });

  it('shows JSON columns indented and other text as it is', () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson('not json')).toBe('not json');
    expect(prettyJson(null)).toBe('');
  });
});
