// A BullMQ worker process for the benchmark: runs no-op jobs until it is killed.
// Arguments: redis port, redis password, queue name, concurrency.
import { Worker } from 'bullmq';

const [port, password, queueName, concurrency] = process.argv.slice(2);
const worker = new Worker(queueName, async () => {}, {
  connection: { host: '127.0.0.1', port: Number(port), password },
  concurrency: Number(concurrency),
});
await worker.waitUntilReady();
process.stdout.write('ready\n');
