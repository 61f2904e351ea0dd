/**
 * A small, strict XML reader for annotation files (PASCAL VOC): elements, attributes, text,
 * the five named entities and character references, comments, CDATA, prolog and doctype.
 * No namespaces or DTD processing — annotation files use neither. Errors carry line numbers.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text directly inside this element (not its children's), entities decoded. */
  text: string;
  /** 1-based line of the start tag. */
  line: number;
}

/** A syntax error at a 1-based line; callers wrap it in an `InputError` naming the file. */
export class XmlSyntaxError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'XmlSyntaxError';
    this.line = line;
  }
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME_RE = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;

export function parseXml(text: string): XmlElement {
  let pos = 0;
  let line = 1;
  const len = text.length;

  const advanceTo = (to: number) => {
    for (let i = pos; i < to; i++) if (text.charCodeAt(i) === 10) line++;
    pos = to;
  };
  const fail = (message: string): never => {
    throw new XmlSyntaxError(line, message);
  };
  const skipUntil = (terminator: string, what: string) => {
    const end = text.indexOf(terminator, pos);
    if (end < 0) fail(`unterminated ${what}`);
    advanceTo(end + terminator.length);
  };
  const decode = (raw: string): string =>
    raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);|&/g, (m, ref: string | undefined) => {
      if (ref === undefined) fail('bare "&" (write &amp;)');
      else if (ref[0] === '#') {
        const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        if (!(code >= 0 && code <= 0x10ffff)) fail(`bad character reference ${m}`);
        return String.fromCodePoint(code);
      } else if (ref in NAMED_ENTITIES) return NAMED_ENTITIES[ref];
      else fail(`unknown entity ${m}`);
      return m;
    });
  const readName = (): string => {
    NAME_RE.lastIndex = pos;
    const m = NAME_RE.exec(text);
    if (!m) fail(`expected a name, found ${JSON.stringify(text.slice(pos, pos + 10))}`);
    advanceTo(pos + m![0].length);
    return m![0];
  };
  const skipSpace = () => {
    let p = pos;
    while (p < len && /\s/.test(text[p])) p++;
    advanceTo(p);
  };
  /** Skips comments, processing instructions and doctype outside the root; true when it skipped. */
  const skipMisc = (): boolean => {
    if (text.startsWith('<!--', pos)) skipUntil('-->', 'comment');
    else if (text.startsWith('<?', pos)) skipUntil('?>', 'processing instruction');
    else if (text.startsWith('<!DOCTYPE', pos)) skipUntil('>', 'doctype');
    else return false;
    return true;
  };

  const parseElement = (): XmlElement => {
    const startLine = line;
    advanceTo(pos + 1); // '<'
    const name = readName();
    const attrs: Record<string, string> = {};
    for (;;) {
      skipSpace();
      if (text.startsWith('/>', pos)) {
        advanceTo(pos + 2);
        return { name, attrs, children: [], text: '', line: startLine };
      }
      if (text[pos] === '>') {
        advanceTo(pos + 1);
        break;
      }
      if (pos >= len) fail(`unterminated start tag <${name}>`);
      const attr = readName();
      skipSpace();
      if (text[pos] !== '=') fail(`attribute ${attr} of <${name}> has no value`);
      advanceTo(pos + 1);
      skipSpace();
      const q = text[pos];
      if (q !== '"' && q !== "'") fail(`attribute ${attr} of <${name}> must be quoted`);
      const end = text.indexOf(q, pos + 1);
      if (end < 0) fail(`unterminated attribute ${attr} of <${name}>`);
      attrs[attr] = decode(text.slice(pos + 1, end));
      advanceTo(end + 1);
    }
    const el: XmlElement = { name, attrs, children: [], text: '', line: startLine };
    for (;;) {
      if (pos >= len) fail(`<${name}> (line ${startLine}) is never closed`);
      const lt = text.indexOf('<', pos);
      if (lt < 0) advanceTo(len);
      else if (lt > pos) {
        el.text += decode(text.slice(pos, lt));
        advanceTo(lt);
      } else if (text.startsWith('</', pos)) {
        advanceTo(pos + 2);
        const close = readName();
        if (close !== name) fail(`</${close}> closes <${name}> (line ${startLine})`);
        skipSpace();
        if (text[pos] !== '>') fail(`malformed end tag </${close}`);
        advanceTo(pos + 1);
        return el;
      } else if (text.startsWith('<![CDATA[', pos)) {
        const end = text.indexOf(']]>', pos);
        if (end < 0) fail('unterminated CDATA section');
        el.text += text.slice(pos + 9, end);
        advanceTo(end + 3);
      } else if (!skipMisc()) {
        el.children.push(parseElement());
      }
    }
  };

  if (text.charCodeAt(0) === 0xfeff) pos = 1; // byte-order mark
  for (;;) {
    skipSpace();
    if (pos >= len) fail('no root element');
    if (!skipMisc()) break;
  }
  if (text[pos] !== '<') fail(`expected "<", found ${JSON.stringify(text.slice(pos, pos + 10))}`);
  const root = parseElement();
  for (;;) {
    skipSpace();
    if (pos >= len) return root;
    if (!skipMisc()) fail(`content after the root element </${root.name}>`);
  }
}

/** The first child element called `name`, if any. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** Every child element called `name`. */
export function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** Escape text for element content or a double-quoted attribute. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
