// A byte pipe between a TCP port and a Unix socket, for reaching an Orthanc that runs in a
// loopback-only network namespace (test/helpers/orthanc.ts). Unix sockets live in the file system,
// which the namespace shares, so one end runs inside the namespace and one outside.
//   node orthanc-bridge.mjs unix-to-tcp SOCKET PORT   listen on SOCKET, connect to 127.0.0.1:PORT
//   node orthanc-bridge.mjs tcp-to-unix SOCKET        listen on 127.0.0.1 (a free port, printed), connect to SOCKET
import net from 'node:net';

const [mode, socket, port] = process.argv.slice(2);
const pipe = (client, connect) => {
  const upstream = connect();
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
};
if (mode === 'unix-to-tcp') {
  net
    .createServer((c) => pipe(c, () => net.connect(Number(port), '127.0.0.1')))
    .listen(socket, () => process.stdout.write('ready\n'));
} else if (mode === 'tcp-to-unix') {
  const server = net.createServer((c) => pipe(c, () => net.connect(socket)));
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
