"""Learning curve: grouped 5-fold CV accuracy when training on a share of the parcel texts.

Run: .venv/bin/python bench/classification_learning_curve.py [--fractions 0.25,0.5,0.75,1]
Each fraction keeps that share of the distinct parcel texts in training (nested subsets, the
same in every fold); search terms, brands, rulings, HTS lines and the nomenclature stay whole,
and the test rows are the folds' as in bench/classification_suggest.py. Prints one JSON line
per fraction (6-digit top-1 / top-5 of parcel texts and HMRC search terms) as it goes.
About 2 minutes per fold and fraction on two cores.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from customhouse.classification import evaluation, loaders
from customhouse.classification.engine import Calibration


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fractions", default="0.25,0.5,0.75,1")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    texts = loaders.labelled_texts()
    parcels = len({t.text.lower() for t in texts if t.source == loaders.FPO_PARCEL})
    shares, probabilities = loaders.calibration_table()
    for fraction in (float(f) for f in args.fractions.split(",")):
        t0 = time.perf_counter()
        reports, _, _ = evaluation.cross_validate(
            texts,
            loaders.nomenclature_nodes(),
            loaders.vague_lists(),
            folds=args.folds,
            calibration=Calibration(shares, probabilities),
            train_fraction=fraction,
            progress=lambda f, at=fraction: print(f"{at}: fold {f + 1}", file=sys.stderr),
        )
        row: dict[str, object] = {
            "train_fraction": fraction,
            # Distinct parcel texts in training: the fraction of the four fifths not held out.
            "parcel_texts_trained_about": round(fraction * parcels * (args.folds - 1) / args.folds),
            "seconds": round(time.perf_counter() - t0, 1),
        }
        for source in (loaders.FPO_PARCEL, loaders.HMRC_SEARCH):
            r = reports[source]
            row[source] = {"top1_6": r.top1["6"], "top5_6": r.top5["6"], "abstained": r.abstained}
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
