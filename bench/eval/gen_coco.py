"""Generate a synthetic COCO ground truth and bbox results pair with the cases that decide
the last bits of COCOeval: crowd regions, areas exactly on the range borders (32², 96²),
an `area` field that differs from the box, score ties, more than 100 detections on an image,
duplicate detections, images without ground truth, a category without detections, IoU
exactly on a threshold, and detections of a category the ground truth does not have.

Usage: python gen_coco.py OUTDIR --images N --dets N --cats K --seed S
Writes OUTDIR/gt.json and OUTDIR/dt.json. Used by the bench and to make test fixtures.
"""
import argparse
import json
import os
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--images', type=int, default=50)
    ap.add_argument('--dets', type=int, default=1000)
    ap.add_argument('--cats', type=int, default=3)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--gt-per-image', type=float, default=7.3)
    a = ap.parse_args()
    rnd = random.Random(a.seed)

    img_ids = rnd.sample(range(1, 10 * a.images + 10), a.images)  # unsorted, non-contiguous
    cat_ids = rnd.sample(range(1, 3 * a.cats + 3), a.cats)
    images = [{'id': i, 'width': 640, 'height': 480, 'file_name': '%012d.jpg' % i} for i in img_ids]
    categories = [{'id': c, 'name': 'cat%d' % c, 'supercategory': 'thing'} for c in cat_ids]

    anns = []
    next_id = 1

    def add_gt(img, cat, box, area=None, crowd=0):
        nonlocal next_id
        anns.append({'id': next_id, 'image_id': img, 'category_id': cat, 'bbox': box,
                     'area': box[2] * box[3] if area is None else area, 'iscrowd': crowd})
        next_id += 1

    no_gt = set(img_ids[: max(1, a.images // 10)])  # ~10% of images without ground truth
    for img in img_ids:
        if img in no_gt:
            continue
        n = max(0, int(rnd.expovariate(1.0 / a.gt_per_image)))
        for _ in range(n):
            cat = rnd.choice(cat_ids)
            kind = rnd.random()
            if kind < 0.05:  # area exactly on a border, box with other area
                side = rnd.choice([32, 96])
                box = [rnd.randint(0, 400), rnd.randint(0, 300), side, side]
                add_gt(img, cat, box)
            elif kind < 0.08:  # area field on a border, box not
                box = [round(rnd.uniform(0, 400), 2), round(rnd.uniform(0, 300), 2),
                       round(rnd.uniform(5, 200), 2), round(rnd.uniform(5, 200), 2)]
                add_gt(img, cat, box, area=rnd.choice([1024, 9216, 1024.0000001, 9215.999]))
            elif kind < 0.12:  # crowd region, large
                box = [round(rnd.uniform(0, 200), 1), round(rnd.uniform(0, 150), 1),
                       round(rnd.uniform(100, 400), 1), round(rnd.uniform(100, 300), 1)]
                add_gt(img, cat, box, crowd=1)
            else:
                w = rnd.choice([rnd.uniform(2, 32), rnd.uniform(32, 96), rnd.uniform(96, 400)])
                h = w * rnd.uniform(0.5, 2)
                box = [round(rnd.uniform(0, 640 - min(w, 600)), 2), round(rnd.uniform(0, 480 - min(h, 450)), 2),
                       round(w, 2), round(h, 2)]
                add_gt(img, cat, box, area=round(box[2] * box[3] * rnd.uniform(0.6, 1.0), 3))

    dets = []

    def add_dt(img, cat, box, score):
        dets.append({'image_id': img, 'category_id': cat, 'bbox': box, 'score': score})

    det_cats = cat_ids[:-1] if len(cat_ids) > 1 else cat_ids  # the last category gets no detections
    by_img = {}
    for g in anns:
        by_img.setdefault(g['image_id'], []).append(g)
    # Exactly on thresholds: half-overlap boxes (IoU 0.5) and 3/4 overlap (IoU 0.75).
    for g in anns[:20]:
        x, y, w, h = g['bbox']
        if g['category_id'] in det_cats:
            add_dt(g['image_id'], g['category_id'], [x, y, w, h / 2], 0.5)
            add_dt(g['image_id'], g['category_id'], [x, y, w * 0.75, h], 0.5)
    heavy = img_ids[-1]  # more than 100 detections on one image
    for _ in range(min(150, a.dets // 4)):
        add_dt(heavy, det_cats[0], [rnd.uniform(0, 500), rnd.uniform(0, 400), rnd.uniform(5, 100), rnd.uniform(5, 100)],
               round(rnd.random(), 2))
    while len(dets) < a.dets:
        r = rnd.random()
        if r < 0.6 and anns:
            g = rnd.choice(anns)
            if g['category_id'] not in det_cats:
                continue
            x, y, w, h = g['bbox']
            j = rnd.choice([0.02, 0.1, 0.3])
            box = [round(x + rnd.gauss(0, j * w), 2), round(y + rnd.gauss(0, j * h), 2),
                   round(max(1, w * (1 + rnd.gauss(0, j))), 2), round(max(1, h * (1 + rnd.gauss(0, j))), 2)]
            score = round(rnd.random(), rnd.choice([2, 3, 6]))  # coarse scores make ties
            add_dt(g['image_id'], g['category_id'], box, score)
            if rnd.random() < 0.1:  # duplicate detection, same score
                add_dt(g['image_id'], g['category_id'], list(box), score)
        else:
            img = rnd.choice(img_ids)
            add_dt(img, rnd.choice(det_cats), [round(rnd.uniform(0, 600), 1), round(rnd.uniform(0, 440), 1),
                                                round(rnd.uniform(3, 300), 1), round(rnd.uniform(3, 300), 1)],
                   round(rnd.random() * 0.5, 3))
    # A category the ground truth does not know (pycocotools ignores it).
    add_dt(img_ids[0], max(cat_ids) + 1, [1, 1, 10, 10], 0.9)
    rnd.shuffle(dets)
    os.makedirs(a.out, exist_ok=True)
    rnd.shuffle(images)
    with open(os.path.join(a.out, 'gt.json'), 'w') as f:
        json.dump({'images': images, 'annotations': anns, 'categories': categories}, f)
    with open(os.path.join(a.out, 'dt.json'), 'w') as f:
        json.dump(dets, f)


if __name__ == '__main__':
    main()
