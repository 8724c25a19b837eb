"""A transcription of pycocotools' COCOeval (evaluateImg + accumulate + summarize) for boxes, kept
statement for statement where it matters (pycocotools is not packaged for Debian 12). Crowd-free,
one area range ('all'), one maxDets. Boxes are [x1, y1, (z1,) x2, y2, (z2)]; IoU is computed with
numpy for any dimension (maskUtils.iou for 2D boxes gives the same numbers without crowd).

stdin: {"dims": 2, "numClasses": K, "iouThrs": [...] | null, "maxDet": 100,
        "images": [{"gt": [[...box, cls], ...], "dt": [[...box, cls, score], ...]}, ...]}
stdout: {"ap": [[AP of class k at threshold t]], "mAP": float, "recall": [[...]]}
"""
import json
import sys

import numpy as np


def ious(dt, gt, dims):
    out = np.zeros((len(dt), len(gt)))
    for i, d in enumerate(dt):
        for j, g in enumerate(gt):
            inter, va, vb = 1.0, 1.0, 1.0
            for a in range(dims):
                inter *= max(0.0, min(d[dims + a], g[dims + a]) - max(d[a], g[a]))
                va *= max(0.0, d[dims + a] - d[a])
                vb *= max(0.0, g[dims + a] - g[a])
            union = va + vb - inter
            out[i, j] = inter / union if union > 0 else 0.0
    return out


def evaluate_img(gt, dt, iouThrs, maxDet, dims):
    if len(gt) == 0 and len(dt) == 0:
        return None
    gtIg = np.array([0 for g in gt])
    dtind = np.argsort([-d["score"] for d in dt], kind="mergesort")
    dt = [dt[i] for i in dtind[0:maxDet]]
    iscrowd = [0 for o in gt]
    I = ious([d["box"] for d in dt], [g["box"] for g in gt], dims) if len(dt) and len(gt) else []
    T = len(iouThrs)
    G = len(gt)
    D = len(dt)
    gtm = np.zeros((T, G))
    dtm = np.zeros((T, D))
    dtIg = np.zeros((T, D))
    if not len(I) == 0:
        for tind, t in enumerate(iouThrs):
            for dind, d in enumerate(dt):
                iou = min([t, 1 - 1e-10])
                m = -1
                for gind, g in enumerate(gt):
                    if gtm[tind, gind] > 0 and not iscrowd[gind]:
                        continue
                    if m > -1 and gtIg[m] == 0 and gtIg[gind] == 1:
                        break
                    if I[dind, gind] < iou:
                        continue
                    iou = I[dind, gind]
                    m = gind
                if m == -1:
                    continue
                dtIg[tind, dind] = gtIg[m]
                dtm[tind, dind] = gt[m]["id"]
                gtm[tind, m] = d["id"]
    return {"dtMatches": dtm, "dtScores": [d["score"] for d in dt], "gtIgnore": gtIg, "dtIgnore": dtIg}


def accumulate(E, iouThrs, recThrs, maxDet):
    T, R = len(iouThrs), len(recThrs)
    precision = -np.ones((T, R))
    recall = -np.ones((T,))
    E = [e for e in E if e is not None]
    if len(E) == 0:
        return precision, recall
    dtScores = np.concatenate([e["dtScores"][0:maxDet] for e in E])
    inds = np.argsort(-dtScores, kind="mergesort")
    dtm = np.concatenate([e["dtMatches"][:, 0:maxDet] for e in E], axis=1)[:, inds]
    dtIg = np.concatenate([e["dtIgnore"][:, 0:maxDet] for e in E], axis=1)[:, inds]
    gtIg = np.concatenate([e["gtIgnore"] for e in E])
    npig = np.count_nonzero(gtIg == 0)
    if npig == 0:
        return precision, recall
    tps = np.logical_and(dtm, np.logical_not(dtIg))
    fps = np.logical_and(np.logical_not(dtm), np.logical_not(dtIg))
    tp_sum = np.cumsum(tps, axis=1).astype(dtype=float)
    fp_sum = np.cumsum(fps, axis=1).astype(dtype=float)
    for t, (tp, fp) in enumerate(zip(tp_sum, fp_sum)):
        tp = np.array(tp)
        fp = np.array(fp)
        nd = len(tp)
        rc = tp / npig
        pr = tp / (fp + tp + np.spacing(1))
        q = np.zeros((R,))
        recall[t] = rc[-1] if nd else 0
        pr = pr.tolist()
        q = q.tolist()
        for i in range(nd - 1, 0, -1):
            if pr[i] > pr[i - 1]:
                pr[i - 1] = pr[i]
        inds = np.searchsorted(rc, recThrs, side="left")
        try:
            for ri, pi in enumerate(inds):
                q[ri] = pr[pi]
        except Exception:
            pass
        precision[t, :] = np.array(q)
    return precision, recall


def main():
    data = json.loads(sys.stdin.read())
    dims = data["dims"]
    iouThrs = data.get("iouThrs") or np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1, endpoint=True)
    recThrs = np.linspace(0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01)) + 1, endpoint=True)
    maxDet = data.get("maxDet", 100)
    next_id = 1
    ap, rec, all_precision = [], [], []
    for k in range(data["numClasses"]):
        E = []
        for img in data["images"]:
            gt, dt = [], []
            for g in img["gt"]:
                if int(g[2 * dims]) == k:
                    gt.append({"box": g[: 2 * dims], "id": next_id})
                    next_id += 1
            for d in img["dt"]:
                if int(d[2 * dims]) == k:
                    dt.append({"box": d[: 2 * dims], "score": d[2 * dims + 1], "id": next_id})
                    next_id += 1
            E.append(evaluate_img(gt, dt, iouThrs, maxDet, dims))
        precision, recall = accumulate(E, iouThrs, recThrs, maxDet)
        all_precision.append(precision)
        ap.append([float(np.mean(p)) if p[0] > -1 else None for p in precision])
        rec.append([float(r) if r > -1 else None for r in recall])
    s = np.stack(all_precision)
    mAP = float(np.mean(s[s > -1])) if np.any(s > -1) else None
    print(json.dumps({"ap": ap, "mAP": mAP, "recall": rec}))


main()
