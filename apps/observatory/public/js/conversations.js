// @ts-check
// Projects and their sessions, newest first, paged by the API's cursor.

import { getJson } from './api.js';
import { byId, el, fill } from './dom.js';
import { count, when } from './format.js';

/** @typedef {import('./types').ProjectsResponse} ProjectsResponse */
/** @typedef {import('./types').SessionsResponse} SessionsResponse */
/** @typedef {import('./types').Session} Session */

/** @param {string} key */
export function sessionHref(key) {
  return `#/session/${encodeURIComponent(key)}`;
}

/**
 * @param {URLSearchParams} params `project`: the project whose sessions to list
 */
export async function showConversations(params) {
  const project = params.get('project') ?? undefined;
  const { projects } = /** @type {ProjectsResponse} */ (await getJson('/api/projects'));
  fill(
    byId('projects'),
    projects.length === 0
      ? [el('li', { class: 'none' }, 'No projects yet.')]
      : projects.map((p) =>
          el(
            'li',
            { 'aria-current': String(p.id) === project ? 'true' : undefined },
            el(
              'a',
              { href: `#/conversations?project=${p.id}`, 'data-project': p.id },
              p.cwd ?? p.dir,
            ),
            el('small', {}, `${count(p.sessions)} sessions · ${count(p.messages)} messages`),
          ),
        ),
  );
  const current = projects.find((p) => String(p.id) === project);
  byId('sessions-title').textContent = current
    ? `Sessions of ${current.cwd ?? current.dir}`
    : 'Recent sessions';
  const list = byId('sessions');
  list.replaceChildren();
  const more = byId('sessions-more');
  /** @param {string | undefined} cursor */
  const page = async (cursor) => {
    const body = /** @type {SessionsResponse} */ (
      await getJson('/api/sessions', { project, cursor, limit: 50 })
    );
    for (const session of body.sessions) list.appendChild(sessionItem(session));
    if (list.childElementCount === 0) list.appendChild(el('li', { class: 'none' }, 'No sessions.'));
    more.hidden = body.nextCursor === null;
    more.onclick = () => {
      if (body.nextCursor !== null) void page(body.nextCursor);
    };
  };
  await page(undefined);
}

/** @param {Session} session */
function sessionItem(session) {
  return el(
    'li',
    {},
    el(
      'a',
      { href: sessionHref(session.id), 'data-session': session.id },
      session.title || session.id,
    ),
    el(
      'small',
      {},
      `${when(session.startedAt)} · ${count(session.messages)} messages · ${count(session.toolCalls)} tool calls · ` +
        `${count(session.tokens.output)} output tokens`,
    ),
  );
}
