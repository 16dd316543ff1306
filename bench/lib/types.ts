/**
 * The shape every benchmark module shares: `run.ts` calls `run(ctx)` and renders the
 * returned section into RESULTS.md. A new benchmark (e.g. delivery) is one more module
 * exporting a {@link Benchmark} and one more line in `run.ts`'s list.
 */
import type { BenchDatabase } from './db.js';

/** What a benchmark gets from the orchestrator. */
export interface BenchContext {
  /** The database server (mongo-java-server or MONGODB_URI); use `db.freshName()` per benchmark. */
  db: BenchDatabase;
  /** Smaller counts and durations for a smoke run. */
  quick: boolean;
  /** Progress lines on stderr (not in RESULTS.md). */
  log(message: string): void;
}

/** A table in RESULTS.md. */
export interface Table {
  caption?: string;
  headers: string[];
  rows: string[][];
  /** Column alignment; by default the first column is left-aligned and the others (figures) right-aligned. */
  align?: Array<'left' | 'right'>;
}

/** An acceptance goal and whether this run met it. */
export interface Goal {
  goal: string;
  met: boolean;
  /** The measured figure the verdict rests on. */
  measured: string;
}

/** What a benchmark contributes to RESULTS.md (and to bench/.tmp/results.json). */
export interface Section {
  /** Markdown paragraph(s): what was measured and how. */
  method: string;
  tables: Table[];
  goals: Goal[];
  /** Extra observations (markdown bullet text, one per entry). */
  notes: string[];
  /** Raw figures, kept in bench/.tmp/results.json for later comparison. */
  raw: unknown;
}

/** One benchmark module. */
export interface Benchmark {
  /** The `--only=` name. */
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<Section>;
}
