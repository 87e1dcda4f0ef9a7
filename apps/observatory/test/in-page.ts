// Code the browser tests run inside the page. It is kept as source text: this package's
// tsconfig describes Node and Bun (no DOM), and the page's own scripts are checked apart.

/** Reports each Content-Security-Policy violation to the test (through an exposed function). */
export const REPORT_CSP_VIOLATIONS = `
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolation(event.violatedDirective + ' ' + event.blockedURI + ' at ' +
      event.sourceFile + ':' + event.lineNumber);
  });
`;

/** The ingestion chart's pixels, to tell that it was redrawn with new data. */
export const INGEST_CHART_PIXELS = `document.querySelector('#chart-ingest canvas').toDataURL()`;

export interface PageInspection {
  pwned: unknown;
  scripts: (string | null)[];
  handlers: string[];
  foreign: number;
  links: string[];
  text: string;
  head: string;
  display: string;
}

/** What a hostile transcript could have changed, if any of it had been taken as markup. */
export const INSPECT_PAGE = `(() => ({
  pwned: window.__pwned,
  scripts: [...document.scripts].map((s) => s.getAttribute('src')),
  handlers: [...document.querySelectorAll('*')].flatMap((e) =>
    e.getAttributeNames().filter((name) => name.startsWith('on'))),
  foreign: document.querySelectorAll('main img, main svg, main iframe, main style, main math').length,
  links: [...document.querySelectorAll('a')].map((a) => a.getAttribute('href') || ''),
  text: document.querySelector('#view-session').textContent,
  head: document.querySelector('#session-head').textContent,
  display: getComputedStyle(document.body).display,
}))()`;
