// The errors join and publish promises reject with.

import { ErrorCode } from './codes.js';

/**
 * A join or publish that failed: `code` is the backend's (ErrorCode, from its `error` frame) or the
 * client's own (ClientErrorCode: timeout, stopped, queue-full); `room` and, for a publish, `id` name it.
 */
export class RequestError extends Error {
  constructor(message, code, room, id) {
    super(message);
    this.name = 'RequestError';
    this.code = code;
    this.room = room;
    this.id = id;
  }
}

/** A join or publish the backend refused (`error` code `forbidden`): the ticket or the authorizer does not allow it. */
export class ForbiddenError extends RequestError {
  constructor(message, room, id) {
    super(message, ErrorCode.FORBIDDEN, room, id);
    this.name = 'ForbiddenError';
  }
}

/** The error for an `error` frame that answers a request. */
export function refusal(frame) {
  const message = String(frame.message ?? frame.code);
  return frame.code === ErrorCode.FORBIDDEN
    ? new ForbiddenError(message, frame.room, frame.id)
    : new RequestError(message, String(frame.code), frame.room, frame.id);
}
