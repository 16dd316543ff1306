/**
 * What the run ran on: CPU, memory, Node, OS, and the commit of the code measured.
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** The machine, as RESULTS.md describes it. */
export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  totalMemoryBytes: number;
  node: string;
  os: string;
}

function osPrettyName(): string | undefined {
  try {
    const match = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return match?.[1];
  } catch {
    return undefined;
  }
}

/** Describes this machine (from `os.cpus()`, `os.totalmem()`, `process.version`…). */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const distro = osPrettyName();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}${distro ? ` (${distro})` : ''}`,
  };
}

/** The commit measured and whether `lib/` had uncommitted changes (others work in parallel). */
export function codeVersion(cwd: string): string {
  const git = (...args: string[]): string | undefined => {
    const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  const head = git('rev-parse', '--short', 'HEAD');
  if (!head) return 'unknown (not a git checkout)';
  const dirty = git('status', '--porcelain', '--', 'lib', 'schemas');
  const changed = dirty ? dirty.split('\n').filter(Boolean).length : 0;
  return changed === 0 ? `\`${head}\`` : `\`${head}\` plus ${changed} uncommitted path(s) under lib/ and schemas/ (work in progress by others, measured as found)`;
}
