// Python http.server's send_error(): reason phrase, standard HTML page. Kept byte-compatible because old
// patronictl versions grep the 501 page for "Server does not support this operation".
import { STATUS_CODES } from 'node:http';

/** Python's http.HTTPStatus descriptions for the codes Patroni sends through send_error. */
const EXPLAIN: Record<number, string> = {
  400: 'Bad request syntax or unsupported method',
  403: 'Request forbidden -- authorization will not help',
  404: 'Nothing matches the given URI',
  409: 'Request conflict',
  411: 'Client must specify Content-Length',
  413: 'Entity is too large',
  500: 'Server got itself in trouble',
  501: 'Server does not support this operation',
  502: 'Invalid responses from another server/proxy',
  503: 'The server cannot process the request due to a high load',
};

export function reasonPhrase(code: number): string {
  return STATUS_CODES[code] ?? 'Unknown';
}

export function errorPage(code: number, message: string): string {
  const explain = EXPLAIN[code] ?? '';
  return `<!DOCTYPE HTML>
<html lang="en">
    <head>
        <meta charset="utf-8">
        <title>Error response</title>
    </head>
    <body>
        <h1>Error response</h1>
        <p>Error code: ${code}</p>
        <p>Message: ${escapeHtml(message)}.</p>
        <p>Error code explanation: ${code} - ${explain}.</p>
    </body>
</html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');
}
