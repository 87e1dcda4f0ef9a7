const CODES = { red: 31, green: 32, yellow: 33, blue: 34, dim: 2, bold: 1 } as const;

export type Color = keyof typeof CODES;

/** Colours text for a terminal that wants it (a TTY, and no NO_COLOR). */
export function painter(stream: NodeJS.WriteStream): (text: string, color: Color) => string {
  const enabled = stream.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  return (text, color) => (enabled ? `\x1b[${CODES[color]}m${text}\x1b[0m` : text);
}
