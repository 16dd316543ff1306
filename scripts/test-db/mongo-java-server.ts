/**
 * Builds (once) and starts mongo-java-server, a MongoDB wire-protocol server in Java,
 * on a free loopback port. Used by the tests, the benchmarks and the example app when
 * `MONGODB_URI` is not set. See SPEC sections 8–9 for why this server and not FerretDB.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
/** Where the launcher is built: git-ignored, reused across runs. */
export const LAUNCHER_DIR = join(repoRoot, '.cache', 'mongo-java-server-1.47.0');

/** A running test database. */
export interface TestMongo {
  /** A `mongodb://` connection string for the server. */
  uri: string;
  port: number;
  /** Stops the server and waits for its process to exit. */
  stop(): Promise<void>;
}

/** How to start the test database. */
export interface StartOptions {
  /** `memory` (default) keeps nothing; `h2` keeps data in `file` across restarts. */
  backend?: 'memory' | 'h2';
  /** The H2 database file, required with `backend: 'h2'`. */
  file?: string;
  /** A fixed port; by default a free one is chosen. */
  port?: number;
}

function commandExists(cmd: string): boolean {
  return spawnSync(cmd, ['-version'], { stdio: 'ignore' }).status === 0;
}

/** The one sentence a machine without Java (and without MONGODB_URI) gets. */
export const NO_JAVA_MESSAGE =
  'chameleon-hooks tests need a MongoDB server: install Java 17 and Maven (the local mongo-java-server is built on first run), or set MONGODB_URI to a MongoDB you can use, e.g. MONGODB_URI=mongodb://127.0.0.1:27017.';

/** Builds the launcher into `.cache/` if it is not there yet (needs Java 17 and Maven). */
export function ensureLauncherBuilt(): void {
  if (existsSync(join(LAUNCHER_DIR, 'classes', 'Launcher.class'))) return;
  if (!commandExists('java') || !commandExists('javac')) throw new Error(NO_JAVA_MESSAGE);
  if (spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status !== 0) throw new Error(NO_JAVA_MESSAGE);
  // Build into a temporary folder and rename it into place, so concurrent first runs never see half a build.
  const staging = `${LAUNCHER_DIR}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'classes'), { recursive: true });
  const javaDir = join(here, 'java');
  const mvn = spawnSync(
    'mvn',
    ['-q', '-B', '-f', join(javaDir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${join(staging, 'lib')}`],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (mvn.status !== 0) throw new Error('Building mongo-java-server failed: `mvn dependency:copy-dependencies` exited with ' + mvn.status);
  const javac = spawnSync(
    'javac',
    ['-d', join(staging, 'classes'), '-cp', `${join(staging, 'lib')}/*`, join(javaDir, 'Launcher.java')],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (javac.status !== 0) throw new Error('Compiling the mongo-java-server launcher failed');
  if (existsSync(join(LAUNCHER_DIR, 'classes', 'Launcher.class'))) {
    rmSync(staging, { recursive: true, force: true });
    return;
  }
  rmSync(LAUNCHER_DIR, { recursive: true, force: true });
  mkdirSync(dirname(LAUNCHER_DIR), { recursive: true });
  renameSync(staging, LAUNCHER_DIR);
}

/** Starts mongo-java-server and resolves once it accepts connections. */
export async function startTestMongo(options: StartOptions = {}): Promise<TestMongo> {
  ensureLauncherBuilt();
  if (options.backend === 'h2' && !options.file) throw new Error('startTestMongo: backend "h2" needs a file');
  const args = [
    '-Xss4m',
    '-XX:+UseSerialGC',
    '-cp',
    `${join(LAUNCHER_DIR, 'lib')}/*:${join(LAUNCHER_DIR, 'classes')}`,
    'Launcher',
    String(options.port ?? 0),
    ...(options.backend === 'h2' ? [options.file as string] : []),
  ];
  const child: ChildProcess = spawn('java', args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error('mongo-java-server did not start within 60 s')), 60_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /^LISTENING (\d+)$/.exec(line.trim());
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mongo-java-server exited early with code ${code}`));
    });
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  return {
    uri: `mongodb://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode !== null) return;
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Lists what the built launcher contains (for diagnostics). */
export function launcherJars(): string[] {
  const lib = join(LAUNCHER_DIR, 'lib');
  return existsSync(lib) ? readdirSync(lib) : [];
}
