// The shapes Artillery 2's HTTP engine hands to processor functions
// (node_modules/artillery/dist/lib/core/engine_http.js), reduced to what the
// processors use. Artillery ships no types for them.
import type { EventEmitter } from 'node:events';

/** A VU's context: `vars` is what YAML templates and `ifTrue` functions see. */
export interface VuContext {
  vars: Record<string, any>;
  /** The scenario spec the VU runs (set by the runner). */
  scenario?: { name?: string };
}

/** The request as beforeRequest/afterResponse hooks see it (after templating in afterResponse). */
export interface RequestParams {
  name?: string;
  url: string;
  method: string;
  headers?: Record<string, string>;
  json?: unknown;
  body?: Buffer | string;
  /** Seconds (Artillery turns it into got's response timeout). */
  timeout: number;
  /** Per request: the key of the trace:http:* events. */
  uuid: string;
}

/** got's response, with Artillery's string `body` attached. */
export interface ArtilleryResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export type Ee = EventEmitter;
export type Done = (err?: Error | null) => void;
