import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from './index';
import shipped from './shipped.json';

/**
 * A migration that has shipped is never edited again: a database that ran it would never run the
 * edit. `shipped.json` is append-only — each migration's file and the sha256 of its text, in order.
 * A new migration adds its line there in the commit that adds it; a change to an old one is a new
 * migration.
 */
describe('shipped migrations', () => {
  const files = fs.readdirSync(__dirname).filter((f) => /^\d+-.+\.ts$/.test(f) && !f.endsWith('.spec.ts')).sort();
  const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(path.join(__dirname, file))).digest('hex');

  it('each one is listed, in the order they run, and its text is what shipped', () => {
    expect(Object.keys(shipped)).toEqual(files);
    for (const file of files) expect(sha256(file), `${file} was edited after it shipped: write a new migration instead`).toBe(shipped[file as keyof typeof shipped]);
  });

  it('the list and the migrations that run are the same, in the same order', () => {
    const timestamps = files.map((f) => f.split('-')[0]);
    expect(migrations.map((m) => m.name.match(/\d+$/)![0])).toEqual(timestamps);
  });
});
