"""Generate a small VOCdevkit tree and py-faster-rcnn detection files with the cases that
decide VOC AP: difficult objects, images without objects, duplicate detections, equal
scores, IoU exactly at 0.5 under the +1 convention, detections on images without objects.
Every class has ground truth; one class has an empty detection file.

Usage: python gen_voc.py OUTDIR --images N --classes K --seed S
Writes OUTDIR/VOC/{Annotations,ImageSets/Main} (set "test") and OUTDIR/dets/comp4_det_test_<class>.txt.
"""
import argparse
import os
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--images', type=int, default=40)
    ap.add_argument('--classes', type=int, default=4)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    classes = ['c%02d' % i for i in range(a.classes)]
    voc = os.path.join(a.out, 'VOC')
    os.makedirs(os.path.join(voc, 'Annotations'), exist_ok=True)
    os.makedirs(os.path.join(voc, 'ImageSets', 'Main'), exist_ok=True)
    dets_dir = os.path.join(a.out, 'dets')
    os.makedirs(dets_dir, exist_ok=True)
    ids = ['%06d' % rnd.randint(0, 999999) for _ in range(a.images)]
    ids = list(dict.fromkeys(ids))
    gts = {}
    for n, img in enumerate(ids):
        objs = []
        if n % 7 != 3:  # some images without objects
            for k in range(rnd.randint(1, 6)):
                # the first images hold one object of every class, so each class has ground truth
                c = classes[k % len(classes)] if n < 2 else rnd.choice(classes)
                x1, y1 = rnd.randint(1, 300), rnd.randint(1, 200)
                w, h = rnd.randint(4, 200), rnd.randint(4, 200)
                objs.append((c, x1, y1, x1 + w - 1, y1 + h - 1, 1 if rnd.random() < 0.15 else 0))
        gts[img] = objs
        with open(os.path.join(voc, 'Annotations', img + '.xml'), 'w') as f:
            f.write('<annotation>\n  <folder>VOC</folder>\n  <filename>%s.jpg</filename>\n' % img)
            f.write('  <size><width>500</width><height>375</height><depth>3</depth></size>\n')
            for (c, x1, y1, x2, y2, d) in objs:
                f.write('  <object>\n    <name>%s</name>\n    <pose>Unspecified</pose>\n    <truncated>0</truncated>\n'
                        '    <difficult>%d</difficult>\n    <bndbox>\n      <xmin>%d</xmin>\n      <ymin>%d</ymin>\n'
                        '      <xmax>%d</xmax>\n      <ymax>%d</ymax>\n    </bndbox>\n' % (c, d, x1, y1, x2, y2))
                if c == classes[0]:  # a part with its own box, which is not an object
                    f.write('    <part>\n      <name>head</name>\n      <bndbox><xmin>1</xmin><ymin>1</ymin>'
                            '<xmax>2</xmax><ymax>2</ymax></bndbox>\n    </part>\n')
                f.write('  </object>\n')
            f.write('</annotation>\n')
    with open(os.path.join(voc, 'ImageSets', 'Main', 'test.txt'), 'w') as f:
        f.write('\n'.join(ids) + '\n')
    lines = {c: [] for c in classes}
    for img, objs in gts.items():
        for (c, x1, y1, x2, y2, d) in objs:
            w, h = x2 - x1 + 1, y2 - y1 + 1
            for _ in range(rnd.choice([0, 1, 1, 1, 2])):  # misses and duplicates
                j = rnd.choice([0.02, 0.1, 0.25])
                bx1 = x1 + rnd.gauss(0, j * w)
                by1 = y1 + rnd.gauss(0, j * h)
                bx2 = x2 + rnd.gauss(0, j * w)
                by2 = y2 + rnd.gauss(0, j * h)
                lines[c].append('%s %.3f %.1f %.1f %.1f %.1f' % (img, rnd.choice([0.9, 0.8, rnd.random()]), bx1, by1, bx2, by2))
            if rnd.random() < 0.2:  # exactly IoU 0.5 under +1: left half of the box (w even)
                if w % 2 == 0:
                    lines[c].append('%s %.3f %d %d %d %d' % (img, 0.7, x1, y1, x1 + w // 2 - 1, y2))
    for img in ids:
        for _ in range(rnd.randint(0, 3)):  # background detections, also on images without objects
            c = rnd.choice(classes)
            x1, y1 = rnd.uniform(0, 400), rnd.uniform(0, 300)
            lines[c].append('%s %.3f %.1f %.1f %.1f %.1f' % (img, rnd.random() * 0.6, x1, y1, x1 + rnd.uniform(5, 100), y1 + rnd.uniform(5, 100)))
    lines[classes[-1]] = []  # a class with no detections at all
    for c in classes:
        rnd.shuffle(lines[c])
        with open(os.path.join(dets_dir, 'comp4_det_test_%s.txt' % c), 'w') as f:
            f.write(''.join(l + '\n' for l in lines[c]))


if __name__ == '__main__':
    main()
