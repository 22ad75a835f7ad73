import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE, problem } from './problem';

/**
 * Requests Node's HTTP parser refuses before Express sees them (a header section larger than
 * `--max-http-header-size`, 16 KiB by default; a malformed request line or header) get the same
 * problem+json answer as everything else, instead of Node's bare status line. The connection is
 * closed afterwards, as Node does: the parser cannot resynchronise with the stream.
 */
export function answerClientErrorsAsProblems(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason, body] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', problem(431, 'HEADERS_TOO_LARGE', 'the request headers are larger than the server accepts (16 KiB in total)')]
        : error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', problem(408, 'REQUEST_TIMEOUT', 'the request was not received completely in time')]
          : [400, 'Bad Request', problem(400, 'MALFORMED_REQUEST', 'the HTTP request is malformed')];
    const json = JSON.stringify({ ...body, title: reason });
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`);
  });
}
