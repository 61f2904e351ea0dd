/** Tiny helpers for writing SVG text: escaping and number formatting. */

/** Escape text for XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A coordinate with at most 2 decimals (keeps SVG small; sub-pixel detail is invisible). */
export function px(v: number): string {
  return String(Math.round(v * 100) / 100);
}
