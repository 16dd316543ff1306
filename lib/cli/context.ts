/**
 * What every CLI command works on: the options (a `--config` JSON file, with `--uri`/`MONGODB_URI` and
 * `--db` over its `mongo`), and the package opened on them.
 */
import { readFileSync } from 'node:fs';
import { chameleonHooks, type ChameleonHooks } from '../chameleon-hooks.js';
import { parseOptions, type Config, type Options } from '../options.js';

/** The global options of every command. */
export interface GlobalFlags {
  uri?: string;
  db?: string;
  config?: string;
  json?: boolean;
}

/** Raised for a bad command line (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The package options the flags describe. */
export function optionsFrom(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Options {
  let fromFile: Partial<Options> = {};
  if (flags.config) {
    try {
      fromFile = JSON.parse(readFileSync(flags.config, 'utf8')) as Partial<Options>;
    } catch (error) {
      throw new UsageError(`Cannot read the options file ${flags.config}: ${(error as Error).message}`);
    }
  }
  const uri = flags.uri ?? env.MONGODB_URI;
  const fileMongo = (fromFile.mongo ?? {}) as Record<string, unknown>;
  if (!uri && typeof fileMongo.uri !== 'string') throw new UsageError('No database: pass --uri, set MONGODB_URI, or give mongo.uri in --config');
  const mongo = { uri: uri ?? (fileMongo.uri as string), ...(flags.db ?? fileMongo.dbName ? { dbName: (flags.db ?? fileMongo.dbName) as string } : {}) };
  return { ...fromFile, mongo };
}

/** The parsed configuration (without connecting). */
export function configFrom(flags: GlobalFlags): Config {
  return parseOptions(optionsFrom(flags));
}

/** Opens the package on the flags' database, runs `work`, and always closes it. */
export async function withHooks<T>(flags: GlobalFlags, work: (hooks: ChameleonHooks) => Promise<T>): Promise<T> {
  const hooks = chameleonHooks(optionsFrom(flags));
  try {
    await hooks.ready();
    return await work(hooks);
  } finally {
    await hooks.close().catch(() => undefined);
  }
}
