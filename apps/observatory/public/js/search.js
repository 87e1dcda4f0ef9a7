// @ts-check
// Full-text search over prompts, replies, thinking and summaries (the API's FTS5 index).
// The API returns each snippet as segments { text, match }: matches become <mark> elements
// and everything else text nodes, so a transcript's own markup is never interpreted.

import { getJson } from './api.js';
import { sessionHref } from './conversations.js';
import { byId, el, fill } from './dom.js';
import { when } from './format.js';

/** @typedef {import('./types').SearchResponse} SearchResponse */
/** @typedef {import('./types').SearchResult} SearchResult */

/** @param {URLSearchParams} params `q`: the words */
export async function showSearch(params) {
  const q = params.get('q') ?? '';
  const input = /** @type {HTMLInputElement} */ (byId('search-q'));
  input.value = q;
  const results = byId('search-results');
  const status = byId('search-status');
  results.replaceChildren();
  if (q.trim() === '') {
    status.textContent = 'Words are ANDed; word* matches a prefix.';
    input.focus();
    return;
  }
  status.textContent = 'searching…';
  try {
    const body = /** @type {SearchResponse} */ (await getJson('/api/search', { q, limit: 50 }));
    status.textContent = `${body.results.length}${body.nextOffset === null ? '' : '+'} results for “${q}”`;
    fill(results, body.results.map(resultItem));
  } catch (error) {
    status.textContent = error instanceof Error ? error.message : String(error);
  }
}

/** @param {SearchResult} result */
function resultItem(result) {
  return el(
    'li',
    { class: 'result' },
    el(
      'header',
      {},
      el('a', { href: `${sessionHref(result.session)}?line=${result.line}` }, result.session),
      el('span', { class: 'tag' }, result.role ?? result.type),
      el('time', { datetime: result.timestamp ?? undefined }, when(result.timestamp)),
    ),
    el(
      'p',
      { class: 'snippet' },
      ...result.snippet.map((segment) =>
        segment.match ? el('mark', {}, segment.text) : segment.text,
      ),
    ),
  );
}

/** Wires the form: a search is a route, so it can be bookmarked and the back button works. */
export function wireSearchForm() {
  const form = /** @type {HTMLFormElement} */ (byId('search-form'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = /** @type {HTMLInputElement} */ (byId('search-q')).value;
    location.hash = `#/search?${new URLSearchParams({ q })}`;
  });
}
