/** A summary of a loaded dataset: images and objects per split and class (`frcnn dataset info`). */
import type { DetectionDataset } from './types.ts';

export interface SplitSummary {
  images: number;
  /** Images without any object. */
  empty: number;
  objects: number;
  /** Per class: objects (difficult and crowd included), and how many of those are difficult / crowd. */
  perClass: Record<string, { objects: number; difficult: number; crowd: number; images: number }>;
}

export interface DatasetSummary {
  source: string;
  classes: string[];
  splits: Record<string, SplitSummary>;
}

export function summarizeDataset(ds: DetectionDataset, splits: readonly string[]): DatasetSummary {
  const out: DatasetSummary = { source: ds.source, classes: [...ds.classes], splits: {} };
  for (const s of splits) {
    const entries = ds.split(s);
    const perClass: SplitSummary['perClass'] = Object.fromEntries(ds.classes.map((c) => [c, { objects: 0, difficult: 0, crowd: 0, images: 0 }]));
    let objects = 0;
    let empty = 0;
    for (const e of entries) {
      if (e.objects.length === 0) empty++;
      const seen = new Set<string>();
      for (const o of e.objects) {
        const pc = (perClass[o.name] ??= { objects: 0, difficult: 0, crowd: 0, images: 0 });
        pc.objects++;
        if (o.difficult) pc.difficult++;
        if (o.crowd) pc.crowd++;
        if (!seen.has(o.name)) pc.images++;
        seen.add(o.name);
        objects++;
      }
    }
    out.splits[s] = { images: entries.length, empty, objects, perClass };
  }
  return out;
}

/** Plain-text tables of a summary. */
export function formatDatasetSummary(sum: DatasetSummary): string {
  const lines = [`source: ${sum.source}`, `classes (${sum.classes.length}): ${sum.classes.join(', ')}`];
  for (const [name, s] of Object.entries(sum.splits)) {
    lines.push('', `split ${name}: ${s.images} images (${s.empty} without objects), ${s.objects} objects`);
    const header = ['class', 'objects', 'images', 'difficult', 'crowd'];
    const rows = Object.entries(s.perClass).map(([c, v]) => [c, v.objects, v.images, v.difficult, v.crowd].map(String));
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (r: string[]) => '  ' + r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
    lines.push(fmt(header), ...rows.map(fmt));
  }
  return lines.join('\n') + '\n';
}
