/**
 * Command-line flags of `npm run bench`: `--only=<name>[,<name>…]`, `--quick`, `--help`.
 */

/** The parsed flags. */
export interface BenchArgs {
  /** Benchmarks to run, by name; `undefined` runs all of them. */
  only: string[] | undefined;
  quick: boolean;
  help: boolean;
}

/** Parses `argv` (without node and script); throws on an unknown flag. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { only: undefined, quick: false, help: false };
  for (const arg of argv) {
    if (arg === '--quick') args.quick = true;
    else if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg.startsWith('--only=')) {
      const names = arg.slice('--only='.length).split(',').map((s) => s.trim()).filter(Boolean);
      if (names.length === 0) throw new Error('--only= needs a benchmark name');
      args.only = [...(args.only ?? []), ...names];
    } else throw new Error(`Unknown argument ${JSON.stringify(arg)} (use --only=<name>, --quick, --help)`);
  }
  return args;
}
