// The BullMQ side of the AspireJobs benchmark. Runs one round of every figure against the Redis
// it is given and prints one JSON line per figure: {"figure", "value", "unit"}.
// Arguments: redis port, redis password, and which part: "round" (every figure) or "cold" (the
// first jobs of fresh workers only).
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const [port, password, part = 'round'] = process.argv.slice(2);
// BullMQ wants a client it can share; workers need maxRetriesPerRequest: null.
const redis = () => new IORedis({ host: '127.0.0.1', port: Number(port), password, maxRetriesPerRequest: null });
const here = path.dirname(fileURLToPath(import.meta.url));
const WORKERS = 2;
const CONCURRENCY = 100; // per worker process: BullMQ's best setting on this machine in trials
const WARM_UP_JOBS = 300;

const report = (figure, value, unit) => process.stdout.write(JSON.stringify({ figure, value, unit }) + '\n');
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function residentBytes(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) * 1024;
}

async function freshQueue(name) {
  const queue = new Queue(name, { connection: redis() });
  await queue.waitUntilReady();
  await queue.obliterate({ force: true });
  return queue;
}

// mode 'stamp': each job returns the wall-clock time its handler was called, in milliseconds.
// Worker processes still running are killed when this harness ends, a failure too (each
// also exits when it sees this process gone, for a harness killed outright).
const children = new Set();
process.on('exit', () => { for (const child of children) child.kill('SIGKILL'); });

function startWorkers(name, mode = 'noop') {
  return Promise.all(Array.from({ length: WORKERS }, () => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, 'worker.mjs'), port, password, name, String(CONCURRENCY), mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    child.once('exit', () => children.delete(child));
    child.stdout.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  })));
}

async function waitForCompleted(queue, count) {
  const deadline = now() + 5 * 60 * 1000;
  for (;;) {
    if (now() > deadline) throw new Error(`BullMQ did not complete ${count} jobs in time`);
    const { completed } = await queue.getJobCounts('completed');
    if (completed >= count) return;
    await sleep(10);
  }
}

async function createRate(callers, jobs) {
  const queue = await freshQueue('bench-create');
  let next = 0;
  const start = now();
  await Promise.all(Array.from({ length: callers }, async () => {
    while (next++ < jobs) await queue.add('noop', {});
  }));
  const rate = jobs / ((now() - start) / 1000);
  await queue.close();
  return rate;
}

async function bulkRate(batches, size) {
  const queue = await freshQueue('bench-bulk');
  const start = now();
  for (let i = 0; i < batches; i++) await queue.addBulk(Array.from({ length: size }, () => ({ name: 'noop', data: {} })));
  const rate = (batches * size) / ((now() - start) / 1000);
  await queue.close();
  return rate;
}

const addNoops = async (queue, count) => {
  for (let i = 0; i < count; i += 1000) await queue.addBulk(Array.from({ length: Math.min(1000, count - i) }, () => ({ name: 'noop', data: {} })));
};

// Like the other systems' workers in the drain: warm (a few hundred jobs run), paused while the
// queue fills, and timed from the moment they resume.
async function drain(jobs) {
  const queue = await freshQueue('bench-drain');
  const workers = await startWorkers('bench-drain');
  await addNoops(queue, WARM_UP_JOBS);
  await waitForCompleted(queue, WARM_UP_JOBS);
  await queue.pause();
  await addNoops(queue, jobs);
  let peak = 0;
  const sampler = setInterval(() => { for (const w of workers) peak = Math.max(peak, residentBytes(w.pid)); }, 100);
  const start = now();
  await queue.resume();
  await waitForCompleted(queue, WARM_UP_JOBS + jobs);
  const rate = jobs / ((now() - start) / 1000);
  clearInterval(sampler);
  for (const w of workers) { peak = Math.max(peak, residentBytes(w.pid)); w.kill('SIGKILL'); }
  await queue.close();
  return { rate, peak };
}

// The first jobs of fresh worker processes, created while they run: AspireJobs' cold figure
// (20,000 noop jobs in two batches of 10,000, timed from the first create to the last completion).
async function coldCreateAndDrain(jobs, batch) {
  const queue = await freshQueue('bench-cold');
  const workers = await startWorkers('bench-cold');
  const start = now();
  for (let i = 0; i < jobs; i += batch) await queue.addBulk(Array.from({ length: Math.min(batch, jobs - i) }, () => ({ name: 'noop', data: {} })));
  await waitForCompleted(queue, jobs);
  const rate = jobs / ((now() - start) / 1000);
  for (const w of workers) w.kill('SIGKILL');
  await queue.close();
  return rate;
}

// Like AspireJobs' create→start: from the moment each create was due to be sent (so a sender
// that falls behind its schedule counts against the system, not for it) to the moment the
// handler was called, both read from the wall clock to the microsecond (BullMQ's own
// timestamp and processedOn are whole milliseconds), by workers warmed as for the drain.
async function latencyAtRate(rate, seconds) {
  const queue = await freshQueue('bench-latency');
  const workers = await startWorkers('bench-latency', 'stamp');
  await addNoops(queue, WARM_UP_JOBS);
  await waitForCompleted(queue, WARM_UP_JOBS);
  const total = rate * seconds;
  const due = new Map();
  const start = now();
  const sends = [];
  for (let i = 0; i < total; i++) {
    const at = (i / rate) * 1000;
    const wait = at - (now() - start);
    if (wait > 1) await sleep(wait);
    sends.push(queue.add('noop', {}).then((job) => due.set(job.id, performance.timeOrigin + start + at)));
  }
  await Promise.all(sends);
  await waitForCompleted(queue, WARM_UP_JOBS + total);
  const latencies = [];
  const ids = [...due.keys()];
  for (let i = 0; i < ids.length; i += 500) {
    const batch = await Promise.all(ids.slice(i, i + 500).map((id) => queue.getJob(id)));
    for (const job of batch) latencies.push(job.returnvalue - due.get(job.id));
  }
  latencies.sort((a, b) => a - b);
  const pick = (p) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
  for (const w of workers) w.kill('SIGKILL');
  await queue.close();
  return { p50: pick(50), p95: pick(95), p99: pick(99) };
}

if (part === 'cold') {
  report('cold create+drain of 20,000, fresh system (once per run)', await coldCreateAndDrain(20000, 10000), 'jobs/s');
  process.exit(0);
}

// The create paths run once untimed first, as AspireJobs' are in its warm-up passes: the first
// calls of a fresh Node process run before V8 has compiled them.
await createRate(16, 2000);
await bulkRate(2, 1000);

report('create, 1 caller', await createRate(1, 2000), 'jobs/s');
report('create, 16 callers', await createRate(16, 8000), 'jobs/s');
report('batch create (1,000 per call)', await bulkRate(20, 1000), 'jobs/s');
const drained = await drain(20000);
report('drain of queued noop jobs', drained.rate, 'jobs/s');
report('worker resident memory (peak)', drained.peak / 1024 / 1024, 'MiB');
for (const [rate, seconds] of [[200, 5], [2000, 2]]) {
  const { p50, p95, p99 } = await latencyAtRate(rate, seconds);
  report(`create→start p50 at ${rate} jobs/s`, p50, 'ms');
  report(`create→start p95 at ${rate} jobs/s`, p95, 'ms');
  report(`create→start p99 at ${rate} jobs/s`, p99, 'ms');
}
process.exit(0);
