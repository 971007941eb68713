// The compose stack, for real (run by deploy/test/stack-test.sh once the stack is up; plain Node 20, no dependencies).
// Every wait is bounded and fails with what it was waiting for. Environment: GATEWAY_A_URL, GATEWAY_B_URL, MOCK_URL,
// PROMETHEUS_URL, REDIS_CONTAINER, GATEWAY_B_CONTAINER, ADMIN_TOKEN.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';

/** The alerts the deploy promises (test/deploy/alert-rules.spec.ts checks alerts.yml has them). */
const promisedAlerts = JSON.parse(readFileSync(new URL('../prometheus/promised-alerts.json', import.meta.url), 'utf8'));

const env = (name) => process.env[name] ?? fail(`${name} is not set`);
const [a, b, mock, prometheus] = ['GATEWAY_A_URL', 'GATEWAY_B_URL', 'MOCK_URL', 'PROMETHEUS_URL'].map(env);
const admin = { authorization: `Bearer ${env('ADMIN_TOKEN')}` };
const docker = (...args) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let passed = 0;

function fail(message) {
  throw new Error(message);
}

function check(condition, message) {
  if (!condition) fail(message);
}

async function waitFor(what, probe, timeoutMs = 60_000, everyMs = 500) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      fail(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    await sleep(everyMs);
  }
}

async function step(name, run) {
  const started = Date.now();
  await run();
  passed += 1;
  console.log(`ok ${passed} - ${name} (${Date.now() - started} ms)`);
}

/**
 * One HTTP request on a connection of its own (no keep-alive: a pooled socket that the server closes for idling
 * while the client reuses it would fail a request for a reason that is not the stack's). `onData` sees each chunk.
 */
function http(method, url, { body, headers = {}, onData = () => undefined } = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method,
        agent: false,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        timeout: 30_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
          onData(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within 30 s`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function chat(gateway, model, content) {
  const response = await http('POST', `${gateway}/v1/chat/completions`, {
    body: { model, messages: [{ role: 'user', content }] },
  });
  return { status: response.status, key: response.headers['x-deepseek-pool-key'] ?? null, body: response.text };
}

const json = async (url) => JSON.parse((await http('GET', url)).text);
const ok = async (url) => (await http('GET', url)).status === 200;
const mockStats = () => json(`${mock}/_mock/stats`);
const metric = async (gateway, line) =>
  (await http('GET', `${gateway}/metrics`)).text.split('\n').find((l) => l.startsWith(line));

await step('both replicas are healthy (live and ready) and the container health checks pass', async () => {
  for (const gateway of [a, b]) {
    await waitFor(`${gateway}/health/ready`, () => ok(`${gateway}/health/ready`), 90_000);
    check(await ok(`${gateway}/health/live`), `${gateway}/health/live is not 200`);
  }
  const containers = docker(
    'ps',
    '--filter',
    `label=com.docker.compose.project=${env('COMPOSE_PROJECT')}`,
    '--format',
    '{{.Names}} {{.Status}}',
  );
  await waitFor(
    'the gateway containers to report (healthy)',
    () => {
      const lines = docker(
        'ps',
        '--filter',
        `label=com.docker.compose.project=${env('COMPOSE_PROJECT')}`,
        '--format',
        '{{.Names}} {{.Status}}',
      ).split('\n');
      return lines.filter((l) => /gateway/.test(l) && /\(healthy\)/.test(l)).length === 2;
    },
    60_000,
    1_000,
  ).catch((error) => fail(`${error.message}\n${containers}`));
});

await step('Prometheus loads the alert rules and scrapes both replicas', async () => {
  const rules = await waitFor('the rules API', () => json(`${prometheus}/api/v1/rules`));
  const names = rules.data.groups.flatMap((group) => group.rules.map((rule) => rule.name));
  for (const alert of promisedAlerts) {
    check(names.includes(alert), `Prometheus has no rule ${alert} (loaded: ${names.join(', ')})`);
  }
  await waitFor('both gateway targets up', async () => {
    const targets = (await json(`${prometheus}/api/v1/targets`)).data.activeTargets;
    return targets.filter((t) => t.labels.job === 'deepseek-pool-gateway' && t.health === 'up').length === 2;
  });
  await waitFor('deepseek_pool_shared_state_up from both replicas', async () => {
    const result = (await json(`${prometheus}/api/v1/query?query=deepseek_pool_shared_state_up`)).data.result;
    return result.length === 2 && result.every((series) => series.value[1] === '1');
  });
});

await step('a key revoked through replica A is never called by replica B', async () => {
  const first = await chat(a, 'revoke-test', 'revoke me');
  check(
    first.status === 200 && first.key === 'spare',
    `A: expected 200 from spare after the 401, got ${first.status} from ${first.key}: ${first.body}`,
  );
  const calls = (await mockStats()).keys.revoke.requests.chat;
  check(calls === 1, `the revoked key was called ${calls} times, expected once (by A)`);
  for (let i = 0; i < 10; i++) {
    const answer = await chat(b, 'revoke-test', `after ${i}`);
    check(
      answer.status === 200 && answer.key === 'spare',
      `B: expected 200 from spare, got ${answer.status} from ${answer.key}`,
    );
  }
  const after = (await mockStats()).keys.revoke.requests.chat;
  check(after === 1, `replica B called the revoked key ${after - 1} time(s)`);
  check(
    (await metric(b, 'deepseek_pool_key_state{key_id="revoke"}'))?.endsWith(' 5'),
    'B does not report the revoked key as disabled (state 5)',
  );
});

await step('an account concurrency limit of 3 holds across both replicas (24 concurrent callers)', async () => {
  await http('POST', `${mock}/_mock/reset`);
  const answers = await Promise.all(
    Array.from({ length: 24 }, (_, i) => chat(i % 2 ? b : a, 'deepseek-v4-flash', `concurrent ${i}`)),
  );
  const failed = answers.filter((answer) => answer.status !== 200);
  check(failed.length === 0, `${failed.length} of 24 requests failed: ${failed.map((f) => f.status).join(', ')}`);
  const peak = (await mockStats()).accounts['acct-shared'].peakInFlight;
  check(peak <= 3, `the account had ${peak} requests in flight at once upstream (limit 3)`);
  check(peak === 3, `peak in flight was ${peak}: the test did not fill the account`);
});

await step('docker kill of Redis during traffic fails no request, and the state resyncs when it returns', async () => {
  const redis = env('REDIS_CONTAINER');
  let stop = false;
  const outcomes = [];
  const traffic = Promise.all(
    [a, b, a, b].map(async (gateway, lane) => {
      for (let i = 0; !stop; i++) outcomes.push(await chat(gateway, 'deepseek-v4-flash', `lane ${lane} request ${i}`));
    }),
  );
  await sleep(1_500);
  docker('kill', redis);
  await waitFor(
    'both replicas to report Redis down (deepseek_pool_shared_state_up 0)',
    async () =>
      (await metric(a, 'deepseek_pool_shared_state_up'))?.endsWith(' 0') &&
      (await metric(b, 'deepseek_pool_shared_state_up'))?.endsWith(' 0'),
    20_000,
  );
  await sleep(1_500);
  docker('start', redis);
  await waitFor(
    'both replicas to report Redis back (deepseek_pool_shared_state_up 1)',
    async () =>
      (await metric(a, 'deepseek_pool_shared_state_up'))?.endsWith(' 1') &&
      (await metric(b, 'deepseek_pool_shared_state_up'))?.endsWith(' 1'),
    30_000,
  );
  await sleep(1_000);
  stop = true;
  await traffic;
  const failed = outcomes.filter((outcome) => outcome.status !== 200);
  check(outcomes.length >= 8, `only ${outcomes.length} requests ran during the outage test`);
  check(
    failed.length === 0,
    `${failed.length} of ${outcomes.length} requests failed while Redis was killed: ${failed.map((f) => `${f.status} ${f.body.slice(0, 120)}`).join(' | ')}`,
  );
  // Redis came back empty (no persistence): the replicas replayed what is still in force, e.g. the revoked key.
  await waitFor(
    'the revoked key to be disabled in Redis again',
    () => docker('exec', redis, 'redis-cli', 'hkeys', 'dsp:disabled').split('\n').includes('revoke'),
    10_000,
  );
  // And a change made now through A reaches B through Redis.
  const disabled = await http('POST', `${a}/admin/keys/shared-2/disable`, { headers: admin });
  check(disabled.status < 300, `A's admin API did not disable shared-2: ${disabled.status}`);
  await waitFor(
    'B to see shared-2 disabled through Redis',
    async () => (await metric(b, 'deepseek_pool_key_state{key_id="shared-2"}'))?.endsWith(' 5'),
    5_000,
    100,
  );
  console.log(`   ${outcomes.length} requests during the outage, all 200`);
});

/**
 * Streams `model` through `gateway`; `midway` runs once the first bytes arrived. Returns the SSE text before and after
 * it.
 */
async function stream(gateway, model, midway = () => undefined) {
  let before;
  const response = await http('POST', `${gateway}/v1/chat/completions`, {
    body: { model, stream: true, messages: [{ role: 'user', content: 'a slow stream' }] },
    onData: (chunk) => {
      if (before !== undefined) return;
      before = chunk;
      midway();
    },
  });
  check(response.status === 200, `the stream did not start: ${response.status}`);
  return { before, after: response.text.slice(before.length) };
}

const contentChunks = (text) =>
  text.split('\n').filter((line) => line.startsWith('data: {') && /"content":"[^"]/.test(line)).length;

await step('SIGTERM to a replica mid-stream finishes that stream, then the replica exits 0', async () => {
  const container = env('GATEWAY_B_CONTAINER');
  const baseline = await stream(b, 'stream-test');
  const expected = contentChunks(baseline.before + baseline.after);
  const { before, after } = await stream(b, 'stream-test', () => docker('kill', '--signal', 'SIGTERM', container));
  check(
    after.trimEnd().endsWith('data: [DONE]'),
    `the stream did not end with [DONE] after SIGTERM:\n${after.slice(-400)}`,
  );
  check(
    contentChunks(before + after) === expected,
    `${contentChunks(before + after)} content chunks arrived, ${expected} without SIGTERM`,
  );
  const exit = await waitFor(
    'the replica to exit',
    () => {
      const [status, code] = docker('inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', container).split(
        ' ',
      );
      return status === 'exited' ? code : undefined;
    },
    40_000,
  );
  check(exit === '0', `the replica exited with code ${exit}`);
  const logs = execFileSync('docker', ['logs', container], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // The proof that the signal came mid-stream: the replica counted the stream as in flight when it arrived.
  check(
    /SIGTERM: draining 1 request/.test(logs),
    'the replica did not drain one request in flight: the signal did not come mid-stream',
  );
  console.log(
    `   ${contentChunks(before + after)} of ${expected} content chunks, [DONE], drained 1 request, exit code 0`,
  );
});

console.log(`${passed} passed, 0 failed`);
