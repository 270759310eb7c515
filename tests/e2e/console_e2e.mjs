// The console (SPEC §10) in a real browser: Debian's Chromium, headless, driven by
// puppeteer-core, against the real gateway with interceptions recorded through it from the
// mock provider. Started by ctest with GATEWAY_BINARY, MOCK_BINARY, CHROMIUM and
// SCREENSHOT_DIR set; skipped (77) without a Chromium.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, finish, results, start, stop } from './harness.mjs';
import puppeteer from 'puppeteer-core';

if (!process.env.CHROMIUM || !existsSync(process.env.CHROMIUM)) {
  console.log('no Chromium: skipped');
  process.exit(77);
}
const screenshots = process.env.SCREENSHOT_DIR;
mkdirSync(screenshots, { recursive: true });

const dataDir = mkdtempSync(join(tmpdir(), 'aibridge-console-'));


const cli = (...args) => execFileSync(process.env.GATEWAY_BINARY, [...args, '--data-dir', dataDir]).toString().trim();


let browser;
try {
  const mock = await start(process.env.MOCK_BINARY, ['--listen', '127.0.0.1:0']);
  const mockUrl = `http://127.0.0.1:${mock.port}`;
  const gateway = await start(process.env.GATEWAY_BINARY, [
    'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--recorder-flush-interval', '10ms',
    '--openai-base-url', `${mockUrl}/v1`, '--anthropic-base-url', mockUrl,
    '--openai-api-key', 'sk-openai-e2e', '--anthropic-api-key', 'sk-ant-e2e',
  ]);
  const base = `http://127.0.0.1:${gateway.port}`;
  const owner = gateway.stdout().match(/admin token: (\S+)/)[1];
  cli('users', 'create', 'alice', '--role', 'member');
  const alice = cli('tokens', 'create', 'alice');
  cli('users', 'create', 'audrey', '--role', 'auditor');
  const auditor = cli('tokens', 'create', 'audrey');

  // Recorded through the gateway: alice's Anthropic turns (one prompt carrying markup) and the
  // owner's OpenAI ones.
  const hostile = '<script>window.pwned = true</script><img src=x onerror="window.pwned = true">';
  const post = (path, token, body, headers = {}) => fetch(`${base}${path}`, {
    method: 'POST', body: JSON.stringify(body),
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'User-Agent': 'claude-cli/2.0.0', ...headers },
  }).then((r) => { assert.equal(r.status, 200); return r.json(); });
  // Alice's two turns are one Claude Code session.
  const claudeSession = { 'X-Claude-Code-Session-Id': 'cc-e2e-session' };
  await post('/anthropic/v1/messages', alice,
    { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: hostile }] }, claudeSession);
  await post('/anthropic/v1/messages', alice,
    { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'list the files' }] }, claudeSession);
  for (let i = 0; i < 3; ++i) {
    await post('/openai/v1/chat/completions', owner,
      { model: 'gpt-5', messages: [{ role: 'user', content: `question ${i}` }] });
  }
  const api = async (path, token = owner) => {
    const response = await fetch(`${base}/api/v2/aibridge${path}`, { headers: { 'Coder-Session-Token': token } });
    return response.json();
  };
  for (let tries = 0; (await api('/interceptions')).count < 5; ++tries) {
    assert.ok(tries < 500, 'the interceptions were not recorded');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }

  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 860 });
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const shot = (name) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  const signIn = async (token) => {
    await page.goto(`${base}/`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('#sign-in:not([hidden])');
    await page.type('#token', token);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('#interceptions, .empty');
  };
  const rowsText = () => page.$$eval('#interceptions tbody tr', (rows) => rows.map((r) => r.innerText));

  await check('/ redirects to the console, served with a strict CSP', async () => {
    const response = await page.goto(`${base}/`, { waitUntil: 'networkidle0' });
    assert.equal(new URL(page.url()).pathname, '/console/');
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /default-src 'none'/);
    await shot('sign-in');
  });

  await check('a wrong token is refused on the sign-in page', async () => {
    await page.type('#token', 'abcdefghij-wrongwrongwrongwrongwrong');
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#sign-in-error').textContent.length > 0);
    assert.match(await page.$eval('#sign-in-error', (e) => e.textContent), /Invalid API token/);
  });

  await check('the owner signs in and sees every interception', async () => {
    await signIn(owner);
    assert.equal((await rowsText()).length, 5);
    assert.match(await page.$eval('#whoami', (e) => e.textContent), /admin \(owner\)/);
    const cookies = await page.cookies();
    const session = cookies.find((c) => c.name === 'aibridge_session');
    assert.ok(session.httpOnly);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie), '');  // not readable by scripts
    await shot('interceptions');
  });

  await check('filters by model and by user', async () => {
    await page.select('#filters select[name=model]', 'gpt-5');
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('#interceptions tbody tr').length === 3);
    for (const row of await rowsText()) assert.match(row, /gpt-5/);
    await page.click('#filters button[type=button]');  // clear
    await page.waitForFunction(() => document.querySelectorAll('#interceptions tbody tr').length === 5);
    await page.type('#filters input[name=initiator]', 'alice');
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('#interceptions tbody tr').length === 2);
    for (const row of await rowsText()) assert.match(row, /alice/);
    await shot('interceptions-filtered');
  });

  await check('a detail shows a recorded prompt with markup as text', async () => {
    const hostileId = (await api('/interceptions?q=initiator:alice')).results.at(-1).id;
    await page.click(`#interceptions tbody tr[data-id="${hostileId}"]`);
    await page.waitForSelector('pre.prompt');
    assert.equal(await page.$eval('pre.prompt', (e) => e.textContent), hostile);
    assert.equal(await page.$$eval('main script, main img', (found) => found.length), 0);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    const text = await page.$eval('#page', (e) => e.innerText);
    assert.match(text, /claude-sonnet-4-5/);
    assert.doesNotMatch(text, /^(null|undefined)$/m);
    await shot('interception-detail');
  });

  await check('sessions group a client\'s turns and open as a timeline', async () => {
    await page.goto(`${base}/console/#/sessions`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('#sessions');
    const rows = await page.$$eval('#sessions tbody tr', (r) => r.map((row) => row.innerText));
    assert.equal(rows.length, 4);  // alice's session and the owner's three sessionless turns
    const claude = await page.$eval('#sessions tbody tr[data-id="cc-e2e-session"]', (row) => row.innerText);
    assert.match(claude, /alice/);
    assert.match(claude, /Claude Code/);
    assert.match(claude, /\b2\b/);
    assert.ok(claude.includes('<script>'));  // the first prompt, as text
    await shot('sessions');
    await page.click('#sessions tbody tr[data-id="cc-e2e-session"]');
    await page.waitForSelector('#timeline li');
    const items = await page.$$eval('#timeline li', (li) => li.map((item) => item.innerText));
    assert.equal(items.length, 2);
    assert.ok(items[0].includes(hostile));  // oldest first, markup shown as text
    assert.match(items[1], /list the files/);
    assert.equal(await page.$$eval('main script, main img', (found) => found.length), 0);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    await shot('session-timeline');
    await page.click('#timeline li:last-child');
    await page.waitForSelector('pre.prompt');
    assert.equal(await page.$eval('pre.prompt', (e) => e.textContent), 'list the files');
  });

  await check('the usage charts render the totals the API gives', async () => {
    await page.goto(`${base}/console/#/usage`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('#chart-models');
    await page.waitForFunction(() => window.usageCharts && window.usageCharts.length === 2);
    const usage = await api('/usage?group_by=model');
    const tokens = (t) => t.input_tokens + t.output_tokens + t.cache_read_input_tokens + t.cache_write_input_tokens;
    const charted = await page.evaluate(() => window.usageCharts.map((chart) =>
      chart.data.datasets.reduce((all, set) => all + set.data.reduce((a, b) => a + b, 0), 0)));
    assert.deepEqual(charted, [tokens(usage.total), tokens(usage.total)]);
    assert.ok(tokens(usage.total) > 0);
    const models = await page.$$eval('#top-models tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
    assert.deepEqual(models.sort(), ['claude-sonnet-4-5', 'gpt-5']);
    const drawn = await page.$eval('#chart-models', (canvas) => canvas.width > 0 && canvas.height > 0);
    assert.ok(drawn);
    await shot('usage');
  });

  await check('the owner turns request logging on', async () => {
    await page.goto(`${base}/console/#/settings`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('#toggle-logging');
    assert.match(await page.$eval('#logging-state', (e) => e.textContent), /off/);
    await page.click('#toggle-logging');
    await page.waitForFunction(() => document.querySelector('#logging-state')?.textContent.includes('on'));
    assert.equal((await (await fetch(`${base}/api/experimental/aibridge/log-requests`,
      { headers: { 'Coder-Session-Token': owner } })).json()).enabled, true);
    await shot('settings');
  });

  await check('the owner creates a user and a token shown once, then revokes it', async () => {
    await page.type('#new-user input[name=username]', 'bruno');
    await page.select('#new-user select[name=role]', 'auditor');
    await page.click('#new-user button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#settings-message').textContent.includes('Created bruno'));
    assert.ok((await page.$$eval('#users tbody td:first-child', (c) => c.map((x) => x.textContent))).includes('bruno'));
    await page.select('#new-token select[name=username]', 'bruno');
    await page.click('#new-token button[type=submit]');
    await page.waitForSelector('#new-token-text');
    const minted = await page.$eval('#new-token-text', (e) => e.textContent);
    assert.equal((await api('/interceptions', minted)).count, 5);  // bruno is an auditor
    const id = minted.slice(0, 10);
    await shot('settings-token');
    await page.click(`#tokens tr[data-id="${id}"] button.revoke`);
    await page.waitForFunction((tokenId) => document.querySelector(`#tokens tr[data-id="${tokenId}"] .token-state`)?.textContent.startsWith('revoked'), {}, id);
    assert.equal(await page.$('#new-token-text'), null);  // shown once only
  });

  await check('an auditor sees everything and is refused the toggle', async () => {
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in:not([hidden])');
    await signIn(auditor);
    assert.equal((await rowsText()).length, 5);
    await page.goto(`${base}/console/#/settings`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('#toggle-logging');
    await page.click('#toggle-logging');
    await page.waitForFunction(() => document.querySelector('#settings-message').textContent.length > 0);
    assert.match(await page.$eval('#settings-message', (e) => e.textContent), /Only users with the 'owner' role/);
    await shot('settings-auditor');
  });

  await check('a member sees only their own interceptions', async () => {
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in:not([hidden])');
    await signIn(alice);
    const rows = await rowsText();
    assert.equal(rows.length, 2);
    for (const row of rows) assert.match(row, /alice/);
    await shot('interceptions-member');
    await page.goto(`${base}/console/#/sessions`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('#sessions');
    assert.deepEqual(await page.$$eval('#sessions tbody tr', (r) => r.map((row) => row.dataset.id)),
      ['cc-e2e-session']);
  });

  await check('a detail links the request log written while logging was on', async () => {
    await post('/anthropic/v1/messages', alice,
      { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'logged turn' }] });
    let newest;
    for (let tries = 0; ; ++tries) {  // recorded, and both files written, off the network threads
      assert.ok(tries < 500, 'the logged turn was not recorded with its request log');
      newest = (await api('/interceptions?q=initiator:alice', alice)).results[0];
      if (newest.user_prompts[0]?.prompt === 'logged turn' &&
          (await api(`/interceptions/${newest.id}/request-logs`, alice)).files?.length === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await page.goto(`${base}/console/#/interception/${newest.id}`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('#request-log a');
    const links = await page.$$eval('#request-log a', (a) => a.map((link) => link.href));
    assert.equal(links.length, 2);
    const dumped = await page.evaluate((href) => fetch(href).then((r) => r.text()), links[0]);
    assert.match(dumped, /POST \/v1\/messages HTTP\/1\.1/);
    assert.match(dumped, /logged turn/);
    await shot('interception-request-log');
  });

  await check('no script error on any page', async () => {
    assert.deepEqual(errors, []);
  });
} catch (error) {
  results.push(`FAIL setup: ${error.stack ?? error}`);
} finally {
  await browser?.close();
  stop();
  rmSync(dataDir, { recursive: true, force: true });
}
finish(`screenshots in ${screenshots}`);
