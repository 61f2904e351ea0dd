"""Run pycocotools' COCOeval (bbox) on GT and results files; print one JSON object on stdout:
{"stats": [12], "seconds": t, and with --arrays: "recall": [T*K*A*M], "precision_all_100": [T*R*K]}.
Float values are written with Python's repr (shortest round trip), like JavaScript's."""
import contextlib
import io
import json
import sys
import time

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def main():
    gt_path, dt_path = sys.argv[1], sys.argv[2]
    arrays = '--arrays' in sys.argv
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(gt_path)
        dt = gt.loadRes(dt_path)
        E = COCOeval(gt, dt, 'bbox')
        E.evaluate()
        E.accumulate()
        E.summarize()
    out = {'stats': [float(s) for s in E.stats], 'seconds': time.perf_counter() - t0}
    if arrays:
        out['recall'] = E.eval['recall'].ravel().tolist()
        out['precision_all_100'] = E.eval['precision'][:, :, :, 0, 2].ravel().tolist()
        out['counts'] = E.eval['counts']
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
