/**
 * The engine's registry of destination kinds (their sources) and transports: adding a kind of
 * destination is one `addSource` and one `addTransport`.
 */
import type { ObjectId } from 'mongodb';
import type { Destination, DestinationKind, DestinationSource } from './destination.js';
import type { Transport } from './transport.js';

/** The engine's destination kinds and transports. */
export class DestinationRegistry {
  private readonly sources = new Map<DestinationKind, DestinationSource>();
  private readonly transports = new Map<string, Transport>();

  /** Adds a kind of destination. */
  addSource(source: DestinationSource): void {
    if (this.sources.has(source.kind)) throw new Error(`destination kind ${source.kind} is already registered`);
    this.sources.set(source.kind, source);
  }

  /** Adds a transport under `name` (what destinations give as `transport`). */
  addTransport(name: string, transport: Transport): void {
    if (this.transports.has(name)) throw new Error(`transport ${name} is already registered`);
    this.transports.set(name, transport);
  }

  /** The source of a kind (absent kind: `endpoint`). */
  source(kind: DestinationKind | undefined): DestinationSource | undefined {
    return this.sources.get(kind ?? 'endpoint');
  }

  /** Every source. */
  allSources(): DestinationSource[] {
    return [...this.sources.values()];
  }

  /** A transport by name. */
  transport(name: string): Transport | undefined {
    return this.transports.get(name);
  }

  /** Every transport. */
  allTransports(): Transport[] {
    return [...this.transports.values()];
  }

  /** The destination a delivery goes to, or `null` when it no longer exists. */
  async destinationOf(kind: DestinationKind | undefined, id: ObjectId): Promise<Destination | null> {
    return (await this.source(kind)?.byId(id)) ?? null;
  }

  /** Every enabled destination of the account that takes this activity, over all kinds. */
  async accepting(account: string, topic: string, data: Record<string, unknown>): Promise<Destination[]> {
    const sources = this.allSources();
    if (sources.length === 1) return (await sources[0]!.enabledFor(account)).filter((d) => d.accepts(topic, data));
    const lists = await Promise.all(sources.map((s) => s.enabledFor(account)));
    return lists.flat().filter((d) => d.accepts(topic, data));
  }
}
