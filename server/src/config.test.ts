import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('DATABASE_URL', () => {
  it('is unset by default: the SQLite file at DB_PATH is the store', () => {
    expect(loadConfig({}).DATABASE_URL).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('accepts a postgres:// or postgresql:// URL naming a host and a database', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://ikm:secret@db.example:5432/infusion' }).DATABASE_URL).toBe('postgres://ikm:secret@db.example:5432/infusion');
    expect(loadConfig({ DATABASE_URL: 'postgresql://ikm@10.0.0.5/infusion?sslmode=require' }).DATABASE_URL).toBe('postgresql://ikm@10.0.0.5/infusion?sslmode=require');
  });

  it.each([
    ['mysql://ikm:secret@db/infusion', /DATABASE_URL: must start with postgres:\/\/ or postgresql:\/\//],
    ['db.example:5432/infusion', /DATABASE_URL: must/],
    ['postgres://ikm:secret@db.example:5432', /DATABASE_URL: names no database/],
    ['postgres://ikm:secret@db.example:5432/', /DATABASE_URL: names no database/],
  ])('refuses %s, naming the variable and the reason', (value, reason) => {
    expect(() => loadConfig({ DATABASE_URL: value })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: value })).toThrow(reason);
  });

  it('never prints the password of a refused URL', () => {
    let message = '';
    try {
      loadConfig({ DATABASE_URL: 'postgres://ikm:hunter2-secret@db.example:5432' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL: names no database/);
    expect(message).toContain('ikm:***@db.example');
    expect(message).not.toContain('hunter2');
  });
});

describe('DATABASE_POOL_SIZE', () => {
  it('defaults to 10 connections per server process', () => {
    expect(loadConfig({}).DATABASE_POOL_SIZE).toBe(10);
  });
  it.each(['0', '101', 'many', '2.5'])('refuses %s, naming the variable', (value) => {
    expect(() => loadConfig({ DATABASE_POOL_SIZE: value })).toThrow(/DATABASE_POOL_SIZE: must be a whole number of connections 1-100/);
  });
});
