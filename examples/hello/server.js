// A tiny HTTP app deployed by Nexus. It listens on $PORT, answers / with a
// greeting and /healthz with "ok", and stops gracefully on SIGTERM so the
// requests nginx is still draining to it finish.
const http = require('node:http');

const MESSAGE = 'Hello from Nexus!';
const port = Number(process.env.PORT || 3000);

const server = http.createServer((request, response) => {
  if (request.url === '/healthz') {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('ok\n');
    return;
  }
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end(`${MESSAGE}\n`);
});

server.listen(port, () => console.log(`hello listening on ${port}`));

process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  // Idle keep-alive sockets would hold close() open forever.
  server.closeIdleConnections();
});
