import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Markup and script that would run if any of it reached the page as HTML: each sets
 * `window.__pwned` or opens a dialog. The browser test checks that none does, and that each
 * shows as the text it is.
 */
export const PAYLOADS = [
  `<script>window.__pwned = 'script'</script>`,
  `<img src=x onerror="window.__pwned = 'img'">`,
  `<a href="javascript:window.__pwned = 'link'">click me</a>`,
  `</textarea><svg onload="window.__pwned = 'svg'"></svg>`,
  `"><iframe srcdoc="<script>parent.__pwned = 'iframe'</script>"></iframe>`,
  `<details open ontoggle="alert('details')">x</details>`,
  `<style>body { display: none }</style>`,
  `</pre></code></div><body onload="alert('body')">`,
  `<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned = 'mxss'">`,
];

/** A word only this transcript has, to search for. */
export const MARKER = 'xylophonequartz';

/** The project directory's name is untrusted too (it becomes the project's `dir`). */
export const HOSTILE_PROJECT = `-tmp-<img src=x onerror=alert('project')>`;
/** The session id is the file's name: untrusted as well. */
export const HOSTILE_SESSION = `<img src=x onerror=alert('session')>`;

/** Writes a transcript that puts the payloads in every field the browser shows. */
export function writeHostileTranscript(root: string): string {
  const dir = join(root, HOSTILE_PROJECT);
  mkdirSync(dir, { recursive: true });
  const all = PAYLOADS.join('\n');
  const common = {
    sessionId: HOSTILE_SESSION,
    cwd: `/tmp/<img src=x onerror="window.__pwned = 'cwd'">`,
    gitBranch: `<script>alert('branch')</script>`,
    version: `<b onmouseover=alert(1)>2.0</b>`,
  };
  const lines = [
    {
      ...common,
      type: 'user',
      uuid: 'u1',
      parentUuid: null,
      timestamp: '2026-02-10T10:00:00.000Z',
      message: { role: 'user', content: `${MARKER} ${PAYLOADS[0]} please look at ${all}` },
    },
    {
      ...common,
      type: 'assistant',
      uuid: 'a1',
      parentUuid: 'u1',
      timestamp: '2026-02-10T10:00:01.000Z',
      message: {
        id: 'msg_hostile',
        role: 'assistant',
        model: `<img src=x onerror="window.__pwned = 'model'">`,
        content: [
          { type: 'thinking', thinking: `${MARKER} thinking ${all}` },
          { type: 'text', text: `${MARKER} reply ${all}` },
          {
            type: 'tool_use',
            id: 'toolu_hostile',
            name: `<img src=x onerror="window.__pwned = 'tool'">`,
            input: { command: all, file_path: 'javascript:alert(1)' },
          },
        ],
        usage: {
          input_tokens: 11,
          output_tokens: 22,
          cache_creation_input_tokens: 33,
          cache_read_input_tokens: 44,
        },
      },
    },
    {
      ...common,
      type: 'user',
      uuid: 'u2',
      parentUuid: 'a1',
      timestamp: '2026-02-10T10:00:02.000Z',
      message: {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_hostile', content: all, is_error: true },
        ],
      },
    },
    { type: 'summary', summary: `${MARKER} summary ${all}`, leafUuid: 'a1' },
    { ...common, type: `<svg onload=alert('type')>`, uuid: 'x1', content: all },
  ];
  const path = join(dir, `${HOSTILE_SESSION}.jsonl`);
  writeFileSync(path, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
  return path;
}
