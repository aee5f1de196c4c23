// SDK conformance: drives the official Anthropic and OpenAI JS SDKs against a running hub and
// checks that content and usage arrive exactly as the upstream reported them.
//
//   BASE_URL=http://127.0.0.1:PORT CCHUB_KEY=sk-... node sdk.mjs
//
// The expected answer is what pkg/fakeupstream sends; override it with EXPECT_TEXT,
// EXPECT_CHUNKS, EXPECT_INPUT_TOKENS, EXPECT_OUTPUT_TOKENS and EXPECT_COUNT_TOKENS when the
// upstream is configured differently. Prints one JSON line per check on stdout and exits 1 when
// any check fails (2 on a usage error). pkg/app/sdk_conformance_test.go runs it.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

const env = process.env;
const baseURL = (env.BASE_URL ?? '').replace(/\/+$/, '');
const key = env.CCHUB_KEY ?? '';
if (!baseURL || !key) {
  console.error('sdk.mjs: set BASE_URL (the hub, e.g. http://127.0.0.1:8080) and CCHUB_KEY (a hub key)');
  process.exit(2);
}

const intEnv = (name, def) => {
  const v = env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n)) {
    console.error(`sdk.mjs: ${name} must be an integer, got ${JSON.stringify(v)}`);
    process.exit(2);
  }
  return n;
};
const chunks = intEnv('EXPECT_CHUNKS', 4);
const expect = {
  chunks,
  text: env.EXPECT_TEXT ?? 'hello '.repeat(chunks),
  input: intEnv('EXPECT_INPUT_TOKENS', 0),
  output: intEnv('EXPECT_OUTPUT_TOKENS', 0),
  countTokens: intEnv('EXPECT_COUNT_TOKENS', 42),
};
// Models the hub's seeded price table knows, so billed requests get a cost. (claude-sonnet-4-5
// would work too but makes this SDK print a deprecation notice.)
const anthropicModel = 'claude-sonnet-4-6';
const responsesModel = 'gpt-5';
const chatModel = 'gpt-4o-mini';
const timeout = intEnv('SDK_TIMEOUT_MS', 30000);

// No retries: a retried request would hide a failure and write a second request log.
const anthropic = new Anthropic({ apiKey: key, baseURL, maxRetries: 0, timeout });
const openai = new OpenAI({ apiKey: key, baseURL: `${baseURL}/v1`, maxRetries: 0, timeout });

class CheckError extends Error {}

function eq(what, got, want) {
  if (got !== want) {
    throw new CheckError(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}

function ok(what, cond, detail) {
  if (!cond) throw new CheckError(`${what}${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}`);
}

// The event types a stream must contain, in this order (others may be interleaved).
function inOrder(what, types, want) {
  let i = 0;
  for (const t of types) if (i < want.length && t === want[i]) i++;
  ok(`${what}: events out of order or missing ${JSON.stringify(want[i])}`, i === want.length, types);
}

const checks = [
  ['anthropic.messages.stream', async () => {
    const stream = anthropic.messages.stream({
      model: anthropicModel,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'say hi' }],
    });
    const deltas = [];
    const types = [];
    stream.on('text', (delta) => deltas.push(delta));
    stream.on('streamEvent', (ev) => types.push(ev.type));
    const msg = await stream.finalMessage();
    const res = stream.response;
    inOrder('events', types, ['message_start', 'content_block_start', 'content_block_delta',
      'content_block_stop', 'message_delta', 'message_stop']);
    eq('text events', deltas.length, expect.chunks);
    eq('streamed text', deltas.join(''), expect.text);
    eq('content[0].type', msg.content[0]?.type, 'text');
    eq('content[0].text', msg.content[0]?.text, expect.text);
    eq('stop_reason', msg.stop_reason, 'end_turn');
    eq('usage.input_tokens', msg.usage.input_tokens, expect.input);
    eq('usage.output_tokens', msg.usage.output_tokens, expect.output);
    ok('content-type is text/event-stream', (res?.headers.get('content-type') ?? '').startsWith('text/event-stream'),
      res?.headers.get('content-type'));
    return { hub_request_id: res?.headers.get('x-cchub-request-id') ?? null, events: types.length,
      text_events: deltas.length, usage: msg.usage };
  }],

  ['anthropic.messages.create', async () => {
    const { data: msg, response } = await anthropic.messages.create({
      model: anthropicModel,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'say hi' }],
    }).withResponse();
    eq('type', msg.type, 'message');
    eq('content[0].text', msg.content[0]?.text, expect.text);
    eq('stop_reason', msg.stop_reason, 'end_turn');
    eq('usage.input_tokens', msg.usage.input_tokens, expect.input);
    eq('usage.output_tokens', msg.usage.output_tokens, expect.output);
    return { hub_request_id: response.headers.get('x-cchub-request-id'), usage: msg.usage };
  }],

  ['anthropic.messages.countTokens', async () => {
    const { data: count, response } = await anthropic.messages.countTokens({
      model: anthropicModel,
      messages: [{ role: 'user', content: 'say hi' }],
    }).withResponse();
    eq('input_tokens', count.input_tokens, expect.countTokens);
    return { hub_request_id: response.headers.get('x-cchub-request-id'), input_tokens: count.input_tokens };
  }],

  ['openai.responses.create.stream', async () => {
    const { data: stream, response } = await openai.responses.create({
      model: responsesModel,
      input: 'say hi',
      stream: true,
    }).withResponse();
    const types = [];
    const deltas = [];
    let completed = null;
    let doneText = null;
    let lastSeq = -1;
    for await (const ev of stream) {
      types.push(ev.type);
      if (typeof ev.sequence_number === 'number') {
        ok('sequence_number increases', ev.sequence_number > lastSeq, { prev: lastSeq, got: ev.sequence_number });
        lastSeq = ev.sequence_number;
      }
      if (ev.type === 'response.output_text.delta') deltas.push(ev.delta);
      if (ev.type === 'response.output_text.done') doneText = ev.text;
      if (ev.type === 'response.completed') completed = ev.response;
    }
    // Codex builds its messages from output_item.done, so the full sequence must come through.
    inOrder('events', types, ['response.created', 'response.in_progress', 'response.output_item.added',
      'response.content_part.added', 'response.output_text.delta', 'response.output_text.done',
      'response.content_part.done', 'response.output_item.done', 'response.completed']);
    eq('last event', types[types.length - 1], 'response.completed');
    eq('text deltas', deltas.length, expect.chunks);
    eq('streamed text', deltas.join(''), expect.text);
    eq('output_text.done text', doneText, expect.text);
    ok('response.completed received', completed !== null, types);
    eq('completed.status', completed.status, 'completed');
    eq('completed.output[0].content[0].text', completed.output?.[0]?.content?.[0]?.text, expect.text);
    eq('completed.usage.input_tokens', completed.usage?.input_tokens, expect.input);
    eq('completed.usage.output_tokens', completed.usage?.output_tokens, expect.output);
    eq('completed.usage.total_tokens', completed.usage?.total_tokens, expect.input + expect.output);
    return { hub_request_id: response.headers.get('x-cchub-request-id'), events: types.length,
      text_events: deltas.length, usage: completed.usage };
  }],

  ['openai.responses.create', async () => {
    const { data: resp, response } = await openai.responses.create({
      model: responsesModel,
      input: 'say hi',
    }).withResponse();
    eq('object', resp.object, 'response');
    eq('status', resp.status, 'completed');
    eq('output_text', resp.output_text, expect.text);
    eq('usage.input_tokens', resp.usage?.input_tokens, expect.input);
    eq('usage.output_tokens', resp.usage?.output_tokens, expect.output);
    return { hub_request_id: response.headers.get('x-cchub-request-id'), usage: resp.usage };
  }],

  ['openai.chat.completions.create.stream', async () => {
    const { data: stream, response } = await openai.chat.completions.create({
      model: chatModel,
      messages: [{ role: 'user', content: 'say hi' }],
      stream: true,
      stream_options: { include_usage: true },
    }).withResponse();
    const deltas = [];
    let finish = null;
    let usageChunk = null;
    let n = 0;
    let afterUsage = 0;
    for await (const chunk of stream) {
      n++;
      if (usageChunk) afterUsage++;
      for (const choice of chunk.choices) {
        if (choice.delta?.content) deltas.push(choice.delta.content);
        if (choice.finish_reason) finish = choice.finish_reason;
      }
      if (chunk.usage) usageChunk = chunk;
    }
    eq('content deltas', deltas.length, expect.chunks);
    eq('streamed text', deltas.join(''), expect.text);
    eq('finish_reason', finish, 'stop');
    ok('a usage chunk arrived', usageChunk !== null, { chunks: n });
    eq('chunks after the usage chunk', afterUsage, 0);
    eq('usage chunk choices', usageChunk.choices.length, 0);
    eq('usage.prompt_tokens', usageChunk.usage.prompt_tokens, expect.input);
    eq('usage.completion_tokens', usageChunk.usage.completion_tokens, expect.output);
    eq('usage.total_tokens', usageChunk.usage.total_tokens, expect.input + expect.output);
    return { hub_request_id: response.headers.get('x-cchub-request-id'), chunks: n,
      text_chunks: deltas.length, usage: usageChunk.usage };
  }],
];

// Checks run one after another so the hub's request log has them in this order.
let failed = 0;
for (const [name, run] of checks) {
  const started = Date.now();
  let line;
  try {
    const detail = await run();
    line = { check: name, ok: true, ms: Date.now() - started, ...detail };
  } catch (err) {
    failed++;
    line = { check: name, ok: false, ms: Date.now() - started, error: String(err?.message ?? err) };
    // SDK API errors carry what the hub answered.
    if (err && typeof err.status === 'number') {
      line.status = err.status;
      line.body = err.error ?? null;
      line.hub_request_id = err.headers?.get?.('x-cchub-request-id') ?? null;
    }
    // Network errors nest the reason (ECONNREFUSED, "other side closed", …) in their causes.
    const causes = [];
    for (let c = err?.cause; c && causes.length < 4; c = c.cause) causes.push(c.code ? `${c.message} (${c.code})` : String(c.message ?? c));
    if (causes.length) line.cause = causes.join(' <- ');
    if (!(err instanceof CheckError) && err?.stack) line.stack = String(err.stack).split('\n').slice(0, 4).join(' | ');
  }
  process.stdout.write(JSON.stringify(line) + '\n');
}
process.exitCode = failed ? 1 : 0;
