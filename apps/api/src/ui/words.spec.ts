import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keysOf } from '#infra/i18n';
import { staff } from '#infra/i18n/staff';
import { staffWords } from './words';

/*
 * The staff UI's words live in the catalogue (staff.<section>.<key>); each page file takes one
 * section with `const say = staffWords('<section>')`. The compiler checks that a key used exists;
 * this checks the other way, that no word is left in the catalogue that no page says, and that
 * every word reads as text (none empty, none a key shown in its place).
 */
const UI = __dirname;
const sources = fs.readdirSync(UI).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts')).map((f) => fs.readFileSync(path.join(UI, f), 'utf8'));

describe("the staff UI's words", () => {
  it('every word of every section is said by a page of that section, and reads as text', () => {
    for (const [section, words] of Object.entries(staff)) {
      const pages = sources.filter((s) => s.includes(`staffWords('${section}')`));
      expect(pages.length, section).toBeGreaterThan(0);
      // Said by name (`say('key')`), or named where a page picks one of several (the countdown's units).
      const said = new Set(pages.flatMap((s) => [...s.matchAll(/'([A-Za-z0-9]+)'/g)].map((m) => m[1])));
      const unsaid = keysOf(words).filter((k) => !said.has(k));
      expect(unsaid, `${section}: words no page says`).toEqual([]);
      const say = staffWords(section as keyof typeof staff) as (key: string) => string;
      for (const key of keysOf(words)) expect(say(key), `${section}.${key}`).not.toMatch(/^$|^staff\./);
    }
  });

  it('a word with a variable takes its value as text, never as a nested key or markup', () => {
    expect(staffWords('layout')('pageTitle', { title: '<b>{{x}}</b> $t(staff.layout.signOut)' })).toContain('<b>{{x}}</b> $t(staff.layout.signOut)');
  });
});
