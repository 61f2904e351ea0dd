/**
 * `frcnn anchors`: print the base anchors for a base size, ratios and scales, as
 * py-faster-rcnn `generate_anchors` — a quick check of an anchor sweep axis.
 */
import type { Command } from 'commander';
import { parseFloatOption, parseNumberList } from '../options.ts';
import { DEFAULT_ANCHOR_BASE_SIZE, DEFAULT_ANCHOR_RATIOS, DEFAULT_ANCHOR_SCALES, generateAnchors } from '../../detection/anchors.ts';
import { InputError, UsageError } from '../../util/errors.ts';

interface AnchorsFlags {
  baseSize: number;
  ratios: number[];
  scales: number[];
  json?: boolean;
}

/** Rows [x1, y1, x2, y2] of A·4 anchors. */
export function anchorRows(anchors: Float32Array): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < anchors.length; i += 4) rows.push(Array.from(anchors.subarray(i, i + 4)));
  return rows;
}

/** A fixed-width table: index, ratio, scale, box, width, height, area (+1 convention). */
export function formatAnchorTable(anchors: Float32Array, ratios: readonly number[], scales: readonly number[]): string {
  const header = ['#', 'ratio', 'scale', 'x1', 'y1', 'x2', 'y2', 'width', 'height', 'area'];
  const body = anchorRows(anchors).map(([x1, y1, x2, y2], i) => {
    const w = x2 - x1 + 1;
    const h = y2 - y1 + 1;
    const ratio = ratios[Math.floor(i / scales.length)];
    const scale = scales[i % scales.length];
    return [i, ratio, scale, x1, y1, x2, y2, w, h, w * h].map(String);
  });
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  const line = (cells: string[]): string => cells.map((s, c) => s.padStart(widths[c])).join('  ');
  return [line(header), ...body.map(line)].join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('anchors')
    .description('print the base anchors (py-faster-rcnn generate_anchors order: ratio-major, scale fastest)')
    .option('--base-size <px>', 'side of the square base anchor, in pixels', parseFloatOption('--base-size'), DEFAULT_ANCHOR_BASE_SIZE)
    .option('--ratios <list>', 'aspect ratios height/width, comma-separated', parseNumberList('--ratios'), [...DEFAULT_ANCHOR_RATIOS])
    .option('--scales <list>', 'scales of the base size, comma-separated', parseNumberList('--scales'), [...DEFAULT_ANCHOR_SCALES])
    .option('--json', 'print a JSON array of [x1, y1, x2, y2] rows instead of a table')
    .action((flags: AnchorsFlags) => {
      let anchors: Float32Array;
      try {
        anchors = generateAnchors(flags.baseSize, flags.ratios, flags.scales);
      } catch (err) {
        // A bad value came from a flag: report it as a usage error naming the flag.
        if (err instanceof InputError) {
          const [, name, index] = /^(\w+)(?:\[(\d+)\])?$/.exec(err.where) ?? [undefined, err.where, undefined];
          const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
          const item = index === undefined ? '' : ` (item ${Number(index) + 1})`;
          throw new UsageError(`${flag}${item}: ${err.message.slice(err.where.length + 2)}`, { cause: err });
        }
        throw err;
      }
      process.stdout.write(
        flags.json ? JSON.stringify(anchorRows(anchors)) + '\n' : formatAnchorTable(anchors, flags.ratios, flags.scales),
      );
    });
}
