/**
 * PASCAL VOC annotation XML: read one file into 0-based inclusive boxes (VOC stores 1-based
 * pixels; py-faster-rcnn subtracts 1) and write one back. Objects are numbered from 1 in
 * messages, in file order: `Annotations/000123.xml: object 2 ("circle"): xmax 300 > width 256`.
 */
import { InputError } from '../util/errors.ts';
import type { AnnotatedObject, PixelBox } from './types.ts';
import { child, children, escapeXml, parseXml, XmlSyntaxError, type XmlElement } from './xml.ts';

export interface VocObject extends AnnotatedObject {
  pose: string;
  truncated: boolean;
}

/** One `<object>` of a file: read and checked, or the reason it is broken. */
export type ParsedVocObject =
  | { ok: true; index: number; object: VocObject }
  | { ok: false; index: number; name: string; problem: string };

export interface VocAnnotation {
  /** `<filename>`, when present. */
  filename?: string;
  /** `<size>`; 0 when the file has none (some tools omit it: read the image header then). */
  width: number;
  height: number;
  depth: number;
  objects: ParsedVocObject[];
}

/** "object 2 ("circle")": how messages name an object. */
export function objectLabel(index: number, name: string): string {
  return `object ${index} (${JSON.stringify(name)})`;
}

function numberField(el: XmlElement | undefined, field: string): number | string {
  const f = el && child(el, field);
  if (!f) return `missing <${field}>`;
  const t = f.text.trim();
  const v = Number(t);
  if (t === '' || !Number.isFinite(v)) return `<${field}> is not a number: ${JSON.stringify(t)}`;
  return v;
}

function flagField(el: XmlElement, field: string): boolean | string {
  const f = child(el, field);
  if (!f) return false;
  const t = f.text.trim();
  if (t === '' || t === '0') return false;
  if (t === '1') return true;
  return `<${field}> must be 0 or 1, got ${JSON.stringify(t)}`;
}

/** Checks a 1-based VOC box against the image; returns the problem or undefined. */
export function vocBoxProblem(b: { xmin: number; ymin: number; xmax: number; ymax: number }, width: number, height: number): string | undefined {
  if (b.xmin < 1) return `xmin ${b.xmin} < 1`;
  if (b.ymin < 1) return `ymin ${b.ymin} < 1`;
  if (width > 0 && b.xmax > width) return `xmax ${b.xmax} > width ${width}`;
  if (height > 0 && b.ymax > height) return `ymax ${b.ymax} > height ${height}`;
  // Inclusive pixels: xmin == xmax is one pixel wide; less than that is empty.
  if (b.xmax < b.xmin) return `zero-area box: xmax ${b.xmax} < xmin ${b.xmin}`;
  if (b.ymax < b.ymin) return `zero-area box: ymax ${b.ymax} < ymin ${b.ymin}`;
  return undefined;
}

function parseObject(el: XmlElement, index: number, width: number, height: number): ParsedVocObject {
  const nameEl = child(el, 'name');
  const name = nameEl?.text.trim() ?? '';
  const bad = (problem: string): ParsedVocObject => ({ ok: false, index, name, problem });
  if (!name) return bad('missing <name>');
  const bnd = child(el, 'bndbox');
  if (!bnd) return bad('missing <bndbox>');
  const coords: Record<string, number> = {};
  for (const f of ['xmin', 'ymin', 'xmax', 'ymax']) {
    const v = numberField(bnd, f);
    if (typeof v === 'string') return bad(`<bndbox> ${v}`);
    coords[f] = v;
  }
  const b = { xmin: coords.xmin, ymin: coords.ymin, xmax: coords.xmax, ymax: coords.ymax };
  const problem = vocBoxProblem(b, width, height);
  if (problem) return bad(problem);
  const difficult = flagField(el, 'difficult');
  if (typeof difficult === 'string') return bad(difficult);
  const truncated = flagField(el, 'truncated');
  if (typeof truncated === 'string') return bad(truncated);
  const box: PixelBox = [b.xmin - 1, b.ymin - 1, b.xmax - 1, b.ymax - 1];
  return { ok: true, index, object: { name, box, difficult, truncated, pose: child(el, 'pose')?.text.trim() || 'Unspecified' } };
}

/**
 * Parse a VOC annotation. A malformed file (bad XML, no `<annotation>` root, unreadable
 * `<size>`) throws an `InputError` naming `where`; broken objects come back as `ok: false`
 * so the loader decides whether to throw or skip. When `<size>` is absent width/height are 0
 * and boxes are only checked against it later (see `vocBoxProblem`).
 */
export function parseVocAnnotation(text: string, where: string): VocAnnotation {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw new InputError(`${where}:${err.line}`, `malformed XML: ${err.message.replace(/^line \d+: /, '')}`, { cause: err });
    throw err;
  }
  if (root.name !== 'annotation') throw new InputError(where, `root element is <${root.name}>, expected <annotation>`);
  let width = 0;
  let height = 0;
  let depth = 0;
  const size = child(root, 'size');
  if (size) {
    const dims: number[] = [];
    for (const f of ['width', 'height', 'depth']) {
      const v = f === 'depth' && !child(size, 'depth') ? 3 : numberField(size, f);
      if (typeof v === 'string') throw new InputError(`${where}:${size.line}`, `<size> ${v}`);
      if (!(Number.isInteger(v) && v >= 0)) throw new InputError(`${where}:${size.line}`, `<size> <${f}> must be a non-negative integer, got ${v}`);
      dims.push(v);
    }
    [width, height, depth] = dims;
  }
  const filename = child(root, 'filename')?.text.trim() || undefined;
  const objects = children(root, 'object').map((el, i) => parseObject(el, i + 1, width, height));
  return { filename, width, height, depth, objects };
}

export interface VocAnnotationOut {
  folder?: string;
  filename: string;
  width: number;
  height: number;
  depth?: number;
  /** 0-based inclusive boxes; written 1-based. */
  objects: Array<{ name: string; box: PixelBox; difficult?: boolean; truncated?: boolean; pose?: string }>;
  /** Written as `<source><database>`. */
  database?: string;
}

/** The VOC XML text of one annotation (boxes written 1-based, rounded to whole pixels). */
export function formatVocAnnotation(a: VocAnnotationOut): string {
  const lines = ['<annotation>'];
  if (a.folder) lines.push(`\t<folder>${escapeXml(a.folder)}</folder>`);
  lines.push(`\t<filename>${escapeXml(a.filename)}</filename>`);
  if (a.database) lines.push('\t<source>', `\t\t<database>${escapeXml(a.database)}</database>`, '\t</source>');
  lines.push(
    '\t<size>',
    `\t\t<width>${a.width}</width>`,
    `\t\t<height>${a.height}</height>`,
    `\t\t<depth>${a.depth ?? 3}</depth>`,
    '\t</size>',
    '\t<segmented>0</segmented>',
  );
  for (const o of a.objects) {
    const [x1, y1, x2, y2] = o.box.map((v) => Math.round(v) + 1);
    lines.push(
      '\t<object>',
      `\t\t<name>${escapeXml(o.name)}</name>`,
      `\t\t<pose>${escapeXml(o.pose ?? 'Unspecified')}</pose>`,
      `\t\t<truncated>${o.truncated ? 1 : 0}</truncated>`,
      `\t\t<difficult>${o.difficult ? 1 : 0}</difficult>`,
      '\t\t<bndbox>',
      `\t\t\t<xmin>${x1}</xmin>`,
      `\t\t\t<ymin>${y1}</ymin>`,
      `\t\t\t<xmax>${x2}</xmax>`,
      `\t\t\t<ymax>${y2}</ymax>`,
      '\t\t</bndbox>',
      '\t</object>',
    );
  }
  lines.push('</annotation>', '');
  return lines.join('\n');
}
