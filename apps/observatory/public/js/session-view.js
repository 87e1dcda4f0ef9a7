// @ts-check
// One session: its header (project, branch, tokens by model, subagents) and its lines in
// order. Prompts and replies are shown as text; thinking, tool calls and tool results are
// folded in <details>; each assistant line shows its token usage.

import { getJson } from './api.js';
import { sessionHref } from './conversations.js';
import { byId, el, fill } from './dom.js';
import { count, when } from './format.js';

/** @typedef {import('./types').SessionDetail} SessionDetail */
/** @typedef {import('./types').MessagesResponse} MessagesResponse */
/** @typedef {import('./types').Message} Message */

const PAGE = 200;
const LONG = 4000;

/**
 * @param {string} key the session
 * @param {URLSearchParams} params `line`: scroll to this line (from a search result)
 */
export async function showSession(key, params) {
  const head = byId('session-head');
  const list = byId('messages');
  list.replaceChildren();
  const detail = /** @type {SessionDetail} */ (
    await getJson(`/api/sessions/${encodeURIComponent(key)}`)
  );
  const s = detail.session;
  fill(head, [
    el('h2', {}, s.title || s.id),
    el(
      'p',
      { class: 'meta' },
      el('span', {}, s.cwd ?? ''),
      s.gitBranch ? el('span', {}, ` · branch ${s.gitBranch}`) : null,
      s.version ? el('span', {}, ` · Claude Code ${s.version}`) : null,
      el('span', {}, ` · ${when(s.startedAt)} – ${when(s.lastAt)}`),
      el('span', {}, ` · ${count(s.messages)} lines · ${count(s.toolCalls)} tool calls`),
    ),
    s.parent
      ? el('p', {}, 'Subagent of ', el('a', { href: sessionHref(s.parent.id) }, s.parent.id))
      : null,
    detail.tokensByModel.length > 0
      ? el(
          'table',
          { class: 'tokens' },
          el(
            'tr',
            {},
            ...['model', 'messages', 'input', 'output', 'cache write', 'cache read'].map((h) =>
              el('th', {}, h),
            ),
          ),
          ...detail.tokensByModel.map((t) =>
            el(
              'tr',
              {},
              el('td', {}, t.model),
              ...[
                t.messages,
                t.inputTokens,
                t.outputTokens,
                t.cacheCreationTokens,
                t.cacheReadTokens,
              ].map((n) => el('td', {}, count(n))),
            ),
          ),
        )
      : null,
    detail.subagents.length > 0
      ? el(
          'details',
          { class: 'subagents' },
          el('summary', {}, `${detail.subagents.length} subagents`),
          el(
            'ul',
            {},
            ...detail.subagents.map((a) =>
              el(
                'li',
                {},
                el('a', { href: sessionHref(a.id) }, a.title || a.id),
                ` · ${count(a.messages)} lines`,
              ),
            ),
          ),
        )
      : null,
  ]);

  const wanted = Number(params.get('line') ?? 0);
  const more = byId('messages-more');
  /** @param {number} after */
  const page = async (after) => {
    const body = /** @type {MessagesResponse} */ (
      await getJson(`/api/sessions/${encodeURIComponent(key)}/messages`, { after, limit: PAGE })
    );
    for (const message of body.messages) list.appendChild(messageItem(message));
    more.hidden = body.nextAfter === null;
    more.onclick = () => {
      if (body.nextAfter !== null) void page(body.nextAfter);
    };
    // A search result's line may be further on: keep loading until it is on the page.
    if (wanted > 0 && body.nextAfter !== null && body.nextAfter < wanted)
      await page(body.nextAfter);
  };
  await page(0);
  if (wanted > 0) {
    const target = document.getElementById(`line-${wanted}`);
    target?.classList.add('target');
    target?.scrollIntoView({ block: 'center' });
  }
}

/** @param {Message} message */
function messageItem(message) {
  const entry = asRecord(message.entry);
  const inner = asRecord(entry.message);
  const role = message.role ?? message.type;
  return el(
    'li',
    {
      id: `line-${message.line}`,
      class: `message message-${cssName(message.type)}`,
      'data-line': message.line,
    },
    el(
      'header',
      {},
      el('b', {}, role),
      message.subtype ? el('span', { class: 'tag' }, message.subtype) : null,
      message.model ? el('span', { class: 'tag' }, message.model) : null,
      el('time', { datetime: message.timestamp ?? undefined }, when(message.timestamp)),
      el('span', { class: 'line' }, `#${message.line}`),
    ),
    ...content(inner.content ?? null, message),
    usage(asRecord(inner.usage)),
  );
}

/**
 * @param {unknown} value the message's content: a string or an array of blocks
 * @param {Message} message
 * @returns {(Node | null)[]}
 */
function content(value, message) {
  if (typeof value === 'string') return [text(value)];
  if (!Array.isArray(value)) {
    // Lines without a message (summaries, system lines, progress): their text, or folded JSON.
    if (message.text) return [text(message.text)];
    return message.entry === undefined
      ? []
      : [
          folded(
            `${message.type} (the line as written)`,
            'raw',
            JSON.stringify(message.entry, null, 2),
          ),
        ];
  }
  return value.map((raw) => {
    const block = asRecord(raw);
    switch (block.type) {
      case 'text':
        return text(String(block.text ?? ''));
      case 'thinking':
        return folded('thinking', 'thinking', String(block.thinking ?? ''));
      case 'tool_use': {
        const input = JSON.stringify(block.input ?? null, null, 2);
        return folded(
          `tool call: ${String(block.name ?? '?')} (${count(input.length)} bytes of input)`,
          'tool-use',
          input,
        );
      }
      case 'tool_result': {
        const error = block.is_error === true;
        return folded(
          error ? 'tool result: error' : 'tool result',
          error ? 'tool-result error' : 'tool-result',
          resultText(block.content),
        );
      }
      default:
        return folded(String(block.type ?? 'block'), 'raw', JSON.stringify(raw, null, 2));
    }
  });
}

/** @param {unknown} value */
function resultText(value) {
  if (typeof value === 'string') return value;
  if (Array.isArray(value))
    return value
      .map((part) => {
        const p = asRecord(part);
        return typeof p.text === 'string' ? p.text : JSON.stringify(part);
      })
      .join('\n');
  return JSON.stringify(value, null, 2);
}

/** @param {string} value */
function text(value) {
  return el('div', { class: 'text' }, clip(value));
}

/**
 * @param {string} summary
 * @param {string} kind
 * @param {string} body
 */
function folded(summary, kind, body) {
  return el(
    'details',
    { class: `block ${kind}` },
    el('summary', {}, summary),
    el('pre', {}, clip(body)),
  );
}

/** @param {Record<string, unknown>} u */
function usage(u) {
  const n = (/** @type {string} */ key) =>
    typeof u[key] === 'number' ? /** @type {number} */ (u[key]) : 0;
  if (Object.keys(u).length === 0) return null;
  return el(
    'p',
    { class: 'usage' },
    `tokens: ${count(n('input_tokens'))} in · ${count(n('output_tokens'))} out · ` +
      `${count(n('cache_creation_input_tokens'))} cache write · ${count(n('cache_read_input_tokens'))} cache read`,
  );
}

/** Very long outputs are cut on screen; the API still has every byte. @param {string} value */
function clip(value) {
  return value.length > LONG
    ? `${value.slice(0, LONG)}\n… (${count(value.length - LONG)} more characters)`
    : value;
}

/** @param {unknown} value @returns {Record<string, unknown>} */
function asRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? /** @type {Record<string, unknown>} */ (value)
    : {};
}

/** A type name fit for a class: types come from transcripts. @param {string} value */
function cssName(value) {
  return value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
}
