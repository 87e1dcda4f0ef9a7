// @ts-check
// Building the page from untrusted text: every string becomes a text node or an attribute
// value set through the DOM, never markup. There is no innerHTML anywhere in this front end
// (and the page's Trusted Types policy would make one throw).

/** @typedef {Node | string | number | null | undefined | false} Child */

/** Attributes this builder sets; event handlers (on*) and style are not among them. */
const ATTRIBUTES = new Set([
  'class',
  'id',
  'title',
  'href',
  'type',
  'name',
  'open',
  'hidden',
  'role',
  'lang',
  'datetime',
  'aria-label',
  'aria-current',
]);

/**
 * An element with attributes and children. Strings are text, whatever they contain.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number | boolean | undefined>} [attributes]
 * @param {Child[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith('data-')) {
      element.setAttribute(name, String(value));
      continue;
    }
    if (!ATTRIBUTES.has(name)) throw new Error(`el(): attribute '${name}' is not allowed`);
    if (name === 'href') {
      element.setAttribute(name, safeHref(String(value)));
      continue;
    }
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/**
 * Appends children: nodes as they are, strings and numbers as text nodes.
 * @param {Node} parent
 * @param {Child[]} children
 */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces an element's children.
 * @param {Element} parent
 * @param {Child[]} children
 */
export function fill(parent, children) {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * Links only go within this app: a hash route or a path on this origin. Anything else
 * (`javascript:`, `data:`, another site) becomes a dead link.
 * @param {string} href
 */
export function safeHref(href) {
  return href.startsWith('#') || (href.startsWith('/') && !href.startsWith('//')) ? href : '#';
}

/**
 * The element with this id, which the page is known to have.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @returns {T}
 */
export function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return /** @type {T} */ (element);
}
