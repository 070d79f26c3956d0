// The part of autocannon 9's API the bench uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  export type Request = {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** Called before each request; returns the request to send. */
    setupRequest?: (request: Request, context: Record<string, unknown>) => Request;
    /** Called with each answer's body (which autocannon then reads whole) and the connection's context. */
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
  };
  export type Options = { url: string[]; connections: number; duration: number; requests: Request[] };
  export type Result = { duration: number; errors: number; non2xx: number; '2xx': number };
  type Instance = EventEmitter & {
    on(
      event: 'response',
      listener: (client: unknown, status: number, bytes: number, ms: number) => void,
    ): void;
  };

  export default function autocannon(
    options: Options & { timeout?: number; overallRate?: number },
    callback: (error: Error | null, result: Result) => void,
  ): Instance;
}
