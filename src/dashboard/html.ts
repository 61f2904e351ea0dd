/**
 * HTML escaping and a tagged template that escapes every interpolation. Pages are built only
 * with `html\`...\``: a value is escaped unless it is already `SafeHtml` (the result of another
 * `html` template or of `raw` on markup we generated), so a sweep or class named
 * `<script>` shows as text.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
const SPECIAL = /[&<>"']/;
const SPECIALS = /[&<>"']/g;

export function escapeHtml(text: string): string {
  // Most values (ids, numbers, statuses) have nothing to escape: skip the replace.
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPES[c]) : text;
}

/** Markup that is already safe to emit. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (typeof v === 'string') return escapeHtml(v);
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) {
    let out = '';
    for (const x of v) out += render(x);
    return out;
  }
  return escapeHtml(String(v));
}

/** Template tag: literal parts are trusted, interpolations are escaped (arrays are concatenated). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** Marks generated markup (e.g. an SVG chart whose labels the chart code escaped) as safe. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Path segment escaping for links built from ids. */
export function pathSegment(id: string): string {
  return encodeURIComponent(id);
}
