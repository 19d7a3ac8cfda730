import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * Readers for the two layouts the embedded store had before SQLite, used once to import them.
 * Read-only: they never change the files they read.
 */

const NEWLINE = 0x0a;
const CHUNK = 1 << 20;
/** `<crc32 of the payload, 8 hex digits> <payload>`. */
const HEADER_BYTES = 9;

export interface ImportTarget {
  /** The key's latest item, as JSON, and when it was written (ms since the epoch). */
  put(key: string, json: string, writtenAt: number): void;
  remove(key: string): void;
}

/**
 * Replays `journal.log` (lines `<crc32> <JSON key>\t<eTag>\t<written at>\t<item JSON>`, a delete
 * having an empty eTag) into `target` in order, so the last line of a key wins. A torn last line
 * (a write the journal never acknowledged) is skipped; damage anywhere else throws, naming the
 * byte, and the caller's transaction then imports nothing. Returns the number of lines replayed.
 */
export function importJournal(file: string, target: ImportTarget): number {
  const fd = fs.openSync(file, 'r');
  let count = 0;
  try {
    let buffer = Buffer.allocUnsafe(CHUNK);
    let base = 0;
    let filled = 0;
    let start = 0;
    for (;;) {
      const newline = buffer.subarray(start, filled).indexOf(NEWLINE);
      if (newline >= 0) {
        replay(file, base + start, buffer.subarray(start, start + newline), target);
        count++;
        start += newline + 1;
        continue;
      }
      buffer.copy(buffer, 0, start, filled);
      filled -= start;
      base += start;
      start = 0;
      if (filled === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      const read = fs.readSync(fd, buffer, filled, buffer.length - filled, base + filled);
      if (read === 0) break; // What is left without a newline is a torn last write.
      filled += read;
    }
  } finally {
    fs.closeSync(fd);
  }
  return count;
}

function replay(file: string, offset: number, line: Buffer, target: ImportTarget): void {
  const damaged = () =>
    new Error(
      `${file} is damaged at byte ${offset}, so it was not imported and nothing was changed. ` +
        'Restore it from a backup, or move it aside to start without the conversations it holds.',
    );
  if (line.length < HEADER_BYTES + 4 || line[8] !== 0x20) throw damaged();
  const header = line.toString('latin1', 0, 8);
  const payload = line.subarray(HEADER_BYTES);
  if (!/^[0-9a-f]{8}$/.test(header) || crc32(payload) !== Number.parseInt(header, 16)) throw damaged();
  const text = payload.toString('utf8');
  const keyEnd = text.indexOf('\t');
  const eTagEnd = text.indexOf('\t', keyEnd + 1);
  const atEnd = text.indexOf('\t', eTagEnd + 1);
  if (keyEnd < 0 || eTagEnd < 0 || atEnd < 0) throw damaged();
  const key = JSON.parse(text.slice(0, keyEnd)) as string;
  if (eTagEnd === keyEnd + 1) target.remove(key);
  else target.put(key, text.slice(atEnd + 1), Number(text.slice(eTagEnd + 1, atEnd)));
}

/**
 * The file-per-key layout before the journal: `<sha256 of the key>.json` holding
 * `{ v, key, item }`. Unfinished writes (`….json.<…>.tmp`) were never visible and are skipped; a
 * file that cannot be read is reported and left in place. Returns the files that can be removed.
 */
export function importLegacyFiles(
  dir: string,
  names: readonly string[],
  put: (key: string, json: string) => void,
  warn: (message: string, err?: unknown) => void,
): string[] {
  const done: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    if (name.endsWith('.tmp')) {
      done.push(file);
      continue;
    }
    try {
      const { key, item } = JSON.parse(fs.readFileSync(file, 'utf8')) as { key: unknown; item: unknown };
      if (typeof key !== 'string' || !item || typeof item !== 'object') throw new Error('not a stored item');
      put(key, JSON.stringify(item));
      done.push(file);
    } catch (err) {
      warn(`SqliteStore: could not import ${file}; it was left in place`, err);
    }
  }
  return done;
}
