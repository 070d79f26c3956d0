// The HTTP floor: a bare node:http server that reads each request body whole and answers
// `200 {"id": …}`, doing nothing else. Usage: floor.ts PORT
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
let answered = 0;

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    Buffer.concat(chunks);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(`{"id":"${(++answered).toString(16).padStart(32, '0')}"}`);
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`floor listening on ${port}\n`));
