// The HTTP floor: a bare node:http server that reads each request body whole and answers
// `200 {"id": …}`, doing nothing else. Every ingest figure is compared with it. Usage: floor.ts PORT
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
let answered = 0;

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    Buffer.concat(chunks);
    const id = (++answered).toString(16).padStart(32, '0');
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(`{"id":"${id}"}`);
  });
});

server.listen(port, '127.0.0.1', () => process.stdout.write(`floor listening on ${port}\n`));
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
