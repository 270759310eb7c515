// The aibridge console (SPEC §10): a page per hash route, drawn from the JSON API. Everything a
// user recorded is put into the page as text (textContent), never as markup.
'use strict';

const API = '/api/v2/aibridge';
const $ = (selector) => document.querySelector(selector);

// el('td', {class: 'num'}, 'text', otherNode): strings become text nodes.
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

class SignedOut extends Error {}

async function call(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-Aibridge-Csrf'] = '1';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (response.status === 401) throw new SignedOut(answer.detail || answer.message);
  if (!response.ok) {
    const details = (answer.validations || []).map((v) => v.detail).join('; ');
    throw new Error([answer.message || `HTTP ${response.status}`, answer.detail, details]
      .filter(Boolean).join(' '));
  }
  return answer;
}

const number = (n) => (n ?? 0).toLocaleString('en-US');
const when = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) : '');
const sum = (rows, field) => rows.reduce((total, row) => total + (row[field] || 0), 0);

let me = null;
let refresher = null;

function show(...nodes) {
  clearInterval(refresher);
  refresher = null;
  $('#page').replaceChildren(...nodes.filter((node) => node !== null && node !== undefined));
}

function failure(error) {
  if (error instanceof SignedOut) { signedOut(error.message); return; }
  show(el('p', { class: 'error', role: 'alert' }, `Something went wrong: ${error.message}`));
}

// ---- sign-in ----

function signedOut(why) {
  me = null;
  clearInterval(refresher);
  refresher = null;
  $('#top').hidden = true;
  $('#page').replaceChildren();
  $('#sign-in').hidden = false;
  $('#sign-in-error').textContent = why && why !== 'No API token provided. Create one with `aibridge tokens create`.' ? why : '';
  $('#token').focus();
}

$('#sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    await call(`${API}/console/sign-in`, { method: 'POST', body: { token: $('#token').value.trim() } });
    $('#token').value = '';
    await start();
  } catch (error) {
    $('#sign-in-error').textContent = error.message;
  }
});

$('#sign-out').addEventListener('click', async () => {
  await call(`${API}/console/sign-out`, { method: 'POST' }).catch(() => {});
  signedOut();
});

// ---- interceptions ----

function filterQuery(form) {
  const terms = [];
  const add = (key, value) => { if (value) terms.push(`${key}:"${value.replaceAll('"', '')}"`); };
  add('initiator', form.initiator);
  add('provider', form.provider);
  add('model', form.model);
  add('client', form.client);
  add('status', form.status);
  if (form.after) add('started_after', new Date(form.after).toISOString());
  if (form.before) add('started_before', new Date(form.before).toISOString());
  return terms.join(' ');
}

function params(hash) {
  const query = hash.split('?')[1] || '';
  return Object.fromEntries(new URLSearchParams(query));
}

function options(values, chosen, label) {
  return [el('option', { value: '' }, `any ${label}`),
    ...values.map((v) => el('option', { value: v, selected: v === chosen }, v))];
}

const PAGE = 50;  // rows per listing page

// The filter form of a listing page (#/interceptions or #/sessions): every q filter.
function filterForm(route, state, models, clients) {
  const input = (name, attrs = {}) => el('input', { name, value: state[name] || '', ...attrs });
  const form = el('form', { class: 'filters', id: 'filters' },
    el('label', {}, 'User', input('initiator', { placeholder: 'username or me' })),
    el('label', {}, 'Provider', el('select', { name: 'provider' }, options(['anthropic', 'openai'], state.provider, 'provider'))),
    el('label', {}, 'Model', el('select', { name: 'model' }, options(models, state.model, 'model'))),
    el('label', {}, 'Client', el('select', { name: 'client' }, options(clients, state.client, 'client'))),
    el('label', {}, 'Status', el('select', { name: 'status' }, options(['completed', 'failed', 'cancelled'], state.status, 'status'))),
    el('label', {}, 'From', input('after', { type: 'datetime-local' })),
    el('label', {}, 'To', input('before', { type: 'datetime-local' })),
    el('button', { type: 'submit', class: 'primary' }, 'Filter'),
    el('button', { type: 'button', onclick: () => { location.hash = `#/${route}`; } }, 'Clear'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = Object.fromEntries([...new FormData(form)].filter(([, v]) => v));
    location.hash = `#/${route}?${new URLSearchParams(chosen)}`;
  });
  return form;
}

// "N things", and the buttons to the newest page and the next older one.
function pager(route, state, page, noun) {
  const last = page.results[page.results.length - 1];
  const go = (next) => { location.hash = `#/${route}?${new URLSearchParams(next)}`; };
  const newest = { ...state };
  delete newest.after_id;
  return el('div', { class: 'pager' },
    el('span', { class: 'muted', id: 'count' }, `${number(page.count)} ${noun}${state.after_id ? ' (older page)' : ''}`),
    state.after_id ? el('button', { type: 'button', onclick: () => go(newest) }, 'Newest') : null,
    last && page.results.length === PAGE ? el('button', { type: 'button', id: 'older', onclick: () => go({ ...state, after_id: last.id }) }, 'Older →') : null);
}


// A page of `route` (interceptions or sessions) for the filters in `state`.
async function listing(route, state) {
  const [models, clients] = await Promise.all([call(`${API}/models`), call(`${API}/clients`)]);
  const q = filterQuery(state);
  const search = new URLSearchParams({ limit: String(PAGE) });
  if (q) search.set('q', q);
  if (state.after_id) search.set('after_id', state.after_id);
  const page = await call(`${API}/${route}?${search}`);
  return { q, page, form: filterForm(route, state, models, clients) };
}

// A table row that opens `hash` on a click or Enter.
function linkRow(id, hash, ...cells) {
  const open = () => { location.hash = hash; };
  return el('tr', { class: 'link', tabindex: '0', 'data-id': id, onclick: open,
    onkeydown: (e) => { if (e.key === 'Enter') open(); } }, ...cells);
}

const seconds = (from, to) => (to ? `${((new Date(to) - new Date(from)) / 1000).toFixed(2)} s` : '');

async function interceptionsPage(state) {
  const { q, page, form } = await listing('interceptions', state);
  const notice = el('div', { id: 'new-rows', class: 'notice', hidden: true });
  const rows = page.results.map((row) => {
    const tokens = row.token_usages || [];
    const status = row.metadata?.status;
    return linkRow(row.id, `#/interception/${row.id}`,
      el('td', {}, when(row.started_at)),
      el('td', {}, row.initiator?.username || row.initiator?.id),
      el('td', {}, row.client || row.metadata?.client || ''),
      el('td', {}, row.provider), el('td', {}, row.model),
      el('td', { class: `status-${status}` }, status || ''),
      el('td', { class: 'num' }, number(sum(tokens, 'input_tokens'))),
      el('td', { class: 'num' }, number(sum(tokens, 'output_tokens'))),
      el('td', { class: 'num' }, number(sum(tokens, 'cache_read_input_tokens') + sum(tokens, 'cache_write_input_tokens'))),
      el('td', { class: 'num' }, number((row.tool_usages || []).length)),
      el('td', { class: 'num' }, seconds(row.started_at, row.ended_at)));
  });
  const table = page.results.length === 0
    ? el('div', { class: 'empty' }, q ? 'No interception matches these filters.' : 'Nothing recorded yet: point a client at the gateway.')
    : el('table', { id: 'interceptions' },
      el('thead', {}, el('tr', {}, ['Started (UTC)', 'User', 'Client', 'Provider', 'Model', 'Status'].map((h) => el('th', {}, h)),
        ['Input', 'Output', 'Cache', 'Tool calls', 'Duration'].map((h) => el('th', { class: 'num' }, h)))),
      el('tbody', {}, rows));
  show(el('h1', {}, 'Interceptions'), form, notice, table, pager('interceptions', state, page, 'interceptions'));
  if (!state.after_id) {
    // New rows: the first row of the same filter, looked at every few seconds.
    const newest = page.results[0]?.id;
    refresher = setInterval(async () => {
      const probe = new URLSearchParams({ limit: '1' });
      if (q) probe.set('q', q);
      const latest = await call(`${API}/interceptions?${probe}`).catch(() => null);
      if (latest && latest.results[0] && latest.results[0].id !== newest) {
        notice.replaceChildren(`${number(latest.count - page.count)} new interceptions. `,
          el('button', { type: 'button', onclick: () => route() }, 'Show'));
        notice.hidden = false;
      }
    }, 5000);
  }
}

function pretty(text) {
  try { return JSON.stringify(typeof text === 'string' ? JSON.parse(text) : text, null, 2); } catch { return String(text); }
}

async function interceptionPage(id) {
  const [row, logs] = await Promise.all([call(`${API}/interceptions/${encodeURIComponent(id)}`),
    call(`${API}/interceptions/${encodeURIComponent(id)}/request-logs`).catch(() => null)]);
  const fact = (name, value) => [el('dt', {}, name), el('dd', {}, value ?? '')];
  const tokens = row.token_usages || [];
  show(
    el('p', {}, el('a', { href: '#/interceptions' }, '← Interceptions')),
    el('h1', {}, `Interception ${row.id}`),
    el('dl', { class: 'facts' },
      fact('User', row.initiator?.username || row.initiator?.id), fact('Provider', row.provider),
      fact('Model', row.model), fact('Client', row.client || row.metadata?.client),
      fact('Status', row.metadata?.status), fact('Started', when(row.started_at)),
      fact('Ended', when(row.ended_at)), fact('API key', row.api_key_id)),
    el('h2', {}, 'Prompt'),
    ...(row.user_prompts || []).map((p) => el('pre', { class: 'prompt' }, p.prompt)),
    (row.user_prompts || []).length ? null : el('p', { class: 'muted' }, 'No prompt recorded.'),
    el('h2', {}, 'Token usage'),
    tokens.length ? el('table', {},
      el('thead', {}, el('tr', {}, ['Response', 'Input', 'Output', 'Cache read', 'Cache write'].map((h, i) => el('th', { class: i ? 'num' : undefined }, h)))),
      el('tbody', {}, tokens.map((t) => el('tr', {}, el('td', {}, t.provider_response_id),
        ...['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_write_input_tokens'].map((f) => el('td', { class: 'num' }, number(t[f]))))))) : el('p', { class: 'muted' }, 'No token usage recorded.'),
    el('h2', {}, 'Tool calls'),
    ...(row.tool_usages || []).map((t) => el('div', { class: 'card tool' },
      el('strong', {}, t.tool), t.injected ? el('span', { class: 'muted' }, ` injected from ${t.server_url}`) : null,
      t.invocation_error ? el('p', { class: 'error' }, t.invocation_error) : null,
      el('pre', {}, pretty(t.input)))),
    (row.tool_usages || []).length ? null : el('p', { class: 'muted' }, 'No tool calls.'),
    el('h2', {}, 'Thoughts'),
    ...(row.model_thoughts || []).map((t) => el('pre', {}, t.content)),
    (row.model_thoughts || []).length ? null : el('p', { class: 'muted' }, 'No thoughts recorded.'),
    el('h2', {}, 'Metadata'),
    el('pre', {}, pretty(row.metadata)),
    el('h2', {}, 'Request log'),
    requestLog(row.id, logs));
}

// Links to the exchange's request-log files (written while request logging is on).
function requestLog(id, logs) {
  if (!logs) return el('p', { class: 'muted' }, 'The request log could not be read.');
  if (logs.files.length === 0) return el('p', { class: 'muted' }, 'None: request logging was off for this interception.');
  return el('ul', { id: 'request-log' }, logs.files.map((file) => el('li', {},
    el('a', { href: `${API}/interceptions/${encodeURIComponent(id)}/request-logs/${encodeURIComponent(file.name)}`, target: '_blank', rel: 'noopener' }, file.name),
    el('span', { class: 'muted' }, ` ${number(file.bytes)} bytes`))));
}

// ---- sessions ----

const clip = (text, length) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

async function sessionsPage(state) {
  const { q, page, form } = await listing('sessions', state);
  const rows = page.results.map((s) => linkRow(s.id, `#/session/${encodeURIComponent(s.id)}`,
    el('td', {}, when(s.started_at)),
    el('td', {}, s.initiator?.username || s.initiator?.id),
    el('td', {}, s.client),
    el('td', {}, s.models.join(', ')),
    el('td', { class: 'num' }, number(s.interception_count)),
    el('td', { class: 'num' }, number(s.input_tokens)),
    el('td', { class: 'num' }, number(s.output_tokens)),
    el('td', { class: 'num' }, number(s.tool_call_count)),
    el('td', { class: 'num' }, seconds(s.started_at, s.ended_at)),
    el('td', { class: 'prompt-cell', title: s.first_prompt }, clip(s.first_prompt, 80))));
  const table = page.results.length === 0
    ? el('div', { class: 'empty' }, q ? 'No session matches these filters.' : 'No sessions yet: point a client at the gateway.')
    : el('table', { id: 'sessions' },
      el('thead', {}, el('tr', {}, ['Started (UTC)', 'User', 'Client', 'Models'].map((h) => el('th', {}, h)),
        ['Interceptions', 'Input', 'Output', 'Tool calls', 'Duration'].map((h) => el('th', { class: 'num' }, h)),
        el('th', {}, 'First prompt'))),
      el('tbody', {}, rows));
  show(el('h1', {}, 'Sessions'),
    el('p', { class: 'muted' }, 'A session is what one client sent with one session id (Claude Code, Codex and others send one); a request without one is a session of its own. Filters match how a session started.'),
    form, table, pager('sessions', state, page, 'sessions'));
}

// One session as a timeline: each interception at its offset from the session's start, with a
// bar as long as it took.
async function sessionPage(id) {
  const s = await call(`${API}/sessions/${encodeURIComponent(id)}`);
  const start = new Date(s.started_at);
  const span = Math.max(new Date(s.ended_at) - start, 1);
  const fact = (name, value) => [el('dt', {}, name), el('dd', {}, value ?? '')];
  const items = s.interceptions.map((row) => {
    const began = new Date(row.started_at) - start;
    const took = row.ended_at ? new Date(row.ended_at) - new Date(row.started_at) : 0;
    const bar = el('span', { class: 'bar' });
    bar.style.setProperty('margin-left', `${(100 * began) / span}%`);
    bar.style.setProperty('width', `${Math.max((100 * took) / span, 0.5)}%`);
    const tokens = row.token_usages || [];
    const prompt = (row.user_prompts || [])[0]?.prompt;
    const tools = (row.tool_usages || []).map((t) => t.tool);
    const open = () => { location.hash = `#/interception/${row.id}`; };
    return el('li', { tabindex: '0', 'data-id': row.id, onclick: open,
      onkeydown: (e) => { if (e.key === 'Enter') open(); } },
    el('div', { class: 'when' }, began < 1000 ? `+${began} ms` : `+${(began / 1000).toFixed(1)} s`),
    el('div', { class: 'what' },
      el('div', {}, el('strong', {}, row.model), ` ${row.provider} · `,
        el('span', { class: `status-${row.metadata?.status}` }, row.metadata?.status || ''),
        ` · ${number(sum(tokens, 'input_tokens'))} in / ${number(sum(tokens, 'output_tokens'))} out · ${seconds(row.started_at, row.ended_at)}`),
      prompt ? el('div', { class: 'prompt-line' }, clip(prompt, 200)) : null,
      tools.length ? el('div', { class: 'muted' }, `Tools: ${tools.join(', ')}`) : null,
      el('div', { class: 'track' }, bar)));
  });
  show(
    el('p', {}, el('a', { href: '#/sessions' }, '← Sessions')),
    el('h1', {}, `Session ${s.id}`),
    el('dl', { class: 'facts' },
      fact('User', s.initiator?.username || s.initiator?.id), fact('Client', s.client),
      fact('Providers', s.providers.join(', ')), fact('Models', s.models.join(', ')),
      fact('Started', when(s.started_at)), fact('Ended', when(s.ended_at)),
      fact('Interceptions', number(s.interception_count)),
      fact('Tokens', `${number(s.input_tokens)} in, ${number(s.output_tokens)} out, ${number(s.cache_read_input_tokens)} cache read, ${number(s.cache_write_input_tokens)} cache write`),
      fact('Tool calls', number(s.tool_call_count))),
    el('h2', {}, 'Timeline'),
    el('ol', { class: 'timeline', id: 'timeline' }, items));
}

// ---- usage ----

const COLORS = ['#2f5bd3', '#e07a1f', '#1b998b', '#c2185b', '#7b61ff', '#6d8c00', '#8d6e63', '#0097a7'];

function stackedChart(canvas, rows, field) {
  const days = [...new Set(rows.map((r) => r.day))];
  const label = (r) => (field === 'user' ? r.user.username || r.user.id : r[field]);
  const series = [...new Set(rows.map(label))];
  const tokens = (r) => r.input_tokens + r.output_tokens + r.cache_read_input_tokens + r.cache_write_input_tokens;
  const datasets = series.map((name, i) => ({
    label: name, backgroundColor: COLORS[i % COLORS.length],
    data: days.map((day) => sum(rows.filter((r) => r.day === day && label(r) === name).map((r) => ({ t: tokens(r) })), 't')),
  }));
  return new window.Chart(canvas, {
    type: 'bar', data: { labels: days, datasets },
    options: { animation: false, responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });
}

function topTable(id, rows, field, title) {
  const sorted = [...rows].sort((a, b) => (b.input_tokens + b.output_tokens) - (a.input_tokens + a.output_tokens));
  return el('div', { class: 'card' }, el('h2', {}, title),
    sorted.length === 0 ? el('p', { class: 'muted' }, 'No usage in this range.') : el('table', { id },
      el('thead', {}, el('tr', {}, el('th', {}, field), ['Interceptions', 'Input', 'Output', 'Cache read', 'Cache write', 'Tool calls'].map((h) => el('th', { class: 'num' }, h)))),
      el('tbody', {}, sorted.map((r) => el('tr', {}, el('td', {}, field === 'User' ? (r.user.username || r.user.id) : r.model),
        ...['interceptions', 'input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_write_input_tokens', 'tool_calls'].map((f) => el('td', { class: 'num' }, number(r[f]))))))));
}

async function usagePage(state) {
  const today = new Date().toISOString().slice(0, 10);
  const twoWeeksAgo = new Date(Date.now() - 13 * 86400000).toISOString().slice(0, 10);
  const from = state.from || twoWeeksAgo;
  const to = state.to || today;
  const q = `started_after:"${from}T00:00:00Z" started_before:"${to}T23:59:59.999999Z"`;
  const get = (groupBy) => call(`${API}/usage?${new URLSearchParams({ group_by: groupBy, q })}`);
  const [byModel, byUser, users, models] = await Promise.all([get('day,model'), get('day,user'), get('user'), get('model')]);
  const form = el('form', { class: 'filters', id: 'range' },
    el('label', {}, 'From', el('input', { type: 'date', name: 'from', value: from })),
    el('label', {}, 'To', el('input', { type: 'date', name: 'to', value: to })),
    el('button', { type: 'submit', class: 'primary' }, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/usage?${new URLSearchParams(Object.fromEntries(new FormData(form)))}`;
  });
  const total = byModel.total;
  const modelCanvas = el('canvas', { id: 'chart-models' });
  const userCanvas = el('canvas', { id: 'chart-users' });
  show(el('h1', {}, 'Usage'), form,
    el('p', { id: 'usage-total' }, `${number(total.interceptions)} interceptions, ${number(total.input_tokens)} input, ${number(total.output_tokens)} output, ${number(total.cache_read_input_tokens)} cache read, ${number(total.cache_write_input_tokens)} cache write tokens.`),
    el('div', { class: 'charts' },
      el('div', { class: 'card' }, el('h2', {}, 'Tokens per day by model'), modelCanvas),
      el('div', { class: 'card' }, el('h2', {}, 'Tokens per day by user'), userCanvas)),
    el('div', { class: 'charts' }, topTable('top-users', users.results, 'User', 'Top users'),
      topTable('top-models', models.results, 'Model', 'Top models')));
  if (window.Chart) {
    window.usageCharts = [stackedChart(modelCanvas, byModel.results, 'model'), stackedChart(userCanvas, byUser.results, 'user')];
  }
}

// ---- settings ----

async function settingsPage(note) {
  const state = await call('/api/experimental/aibridge/log-requests');
  const owner = me.role === 'owner';
  const [users, tokens] = owner
    ? await Promise.all([call(`${API}/users`), call(`${API}/tokens`)]) : [[], []];
  const message = el('p', { id: 'settings-message', role: 'status' }, note || '');
  const act = async (work, done) => {
    try {
      const result = await work();
      await settingsPage(done(result));
    } catch (error) {
      if (error instanceof SignedOut) { signedOut(error.message); return; }
      const shown = $('#settings-message');
      shown.textContent = error.message;
      shown.className = 'error';
    }
  };
  const toggle = el('button', { type: 'button', id: 'toggle-logging', class: 'primary', onclick: () => act(
    () => call('/api/experimental/aibridge/log-requests', { method: 'POST', body: { enabled: !state.enabled } }),
    () => 'Saved.') }, state.enabled ? 'Turn request logging off' : 'Turn request logging on');
  const sections = [el('h1', {}, 'Settings'), message,
    el('h2', {}, 'Request logging'),
    el('p', {}, 'While on, every upstream exchange is written to the request log directory, with credentials masked. ',
      el('strong', { id: 'logging-state' }, state.enabled ? 'It is on.' : 'It is off.')),
    owner ? null : el('p', { class: 'muted' }, 'Only owners can change it, or manage users and tokens.'),
    toggle];
  if (owner) {
    const userForm = el('form', { class: 'filters', id: 'new-user' },
      el('label', {}, 'Username', el('input', { name: 'username', required: true })),
      el('label', {}, 'Name', el('input', { name: 'name' })),
      el('label', {}, 'Role', el('select', { name: 'role' }, ['member', 'auditor', 'owner'].map((r) => el('option', { value: r }, r)))),
      el('button', { type: 'submit' }, 'Create user'));
    userForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const body = Object.fromEntries(new FormData(userForm));
      act(() => call(`${API}/users`, { method: 'POST', body }), (user) => `Created ${user.username}.`);
    });
    const tokenForm = el('form', { class: 'filters', id: 'new-token' },
      el('label', {}, 'User', el('select', { name: 'username' }, users.map((u) => el('option', { value: u.username }, u.username)))),
      el('label', {}, 'Lifetime (days, 0 = never expires)', el('input', { name: 'lifetime_days', type: 'number', min: '0', value: '30', required: true })),
      el('button', { type: 'submit' }, 'Create token'));
    tokenForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const form = Object.fromEntries(new FormData(tokenForm));
      act(() => call(`${API}/tokens`, { method: 'POST', body: { username: form.username, lifetime_days: Number(form.lifetime_days) } }),
        (made) => el('span', {}, 'New token (shown only now): ', el('code', { id: 'new-token-text' }, made.token)));
    });
    sections.push(
      el('h2', {}, 'Users'), userForm,
      el('table', { id: 'users' }, el('thead', {}, el('tr', {}, ['Username', 'Name', 'Role', 'Created'].map((h) => el('th', {}, h)))),
        el('tbody', {}, users.map((u) => el('tr', {}, el('td', {}, u.username), el('td', {}, u.name), el('td', {}, u.role), el('td', {}, when(u.created_at)))))),
      el('h2', {}, 'Tokens'), tokenForm,
      el('table', { id: 'tokens' }, el('thead', {}, el('tr', {}, ['Id', 'User', 'Created', 'Last used', 'Expires', 'State', ''].map((h) => el('th', {}, h)))),
        el('tbody', {}, tokens.map((t) => el('tr', { 'data-id': t.id }, el('td', {}, el('code', {}, t.id)), el('td', {}, t.username),
          el('td', {}, when(t.created_at)), el('td', {}, when(t.last_used_at) || 'never'), el('td', {}, when(t.expires_at) || 'never'),
          el('td', { class: 'token-state' }, t.revoked_at ? `revoked ${when(t.revoked_at)}` : 'active'),
          el('td', {}, t.revoked_at ? null : el('button', { type: 'button', class: 'revoke', onclick: () => act(
            () => call(`${API}/tokens/${encodeURIComponent(t.id)}`, { method: 'DELETE' }), () => `Revoked ${t.id}.`) }, 'Revoke')))))));
  }
  show(...sections);
}

// ---- routing ----

async function route() {
  const hash = location.hash || '#/interceptions';
  const [path] = hash.slice(1).split('?');
  for (const link of document.querySelectorAll('header nav a')) {
    const page = link.dataset.page;
    link.classList.toggle('current', path.startsWith(`/${page}`) || path.startsWith(`/${page.slice(0, -1)}/`));
  }
  try {
    if (path.startsWith('/interception/')) await interceptionPage(path.slice('/interception/'.length));
    else if (path.startsWith('/session/')) await sessionPage(decodeURIComponent(path.slice('/session/'.length)));
    else if (path === '/sessions') await sessionsPage(params(hash));
    else if (path === '/usage') await usagePage(params(hash));
    else if (path === '/settings') await settingsPage();
    else await interceptionsPage(params(hash));
  } catch (error) {
    failure(error);
  }
}

async function start() {
  try {
    me = await call(`${API}/console/me`);
  } catch (error) {
    if (error instanceof SignedOut) { signedOut(); return; }
    throw error;
  }
  $('#sign-in').hidden = true;
  $('#top').hidden = false;
  $('#whoami').textContent = `${me.username} (${me.role})`;
  await route();
}

window.addEventListener('hashchange', () => { if (me) route(); });
start();
