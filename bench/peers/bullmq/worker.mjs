// A BullMQ worker process for the benchmark: runs no-op jobs until it is killed.
// Arguments: redis port, redis password, queue name, concurrency, and mode: "noop", or "stamp"
// (each job returns the wall-clock time, in milliseconds, at which its handler was called).
import { Worker } from 'bullmq';
import IORedis from 'ioredis';

const [port, password, queueName, concurrency, mode = 'noop'] = process.argv.slice(2);
const handler = mode === 'stamp' ? async () => performance.timeOrigin + performance.now() : async () => {};
const worker = new Worker(queueName, handler, {
  connection: new IORedis({ host: '127.0.0.1', port: Number(port), password, maxRetriesPerRequest: null }),
  concurrency: Number(concurrency),
});
await worker.waitUntilReady();
process.stdout.write('ready\n');

// Exits when the harness that started it is gone (killed outright, its exit handler never ran).
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 1000);
