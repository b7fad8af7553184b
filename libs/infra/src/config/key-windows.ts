import { type KeyRing } from './key-ring';

/** When a signing key may sign: from `activeFrom`, until `retiredAt` (null while it is the active key). */
export interface KeyWindow {
  readonly activeFrom: string;
  readonly retiredAt: string | null;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Whether the written date and time exist (Date.parse rolls 2024-02-30 over to March). */
const exists = (text: string): boolean => {
  const [y, mo, d, h, mi, se] = [0, 5, 8, 11, 14, 17].map((at, i) => Number(text.slice(at, at + (i === 0 ? 4 : 2))));
  const date = new Date(Date.UTC(y!, mo! - 1, d!));
  return date.getUTCMonth() === mo! - 1 && date.getUTCDate() === d && h! < 24 && mi! < 60 && (Number.isNaN(se) || se! < 60);
};

const instant = (text: string, id: string): string => {
  const ms = Date.parse(text);
  if (!INSTANT.test(text) || Number.isNaN(ms) || !exists(text)) throw new Error(`key ${id}: ${JSON.stringify(text)} is not an instant (write 2026-06-01T00:00:00Z)`);
  return new Date(ms).toISOString();
};

/**
 * Reads `id=activeFrom/retiredAt,…` (retiredAt left empty for the active key): every key of the ring
 * has exactly one window, the active key's is open, every retired key's is closed, and none ends
 * before it starts. A verifier refuses a pack whose instant lies outside its key's window, so a
 * retired key that leaked cannot sign new packs.
 */
export function parseKeyWindows(raw: string, ring: KeyRing): ReadonlyMap<string, KeyWindow> {
  const windows = new Map<string, KeyWindow>();
  for (const entry of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    const slash = entry.indexOf('/', eq);
    if (eq <= 0 || slash < 0) throw new Error('each window must be written id=activeFrom/retiredAt (retiredAt empty for the active key)');
    const id = entry.slice(0, eq);
    if (!ring.keys.has(id)) throw new Error(`key ${id} has a window but is not in the ring`);
    if (windows.has(id)) throw new Error(`key ${id} has two windows`);
    const activeFrom = instant(entry.slice(eq + 1, slash), id);
    const until = entry.slice(slash + 1);
    const retiredAt = until === '' ? null : instant(until, id);
    if (retiredAt !== null && retiredAt <= activeFrom) throw new Error(`key ${id}: retired before it became active`);
    windows.set(id, { activeFrom, retiredAt });
  }
  for (const id of ring.keys.keys()) {
    const window = windows.get(id);
    if (!window) throw new Error(`key ${id} has no window (write ${id}=<activeFrom>/ for the active key, ${id}=<activeFrom>/<retiredAt> for a retired one)`);
    if (id === ring.activeId && window.retiredAt !== null) throw new Error(`key ${id} is the active key, so its window cannot have ended (leave retiredAt empty)`);
    if (id !== ring.activeId && window.retiredAt === null) throw new Error(`key ${id} is retired, so its window needs its retiredAt`);
  }
  return windows;
}
