import { readdirSync, readFileSync } from 'node:fs';
import { median } from './stats';

/** CPU time by part of the stack, in milliseconds. */
export type CpuParts = Record<string, number>;

/** Linux's USER_HZ: /proc counts CPU time in ticks of 10 ms. */
const TICK_MS = 10;

interface Reading {
  /** The machine's busy time (every core; idle, I/O wait and steal left out). */
  busy: number;
  /** Each process's CPU time with that of its children it has reaped, its process group, command name and arguments. */
  processes: Map<number, { group: number; command: string; args: string[]; ticks: number }>;
}

/** Which processes make a part: process groups by their leaders' pids, or a test on the process. */
export type CpuPartSpec = { groups: Array<number | undefined> } | { match: (process: { command: string; args: string[] }) => boolean };

/**
 * Starts a CPU meter over the whole machine (Linux `/proc`): call the returned function to read the CPU
 * time spent since, in milliseconds, by part (`parts`, first match wins; this process is `bench`).
 * A process counts with the children it has reaped (a PostgreSQL backend that ended counts in its
 * postmaster, a part as long as both are in it). What is left of the machine's busy time is `other`:
 * what the named parts do not cover (other processes, interrupts). Throws where there is no `/proc/stat`.
 */
export function cpuMeter(parts: Record<string, CpuPartSpec>): () => CpuParts {
  const partOf = (pid: number, p: { group: number; command: string; args: string[] }): string | undefined => {
    if (pid === process.pid) return 'bench';
    return Object.entries(parts).find(([, spec]) => ('groups' in spec ? spec.groups.includes(p.group) : spec.match(p)))?.[0];
  };
  const byPart = (reading: Reading) => {
    const totals = new Map<string, number>();
    for (const [pid, p] of reading.processes) {
      const part = partOf(pid, p);
      if (part) totals.set(part, (totals.get(part) ?? 0) + p.ticks);
    }
    return totals;
  };
  const before = read();
  const beforeByPart = byPart(before);
  return () => {
    const after = read();
    const result: CpuParts = {};
    let named = 0;
    for (const [part, ticks] of byPart(after)) {
      // A process gone since took its time along (unless its parent in the part reaped it): never below zero.
      const ms = Math.max(0, ticks - (beforeByPart.get(part) ?? 0)) * TICK_MS;
      result[part] = ms;
      named += ms;
    }
    result.other = Math.max(0, (after.busy - before.busy) * TICK_MS - named);
    return result;
  };
}

function read(): Reading {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  // cpu  user nice system idle iowait irq softirq steal …
  const [user, nice, system, , , irq, softirq] = cpu.trim().split(/\s+/).slice(1).map(Number);
  const processes: Reading['processes'] = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // After "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      processes.set(Number(entry), { group: Number(fields[2]), command, args, ticks });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return { busy: user + nice + system + irq + softirq, processes };
}

/**
 * Each part's median over `readings`, divided by `per` (the items each reading covered), and `total`: the
 * median of the readings' totals (not the sum of the parts' medians); rounded to 0.1 ms.
 */
export function medianPerItem(readings: Array<{ cpu: CpuParts; per: number }>): CpuParts {
  const names = [...new Set(readings.flatMap((r) => Object.keys(r.cpu)))];
  const perItem = (values: number[]) => Math.round(median(values) * 10) / 10;
  const sum = (cpu: CpuParts) => Object.values(cpu).reduce((total, ms) => total + ms, 0);
  return {
    ...Object.fromEntries(names.map((name) => [name, perItem(readings.map((r) => (r.cpu[name] ?? 0) / r.per))])),
    total: perItem(readings.map((r) => sum(r.cpu) / r.per)),
  };
}

/** `142.0 ms (temporal server 74.7 · worker 33.4 · …)`: the total, then the parts, largest first. */
export function describeCpu({ total, ...parts }: CpuParts): string {
  const entries = Object.entries(parts).sort((a, b) => b[1] - a[1]);
  return `${total.toFixed(1)} ms (${entries.map(([name, ms]) => `${name} ${ms.toFixed(1)}`).join(' · ')})`;
}
