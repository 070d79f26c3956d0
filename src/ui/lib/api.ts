import { useCallback, useEffect, useState } from 'react';

/** An answer from /api/0/ that was not a success, with the server's words for it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Record<string, string[]> = {},
  ) {
    super(message);
  }
}

export interface Page<T> {
  readonly data: T;
  /** Cursors of the neighbouring pages, when the server says they have results. */
  readonly next: string | null;
  readonly previous: string | null;
  /** Sentry's X-Hits: how many results the list has in all, when the server says. */
  readonly hits: number | null;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The CSRF token the server set at sign-in; unsafe requests send it back in X-CSRFToken. */
function csrfToken(): string {
  const match = /(?:^|;\s*)errata_csrf=([^;]*)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1] as string) : '';
}

const STATUS_WORDS: Record<number, string> = {
  400: 'The server could not accept this request.',
  401: 'You are signed out. Sign in again to continue.',
  403: 'You do not have permission to do this.',
  404: 'This was not found. It may have been deleted, or the link is wrong.',
  409: 'This conflicts with something that already exists.',
  413: 'This is too large for the server to accept.',
  429: 'Too many requests. Wait a moment and try again.',
  500: 'The server failed to do this. Try again; if it keeps failing, check the server log.',
  502: 'The server is unreachable right now (bad gateway).',
  503: 'The server or its database is unavailable right now. Try again shortly.',
};

/** Sentry's error bodies in words: `{detail}` (text or list) or field errors `{name: [...]}`. */
function messageOf(status: number, body: unknown): { message: string; fields: Record<string, string[]> } {
  const fields: Record<string, string[]> = {};
  let message = '';
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (key === 'detail') {
        if (typeof value === 'string') message = value;
        else if (Array.isArray(value)) message = value.join(' ');
      } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
        fields[key] = value as string[];
      }
    }
    if (!message) {
      message = Object.entries(fields)
        .map(([key, list]) => `${key}: ${list.join(' ')}`)
        .join(' ');
    }
  } else if (Array.isArray(body)) {
    message = body.filter((v) => typeof v === 'string').join(' ');
  }
  if (!message) message = STATUS_WORDS[status] ?? `The server answered with status ${status}.`;
  if (status === 500 && body && typeof (body as { errorId?: unknown }).errorId === 'string') {
    message = `${STATUS_WORDS[500]} (error id ${(body as { errorId: string }).errorId})`;
  }
  return { message, fields };
}

function cursorOf(link: string | null, rel: 'next' | 'previous'): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    if (!part.includes(`rel="${rel}"`)) continue;
    if (!part.includes('results="true"')) return null;
    return /cursor="([^"]*)"/.exec(part)?.[1] ?? null;
  }
  return null;
}

let onSignedOut: () => void = () => {};

/** What to do when the session ends under a request (a 401): the app returns to the sign-in page. */
export function setSignedOutHandler(handler: () => void): void {
  onSignedOut = handler;
}

/**
 * Calls Errata's REST API with the session cookie. Resolves with the body and the pagination
 * cursors; rejects with an ApiError carrying the server's message.
 */
export async function request<T>(
  path: string,
  options: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<Page<T>> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (UNSAFE.has(method)) headers['X-CSRFToken'] = csrfToken();
  let response: Response;
  try {
    response = await fetch(`/api/0${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'Could not reach the Errata server. Check your connection and try again.');
  }
  const text = await response.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    const { message, fields } = messageOf(response.status, body);
    if (response.status === 401 && path !== '/auth/login/') onSignedOut();
    throw new ApiError(response.status, message, fields);
  }
  const link = response.headers.get('Link');
  const hits = response.headers.get('X-Hits');
  return {
    data: body as T,
    next: cursorOf(link, 'next'),
    previous: cursorOf(link, 'previous'),
    hits: hits === null || !/^\d+$/.test(hits) ? null : Number(hits),
  };
}

export const api = {
  get: <T>(path: string) => request<T>(path).then((r) => r.data),
  post: <T>(path: string, body: unknown = {}) =>
    request<T>(path, { method: 'POST', body }).then((r) => r.data),
  put: <T>(path: string, body: unknown) => request<T>(path, { method: 'PUT', body }).then((r) => r.data),
  delete: (path: string) => request<unknown>(path, { method: 'DELETE' }).then(() => undefined),
};

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  readonly next: string | null;
  readonly previous: string | null;
  readonly hits: number | null;
  reload(): void;
}

/** Loads `path` (none while it is null), again whenever it changes or `reload()` is called. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ page?: Page<T>; error?: ApiError; loading: boolean }>({
    loading: path !== null,
  });
  const [round, setRound] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `round` changes only to ask for the same path again (reload).
  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    request<T>(path, { signal: controller.signal }).then(
      (page) => setState({ page, loading: false }),
      (error: unknown) => {
        if ((error as Error).name === 'AbortError') return;
        setState({
          error: error instanceof ApiError ? error : new ApiError(0, String(error)),
          loading: false,
        });
      },
    );
    return () => controller.abort();
  }, [path, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return {
    data: state.page?.data,
    error: state.error,
    loading: state.loading,
    next: state.page?.next ?? null,
    previous: state.page?.previous ?? null,
    hits: state.page?.hits ?? null,
    reload,
  };
}

/** The message to show for anything a promise rejected with. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
