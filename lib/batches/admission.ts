/**
 * Admission of batch bodies against the process's in-flight byte budget, decided from the
 * headers alone, before any body byte is read: a batch that does not fit answers `503` with
 * `Retry-After` and nothing is read or stored. The reservation is held until the answer is
 * sent (by then the body, its parsed items and the recorded chunks are garbage).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { BusyError } from '../errors.js';
import type { ByteBudget } from './budget.js';

/** Seconds a refused batch is asked to wait: about the time a large batch takes to be recorded. */
export const BUSY_RETRY_AFTER_SECONDS = 2;

/**
 * The bytes a body will hold once read: its `Content-Length` when it declares one and is not
 * compressed (a larger body fails at the limit anyway), otherwise the limit itself (a chunked or
 * gzip body may inflate up to it).
 */
export function reservationFor(headers: IncomingHttpHeaders, limitBytes: number): number {
  const encoding = headers['content-encoding'];
  const length = headers['content-length'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return limitBytes;
  if (length === undefined || !/^\d{1,15}$/.test(length)) return limitBytes;
  return Math.min(Number(length), limitBytes);
}

/** A middleware that admits a batch body within `budget`, or fails with a `503` {@link BusyError}. */
export function batchAdmission(budget: ByteBudget, limitBytes: number): RequestHandler {
  return (req, res, next) => {
    const bytes = reservationFor(req.headers, limitBytes);
    const release = budget.tryReserve(bytes);
    if (!release) {
      next(new BusyError('Too many batches are being received right now; nothing was read or stored. Send it again after Retry-After seconds', BUSY_RETRY_AFTER_SECONDS));
      return;
    }
    res.once('close', release);
    res.once('finish', release);
    next();
  };
}
