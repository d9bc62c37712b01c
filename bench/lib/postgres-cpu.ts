/**
 * CPU seconds the local Postgres server has used so far, read from /proc: every live
 * `postgres` process, plus what the postmaster has collected from the backends it already
 * reaped (a pool's connections come and go during a run). A benchmark takes two readings and
 * prints the difference beside Node's own CPU time, so that anyone can see whether both
 * cores were busy and which side used them.
 *
 * Null when no Postgres process is visible (a server on another host or in a container);
 * the benchmark then leaves the figure out rather than print a wrong one.
 */
import fs from "node:fs";

/** /proc reports times in USER_HZ clock ticks, which Linux fixes at 100 per second on every architecture it exports. */
const TICKS_PER_SECOND = 100;

interface ProcessTimes {
  pid: number;
  parent: number;
  ownTicks: number;
  reapedChildrenTicks: number;
}

function postgresProcesses(): ProcessTimes[] {
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return [];
  }
  const found: ProcessTimes[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited since the directory was listed
    }
    // "pid (comm) state ppid ...": comm may hold spaces, so split after its closing parenthesis.
    const close = stat.lastIndexOf(")");
    if (stat.slice(stat.indexOf("(") + 1, close) !== "postgres") continue;
    const fields = stat.slice(close + 2).split(" ");
    // Fields counted from `state` (field 3 of proc(5)): ppid 4, utime 14, stime 15, cutime 16, cstime 17.
    const field = (number: number) => Number(fields[number - 3]);
    found.push({
      pid: Number(entry),
      parent: field(4),
      ownTicks: field(14) + field(15),
      reapedChildrenTicks: field(16) + field(17),
    });
  }
  return found;
}

export function postgresCpuSeconds(): number | null {
  const processes = postgresProcesses();
  if (processes.length === 0) return null;
  const pids = new Set(processes.map((process) => process.pid));
  let ticks = 0;
  for (const process of processes) {
    ticks += process.ownTicks;
    // Only the postmaster (the one whose parent is not Postgres) reaps backends.
    if (!pids.has(process.parent)) ticks += process.reapedChildrenTicks;
  }
  return ticks / TICKS_PER_SECOND;
}
