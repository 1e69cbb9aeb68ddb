import express, { type RequestHandler, Router } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import type { Db } from '../db/connect';
import { PayloadDecryptionError } from '../temporal/payload-codec';
import { requireRole } from './auth';
import { parse, Problem, requireJsonBody } from './problem';

/**
 * proto3 JSON `bytes`: standard or URL-safe base64, padding optional (https://protobuf.dev/programming-guides/json/):
 * whole groups of four, then two or three characters. Read as standard base64, the only alphabet protobufjs decodes.
 */
const base64 = z
  .string()
  .regex(/^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/, 'must be base64')
  .transform((value) => value.replace(/-/g, '+').replace(/_/g, '/'));

/** Temporal's `Payloads` message in proto3 JSON, as the Temporal UI and CLI send it to a codec server. */
export const codecPayloads = z.strictObject({
  payloads: z
    .array(
      z.looseObject({
        metadata: z.record(z.string(), base64).optional(),
        data: base64.optional(),
      }),
    )
    .max(1000),
});

/** Temporal payloads are at most 2 MB each by default; the UI sends those of one event at a time, base64 adds a third. */
const BODY_LIMIT = '8mb';
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace';

/**
 * CORS for the Temporal UI (Fetch standard §3.2): only the configured origins get
 * `Access-Control-Allow-Origin` (echoed, with credentials allowed, never `*`); their preflight
 * (`OPTIONS`) answers 204 with the methods and headers the UI sends (`Authorization`, `Content-Type`,
 * `X-Namespace`). A request from any other origin answers 403 before it is authenticated or read.
 * Requests without `Origin` (the Temporal CLI, SDKs) are not browser requests and pass on.
 */
export function codecCors(origins: readonly string[]): RequestHandler {
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.header('origin');
    if (origin !== undefined) {
      if (!origins.includes(origin)) throw new Problem(403, 'Forbidden', `the origin ${origin} may not call the codec endpoint (TEMPORAL_UI_ORIGIN)`);
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    if (req.method !== 'OPTIONS') return next();
    res.setHeader('Allow', 'POST, OPTIONS');
    if (origin !== undefined) {
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.status(204).end();
  };
}

/**
 * Temporal's codec-server protocol (samples-go `codec-server/protocol.md`): `POST /codec/encode` and
 * `POST /codec/decode` take `{"payloads": [{"metadata": {"encoding": "<base64>"}, "data": "<base64>"}]}`
 * and answer the same shape, one payload out for each one in, so operators read sealed histories in the
 * Temporal UI or CLI. Reviewer keys only (`Authorization: Bearer`): 401 without one, 403 for another
 * kind of key. A payload the codec cannot open answers 400 naming `payloads.<index>`. Mount before the
 * API's own JSON parser, whose 64 kB limit is too small for payloads.
 */
export function codecRouter(options: { db: Db; codec: PayloadCodec; uiOrigins: readonly string[] }): Router {
  const router = Router();
  const reviewer = requireRole(options.db, 'reviewer');
  const body = express.json({ limit: BODY_LIMIT, type: ['application/json', 'application/*+json'] });
  for (const direction of ['encode', 'decode'] as const) {
    router.use(`/${direction}`, codecCors(options.uiOrigins));
    router.post(`/${direction}`, reviewer, requireJsonBody, body, async (req, res) => {
      const input = parse(codecPayloads, req.body ?? {});
      const payloads = input.payloads.map((p) => temporal.api.common.v1.Payload.fromObject(p) as Payload);
      const output: Payload[] = [];
      // One at a time, so a payload that cannot be opened is named by its index.
      for (const [index, payload] of payloads.entries()) {
        try {
          output.push(...(await options.codec[direction]([payload])));
        } catch (error) {
          if (!(error instanceof PayloadDecryptionError)) throw error;
          const field = `payloads.${index}`;
          throw new Problem(400, 'Payload cannot be decoded', `${field}: ${error.message}`, { errors: [{ field, message: error.message }] });
        }
      }
      res.json({ payloads: output.map((p) => temporal.api.common.v1.Payload.toObject(p as temporal.api.common.v1.Payload, { bytes: String })) });
    });
  }
  return router;
}
