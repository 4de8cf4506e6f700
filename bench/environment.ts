/**
 * What a reader needs to judge a bench figure: the machine (CPU model and count, Node version
 * and flags), the load average when the run started, and how much CPU other processes used
 * while it ran (the whole machine's busy time from /proc/stat minus the bench's own processes,
 * which include every child it waited for). Linux only for the CPU figures; elsewhere they are
 * reported as unknown.
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** A reading of the CPU time spent so far. */
interface CpuSnapshot {
  /** Busy CPU-seconds of the whole machine (all cores), or undefined off Linux. */
  machineBusyS: number | undefined;
  /** CPU-seconds of this process and the children it has waited for. */
  ownS: number | undefined;
  /** When (performance.now(), ms). */
  at: number;
}

function readMachineBusy(): number | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!; // cpu  user nice system idle iowait irq softirq steal ...
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + (f[7] ?? 0);
    return busy / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function readOwn(): number | undefined {
  try {
    const text = readFileSync("/proc/self/stat", "utf8");
    // fields after the ")" closing the command name: state is field 3; utime 14, stime 15, cutime 16, cstime 17
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    return ticks / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Reads the machine's and the bench's CPU time now. */
export function cpuSnapshot(): CpuSnapshot {
  return { machineBusyS: readMachineBusy(), ownS: readOwn(), at: performance.now() };
}

/** The machine and the load on it over a run. */
export interface Environment {
  cpuModel: string;
  cpuCount: number;
  node: string;
  /** Node flags of the bench (its children get the same, plus --cpu-prof with --profile). */
  nodeFlags: string;
  /** 1-minute load average when the run started. */
  loadAverageAtStart: number;
  /** 1-minute load average when it ended. */
  loadAverageAtEnd: number;
  /** Cores' worth of CPU other processes used during the run (0.5 = half a core), if known. */
  otherCpuCores: number | undefined;
  /** Cores' worth of CPU the bench itself (all its processes) used, if known. */
  benchCpuCores: number | undefined;
}

/** Describes the environment of a run that began at `start`. */
export function describeEnvironment(start: CpuSnapshot, startLoad: number): Environment {
  const end = cpuSnapshot();
  const wallS = (end.at - start.at) / 1000;
  const machine =
    end.machineBusyS !== undefined && start.machineBusyS !== undefined
      ? end.machineBusyS - start.machineBusyS
      : undefined;
  const own = end.ownS !== undefined && start.ownS !== undefined ? end.ownS - start.ownS : undefined;
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? "unknown",
    cpuCount: cpu.length,
    node: process.version,
    nodeFlags: [...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" ").trim() || "(none)",
    loadAverageAtStart: startLoad,
    loadAverageAtEnd: loadavg()[0]!,
    otherCpuCores:
      machine !== undefined && own !== undefined && wallS > 0
        ? Math.max(0, machine - own) / wallS
        : undefined,
    benchCpuCores: own !== undefined && wallS > 0 ? own / wallS : undefined,
  };
}

/** The environment as header lines for the table. */
export function formatEnvironment(env: Environment): string[] {
  const cores = (x: number | undefined): string => (x === undefined ? "unknown" : `${x.toFixed(2)} cores`);
  const quiet =
    env.otherCpuCores === undefined
      ? ""
      : env.otherCpuCores < 0.1 * env.cpuCount
        ? " (quiet)"
        : " (NOT quiet: figures are lower and noisier than on an idle machine)";
  return [
    `machine: ${env.cpuCount} × ${env.cpuModel} · node ${env.node} · flags ${env.nodeFlags}`,
    `load average (1 min): ${env.loadAverageAtStart.toFixed(2)} at start, ${env.loadAverageAtEnd.toFixed(2)} at end`,
    `CPU used during the run: bench ${cores(env.benchCpuCores)}, other processes ${cores(env.otherCpuCores)}${quiet}`,
  ];
}

/** The 1-minute load average now. */
export function loadAverageNow(): number {
  return loadavg()[0]!;
}
