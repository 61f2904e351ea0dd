"""py-faster-rcnn's voc_eval (lib/datasets/voc_eval.py, Bharath Hariharan's code), kept as
written except: Python 3 / numpy 2 spellings (np.bool -> bool), no pickle cache, and the
detection sort is `kind='mergesort'` (stable) — numpy's default quicksort leaves the order of
equal scores unspecified; the VOC devkit's MATLAB `sort` is stable, and so is frcnn.

Usage: python voc_eval_ref.py DEVKIT IMAGESET DETDIR [OVTHRESH]
Prints {"classes": {name: {"ap07", "ap", "npos"}}, "mAP07", "mAP"} as JSON (repr floats).
"""
import glob
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

import numpy as np


def parse_rec(filename):
    tree = ET.parse(filename)
    objects = []
    for obj in tree.findall('object'):
        obj_struct = {}
        obj_struct['name'] = obj.find('name').text
        obj_struct['difficult'] = int(obj.find('difficult').text)
        bbox = obj.find('bndbox')
        obj_struct['bbox'] = [int(bbox.find('xmin').text), int(bbox.find('ymin').text),
                              int(bbox.find('xmax').text), int(bbox.find('ymax').text)]
        objects.append(obj_struct)
    return objects


def voc_ap(rec, prec, use_07_metric=False):
    if use_07_metric:
        ap = 0.
        for t in np.arange(0., 1.1, 0.1):
            if np.sum(rec >= t) == 0:
                p = 0
            else:
                p = np.max(prec[rec >= t])
            ap = ap + p / 11.
    else:
        mrec = np.concatenate(([0.], rec, [1.]))
        mpre = np.concatenate(([0.], prec, [0.]))
        for i in range(mpre.size - 1, 0, -1):
            mpre[i - 1] = np.maximum(mpre[i - 1], mpre[i])
        i = np.where(mrec[1:] != mrec[:-1])[0]
        ap = np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1])
    return ap


def voc_eval(detpath, annopath, imagesetfile, classname, recs, ovthresh=0.5, use_07_metric=False):
    with open(imagesetfile, 'r') as f:
        lines = f.readlines()
    imagenames = [x.strip() for x in lines if x.strip()]
    class_recs = {}
    npos = 0
    for imagename in imagenames:
        R = [obj for obj in recs[imagename] if obj['name'] == classname]
        bbox = np.array([x['bbox'] for x in R])
        difficult = np.array([x['difficult'] for x in R]).astype(bool)
        det = [False] * len(R)
        npos = npos + sum(~difficult)
        class_recs[imagename] = {'bbox': bbox, 'difficult': difficult, 'det': det}
    detfile = detpath.format(classname)
    with open(detfile, 'r') as f:
        lines = f.readlines()
    splitlines = [x.strip().split(' ') for x in lines if x.strip()]
    image_ids = [x[0] for x in splitlines]
    confidence = np.array([float(x[1]) for x in splitlines])
    BB = np.array([[float(z) for z in x[2:]] for x in splitlines]).reshape(-1, 4)
    sorted_ind = np.argsort(-confidence, kind='mergesort')
    BB = BB[sorted_ind, :]
    image_ids = [image_ids[x] for x in sorted_ind]
    nd = len(image_ids)
    tp = np.zeros(nd)
    fp = np.zeros(nd)
    for d in range(nd):
        R = class_recs[image_ids[d]]
        bb = BB[d, :].astype(float)
        ovmax = -np.inf
        BBGT = R['bbox'].astype(float)
        if BBGT.size > 0:
            ixmin = np.maximum(BBGT[:, 0], bb[0])
            iymin = np.maximum(BBGT[:, 1], bb[1])
            ixmax = np.minimum(BBGT[:, 2], bb[2])
            iymax = np.minimum(BBGT[:, 3], bb[3])
            iw = np.maximum(ixmax - ixmin + 1., 0.)
            ih = np.maximum(iymax - iymin + 1., 0.)
            inters = iw * ih
            uni = ((bb[2] - bb[0] + 1.) * (bb[3] - bb[1] + 1.) +
                   (BBGT[:, 2] - BBGT[:, 0] + 1.) *
                   (BBGT[:, 3] - BBGT[:, 1] + 1.) - inters)
            overlaps = inters / uni
            ovmax = np.max(overlaps)
            jmax = np.argmax(overlaps)
        if ovmax > ovthresh:
            if not R['difficult'][jmax]:
                if not R['det'][jmax]:
                    tp[d] = 1.
                    R['det'][jmax] = 1
                else:
                    fp[d] = 1.
        else:
            fp[d] = 1.
    fp = np.cumsum(fp)
    tp = np.cumsum(tp)
    rec = tp / float(npos)
    prec = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    ap = voc_ap(rec, prec, use_07_metric)
    return rec, prec, ap, int(npos)


def main():
    devkit, imageset, detdir = sys.argv[1:4]
    ovthresh = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
    annopath = os.path.join(devkit, 'Annotations', '{:s}.xml')
    imagesetfile = os.path.join(devkit, 'ImageSets', 'Main', imageset + '.txt')
    with open(imagesetfile) as f:
        names = [x.strip() for x in f.readlines() if x.strip()]
    recs = {n: parse_rec(annopath.format(n)) for n in names}
    classes = sorted({o['name'] for r in recs.values() for o in r})
    detpath = os.path.join(detdir, 'comp4_det_' + imageset + '_{:s}.txt')
    out = {}
    aps07, aps = [], []
    for c in classes:
        if not os.path.exists(detpath.format(c)):
            continue
        _, _, ap07, npos = voc_eval(detpath, annopath, imagesetfile, c, recs, ovthresh, True)
        _, _, ap, _ = voc_eval(detpath, annopath, imagesetfile, c, recs, ovthresh, False)
        out[c] = {'ap07': float(ap07), 'ap': float(ap), 'npos': npos}
        aps07.append(ap07)
        aps.append(ap)
    json.dump({'classes': out, 'mAP07': float(np.mean(aps07)), 'mAP': float(np.mean(aps))}, sys.stdout)


if __name__ == '__main__':
    main()
