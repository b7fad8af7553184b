import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clockOwner, CONTRACT_FILE_TYPES, CONTROLLER_CLOCK_KINDS, DEADLINE_KINDS, FILE_TYPES, fileTypeNamed } from './file-types';
import { fileType, finalStatusesOf, statusesOf } from './kit/file-type';
import { openApiSchemaOf } from './kit/schema';

describe('the registry of file types', () => {
  it('names each type, stream, read-model table and clock kind once', () => {
    const names = FILE_TYPES.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(FILE_TYPES.every((t) => t.stream.name === t.name)).toBe(true);
    const tables = FILE_TYPES.map((t) => t.readModel.table);
    expect(new Set(tables).size).toBe(tables.length);
    expect(new Set(DEADLINE_KINDS).size).toBe(DEADLINE_KINDS.length);
    expect(names.map(fileTypeNamed)).toEqual(FILE_TYPES);
    expect(fileTypeNamed('no-such-type')).toBeNull();
  });

  it("says whose deadline each clock is: the controller's own (Art. 33's 72 hours, Art. 12's month), else the processor's", () => {
    expect([...CONTROLLER_CLOCK_KINDS].sort()).toEqual(['breach-notice-authority', 'subject-request-deadline']);
    expect(clockOwner('breach-notice-authority')).toBe('controller');
    expect(clockOwner('breach-notice-target')).toBe('processor');
    expect(clockOwner('subject-request-assistance')).toBe('processor');
    expect(clockOwner('destruction-deadline')).toBe('processor');
    // A declaration naming a controller's clock it does not hold is refused.
    const notice = fileTypeNamed('breach-notice')!;
    expect(() => fileType({ ...notice, clocks: { ...notice.clocks!, controllers: ['no-such-clock'] } } as never)).toThrow(/the controller's clock no-such-clock is not one of its kinds/);
  });

  it('lists every file type the domain defines: each folder with a declaration is in it', () => {
    // A declaration is a `<type>.type.ts` beside its decider; one the registry forgot would have no store, no read model, no page.
    const declared = fs
      .readdirSync(__dirname, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && e.name.endsWith('.type.ts'))
      .map((e) => e.name.replace(/\.type\.ts$/, ''));
    expect(declared.sort()).toEqual(FILE_TYPES.map((t) => t.name).sort());
  });

  it("gives every file under a contract its contract's id, and only those", () => {
    expect(CONTRACT_FILE_TYPES.map((t) => t.name)).toEqual(['subject-request', 'breach-notice', 'instruction', 'transfer-notice', 'assistance-request', 'audit', 'sub-processor-notice']);
    for (const t of CONTRACT_FILE_TYPES) expect(typeof t.parentIdOf, t.name).toBe('function');
  });

  it('knows which statuses close a file; a register without an end has none', () => {
    expect(finalStatusesOf(fileTypeNamed('contract')!)).toEqual(['destroyed']);
    expect(finalStatusesOf(fileTypeNamed('instruction')!)).toEqual(['executed', 'withdrawn']);
    expect(finalStatusesOf(fileTypeNamed('staff')!)).toEqual([]);
    for (const t of FILE_TYPES) expect(statusesOf(t), t.name).not.toContain('none');
  });

  it('starts every file in a state that is neither final nor one of its listed statuses (a file exists once its first event is stored)', () => {
    for (const t of FILE_TYPES) {
      const s = t.stream.initialState() as { status: string };
      expect(t.stream.isFinal(s), t.name).toBe(false);
      expect(statusesOf(t), t.name).not.toContain(s.status);
    }
  });


  it('gives every declared command a closed body, someone who may send it and its own path; one command opens a file', () => {
    for (const t of FILE_TYPES.filter((x) => x.commands)) {
      const commands = Object.entries(t.commands!);
      expect(commands.filter(([, c]) => c.creates).length, t.name).toBe(1);
      const paths = commands.filter(([, c]) => !c.creates && c.path).map(([, c]) => c.path);
      expect(new Set(paths).size, t.name).toBe(paths.length);
      // Under a contract every command has a path of its file's routes (derived from it); a
      // processor's file may take one from elsewhere (the roster's authorisations, from the contract).
      if (t.parent === 'contract') expect(commands.every(([, c]) => c.creates || c.path), t.name).toBe(true);
      for (const [name, c] of commands) {
        expect(openApiSchemaOf(c.schema()), `${t.name}.${name}`).toMatchObject({ type: 'object', additionalProperties: false });
        // Staff send it, or a signed link does, or the engine does for a file that follows a controller's contracts.
        const sender = c.roles.length > 0 || !!c.link || Object.values(t.follows ?? {}).includes(name);
        expect(sender, `${t.name}.${name}: nobody may send it`).toBe(true);
        expect(c.summary.length, `${t.name}.${name}`).toBeGreaterThan(10);
      }
      expect(t.view && t.route, t.name).toBeTruthy();
    }
  });
});
