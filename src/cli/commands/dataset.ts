/**
 * `frcnn dataset`: generate the shapes dataset as a VOC tree, and summarise a VOC tree or a
 * COCO annotation file. (Uploading a dataset to the object store belongs here too, later.)
 */
import type { Command } from 'commander';
import { stat, writeFile } from 'node:fs/promises';
import { parseIntOption } from '../options.ts';
import { UsageError } from '../../util/errors.ts';
import type { DetectionDataset } from '../../data/types.ts';

interface ShapesFlags {
  out: string;
  train: number;
  test: number;
  size: number;
  width?: number;
  height?: number;
  seed: number;
  format: string;
  quality: number;
  objects?: [number, number];
  sides?: [number, number];
  noise?: [number, number];
  json?: boolean;
}

interface PreviewFlags {
  out: string;
  images?: string;
  split?: string;
  count: number;
  cols: number;
  tile: number;
}

interface InfoFlags {
  images?: string;
  split?: string[];
  skipBroken?: boolean;
  json?: boolean;
}

/** "A-B" (or "A") → [A, B], numbers, A <= B. */
function parseRange(flag: string, integer: boolean): (v: string) => [number, number] {
  return (v) => {
    const parts = v.split('-').map((p) => Number(p.trim()));
    const [a, b] = parts.length === 1 ? [parts[0], parts[0]] : parts;
    if (parts.length > 2 || !Number.isFinite(a) || !Number.isFinite(b) || a > b || (integer && !(Number.isInteger(a) && Number.isInteger(b)))) {
      throw new UsageError(`${flag}: expected a range like 1-4 (low <= high${integer ? ', integers' : ''}), got ${JSON.stringify(v)}`);
    }
    return [a, b];
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A VOC tree (directory) or a COCO annotation file with its image directory. */
async function openDataset(
  path: string,
  opts: { images?: string; splits?: string[]; onBroken: 'error' | 'skip'; progress?: boolean },
): Promise<DetectionDataset & { splits: readonly string[]; skipped: readonly unknown[] }> {
  const { loadVocDataset, loadCocoDataset } = await import('../../data/index.ts');
  const isDir = await stat(path).then(
    (s) => s.isDirectory(),
    () => {
      throw new UsageError(`<path>: ${path} does not exist`);
    },
  );
  if (isDir) return loadVocDataset(path, { onBroken: opts.onBroken, splits: opts.splits, progress: opts.progress });
  if (!opts.images) throw new UsageError('--images <dir> is required with a COCO annotation file');
  return loadCocoDataset(path, opts.images, { onBroken: opts.onBroken });
}

export function register(program: Command): void {
  const dataset = program.command('dataset').description('generate and inspect detection datasets (PASCAL VOC trees, COCO files)');

  dataset
    .command('shapes')
    .description('write the generated shapes dataset (circle, square, triangle, cross) as a PASCAL VOC tree')
    .requiredOption('--out <dir>', 'output directory (new, empty, or a previous shapes tree to replace)')
    .option('--train <n>', 'training images', parseIntOption('--train'), 500)
    .option('--test <n>', 'test images', parseIntOption('--test'), 100)
    .option('--size <px>', 'image side in pixels (square images)', parseIntOption('--size'), 256)
    .option('--width <px>', 'image width, for non-square images (overrides --size)', parseIntOption('--width'))
    .option('--height <px>', 'image height, for non-square images (overrides --size)', parseIntOption('--height'))
    .option('--seed <s>', 'random seed: the same seed and options give the same files', parseIntOption('--seed'), 1)
    .option('--format <fmt>', 'image format: jpg or png', 'jpg')
    .option('--quality <q>', 'JPEG quality, 1..100', parseIntOption('--quality'), 90)
    .option('--objects <min-max>', 'objects per image (default 1-4)', parseRange('--objects', true))
    .option('--sides <min-max>', 'object size in pixels, sqrt(width × height) (default 24-128 at 256 px, scaled with the image)', parseRange('--sides', true))
    .option('--noise <min-max>', 'pixel noise standard deviation, 0..255 scale (default 3-14)', parseRange('--noise', false))
    .option('--json', 'print the summary as JSON')
    .action(async (flags: ShapesFlags) => {
      if (flags.format !== 'jpg' && flags.format !== 'png') throw new UsageError(`--format: expected jpg or png, got ${JSON.stringify(flags.format)}`);
      const { generateShapesDataset } = await import('../../data/shapes-dataset.ts');
      const started = performance.now();
      let result;
      try {
        result = await generateShapesDataset({
          out: flags.out,
          train: flags.train,
          test: flags.test,
          size: flags.size,
          width: flags.width,
          height: flags.height,
          seed: flags.seed,
          format: flags.format,
          quality: flags.quality,
          render: {
            ...(flags.objects ? { minObjects: flags.objects[0], maxObjects: flags.objects[1] } : {}),
            ...(flags.sides ? { minSide: flags.sides[0], maxSide: flags.sides[1] } : {}),
            ...(flags.noise ? { minNoise: flags.noise[0], maxNoise: flags.noise[1] } : {}),
          },
          progress: true,
        });
      } catch (err) {
        // The generator checks its options with RangeErrors; here they came from flags.
        if (err instanceof RangeError) throw new UsageError(err.message.replace(/^generateShapesDataset: /, '--'), { cause: err });
        throw err;
      }
      const seconds = (performance.now() - started) / 1000;
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ ...result, seconds })}\n`);
        return;
      }
      const objects = Object.entries(result.objects)
        .map(([c, n]) => `${c} ${n}`)
        .join(', ');
      process.stdout.write(
        `wrote ${result.root}: ${result.counts.train} train + ${result.counts.test} test images in ${seconds.toFixed(1)} s\n` +
          `classes: ${result.classes.join(', ')}\nobjects: ${objects}\n`,
      );
    });

  dataset
    .command('info')
    .description('summarise a dataset: classes, images per split, objects per class (VOC tree, or COCO JSON with --images)')
    .argument('<path>', 'a VOC tree (directory with ImageSets/Main) or a COCO annotation file')
    .option('--images <dir>', 'image directory of a COCO annotation file')
    .option('--split <name>', 'only this split (repeatable); default: all', collect)
    .option('--skip-broken', 'skip broken objects and images with a warning instead of failing')
    .option('--json', 'print the summary as JSON')
    .action(async (path: string, flags: InfoFlags) => {
      const { summarizeDataset, formatDatasetSummary, datasetDigest } = await import('../../data/index.ts');
      const ds = await openDataset(path, { images: flags.images, splits: flags.split, onBroken: flags.skipBroken ? 'skip' : 'error', progress: true });
      const splits = flags.split ?? ds.splits;
      const summary = summarizeDataset(ds, splits);
      const skipped = ds.skipped.length;
      const digest = await datasetDigest(ds, splits);
      if (flags.json) process.stdout.write(`${JSON.stringify({ ...summary, skipped, digest })}\n`);
      else {
        process.stdout.write(
          formatDatasetSummary(summary) + `\ndigest: ${digest} (annotations of the listed splits)\n` + (skipped ? `skipped: ${skipped} broken objects/images (see the warnings)\n` : ''),
        );
      }
    });

  dataset
    .command('preview')
    .description('draw dataset images with their boxes (one colour per class) into a PNG contact sheet')
    .argument('<path>', 'a VOC tree (directory with ImageSets/Main) or a COCO annotation file')
    .requiredOption('--out <file>', 'PNG file to write')
    .option('--images <dir>', 'image directory of a COCO annotation file')
    .option('--split <name>', 'split to draw from (default: train, else the first split)')
    .option('--count <n>', 'images to draw (the first of the split)', parseIntOption('--count'), 12)
    .option('--cols <n>', 'images per row', parseIntOption('--cols'), 4)
    .option('--tile <px>', 'tile side in pixels', parseIntOption('--tile'), 256)
    .action(async (path: string, flags: PreviewFlags) => {
      if (flags.count < 1 || flags.cols < 1 || flags.tile < 8) throw new UsageError('--count and --cols must be >= 1, --tile >= 8');
      const { renderContactSheet, encodeImage, CLASS_COLOURS } = await import('../../data/index.ts');
      const ds = await openDataset(path, { images: flags.images, onBroken: 'error', splits: flags.split ? [flags.split] : undefined });
      const split = flags.split ?? (ds.splits.includes('train') ? 'train' : ds.splits[0]);
      const entries = ds.split(split).slice(0, flags.count);
      const sheet = await renderContactSheet(entries, ds.classes, { cols: flags.cols, tile: flags.tile });
      await writeFile(flags.out, encodeImage(sheet, 'png'));
      const legend = ds.classes.map((c, i) => `${c} rgb(${CLASS_COLOURS[i % CLASS_COLOURS.length].join(',')})`).join(', ');
      process.stdout.write(`wrote ${flags.out}: ${entries.length} images of split ${split}, ${sheet.width}x${sheet.height}\nclasses: ${legend}\n`);
    });

  dataset
    .command('to-coco')
    .description('write one split as COCO ground-truth JSON (for pycocotools and other COCO tools)')
    .argument('<path>', 'a VOC tree (directory with ImageSets/Main) or a COCO annotation file')
    .requiredOption('--split <name>', 'split to export')
    .requiredOption('--out <file>', 'JSON file to write')
    .option('--images <dir>', 'image directory of a COCO annotation file')
    .action(async (path: string, flags: { split: string; out: string; images?: string }) => {
      const { toCocoGroundTruth } = await import('../../data/index.ts');
      const ds = await openDataset(path, { images: flags.images, onBroken: 'error', splits: [flags.split] });
      const { json } = toCocoGroundTruth(ds, flags.split);
      await writeFile(flags.out, JSON.stringify(json));
      process.stdout.write(`wrote ${flags.out}: ${json.images.length} images, ${json.annotations.length} annotations, ${json.categories.length} categories\n`);
    });
}
