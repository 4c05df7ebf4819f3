// A BullMQ worker process for the benchmark: runs no-op jobs until it is killed.
// Arguments: redis port, redis password, queue name, concurrency.
// It connects, says "ready", and starts taking jobs only when it reads a line on stdin, so that a
// drain is timed from the moment the workers start, not from the moment Node starts.
import { Worker } from 'bullmq';
import IORedis from 'ioredis';

const [port, password, queueName, concurrency] = process.argv.slice(2);
const worker = new Worker(queueName, async () => {}, {
  connection: new IORedis({ host: '127.0.0.1', port: Number(port), password, maxRetriesPerRequest: null }),
  concurrency: Number(concurrency),
  autorun: false,
});
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.stdin.once('data', () => worker.run());
