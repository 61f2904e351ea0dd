/**
 * PASCAL VOC detection AP, as py-faster-rcnn's `voc_eval` (and the VOC devkit) compute it.
 *
 * Per class: detections sorted by descending score (stably: ties keep their input order, as
 * the devkit's MATLAB `sort` does; `voc_eval`'s numpy quicksort leaves tie order unspecified),
 * each matched to the ground truth of its image with the largest IoU (+1 pixel convention,
 * first one on ties); a match needs IoU strictly above `ovthresh`. A best match on a
 * `difficult` object makes the detection neither true nor false positive; a second detection
 * of a matched object is a false positive. Boxes are used in whatever coordinates they come
 * (the devkit's 1-based files, or 0-based in memory) — only both sides must agree.
 */
import type { ImageEntry } from '../data/types.ts';
import { InputError } from '../util/errors.ts';
import { checkDetectionList, type DetectionList } from './detection-list.ts';
import { argsortDesc, npMean } from './numeric.ts';
import { vocAp07, vocApAllPoint } from './voc-ap.ts';

/** Ground truth of an image set, flat: object j is in image `image[j]` of class `classIndex[j]`. */
export interface VocGroundTruth {
  /** Where it came from (devkit dir, dataset source), for messages. */
  source: string;
  /** Image ids in image-set order. */
  imageIds: readonly string[];
  /** Class names; `classIndex` values index this list (0-based, no background). */
  classes: readonly string[];
  image: Int32Array;
  classIndex: Int32Array;
  /** 4 per object, x1 y1 x2 y2 inclusive pixels. */
  boxes: Float64Array;
  /** 1 for VOC `difficult` objects. */
  difficult: Uint8Array;
}

/** Detections, flat: detection j is in image `image[j]` (index into the ground truth's imageIds). */
export interface VocDetections {
  source: string;
  /** Class names of the detections (may include classes absent from the ground truth). */
  classes: readonly string[];
  image: Int32Array;
  classIndex: Int32Array;
  /** 4 per detection, same coordinate convention as the ground truth. */
  boxes: Float64Array;
  scores: Float64Array;
}

export interface VocClassResult {
  name: string;
  /** Number of non-difficult ground-truth objects. */
  npos: number;
  /** Number of detections. */
  ndet: number;
  /** VOC2007 11-point AP; NaN when npos = 0. */
  ap07: number;
  /** VOC2010+ all-point AP; NaN when npos = 0. */
  ap: number;
  /** Recall and precision after each detection, in score order (length ndet). */
  recall: Float64Array;
  precision: Float64Array;
}

export interface VocResult {
  ovthresh: number;
  /** Ground-truth classes first (in their order), then classes only the detections name. */
  classes: VocClassResult[];
  /** Mean 11-point AP over classes with npos > 0 (pairwise mean as `np.mean`). */
  mAP07: number;
  /** Mean all-point AP over classes with npos > 0. */
  mAP: number;
}

export interface VocEvalOptions {
  /** IoU a match must exceed (strictly). Default 0.5. */
  ovthresh?: number;
}

/** `np.finfo(np.float64).eps`: voc_eval's guard against 0/0 precision. */
const FLOAT64_EPS = 2.220446049250313e-16;

/** Evaluate detections against ground truth; both in the same box coordinates. */
export function evaluateVoc(gt: VocGroundTruth, dets: VocDetections, opts: VocEvalOptions = {}): VocResult {
  const ovthresh = opts.ovthresh ?? 0.5;
  const nImages = gt.imageIds.length;
  // Class union: ground-truth classes first, then classes only the detections name.
  const names = [...gt.classes];
  const byName = new Map(names.map((n, i) => [n, i]));
  const detClass = dets.classes.map((n) => {
    let i = byName.get(n);
    if (i === undefined) {
      i = names.length;
      names.push(n);
      byName.set(n, i);
    }
    return i;
  });
  const C = names.length;

  // Ground truth grouped by (class, image), input order kept: a counting sort.
  const nObj = gt.image.length;
  const gtOffsets = new Int32Array(C * nImages + 1);
  for (let j = 0; j < nObj; j++) gtOffsets[gt.classIndex[j] * nImages + gt.image[j] + 1]++;
  for (let k = 0; k < C * nImages; k++) gtOffsets[k + 1] += gtOffsets[k];
  const gtOrder = new Int32Array(nObj);
  {
    const fill = gtOffsets.slice(0, C * nImages);
    for (let j = 0; j < nObj; j++) gtOrder[fill[gt.classIndex[j] * nImages + gt.image[j]]++] = j;
  }
  const npos = new Int32Array(C);
  for (let j = 0; j < nObj; j++) if (!gt.difficult[j]) npos[gt.classIndex[j]]++;

  // Detections grouped by class, input order kept.
  const nDet = dets.image.length;
  const detOffsets = new Int32Array(C + 1);
  for (let j = 0; j < nDet; j++) detOffsets[detClass[dets.classIndex[j]] + 1]++;
  for (let c = 0; c < C; c++) detOffsets[c + 1] += detOffsets[c];
  const detOrder = new Int32Array(nDet);
  {
    const fill = detOffsets.slice(0, C);
    for (let j = 0; j < nDet; j++) detOrder[fill[detClass[dets.classIndex[j]]]++] = j;
  }

  const matched = new Uint8Array(nObj); // voc_eval's R['det']
  const results: VocClassResult[] = [];
  for (let c = 0; c < C; c++) {
    const lo = detOffsets[c];
    const nd = detOffsets[c + 1] - lo;
    const scores = new Float64Array(nd);
    for (let k = 0; k < nd; k++) scores[k] = dets.scores[detOrder[lo + k]];
    const order = argsortDesc(scores);
    const tp = new Float64Array(nd);
    const fp = new Float64Array(nd);
    for (let k = 0; k < nd; k++) {
      const d = detOrder[lo + order[k]];
      const bx1 = dets.boxes[4 * d], by1 = dets.boxes[4 * d + 1];
      const bx2 = dets.boxes[4 * d + 2], by2 = dets.boxes[4 * d + 3];
      const g0 = gtOffsets[c * nImages + dets.image[d]];
      const g1 = gtOffsets[c * nImages + dets.image[d] + 1];
      let ovmax = -Infinity;
      let jmax = -1;
      for (let g = g0; g < g1; g++) {
        const o = gtOrder[g];
        const gx1 = gt.boxes[4 * o], gy1 = gt.boxes[4 * o + 1];
        const gx2 = gt.boxes[4 * o + 2], gy2 = gt.boxes[4 * o + 3];
        const iw = Math.max(Math.min(gx2, bx2) - Math.max(gx1, bx1) + 1, 0);
        const ih = Math.max(Math.min(gy2, by2) - Math.max(gy1, by1) + 1, 0);
        const inters = iw * ih;
        const uni = (bx2 - bx1 + 1) * (by2 - by1 + 1) + (gx2 - gx1 + 1) * (gy2 - gy1 + 1) - inters;
        const ov = inters / uni;
        // np.max / np.argmax: the first maximum, NaN wins
        if (Number.isNaN(ov)) {
          if (!Number.isNaN(ovmax)) {
            ovmax = NaN;
            jmax = o;
          }
        } else if (ov > ovmax) {
          ovmax = ov;
          jmax = o;
        }
      }
      if (ovmax > ovthresh) {
        if (!gt.difficult[jmax]) {
          if (!matched[jmax]) {
            tp[k] = 1;
            matched[jmax] = 1;
          } else fp[k] = 1;
        }
      } else fp[k] = 1;
    }
    // Cumulative sums, then recall and precision exactly as voc_eval.
    const recall = new Float64Array(nd);
    const precision = new Float64Array(nd);
    let ctp = 0;
    let cfp = 0;
    for (let k = 0; k < nd; k++) {
      ctp += tp[k];
      cfp += fp[k];
      recall[k] = ctp / npos[c];
      precision[k] = ctp / Math.max(ctp + cfp, FLOAT64_EPS);
    }
    const has = npos[c] > 0;
    results.push({
      name: names[c],
      npos: npos[c],
      ndet: nd,
      ap07: has ? vocAp07(recall, precision) : NaN,
      ap: has ? vocApAllPoint(recall, precision) : NaN,
      recall,
      precision,
    });
  }
  const scored = results.filter((r) => r.npos > 0);
  return {
    ovthresh,
    classes: results,
    mAP07: npMean(scored.map((r) => r.ap07)),
    mAP: npMean(scored.map((r) => r.ap)),
  };
}

/**
 * Ground truth from dataset entries (`src/data/types.ts`: 0-based inclusive boxes, kept as
 * they are). `classes` fixes the class order (default: the dataset's names in order of first
 * appearance). Evaluate with detections in the same 0-based convention.
 */
export function vocGroundTruthFromEntries(
  entries: readonly ImageEntry[],
  classes?: readonly string[],
  source = 'dataset',
): VocGroundTruth {
  const names = classes ? [...classes] : [];
  const byName = new Map(names.map((n, i) => [n, i]));
  let n = 0;
  for (const e of entries) n += e.objects.length;
  const image = new Int32Array(n);
  const classIndex = new Int32Array(n);
  const boxes = new Float64Array(4 * n);
  const difficult = new Uint8Array(n);
  const seen = new Set<string>();
  let j = 0;
  entries.forEach((e, i) => {
    if (seen.has(e.id)) throw new InputError(`${source}: image ${e.id}`, 'image id appears twice');
    seen.add(e.id);
    for (const o of e.objects) {
      let c = byName.get(o.name);
      if (c === undefined) {
        if (classes) throw new InputError(`${source}: image ${e.id}`, `unknown class ${JSON.stringify(o.name)}`);
        c = names.length;
        names.push(o.name);
        byName.set(o.name, c);
      }
      image[j] = i;
      classIndex[j] = c;
      boxes.set(o.box, 4 * j);
      difficult[j] = o.difficult || o.crowd ? 1 : 0; // a COCO crowd region: ignored like difficult
      j++;
    }
  });
  return { source, imageIds: entries.map((e) => e.id), classes: names, image, classIndex, boxes, difficult };
}

/**
 * Detections from the pipeline's in-memory list (labels 1..K name `classes[label - 1]`),
 * checked against the ground truth's images. Boxes are kept as given (0-based by convention).
 */
export function vocDetectionsFromList(
  list: DetectionList,
  classes: readonly string[],
  gt: VocGroundTruth,
  source = 'detections',
): VocDetections {
  const n = checkDetectionList(list);
  const imageIndex = new Map(gt.imageIds.map((id, i) => [id, i]));
  const image = new Int32Array(n);
  const classIndex = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const i = imageIndex.get(list.imageIds[j]);
    if (i === undefined) throw new InputError(`${source}: detection ${j}`, `image ${JSON.stringify(list.imageIds[j])} is not in ${gt.source}`);
    const label = list.labels[j];
    if (!(label >= 1 && label <= classes.length)) {
      throw new InputError(`${source}: detection ${j}`, `label ${label} is outside 1..${classes.length}`);
    }
    if (Number.isNaN(list.scores[j])) throw new InputError(`${source}: detection ${j}`, 'score is NaN');
    image[j] = i;
    classIndex[j] = label - 1;
  }
  return {
    source,
    classes,
    image,
    classIndex,
    boxes: Float64Array.from(list.boxes),
    scores: Float64Array.from(list.scores),
  };
}
