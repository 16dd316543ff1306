/**
 * What the delivery engine tells an observer (the metrics): each attempt's outcome, and the
 * deliveries recovered after a crash. Optional; the engine never depends on what it does.
 */
import type { DestinationKind } from './deliveries/documents.js';
import type { NextStep } from './attempts/next-step.js';

/** One recorded attempt. */
export interface AttemptEvent {
  /** The kind of destination (`endpoint`, `integration`). */
  destination: DestinationKind;
  /** The topic or activity kind delivered. */
  topic: string;
  /** Where the delivery went next: `pending` means a retry is scheduled. */
  state: NextStep['state'];
  /** The HTTP status, when a response arrived. */
  status: number | null;
  /** Wall time of the attempt, in ms. */
  durationMs: number;
}

/** Receives the engine's events; each method must be cheap and must not throw. */
export interface DeliveryObserver {
  /** An attempt's outcome was recorded. */
  attempt(event: AttemptEvent): void;
  /** `count` deliveries were recovered: attempts a crash interrupted (taken up by the due drain), fan-outs a crash left unwritten (written by the sweep). */
  recovered(count: number): void;
}
