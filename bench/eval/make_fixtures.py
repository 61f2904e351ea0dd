"""Regenerate the evaluator's test fixtures under test/fixtures/eval/ with the reference tools:
pycocotools 2.0.11 (COCOeval), py-faster-rcnn's voc_eval (voc_eval_ref.py), its
evaluate_recall (below), and numpy's summation. Run from the repository root with the
bench venv: .venv-bench/bin/python bench/eval/make_fixtures.py
"""
import contextlib
import io
import json
import os
import random
import subprocess
import sys

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'eval')
PY = sys.executable


def coco_expected(d):
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(os.path.join(d, 'gt.json'))
        dt = gt.loadRes(os.path.join(d, 'dt.json'))
        E = COCOeval(gt, dt, 'bbox')
        E.evaluate()
        E.accumulate()
        E.summarize()
    return {'stats': [float(s) for s in E.stats], 'counts': E.eval['counts'],
            'recall': E.eval['recall'].ravel().tolist(),
            'precision_all_100': E.eval['precision'][:, :, :, 0, 2].ravel().tolist(),
            'scores_all_100': E.eval['scores'][:, :, :, 0, 2].ravel().tolist()}


def write_json(path, obj):
    with open(path, 'w') as f:
        json.dump(obj, f)


def coco_generated(name, *args):
    d = os.path.join(OUT, name)
    subprocess.check_call([PY, os.path.join(HERE, 'gen_coco.py'), d, *args])
    write_json(os.path.join(d, 'expected.json'), coco_expected(d))


def coco_quirks():
    """Hand-made: an annotation with id 0 (pycocotools reads its matches as misses), a crowd
    region absorbing several detections, areas exactly 32² and 96², an image without ground
    truth, a category without detections, string-free but unsorted ids."""
    d = os.path.join(OUT, 'coco-quirks')
    os.makedirs(d, exist_ok=True)
    images = [{'id': 9}, {'id': 2}, {'id': 5}]
    cats = [{'id': 3, 'name': 'b'}, {'id': 1, 'name': 'a'}, {'id': 7, 'name': 'none-detected'}]
    anns = [
        {'id': 0, 'image_id': 2, 'category_id': 1, 'bbox': [10, 10, 20, 20], 'area': 400, 'iscrowd': 0},
        {'id': 5, 'image_id': 2, 'category_id': 1, 'bbox': [100, 100, 32, 32], 'area': 1024, 'iscrowd': 0},
        {'id': 6, 'image_id': 2, 'category_id': 1, 'bbox': [200, 50, 96, 96], 'area': 9216, 'iscrowd': 0},
        {'id': 7, 'image_id': 9, 'category_id': 1, 'bbox': [0, 0, 300, 200], 'area': 60000, 'iscrowd': 1},
        {'id': 8, 'image_id': 9, 'category_id': 1, 'bbox': [20, 20, 40, 40], 'area': 1600, 'iscrowd': 0},
        {'id': 9, 'image_id': 9, 'category_id': 3, 'bbox': [50, 60, 70, 80], 'area': 5000, 'iscrowd': 0},
        {'id': 10, 'image_id': 2, 'category_id': 7, 'bbox': [1, 1, 5, 5], 'area': 25, 'iscrowd': 0},
    ]
    dets = [
        {'image_id': 2, 'category_id': 1, 'bbox': [10, 10, 20, 20], 'score': 0.9},     # matches id 0
        {'image_id': 2, 'category_id': 1, 'bbox': [100, 100, 32, 32], 'score': 0.8},   # area exactly 32²
        {'image_id': 2, 'category_id': 1, 'bbox': [200, 50, 96, 96], 'score': 0.8},    # area exactly 96², tie
        {'image_id': 2, 'category_id': 1, 'bbox': [200, 50, 96, 48], 'score': 0.7},    # IoU exactly .5 (duplicate)
        {'image_id': 9, 'category_id': 1, 'bbox': [20, 20, 40, 40], 'score': 0.95},
        {'image_id': 9, 'category_id': 1, 'bbox': [100, 100, 50, 50], 'score': 0.6},   # inside the crowd
        {'image_id': 9, 'category_id': 1, 'bbox': [150, 120, 30, 30], 'score': 0.6},   # crowd again
        {'image_id': 9, 'category_id': 1, 'bbox': [20, 20, 40, 40], 'score': 0.5},     # duplicate -> crowd?
        {'image_id': 5, 'category_id': 1, 'bbox': [0, 0, 10, 10], 'score': 0.99},      # image without gt
        {'image_id': 9, 'category_id': 3, 'bbox': [50, 60, 70, 60], 'score': 0.4},     # IoU .75
    ]
    write_json(os.path.join(d, 'gt.json'), {'images': images, 'annotations': anns, 'categories': cats})
    write_json(os.path.join(d, 'dt.json'), dets)
    write_json(os.path.join(d, 'expected.json'), coco_expected(d))


def bbox_overlaps(boxes, query):
    N, K = boxes.shape[0], query.shape[0]
    ov = np.zeros((N, K))
    for k in range(K):
        box_area = (query[k, 2] - query[k, 0] + 1) * (query[k, 3] - query[k, 1] + 1)
        for n in range(N):
            iw = min(boxes[n, 2], query[k, 2]) - max(boxes[n, 0], query[k, 0]) + 1
            if iw > 0:
                ih = min(boxes[n, 3], query[k, 3]) - max(boxes[n, 1], query[k, 1]) + 1
                if ih > 0:
                    ua = float((boxes[n, 2] - boxes[n, 0] + 1) * (boxes[n, 3] - boxes[n, 1] + 1) + box_area - iw * ih)
                    ov[n, k] = iw * ih / ua
    return ov


def evaluate_recall(gt_by_img, props_by_img, limit):
    """py-faster-rcnn imdb.evaluate_recall (area 'all', candidate boxes given), except where noted."""
    gt_overlaps = np.zeros(0)
    num_pos = 0
    for img, gt_boxes in gt_by_img.items():
        num_pos += gt_boxes.shape[0]
        boxes = props_by_img.get(img, np.zeros((0, 4)))
        if boxes.shape[0] == 0:
            continue
        if limit is not None and boxes.shape[0] > limit:
            boxes = boxes[:limit, :]
        overlaps = bbox_overlaps(boxes.astype(float), gt_boxes.astype(float))
        _gt_overlaps = np.zeros((gt_boxes.shape[0]))
        for j in range(gt_boxes.shape[0]):
            argmax_overlaps = overlaps.argmax(axis=0)
            max_overlaps = overlaps.max(axis=0)
            gt_ind = max_overlaps.argmax()
            gt_ovr = max_overlaps.max()
            if gt_ovr < 0:  # proposals ran out: py-faster-rcnn asserts; frcnn counts the rest as uncovered
                _gt_overlaps[j] = 0
                continue
            box_ind = argmax_overlaps[gt_ind]
            _gt_overlaps[j] = overlaps[box_ind, gt_ind]
            overlaps[box_ind, :] = -1
            overlaps[:, gt_ind] = -1
        gt_overlaps = np.hstack((gt_overlaps, _gt_overlaps))
    gt_overlaps = np.sort(gt_overlaps)
    thresholds = np.arange(0.5, 0.95 + 1e-5, 0.05)
    recalls = np.zeros_like(thresholds)
    for i, t in enumerate(thresholds):
        recalls[i] = (gt_overlaps >= t).sum() / float(num_pos)
    return {'ar': float(recalls.mean()), 'recalls': recalls.tolist(), 'thresholds': thresholds.tolist(), 'num_pos': num_pos}


def voc_and_proposals():
    d = os.path.join(OUT, 'voc-a')
    subprocess.check_call([PY, os.path.join(HERE, 'gen_voc.py'), d, '--images', '40', '--classes', '4', '--seed', '3'])
    exp = {}
    for thr in ['0.5', '0.7']:
        out = subprocess.check_output([PY, os.path.join(HERE, 'voc_eval_ref.py'), os.path.join(d, 'VOC'), 'test', os.path.join(d, 'dets'), thr])
        exp[thr] = json.loads(out)
    write_json(os.path.join(d, 'expected.json'), exp)
    # Proposals for the same images, 0-based: jittered non-difficult objects plus clutter.
    import xml.etree.ElementTree as ET
    rnd = random.Random(11)
    with open(os.path.join(d, 'VOC', 'ImageSets', 'Main', 'test.txt')) as f:
        ids = [x.strip() for x in f if x.strip()]
    gt_by_img, props = {}, {}
    for img in ids:
        root = ET.parse(os.path.join(d, 'VOC', 'Annotations', img + '.xml')).getroot()
        boxes = []
        for o in root.findall('object'):
            if int(o.find('difficult').text):
                continue
            b = o.find('bndbox')
            boxes.append([int(b.find(k).text) - 1 for k in ('xmin', 'ymin', 'xmax', 'ymax')])
        gt_by_img[img] = np.array(boxes, dtype=float).reshape(-1, 4)
        p = []
        for (x1, y1, x2, y2) in boxes:
            for _ in range(rnd.randint(0, 4)):
                j = rnd.choice([0.05, 0.15, 0.3])
                w, h = x2 - x1 + 1, y2 - y1 + 1
                p.append([round(x1 + rnd.gauss(0, j * w), 1), round(y1 + rnd.gauss(0, j * h), 1),
                          round(x2 + rnd.gauss(0, j * w), 1), round(y2 + rnd.gauss(0, j * h), 1)])
        for _ in range(rnd.randint(0, 30)):
            x1, y1 = rnd.uniform(0, 400), rnd.uniform(0, 300)
            p.append([round(x1, 1), round(y1, 1), round(x1 + rnd.uniform(5, 150), 1), round(y1 + rnd.uniform(5, 150), 1)])
        rnd.shuffle(p)
        if img != ids[5]:  # one image without proposals
            props[img] = p
    write_json(os.path.join(d, 'proposals.json'), props)
    pa = {k: np.array(v, dtype=float).reshape(-1, 4) for k, v in props.items()}
    rec = {str(n): evaluate_recall(gt_by_img, pa, n) for n in (5, 10, 1000)}
    write_json(os.path.join(d, 'expected-recall.json'), rec)


def numpy_values():
    def data(n):
        ds = [1000, 100, 10, 1, 3, 7]
        return [((i * 2654435761) % 4294967296) / 4294967296 / ds[i % 6] for i in range(n)]
    sums = {}
    for n in [0, 1, 7, 8, 9, 15, 16, 17, 127, 128, 129, 130, 255, 256, 1000, 8191, 8192, 8193, 20001, 80800]:
        x = np.array(data(n))
        sums[str(n)] = {'sum': float(np.sum(x)), 'mean': float(np.mean(x)) if n else None}
    out = {
        'sums': sums,
        'voc07_thresholds': np.arange(0., 1.1, 0.1).tolist(),
        'recall_thresholds': np.arange(0.5, 0.95 + 1e-5, 0.05).tolist(),
        'coco_iou': np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True).tolist(),
        'coco_rec': np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True).tolist(),
    }
    write_json(os.path.join(OUT, 'numpy.json'), out)


def main():
    os.makedirs(OUT, exist_ok=True)
    coco_generated('coco-a', '--images', '60', '--dets', '1200', '--cats', '4', '--seed', '1')
    coco_generated('coco-b', '--images', '30', '--dets', '700', '--cats', '2', '--seed', '2', '--gt-per-image', '12')
    coco_quirks()
    voc_and_proposals()
    numpy_values()


if __name__ == '__main__':
    main()
