// @ts-check
/* global fetch, URLSearchParams */

/** A failed call to the admin API: `status` 0 when the server did not answer. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {string[]} [messages] each message of a 400, which starts with the field it is about
   */
  constructor(status, message, messages = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.messages = messages;
  }
}

/**
 * The message of a Nest error body: `{ message: string | string[], error, statusCode }`.
 * @param {unknown} body
 * @param {string} fallback
 */
function messageOf(body, fallback) {
  if (body && typeof body === 'object' && 'message' in body) {
    const message = /** @type {{ message: unknown }} */ (body).message;
    if (Array.isArray(message)) return message.join('; ');
    if (typeof message === 'string' && message) return message;
  }
  return fallback;
}

/**
 * The messages of a Nest error body, one per problem.
 * @param {unknown} body
 * @returns {string[]}
 */
function messagesOf(body) {
  const message = body && typeof body === 'object' && 'message' in body ? /** @type {{ message: unknown }} */ (body).message : undefined;
  if (Array.isArray(message)) return message.map(String);
  return typeof message === 'string' && message ? [message] : [];
}

/**
 * Client of the admin REST API. Every call sends `Authorization: Bearer <token>`.
 * @param {string} base e.g. `/admin/cache`
 * @param {() => string | null} token
 */
export function createApi(base, token) {
  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   * @returns {Promise<any>}
   */
  async function call(method, path, body) {
    /** @type {Record<string, string>} */
    const headers = { Accept: 'application/json' };
    const bearer = token();
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    } catch (error) {
      throw new ApiError(0, `The server did not answer (${error instanceof Error ? error.message : String(error)})`);
    }
    const text = await response.text();
    /** @type {unknown} */
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!response.ok) throw new ApiError(response.status, messageOf(parsed, `${response.status} ${response.statusText}`.trim()), messagesOf(parsed));
    return parsed;
  }

  return {
    /** @param {string} path */
    get: (path) => call('GET', path),
    /** @param {string} path @param {unknown} [body] */
    post: (path, body = {}) => call('POST', path, body),
    /** @param {string} path @param {unknown} body */
    put: (path, body) => call('PUT', path, body),
    /** @param {string} path */
    delete: (path) => call('DELETE', path),
  };
}

/** @typedef {ReturnType<typeof createApi>} Api */

/**
 * A query string of the defined, non-empty values.
 * @param {Record<string, string | number | undefined | null>} params
 */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
