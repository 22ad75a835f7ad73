/**
 * A real Camunda 7 external task worker (camunda-external-task-client-js, unchanged) for the
 * acceptance test of the /engine-rest layer (test/integration/engine-rest-worker.e2e-spec.ts).
 * The client is ESM and uses got, so it runs here, in a process of its own, not inside jest.
 *
 *   BASE_URL=http://127.0.0.1:PORT/engine-rest USERNAME=robot PASSWORD=... node test/support/camunda-worker.mjs
 *
 * Topic "charge", by the instance's variable `scenario`:
 *   ok      complete with typed variables (Boolean, Double, Date, Json);
 *   decline throw the BPMN error "card-declined" (caught by the boundary event);
 *   broken  report a failure each time it is fetched: retries 2, 1, 0 (then an incident);
 *   slow    extend the lock, read the task back (its new lockExpirationTime), then complete.
 * Topic "ship": complete with `shipped: true`.
 * Every step is printed as one JSON line on stdout; SIGTERM stops polling.
 */
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { BasicAuthInterceptor, Client, Variables } from 'camunda-external-task-client-js';

const baseUrl = process.env.BASE_URL;
const username = process.env.USERNAME;
const password = process.env.PASSWORD;
if (!baseUrl || !username || !password) throw new Error('BASE_URL, USERNAME and PASSWORD are required');

const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

const client = new Client({
  baseUrl,
  workerId: 'acceptance-worker',
  interceptors: new BasicAuthInterceptor({ username, password }),
  maxTasks: 5,
  interval: 50,
  asyncResponseTimeout: 2000,
  lockDuration: 20000,
  autoPoll: false,
});
client.on('poll:error', (error) => say({ event: 'poll:error', message: String(error?.message ?? error) }));

client.subscribe('charge', async ({ task, taskService }) => {
  const scenario = task.variables.get('scenario');
  const base = { taskId: task.id, instanceId: task.processInstanceId, scenario };
  try {
    if (scenario === 'decline') {
      const reason = new Variables().set('declineReason', 'insufficient funds');
      await taskService.handleBpmnError(task, 'card-declined', 'the card was declined', reason);
      say({ event: 'bpmnError', ...base });
    } else if (scenario === 'broken') {
      const retries = task.retries === null || task.retries === undefined ? 2 : task.retries - 1;
      await taskService.handleFailure(task, { errorMessage: 'payment gateway down', errorDetails: 'ECONNREFUSED', retries, retryTimeout: 0 });
      say({ event: 'failure', ...base, retries });
    } else {
      if (scenario === 'slow') {
        await taskService.extendLock(task, 600000);
        const read = await fetch(`${baseUrl}/external-task/${task.id}`, { headers: { authorization, accept: 'application/json' } });
        say({ event: 'extendLock', ...base, before: task.lockExpirationTime, after: (await read.json()).lockExpirationTime });
      }
      const amount = task.variables.get('amount');
      const result = new Variables()
        .set('charged', true)
        .set('total', amount * 1.5)
        .set('chargedAt', new Date('2026-12-06T10:00:00.000Z'))
        .setTyped('receipt', { type: 'json', value: { id: `R-${task.processInstanceId.slice(0, 8)}`, lines: [amount] }, valueInfo: {} });
      await taskService.complete(task, result);
      say({ event: 'complete', ...base });
    }
  } catch (error) {
    say({ event: 'error', ...base, message: String(error?.message ?? error) });
  }
});

client.subscribe('ship', async ({ task, taskService }) => {
  try {
    await taskService.complete(task, new Variables().set('shipped', true));
    say({ event: 'complete', taskId: task.id, instanceId: task.processInstanceId, topic: 'ship', receipt: task.variables.get('receipt') });
  } catch (error) {
    say({ event: 'error', taskId: task.id, message: String(error?.message ?? error) });
  }
});

client.start();
say({ event: 'started' });
process.once('SIGTERM', () => {
  client.stop();
  process.exit(0);
});
