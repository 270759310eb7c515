// End-to-end: the official OpenAI and Anthropic SDKs talk to the mock provider directly and
// through aibridge; what they see must be the same (SPEC §4.3). Started by ctest with
// GATEWAY_BINARY and MOCK_BINARY set.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, finish, results, start, stop } from './harness.mjs';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const dataDir = mkdtempSync(join(tmpdir(), 'aibridge-e2e-'));


async function collect(stream) {
  const items = [];
  for await (const item of stream) items.push(item);
  return items;
}


try {
  const mock = await start(process.env.MOCK_BINARY, ['--listen', '127.0.0.1:0']);
  const mockUrl = `http://127.0.0.1:${mock.port}`;
  const gateway = await start(process.env.GATEWAY_BINARY, [
    'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir,
    '--openai-base-url', `${mockUrl}/v1`, '--anthropic-base-url', mockUrl,
    '--openai-api-key', 'sk-openai-e2e', '--anthropic-api-key', 'sk-ant-e2e',
  ]);
  const token = gateway.stdout().match(/admin token: (\S+)/)[1];
  const gatewayUrl = `http://127.0.0.1:${gateway.port}/api/v2/aibridge`;

  const openaiDirect = new OpenAI({ apiKey: 'sk-openai-e2e', baseURL: `${mockUrl}/v1`, maxRetries: 0 });
  const openaiVia = new OpenAI({ apiKey: token, baseURL: `${gatewayUrl}/openai/v1`, maxRetries: 0 });
  const anthropicDirect = new Anthropic({ apiKey: 'sk-ant-e2e', baseURL: mockUrl, maxRetries: 0 });
  const anthropicVia = new Anthropic({ apiKey: token, baseURL: `${gatewayUrl}/anthropic`, maxRetries: 0 });
  const anthropicViaBearer = new Anthropic({ authToken: token, baseURL: `${gatewayUrl}/anthropic`, maxRetries: 0 });
  const sse = { headers: { 'X-Mock-Scenario': 'sse', 'X-Mock-Events': '12' } };
  const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] };
  const messages = { model: 'claude-sonnet-4-0', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] };

  await check('openai chat blocking', async () => {
    const direct = await openaiDirect.chat.completions.create(chat);
    const via = await openaiVia.chat.completions.create(chat);
    assert.deepEqual(via, direct);
    assert.equal(via.usage.completion_tokens, 64);
  });
  await check('openai chat streaming', async () => {
    const direct = await collect(await openaiDirect.chat.completions.create({ ...chat, stream: true }, sse));
    const via = await collect(await openaiVia.chat.completions.create({ ...chat, stream: true }, sse));
    assert.deepEqual(via, direct);
    assert.equal(via.at(-1).usage.completion_tokens, 12);
  });
  await check('openai responses blocking', async () => {
    const direct = await openaiDirect.responses.create({ model: 'gpt-4o-mini', input: 'hello' });
    const via = await openaiVia.responses.create({ model: 'gpt-4o-mini', input: 'hello' });
    assert.deepEqual(via, direct);
    assert.equal(via.output_text, 'Hello from the mock.');
  });
  await check('openai responses streaming', async () => {
    const request = { model: 'gpt-4o-mini', input: 'hello', stream: true };
    const direct = await collect(await openaiDirect.responses.create(request, sse));
    const via = await collect(await openaiVia.responses.create(request, sse));
    assert.deepEqual(via, direct);
    assert.equal(via.at(-1).type, 'response.completed');
  });
  await check('anthropic messages blocking (X-Api-Key)', async () => {
    const direct = await anthropicDirect.messages.create(messages);
    const via = await anthropicVia.messages.create(messages);
    assert.deepEqual(via, direct);
  });
  await check('anthropic messages blocking (Authorization: Bearer)', async () => {
    const via = await anthropicViaBearer.messages.create(messages);
    assert.equal(via.usage.output_tokens, 64);
  });
  await check('anthropic messages streaming', async () => {
    const direct = await collect(await anthropicDirect.messages.create({ ...messages, stream: true }, sse));
    const via = await collect(await anthropicVia.messages.create({ ...messages, stream: true }, sse));
    assert.deepEqual(via, direct);
  });
  await check('anthropic stream helper', async () => {
    const direct = await anthropicDirect.messages.stream(messages, sse).finalMessage();
    const via = await anthropicVia.messages.stream(messages, sse).finalMessage();
    assert.deepEqual(via, direct);
    assert.equal(via.usage.output_tokens, 12);
  });
  await check('passthrough model listing', async () => {
    const direct = await collect(await openaiDirect.models.list());
    const via = await collect(await openaiVia.models.list());
    assert.deepEqual(via, direct);
  });
  await check('SDK errors for a bad token', async () => {
    const badOpenAI = new OpenAI({ apiKey: 'nope', baseURL: `${gatewayUrl}/openai/v1`, maxRetries: 0 });
    await assert.rejects(badOpenAI.chat.completions.create(chat), OpenAI.AuthenticationError);
    const badAnthropic = new Anthropic({ apiKey: 'nope', baseURL: `${gatewayUrl}/anthropic`, maxRetries: 0 });
    await assert.rejects(badAnthropic.messages.create(messages), Anthropic.AuthenticationError);
  });
  await check('SDK errors for provider rate limits', async () => {
    const limited = { headers: { 'X-Mock-Scenario': 'status', 'X-Mock-Status': '429' } };
    await assert.rejects(openaiVia.chat.completions.create(chat, limited), OpenAI.RateLimitError);
    await assert.rejects(anthropicVia.messages.create(messages, limited), Anthropic.RateLimitError);
  });
  await check('every bridged SDK call was recorded with the usage the provider reported', async () => {
    // Read back through the admin API, as an operator would, once the recorder has flushed.
    const list = async () => {
      const response = await fetch(`${gatewayUrl}/interceptions?limit=1000`,
                                   { headers: { 'Coder-Session-Token': token } });
      assert.equal(response.status, 200);
      return response.json();
    };
    let page = await list();
    for (let waited = 0; page.count < 10 && waited < 3000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      page = await list();
    }
    // 2 chat + 2 responses + 4 messages calls succeeded; 2 were rate limited; 401s are not recorded.
    assert.equal(page.count, 10);
    const rows = page.results;
    assert.equal(rows.filter((row) => row.metadata.status === 'failed').length, 2);
    const usages = rows.flatMap((row) => row.token_usages);
    const sum = (key) => usages.reduce((total, usage) => total + usage[key], 0);
    assert.equal(`${sum('input_tokens')}/${sum('output_tokens')}`, '80/304');
    assert.equal(rows.flatMap((row) => row.user_prompts).filter((p) => p.prompt === 'hello').length, 10);
    assert.equal(new Set(rows.map((row) => row.metadata.client)).size, 1);
  });

  // MCP tools (SPEC §11): a gateway with the mock MCP server; the provider script calls its echo
  // tool once, then answers. The SDKs see a normal answer and nothing of the injected call.
  const mcp = await start(process.env.MOCK_MCP_BINARY, ['--listen', '127.0.0.1:0']);
  const mcpDir = mkdtempSync(join(tmpdir(), 'aibridge-e2e-mcp-'));
  writeFileSync(join(mcpDir, 'aibridge.toml'),
    `[[mcp.servers]]\nname = "tools"\nurl = "http://127.0.0.1:${mcp.port}/mcp"\n`);
  const round = (file, answers) => {
    writeFileSync(join(mcpDir, file), answers.map((a, i) => `-- round-${i} --\n${JSON.stringify(a)}\n`).join(''));
    return { headers: { 'X-Mock-Scenario': 'txtar', 'X-Mock-Txtar': join(mcpDir, file), 'X-Mock-Section': 'round' } };
  };
  const looped = await start(process.env.GATEWAY_BINARY, [
    'serve', '--listen', '127.0.0.1:0', '--data-dir', mcpDir, '--config', join(mcpDir, 'aibridge.toml'),
    '--openai-base-url', `${mockUrl}/v1`, '--anthropic-base-url', mockUrl,
  ]);
  const loopedToken = looped.stdout().match(/admin token: (\S+)/)[1];
  const loopedUrl = `http://127.0.0.1:${looped.port}`;
  const usage = { input_tokens: 10, output_tokens: 5 };
  await check('mcp: anthropic sdk gets the answer after an injected call', async () => {
    const client = new Anthropic({ apiKey: loopedToken, baseURL: `${loopedUrl}/anthropic`, maxRetries: 0 });
    const options = round('anthropic.txtar', [
      { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-t', stop_reason: 'tool_use', usage,
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'bmcp_tools_echo', input: { text: 'hi' } }] },
      { id: 'msg_2', type: 'message', role: 'assistant', model: 'claude-t', stop_reason: 'end_turn', usage,
        content: [{ type: 'text', text: 'It said echo: hi' }] }]);
    const answer = await client.messages.create(messages, options);
    assert.equal(answer.content[0].text, 'It said echo: hi');
    assert.equal(answer.content.length, 1);
  });
  await check('mcp: anthropic sdk streams one message around an injected call', async () => {
    const client = new Anthropic({ apiKey: loopedToken, baseURL: `${loopedUrl}/anthropic`, maxRetries: 0 });
    const sse = (events) => events.map(([type, data]) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`).join('');
    const start = (id) => ['message_start', { message: { id, type: 'message', role: 'assistant', model: 'claude-t', content: [], stop_reason: null, usage } }];
    const text = (index, words) => [
      ['content_block_start', { index, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { index, delta: { type: 'text_delta', text: words } }],
      ['content_block_stop', { index }]];
    const end = (reason) => [['message_delta', { delta: { stop_reason: reason }, usage: { output_tokens: 5 } }], ['message_stop', {}]];
    const file = join(mcpDir, 'stream.txtar');
    writeFileSync(file, `-- streaming-round-0 --\n${sse([start('msg_1'), ...text(0, 'Asking. '),
      ['content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'bmcp_tools_echo', input: {} } }],
      ['content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"text":"hi"}' } }],
      ['content_block_stop', { index: 1 }], ...end('tool_use')])}-- streaming-round-1 --\n${sse([start('msg_2'), ...text(0, 'It said echo: hi'), ...end('end_turn')])}`);
    const stream = client.messages.stream(messages,
      { headers: { 'X-Mock-Scenario': 'txtar', 'X-Mock-Txtar': file, 'X-Mock-Section': 'round' } });
    const message = await stream.finalMessage();
    assert.deepEqual(message.content.map((block) => block.text), ['Asking. ', 'It said echo: hi']);
    assert.equal(message.stop_reason, 'end_turn');
  });
  await check('mcp: openai sdk gets the answer after an injected call', async () => {
    const client = new OpenAI({ apiKey: loopedToken, baseURL: `${loopedUrl}/openai/v1`, maxRetries: 0 });
    const options = round('chat.txtar', [
      { id: 'c1', object: 'chat.completion', created: 1, model: 'gpt-t',
        choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'bmcp_tools_echo', arguments: '{"text":"hi"}' } }] } }] },
      { id: 'c2', object: 'chat.completion', created: 1, model: 'gpt-t',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'It said echo: hi' } }] }]);
    const answer = await client.chat.completions.create(chat, options);
    assert.equal(answer.choices[0].message.content, 'It said echo: hi');
    assert.equal(answer.choices[0].message.tool_calls, undefined);
  });
  await check('mcp: openai sdk streams chat around an injected call', async () => {
    const client = new OpenAI({ apiKey: loopedToken, baseURL: `${loopedUrl}/openai/v1`, maxRetries: 0 });
    const chunk = (id, choice) => `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: 'gpt-t', choices: [choice] })}\n\n`;
    const usageChunk = (id) => `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: 'gpt-t', choices: [], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } })}\n\n`;
    const file = join(mcpDir, 'chat-stream.txtar');
    writeFileSync(file, '-- streaming-round-0 --\n' +
      chunk('c1', { index: 0, delta: { role: 'assistant', content: 'Asking. ' }, finish_reason: null }) +
      chunk('c1', { index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'bmcp_tools_echo', arguments: '{"text":"hi"}' } }] }, finish_reason: null }) +
      chunk('c1', { index: 0, delta: {}, finish_reason: 'tool_calls' }) + usageChunk('c1') + 'data: [DONE]\n\n' +
      '-- streaming-round-1 --\n' +
      chunk('c2', { index: 0, delta: { role: 'assistant', content: 'It said echo: hi' }, finish_reason: null }) +
      chunk('c2', { index: 0, delta: {}, finish_reason: 'stop' }) + usageChunk('c2') + 'data: [DONE]\n\n');
    const stream = client.chat.completions.stream({ ...chat, stream: true },
      { headers: { 'X-Mock-Scenario': 'txtar', 'X-Mock-Txtar': file, 'X-Mock-Section': 'round' } });
    const final = await stream.finalChatCompletion();
    assert.equal(final.choices[0].message.content, 'Asking. It said echo: hi');
    assert.equal(final.choices[0].finish_reason, 'stop');
    assert.equal(final.choices[0].message.tool_calls, undefined);
  });
} catch (error) {
  results.push(`FAIL setup: ${error.stack ?? error}`);
} finally {
  stop();
  rmSync(dataDir, { recursive: true, force: true });
}
finish();
