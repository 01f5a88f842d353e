// Requests refused before any route runs — by Node's HTTP parser (headers too large,
// a malformed request line) or by fastify's router (a path parameter over its length
// limit, a bad percent-encoding) — answer in the API's own error shape, like every
// other refusal, and quote at most a little of what the caller sent. Fastify's
// defaults answered `{error, code: 'FST_ERR_…', message, statusCode}` echoing the
// whole URL, and the parser's 431 was a bare framework body.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { truncateEcho } from './errors/echo.js';

/** fastify's `frameworkErrors`: router refusals in the API's error shape. */
export function frameworkRefusal(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const path = truncateEcho(request.raw.url?.split('?')[0] ?? '');
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply
      .code(414)
      .send({ code: 'INVALID_ARGUMENT', message: `a path parameter of ${path} is longer than ids may be (100 characters)` });
  } else if (error.code === 'FST_ERR_BAD_URL') {
    void reply.code(400).send({ code: 'INVALID_ARGUMENT', message: `${path} is not a valid URL (a bad percent-encoding)` });
  } else {
    void reply.code(error.statusCode ?? 400).send({ code: 'INVALID_ARGUMENT', message: truncateEcho(error.message) });
  }
}

/** Node's clientError: a request the parser refused, answered (when the socket still can be) in the API's error shape. */
export function clientRefusal(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message =
    status === 431
      ? 'the request headers are too large (at most 16 KiB; a long id or token?)'
      : status === 408
        ? 'the request took too long to arrive'
        : 'the request is not valid HTTP';
  const body = JSON.stringify({ code: status === 408 ? 'DEADLINE_EXCEEDED' : 'INVALID_ARGUMENT', message });
  // Closed once the answer is written, whatever the client does: a client that keeps
  // sending (a slow-header attack) would otherwise hold the half-closed socket open.
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
