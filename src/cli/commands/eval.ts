/**
 * `frcnn eval`: score detections the way the reference tools do — `eval coco` (pycocotools
 * COCOeval, bbox), `eval voc` (py-faster-rcnn voc_eval, VOC07 11-point and all-point AP),
 * `eval detections` (the pipeline's binary detections against either) — and proposals
 * (`eval proposals`, recall at IoU thresholds and average recall).
 */
import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFloatOption, parseNumberList } from '../options.ts';
import { InputError, UsageError } from '../../util/errors.ts';
import type { EvalReport, ReportInput } from '../../evaluator/report.ts';

interface CocoFlags {
  gt: string;
  dt: string;
  json?: boolean;
  report?: string;
  strict?: boolean;
}

interface VocFlags {
  devkit: string;
  imageset: string;
  dets: string;
  ovthresh: number;
  json?: boolean;
  report?: string;
}

interface ProposalFlags {
  proposals: string;
  devkit?: string;
  imageset?: string;
  gt?: string;
  top: number[];
  json?: boolean;
  report?: string;
}

/** Write `<dir>/report.json` and `<dir>/report.html`; say where on stderr. */
async function writeReport(dir: string, input: ReportInput, inputs: Record<string, string>): Promise<EvalReport> {
  const { buildReport } = await import('../../evaluator/report.ts');
  const { json, html } = buildReport(input, { inputs });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'report.json'), JSON.stringify(json, null, 1) + '\n');
  await writeFile(join(dir, 'report.html'), html);
  process.stderr.write(`report: ${join(dir, 'report.html')}\n`);
  return json;
}

interface DetectionsFlags {
  boxes: string;
  devkit?: string;
  imageset?: string;
  gt?: string;
  classes?: string[];
  ovthresh: number;
  json?: boolean;
  report?: string;
}

type VocResult = import('../../evaluator/voc-eval.ts').VocResult;
type CocoResult = import('../../evaluator/coco-eval.ts').CocoResult;

async function printVoc(res: VocResult, json: boolean | undefined): Promise<void> {
  const noGt = res.classes.filter((c) => c.npos === 0).map((c) => c.name);
  if (noGt.length > 0) warn(`no non-difficult ground truth for ${noGt.join(', ')}: AP undefined (null), left out of the mean`);
  if (json) {
    const classes = Object.fromEntries(res.classes.map((c) => [c.name, { ap07: c.ap07, ap: c.ap, npos: c.npos }]));
    process.stdout.write(JSON.stringify({ classes, mAP07: res.mAP07, mAP: res.mAP }) + '\n');
    return;
  }
  const { formatFixed } = await import('../../evaluator/format.ts');
  const f = (v: number) => (Number.isFinite(v) ? formatFixed(v, 4) : '-');
  const rows = [['class', 'npos', 'ndet', 'AP07', 'AP'], ...res.classes.map((c) => [c.name, String(c.npos), String(c.ndet), f(c.ap07), f(c.ap)])];
  rows.push(['mean', '', '', f(res.mAP07), f(res.mAP)]);
  process.stdout.write(padTable(rows));
}

async function printCoco(res: CocoResult, counts: { images: number; annotations: number; detections: number }, json: boolean | undefined): Promise<void> {
  const { formatCocoSummary, perCategoryAp } = await import('../../evaluator/coco-eval.ts');
  if (!json) {
    process.stdout.write(formatCocoSummary(res) + '\n');
    return;
  }
  const { COCO_STAT_NAMES } = await import('../../evaluator/report.ts');
  const ap = perCategoryAp(res);
  const out = {
    stats: res.stats,
    statNames: COCO_STAT_NAMES,
    ...counts,
    categories: res.categoryNames.map((name, k) => ({ id: res.categoryIds[k], name, ap: ap[k] })),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

/**
 * The model's class order for a devkit: --classes, else `dataset.json`'s classes, else the 20
 * VOC classes when every name is one of them, else the sorted names — the data loader's rule.
 */
async function devkitClasses(devkit: string, found: readonly string[], given?: string[]): Promise<string[]> {
  if (given) return given;
  const { DATASET_META_FILE, VOC_CLASSES } = await import('../../data/voc.ts');
  const { existsSync } = await import('node:fs');
  const meta = join(devkit, DATASET_META_FILE);
  if (existsSync(meta)) {
    const { readJsonFile } = await import('../../evaluator/coco-data.ts');
    const doc = readJsonFile(meta) as { classes?: unknown };
    if (Array.isArray(doc.classes) && doc.classes.every((c) => typeof c === 'string')) return doc.classes as string[];
  }
  return found.every((n) => VOC_CLASSES.includes(n)) ? [...VOC_CLASSES] : [...found].sort();
}

function warn(message: string): void {
  process.stderr.write(`frcnn: warning: ${message}\n`);
}

function padTable(rows: string[][], leftCols = 1): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((s, c) => (c < leftCols ? s.padEnd(widths[c]) : s.padStart(widths[c]))).join('  ')).join('\n') + '\n';
}

export function register(program: Command): void {
  const evalCmd = program
    .command('eval')
    .description('evaluate detections (COCO bbox, PASCAL VOC) or proposals (recall) as the reference tools do');

  evalCmd
    .command('coco')
    .description("COCO bbox evaluation, equal to pycocotools' COCOeval: the 12 summary numbers")
    .requiredOption('--gt <file>', 'ground truth in COCO instances JSON (images, annotations, categories)')
    .requiredOption('--dt <file>', 'results JSON: [{image_id, category_id, bbox: [x, y, w, h], score}]')
    .option('--json', 'print one JSON object {stats: [12 numbers, full precision], ...} instead of the summary lines')
    .option('--report <dir>', 'also write report.json and report.html into this directory')
    .option('--strict', 'refuse results whose category is not in the ground truth (pycocotools silently ignores them)')
    .action(async (flags: CocoFlags) => {
      const { readCocoGroundTruth, readCocoResults } = await import('../../evaluator/coco-data.ts');
      const { evaluateCoco } = await import('../../evaluator/coco-eval.ts');
      const gt = readCocoGroundTruth(flags.gt);
      const dt = readCocoResults(flags.dt, gt);
      if (gt.skipped > 0) warn(`${flags.gt}: ${gt.skipped} annotations on images or categories not listed in the file are left out (as pycocotools does)`);
      if (dt.skippedUnknownCategory > 0) {
        const msg = `${flags.dt}: ${dt.skippedUnknownCategory} results name a category_id not in ${flags.gt}`;
        if (flags.strict) throw new InputError(flags.dt, msg.slice(flags.dt.length + 2));
        warn(`${msg}; ignored as pycocotools does (--strict refuses them)`);
      }
      const res = evaluateCoco(gt, dt, { progress: dt.image.length > 100_000 });
      if (flags.report) await writeReport(flags.report, { kind: 'coco', result: res }, { gt: flags.gt, dt: flags.dt });
      await printCoco(res, { images: gt.imageIds.length, annotations: gt.image.length, detections: dt.image.length }, flags.json);
    });

  evalCmd
    .command('voc')
    .description("PASCAL VOC AP as py-faster-rcnn's voc_eval: VOC07 11-point and VOC2010+ all-point, per class and mean")
    .requiredOption('--devkit <dir>', 'VOC tree holding Annotations/*.xml and ImageSets/Main/<imageset>.txt')
    .requiredOption('--imageset <name>', 'image set name, e.g. test')
    .requiredOption('--dets <dir>', 'directory of comp4_det_<imageset>_<class>.txt files (<image> <score> <x1> <y1> <x2> <y2>)')
    .option('--ovthresh <iou>', 'IoU a detection must exceed to match', parseFloatOption('--ovthresh'), 0.5)
    .option('--json', 'print {"classes": {name: {ap07, ap, npos}}, "mAP07", "mAP"} instead of a table')
    .option('--report <dir>', 'also write report.json and report.html into this directory')
    .action(async (flags: VocFlags) => {
      if (!(flags.ovthresh >= 0 && flags.ovthresh < 1)) throw new UsageError(`--ovthresh: expected a value in [0, 1), got ${flags.ovthresh}`);
      const { readVocDevkit, readVocDetections } = await import('../../evaluator/voc-devkit.ts');
      const { evaluateVoc } = await import('../../evaluator/voc-eval.ts');
      const gt = readVocDevkit(flags.devkit, flags.imageset, { progress: true });
      const dets = readVocDetections(flags.dets, flags.imageset, gt);
      const res = evaluateVoc(gt, dets, { ovthresh: flags.ovthresh });
      if (flags.report) {
        await writeReport(flags.report, { kind: 'voc', result: res }, { devkit: flags.devkit, imageset: flags.imageset, dets: flags.dets });
      }
      await printVoc(res, flags.json);
    });

  evalCmd
    .command('detections')
    .description("score the pipeline's detections (binary boxes file) against a VOC tree (voc_eval AP) or a COCO file (COCOeval)")
    .requiredOption('--boxes <dir>', 'detections boxes directory (index.bin + shards): 0-based x1 y1 x2 y2, labels 1..K')
    .option('--devkit <dir>', 'VOC tree (with --imageset): VOC AP; boxes are shifted to its 1-based pixels as py-faster-rcnn writes them')
    .option('--imageset <name>', 'VOC image set name, e.g. test')
    .option('--gt <file>', 'COCO instances JSON instead: COCO bbox stats; label k is the k-th category by ascending id')
    .option('--classes <list>', "VOC class names in the model's label order (default: dataset.json, else the VOC order, else sorted)", (v: string) => v.split(',').map((c) => c.trim()))
    .option('--ovthresh <iou>', 'VOC: IoU a detection must exceed to match', parseFloatOption('--ovthresh'), 0.5)
    .option('--json', 'print JSON (the same shapes as eval voc / eval coco)')
    .option('--report <dir>', 'also write report.json and report.html into this directory')
    .action(async (flags: DetectionsFlags) => {
      if (Boolean(flags.devkit) === Boolean(flags.gt)) throw new UsageError('give either --devkit (with --imageset) or --gt');
      if (flags.devkit && !flags.imageset) throw new UsageError('--devkit needs --imageset');
      const { readDetectionBoxes } = await import('../../evaluator/box-files.ts');
      const list = await readDetectionBoxes(flags.boxes);
      if (flags.devkit) {
        const { readVocDevkit } = await import('../../evaluator/voc-devkit.ts');
        const { evaluateVoc, vocDetectionsFromList } = await import('../../evaluator/voc-eval.ts');
        const gt = readVocDevkit(flags.devkit, flags.imageset as string, { progress: true });
        const classes = await devkitClasses(flags.devkit, gt.classes, flags.classes);
        // 0-based model boxes to the devkit's 1-based pixels (py-faster-rcnn adds 1 when writing).
        const shifted = { ...list, boxes: Float64Array.from(list.boxes, (v) => v + 1) };
        const res = evaluateVoc(gt, vocDetectionsFromList(shifted, classes, gt, flags.boxes), { ovthresh: flags.ovthresh });
        if (flags.report) {
          await writeReport(flags.report, { kind: 'voc', result: res }, { devkit: flags.devkit, imageset: flags.imageset as string, boxes: flags.boxes });
        }
        await printVoc(res, flags.json);
        return;
      }
      const { readCocoGroundTruth, cocoDetectionsFromList } = await import('../../evaluator/coco-data.ts');
      const { evaluateCoco } = await import('../../evaluator/coco-eval.ts');
      const gt = readCocoGroundTruth(flags.gt as string);
      const dt = cocoDetectionsFromList(list, gt, flags.boxes);
      const res = evaluateCoco(gt, dt, { progress: dt.image.length > 100_000 });
      if (flags.report) await writeReport(flags.report, { kind: 'coco', result: res }, { gt: flags.gt as string, boxes: flags.boxes });
      await printCoco(res, { images: gt.imageIds.length, annotations: gt.image.length, detections: dt.image.length }, flags.json);
    });

  evalCmd
    .command('proposals')
    .description('proposal recall at IoU 0.5:0.05:0.95 and average recall for the top N proposals per image (paper Fig. 4, Table 2)')
    .requiredOption('--proposals <path>', 'a boxes directory (index.bin + shards) or a JSON file {"<imageId>": [[x1, y1, x2, y2], ...]}, 0-based, best first')
    .option('--devkit <dir>', 'ground truth from a VOC tree (with --imageset); difficult objects left out')
    .option('--imageset <name>', 'VOC image set name, e.g. test')
    .option('--gt <file>', 'ground truth from a COCO instances JSON instead; crowd regions left out')
    .option('--top <list>', 'proposal counts per image, comma-separated', parseNumberList('--top'), [300, 1000, 2000])
    .option('--json', 'print the recalls and AR as JSON instead of a table')
    .option('--report <dir>', 'also write report.json and report.html into this directory')
    .action(async (flags: ProposalFlags) => {
      if (Boolean(flags.devkit) === Boolean(flags.gt)) throw new UsageError('give either --devkit (with --imageset) or --gt');
      if (flags.devkit && !flags.imageset) throw new UsageError('--devkit needs --imageset');
      if (flags.top.some((n) => !(n > 0))) throw new UsageError(`--top: proposal counts must be positive, got ${flags.top.join(',')}`);
      const { proposalRecall } = await import('../../evaluator/proposal-recall.ts');
      const { recallImagesFromCoco, recallImagesFromVoc, readProposals } = await import('../../evaluator/proposal-input.ts');
      let images;
      if (flags.devkit) {
        const { readVocDevkit } = await import('../../evaluator/voc-devkit.ts');
        images = recallImagesFromVoc(readVocDevkit(flags.devkit, flags.imageset as string, { progress: true }));
      } else {
        const { readCocoGroundTruth } = await import('../../evaluator/coco-data.ts');
        images = recallImagesFromCoco(readCocoGroundTruth(flags.gt as string));
      }
      const props = await readProposals(flags.proposals, images.map((im) => im.imageId));
      const missing = images.filter((im) => !props.has(im.imageId)).length;
      if (missing === images.length) throw new InputError(flags.proposals, 'has proposals for none of the ground-truth images');
      if (missing > 0) warn(`${flags.proposals}: no proposals for ${missing} of ${images.length} images (their objects count as missed)`);
      const res = proposalRecall(images, (id) => props.get(id), { topN: flags.top });
      if (flags.report) {
        const inputs: Record<string, string> = { proposals: flags.proposals };
        if (flags.devkit) Object.assign(inputs, { devkit: flags.devkit, imageset: flags.imageset as string });
        else inputs.gt = flags.gt as string;
        await writeReport(flags.report, { kind: 'proposals', result: res }, inputs);
      }
      if (flags.json) {
        const rows = res.rows.map((r) => ({ topN: r.topN, meanProposals: r.meanProposals, recalls: Array.from(r.recalls), ar: r.ar }));
        process.stdout.write(JSON.stringify({ thresholds: Array.from(res.thresholds), numPos: res.numPos, numImages: res.numImages, rows }) + '\n');
      } else {
        const { formatFixed } = await import('../../evaluator/format.ts');
        const header = ['proposals', ...Array.from(res.thresholds, (t) => `@${formatFixed(t, 2)}`), 'AR'];
        const body = res.rows.map((r) => [String(r.topN), ...Array.from(r.recalls, (v) => formatFixed(v, 3)), formatFixed(r.ar, 3)]);
        process.stdout.write(`${res.numPos} ground-truth boxes in ${res.numImages} images\n` + padTable([header, ...body]));
      }
    });
}
