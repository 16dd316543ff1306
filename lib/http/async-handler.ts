/**
 * Wraps an async Express handler so a rejection reaches `next(err)` on Express 4 as on 5.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** An Express handler that may return a promise. */
export type AsyncHandler = (req: Request, res: Response, next: NextFunction) => Promise<unknown> | unknown;

/** Adapts `fn` so its errors always reach the error middleware. */
export function asyncHandler(fn: AsyncHandler): RequestHandler {
  return (req, res, next) => {
    try {
      Promise.resolve(fn(req, res, next)).catch(next);
    } catch (error) {
      next(error);
    }
  };
}
