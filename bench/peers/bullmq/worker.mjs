// A BullMQ worker process for the benchmark: runs no-op jobs until it is killed.
// Arguments: redis port, redis password, queue name, concurrency.
import { Worker } from 'bullmq';
import IORedis from 'ioredis';

const [port, password, queueName, concurrency] = process.argv.slice(2);
const worker = new Worker(queueName, async () => {}, {
  connection: new IORedis({ host: '127.0.0.1', port: Number(port), password, maxRetriesPerRequest: null }),
  concurrency: Number(concurrency),
});
await worker.waitUntilReady();
process.stdout.write('ready\n');
