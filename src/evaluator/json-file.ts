/** Reading JSON files with errors that name the file and, for syntax errors, the line and column. */
import { readFileSync } from 'node:fs';
import { InputError } from '../util/errors.ts';

/** Parse `text` (the contents of `path`); a syntax error names `path:line:column`. */
export function parseJsonText(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const m = /at position (\d+)/.exec(msg);
    const pos = m ? Number(m[1]) : /end of JSON input/.test(msg) ? text.length : -1;
    let where = path;
    if (pos >= 0) {
      let line = 1;
      let lineStart = 0;
      for (let i = 0; i < pos && i < text.length; i++) {
        if (text.charCodeAt(i) === 10) {
          line++;
          lineStart = i + 1;
        }
      }
      where = `${path}:${line}:${pos - lineStart + 1}`;
    }
    throw new InputError(where, `invalid JSON: ${msg}`, { cause: err });
  }
}

/** Read and parse a JSON file; errors name the file (and the place of a syntax error). */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(path, code === 'ENOENT' ? 'file not found' : (err as Error).message, { cause: err });
  }
  return parseJsonText(text, path);
}
