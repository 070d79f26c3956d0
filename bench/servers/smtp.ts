// A mail server that takes every message and keeps nothing but a count, in a process of its own so
// that its work is neither the bench's nor Errata's. Usage: smtp.ts PORT
import { SMTPServer } from 'smtp-server';

const port = Number(process.argv[2]);

const server = new SMTPServer({
  // Plain text on loopback, no login: what is measured is Errata's side of the exchange.
  disabledCommands: ['STARTTLS', 'AUTH'],
  authOptional: true,
  logger: false,
  onData(stream, _session, callback) {
    stream.on('end', () => callback());
    stream.resume();
  },
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`smtp listening on ${port}\n`));
