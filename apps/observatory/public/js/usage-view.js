// @ts-check
// The Usage page: tokens and cost by day and model (stacked), the active 5-hour block, the
// costliest sessions, and what the archive holds. Every number comes from the API's reports,
// which count each API call once however many lines and sessions repeat it.

import { getJson } from './api.js';
import { sessionHref } from './conversations.js';
import { byId, el, fill } from './dom.js';
import { count, when } from './format.js';
import { MODEL_COLOURS, stackedBars } from './stacked-bars.js';

/** @typedef {import('./types').DailyReport} DailyReport */
/** @typedef {import('./types').SessionReport} SessionReport */
/** @typedef {import('./types').BlocksReport} BlocksReport */
/** @typedef {import('./types').IngestResponse} IngestResponse */
/** @typedef {import('./types').UsageTotals} UsageTotals */

const COSTLIEST = 10;

/** @param {number | null} cost */
export function dollars(cost) {
  return cost === null ? 'unpriced' : `$${cost.toFixed(2)}`;
}

/** @param {UsageTotals} totals */
function costNote(totals) {
  return totals.unpricedModels.length === 0
    ? ''
    : ` (+${count(totals.unpricedTokens)} tokens of ${totals.unpricedModels.join(', ')} without a price)`;
}

export async function showUsage() {
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const [daily, sessions, blocks, ingest] = await Promise.all([
    getJson('/api/usage/daily', { timezone }).then((r) => /** @type {DailyReport} */ (r)),
    getJson('/api/usage/session', { timezone }).then((r) => /** @type {SessionReport} */ (r)),
    getJson('/api/usage/blocks', { timezone }).then((r) => /** @type {BlocksReport} */ (r)),
    getJson('/api/ingest', { errors: 0 }).then((r) => /** @type {IngestResponse} */ (r)),
  ]);

  const { totals } = daily;
  fill(byId('usage-cards'), [
    card('usage-tokens', 'tokens', count(totals.totalTokens)),
    card('usage-cost', 'cost', dollars(totals.totalCost)),
    card('usage-calls', 'API calls', count(totals.calls)),
    card('usage-folded', 'copies folded', count(ingest.foldedUsageLines)),
    card('usage-archived', 'sessions only in the archive', count(ingest.archivedSessions)),
  ]);
  const notes = [
    `Mode ${daily.mode}, days in ${daily.timezone}; prices of ${daily.priceTable.version} (${daily.priceTable.source}).${costNote(totals)}`,
  ];
  if (ingest.retention?.warning) notes.push(ingest.retention.warning);
  fill(
    byId('usage-notes'),
    notes.map((note, i) => el('p', { class: i === 0 ? 'note' : 'warning' }, note)),
  );

  const models = [...new Set(daily.daily.flatMap((row) => row.modelsUsed))].sort();
  fill(
    byId('usage-legend'),
    models.map((model, i) =>
      el('span', { class: 'key', 'data-colour': MODEL_COLOURS[i % MODEL_COLOURS.length] }, model),
    ),
  );
  for (const key of byId('usage-legend').querySelectorAll('[data-colour]'))
    if (key instanceof HTMLElement) key.style.borderColor = key.dataset.colour ?? '';
  const days = daily.daily.map((row) => ({ row, label: row.period }));
  stackedBars(
    byId('usage-tokens-chart'),
    days.map(({ row, label }) => ({
      label,
      parts: row.modelBreakdowns.map((m) => ({
        key: m.modelName,
        value: m.inputTokens + m.outputTokens + m.cacheCreationTokens + m.cacheReadTokens,
      })),
    })),
    models,
    count,
  );
  stackedBars(
    byId('usage-cost-chart'),
    days.map(({ row, label }) => ({
      label,
      parts: row.modelBreakdowns.map((m) => ({ key: m.modelName, value: m.cost ?? 0 })),
    })),
    models,
    (value) => `$${value.toFixed(2)}`,
  );

  const active = blocks.blocks.find((block) => block.isActive);
  fill(
    byId('usage-block'),
    active === undefined
      ? [
          el(
            'p',
            { class: 'none' },
            'No active 5-hour block: nothing was used in the last five hours.',
          ),
        ]
      : [
          el('p', {}, `${when(active.startTime)} – ${when(active.endTime)}`),
          el(
            'p',
            { id: 'usage-block-totals' },
            `${count(active.totalTokens)} tokens · ${dollars(active.totalCost)} · ${count(active.entries)} calls`,
          ),
          active.burnRate &&
            el(
              'p',
              { id: 'usage-burn' },
              `burn rate ${count(Math.round(active.burnRate.tokensPerMinute))} tokens/min` +
                (active.burnRate.costPerHour === null
                  ? ''
                  : ` · ${dollars(active.burnRate.costPerHour)}/h`),
            ),
          active.projection &&
            el(
              'p',
              { id: 'usage-projection' },
              `projected ${count(active.projection.totalTokens)} tokens · ${dollars(active.projection.totalCost)} by the end, ${active.projection.remainingMinutes} min left`,
            ),
        ],
  );

  const costliest = [...sessions.sessions]
    .sort((a, b) => (b.totalCost ?? -1) - (a.totalCost ?? -1))
    .slice(0, COSTLIEST);
  fill(
    byId('usage-sessions'),
    costliest.map((s) =>
      el(
        'tr',
        { 'data-session': s.sessionId },
        el('td', {}, el('a', { href: sessionHref(s.sessionId) }, s.sessionId)),
        el('td', {}, s.projectPath),
        el('td', { class: 'num' }, count(s.totalTokens)),
        el('td', { class: 'num' }, dollars(s.totalCost)),
        el('td', {}, s.modelsUsed.join(', ')),
      ),
    ),
  );
}

/**
 * @param {string} id
 * @param {string} label
 * @param {string} value
 */
function card(id, label, value) {
  return el(
    'div',
    { class: 'card' },
    el('span', { class: 'label' }, label),
    el('strong', { id }, value),
  );
}
