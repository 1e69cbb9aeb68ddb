import { readdirSync, readFileSync } from 'node:fs';
import { median } from './stats';

/** CPU time by part of the stack, in milliseconds. */
export type CpuParts = Record<string, number>;

/** Linux's USER_HZ: /proc counts CPU time in ticks of 10 ms. */
const TICK_MS = 10;

interface Reading {
  /** The machine's busy time (every core, idle and I/O wait left out). */
  busy: number;
  /** Each process's CPU time, with its process group and command name. */
  processes: Map<number, { group: number; command: string; ticks: number }>;
}

/**
 * Starts a CPU meter over the whole machine (Linux `/proc`): call the returned function to read the CPU
 * time spent since, in milliseconds, by part. `groups` names process groups (a part's leader pids: the
 * API's and the worker's processes run in groups of their own); `commands` names processes by command name
 * (`temporal`: the dev server); `bench` is this process. What is left of the machine's busy time is
 * `postgres and the rest`: PostgreSQL's backends come and go with the pools' connections, so they are
 * counted as the remainder rather than one by one. Throws where there is no `/proc/stat` (not Linux).
 */
export function cpuMeter(parts: { groups: Record<string, Array<number | undefined>>; commands: Record<string, string> }): () => CpuParts {
  const before = read();
  return () => {
    const after = read();
    const spent = new Map<number, number>();
    for (const [pid, now] of after.processes) {
      // A process born since counts whole; one gone since is lost to the remainder.
      spent.set(pid, now.ticks - (before.processes.get(pid)?.ticks ?? 0));
    }
    const result: CpuParts = {};
    let named = 0;
    const add = (part: string, ticks: number) => {
      result[part] = (result[part] ?? 0) + ticks * TICK_MS;
      named += ticks * TICK_MS;
    };
    for (const [pid, ticks] of spent) {
      const { group, command } = after.processes.get(pid)!;
      const byGroup = Object.entries(parts.groups).find(([, leaders]) => leaders.includes(group));
      const byCommand = Object.entries(parts.commands).find(([, name]) => command === name);
      if (pid === process.pid) add('bench', ticks);
      else if (byGroup) add(byGroup[0], ticks);
      else if (byCommand) add(byCommand[0], ticks);
    }
    result['postgres and the rest'] = Math.max(0, (after.busy - before.busy) * TICK_MS - named);
    return result;
  };
}

function read(): Reading {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  // cpu  user nice system idle iowait irq softirq steal …
  const [user, nice, system, , , irq, softirq, steal] = cpu.trim().split(/\s+/).slice(1).map(Number);
  const processes: Reading['processes'] = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // After "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      processes.set(Number(entry), { group: Number(fields[2]), command, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return { busy: user + nice + system + irq + softirq + steal, processes };
}

/** Each part's median over `readings`, divided by `per` (the items each reading covered), rounded to 0.1 ms. */
export function medianPerItem(readings: Array<{ cpu: CpuParts; per: number }>): CpuParts {
  const names = [...new Set(readings.flatMap((r) => Object.keys(r.cpu)))];
  return Object.fromEntries(names.map((name) => [name, Math.round(median(readings.map((r) => (r.cpu[name] ?? 0) / r.per)) * 10) / 10]));
}

/** `api 27.1 · worker 15.0 · …` (ms), largest first, with the sum. */
export function describeCpu(parts: CpuParts): string {
  const entries = Object.entries(parts).sort((a, b) => b[1] - a[1]);
  const sum = entries.reduce((total, [, ms]) => total + ms, 0);
  return `${sum.toFixed(1)} ms (${entries.map(([name, ms]) => `${name} ${ms.toFixed(1)}`).join(' · ')})`;
}
