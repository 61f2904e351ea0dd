/**
 * A small, strict XML reader for annotation files (PASCAL VOC): elements, text, entities,
 * comments, CDATA and processing instructions; attributes are skipped. Errors name the file
 * and line. Enough for the devkit's `Annotations/*.xml`, not a general XML library.
 */
import { InputError } from '../util/errors.ts';

export interface XmlElement {
  name: string;
  children: XmlElement[];
  /** Concatenated text directly inside this element (entities decoded, not trimmed). */
  text: string;
  /** 1-based line of the start tag. */
  line: number;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string, where: () => string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) throw new InputError(where(), `unknown entity ${m}`);
    return v;
  });
}

/** Index of the `>` closing the tag that starts at `pos`, skipping quoted attribute values; -1 if none. */
function tagEnd(xml: string, pos: number): number {
  let quote = '';
  for (let i = pos; i < xml.length; i++) {
    const c = xml[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return -1;
}

/** Parse `xml` (the text of `file`) and return its root element. */
export function parseXml(xml: string, file: string): XmlElement {
  let pos = 0;
  let line = 1;
  const advanceTo = (next: number) => {
    for (let i = pos; i < next; i++) if (xml.charCodeAt(i) === 10) line++;
    pos = next;
  };
  const here = () => `${file}:${line}`;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (pos < xml.length) {
    const lt = xml.indexOf('<', pos);
    const textEnd = lt < 0 ? xml.length : lt;
    if (textEnd > pos) {
      const raw = xml.slice(pos, textEnd);
      if (stack.length > 0) stack[stack.length - 1].text += decodeEntities(raw, here);
      else if (raw.trim() !== '') throw new InputError(here(), 'text outside the root element');
      advanceTo(textEnd);
    }
    if (lt < 0) break;
    if (xml.startsWith('<!--', pos)) {
      const end = xml.indexOf('-->', pos + 4);
      if (end < 0) throw new InputError(here(), 'unterminated comment');
      advanceTo(end + 3);
    } else if (xml.startsWith('<![CDATA[', pos)) {
      const end = xml.indexOf(']]>', pos + 9);
      if (end < 0) throw new InputError(here(), 'unterminated CDATA section');
      if (stack.length === 0) throw new InputError(here(), 'CDATA outside the root element');
      stack[stack.length - 1].text += xml.slice(pos + 9, end);
      advanceTo(end + 3);
    } else if (xml.startsWith('<?', pos) || xml.startsWith('<!', pos)) {
      const end = xml.indexOf('>', pos);
      if (end < 0) throw new InputError(here(), 'unterminated declaration');
      advanceTo(end + 1);
    } else if (xml.startsWith('</', pos)) {
      const end = xml.indexOf('>', pos);
      if (end < 0) throw new InputError(here(), 'unterminated end tag');
      const name = xml.slice(pos + 2, end).trim();
      const open = stack.pop();
      if (!open) throw new InputError(here(), `end tag </${name}> without a start tag`);
      if (open.name !== name) {
        throw new InputError(here(), `end tag </${name}> does not match <${open.name}> opened on line ${open.line}`);
      }
      advanceTo(end + 1);
    } else {
      const end = tagEnd(xml, pos);
      if (end < 0) throw new InputError(here(), 'unterminated start tag');
      const body = xml.slice(pos + 1, end);
      const selfClosing = body.endsWith('/');
      const m = /^([A-Za-z_][\w.:-]*)/.exec(body);
      if (!m) throw new InputError(here(), `malformed tag <${body.slice(0, 40)}>`);
      const el: XmlElement = { name: m[1], children: [], text: '', line };
      if (stack.length > 0) stack[stack.length - 1].children.push(el);
      else if (root) throw new InputError(here(), `second root element <${el.name}>`);
      else root = el;
      if (!selfClosing) stack.push(el);
      advanceTo(end + 1);
    }
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1];
    throw new InputError(`${file}:${open.line}`, `element <${open.name}> is never closed`);
  }
  if (!root) throw new InputError(file, 'no XML element found');
  return root;
}

/** The first direct child named `name` (ElementTree's `find`). */
export function childElement(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** All direct children named `name` (ElementTree's `findall`). */
export function childElements(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}
