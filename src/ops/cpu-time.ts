import { readFileSync } from 'node:fs';

/** Linux counts child CPU time in clock ticks of 1/100 s (USER_HZ). */
const TICKS_PER_MS = 0.1;

/**
 * CPU time of this process and of its children that have ended, in ms. fastText trains in child
 * processes (src/understanding/fasttext.ts), which `process.cpuUsage()` leaves out; the children's
 * share is read from /proc/self/stat (fields cutime and cstime), and counts as 0 where there is none.
 */
export function cpuTimeMs(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1000 + childrenMs();
}

function childrenMs(): number {
  try {
    // The fields after the command name, which is in parentheses and may itself hold spaces.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // cutime and cstime are fields 16 and 17 of the whole line: 13 and 14 counting from 0 after the name.
    return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_MS;
  } catch {
    return 0;
  }
}
