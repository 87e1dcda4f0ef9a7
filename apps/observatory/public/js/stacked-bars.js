// @ts-check
// A stacked bar chart drawn as SVG through the DOM (no markup strings): one bar per day, one
// segment per model, each with a <title> the browser shows on hover.

const SVG = 'http://www.w3.org/2000/svg';
/** One colour per model, in the order the models first appear. */
export const MODEL_COLOURS = ['#5b8def', '#f0a03c', '#47b881', '#c86bd6', '#e5534b', '#8a94a6'];

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 * @returns {SVGElement}
 */
function svg(tag, attributes) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/**
 * @typedef {object} Stack
 * @property {string} label the bar's label (a day)
 * @property {{ key: string, value: number }[]} parts
 */

/**
 * Draws `stacks` into `container`, replacing what was there.
 * @param {HTMLElement} container
 * @param {Stack[]} stacks
 * @param {string[]} keys every key, in colour order
 * @param {(value: number) => string} format
 */
export function stackedBars(container, stacks, keys, format) {
  const width = Math.max(320, container.clientWidth || 640);
  const height = 200;
  const pad = { left: 8, right: 8, top: 8, bottom: 22 };
  const max = Math.max(1e-9, ...stacks.map((s) => s.parts.reduce((sum, p) => sum + p.value, 0)));
  const slot = (width - pad.left - pad.right) / Math.max(1, stacks.length);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img' });
  stacks.forEach((stack, index) => {
    let y = height - pad.bottom;
    const x = pad.left + index * slot + slot * 0.1;
    for (const part of stack.parts) {
      if (part.value <= 0) continue;
      const h = (part.value / max) * (height - pad.top - pad.bottom);
      y -= h;
      const rect = svg('rect', {
        x: x.toFixed(1),
        y: y.toFixed(1),
        width: Math.max(1, slot * 0.8).toFixed(1),
        height: Math.max(0.5, h).toFixed(1),
        fill: MODEL_COLOURS[keys.indexOf(part.key) % MODEL_COLOURS.length] ?? '#8a94a6',
        'data-key': part.key,
        'data-label': stack.label,
      });
      const title = svg('title', {});
      title.textContent = `${stack.label} · ${part.key}: ${format(part.value)}`;
      rect.appendChild(title);
      chart.appendChild(rect);
    }
    if (index % Math.ceil(stacks.length / 8) === 0) {
      const text = svg('text', { x: x.toFixed(1), y: height - 6, class: 'tick' });
      text.textContent = stack.label.slice(5);
      chart.appendChild(text);
    }
  });
  container.replaceChildren(chart);
  container.dataset.bars = String(stacks.length);
}
