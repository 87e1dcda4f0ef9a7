// @ts-check
// The page's router: hash routes (#/, #/usage, #/conversations, #/session/<id>, #/search?q=), one
// view shown at a time. The dashboard keeps running underneath, so its charts stay current.

import { showConversations } from './conversations.js';
import { startDashboard } from './dashboard.js';
import { byId } from './dom.js';
import { showSearch, wireSearchForm } from './search.js';
import { showSession } from './session-view.js';
import { showUsage } from './usage-view.js';

/** @param {string} name */
function showView(name) {
  for (const view of document.querySelectorAll('[data-view]'))
    if (view instanceof HTMLElement) view.hidden = view.getAttribute('data-view') !== name;
  for (const link of document.querySelectorAll('[data-nav]')) {
    const nav = link.getAttribute('data-nav');
    const current = nav === name || (name === 'session' && nav === 'conversations');
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.body.dataset.route = name;
}

async function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = hash.split('?', 2);
  const params = new URLSearchParams(query);
  document.body.dataset.loading = 'true';
  const banner = byId('error');
  banner.hidden = true;
  try {
    if (path.startsWith('/session/')) {
      showView('session');
      await showSession(decodeURIComponent(path.slice('/session/'.length)), params);
    } else if (path === '/conversations') {
      showView('conversations');
      await showConversations(params);
    } else if (path === '/usage') {
      showView('usage');
      await showUsage();
    } else if (path === '/search') {
      showView('search');
      await showSearch(params);
    } else {
      showView('dashboard');
    }
  } catch (error) {
    // A 404 (a session that is gone) or a 400 shows as the API's reason, as text.
    banner.textContent = error instanceof Error ? error.message : String(error);
    banner.hidden = false;
  } finally {
    document.body.dataset.loading = 'false';
  }
}

startDashboard();
wireSearchForm();
addEventListener('hashchange', () => void route());
void route();
