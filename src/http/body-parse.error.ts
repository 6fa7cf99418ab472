/**
 * A refused body, shaped as the `http-errors` that Express's body parsers raise: Nest's exception
 * handler answers either one with the same `{ statusCode, message }`, so a body refused on
 * Fastify gets the answer it gets on Express.
 */
export class BodyParseError extends Error {
  /** The message may be shown to the client. */
  readonly expose = true;
  readonly status: number;

  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'BodyParseError';
    this.status = statusCode;
  }
}
