#!/usr/bin/env python3
"""Cascade's leakage and residual errors against its parameters (issue #15), on i.i.d. errors at a known rate.

One physec.keygen.agree session per string (Alice and Bob in two threads over the in-process transport); leak = the
parities Alice announced; residual = strings that still differ after Cascade (key confirmation would then fail).
    PYTHONPATH=build/python /usr/bin/python3 docs/results/cascade/cascade_parameters.py > docs/results/cascade/cascade_parameters.txt
"""
import sys

import numpy as np

import physec

# (n bits, true error rate, calibrated error rate given to Cascade, runs)
CASES = [(11520, 0.043, 0.043, 2000), (11520, 0.072, 0.072, 2000), (11520, 0.133, 0.133, 2000),
         (2784, 0.133, 0.133, 2000), (4096, 0.02, 0.02, 3000), (4096, 0.01, 0.01, 3000),
         (11520, 0.072, 0.05, 2000), (11520, 0.072, 0.06, 2000)]
PARAMETERS = [(0.73, 4), (2.0, 10)]  # (first_block_factor, nof_passes): Brassard & Salvail's, physec's default


def h2(p):
    return -p * np.log2(p) - (1 - p) * np.log2(1 - p)


def main():
    print("n,p_true,p_calibrated,first_block_factor,nof_passes,runs,leak_per_bit,f,residual")
    for n, p, p_cal, runs in CASES:
        for factor, passes in PARAMETERS:
            cfg = {"cascade": {"first_block_factor": factor, "nof_passes": passes}}
            leak = residual = 0
            for i in range(runs):
                rng = np.random.default_rng(1000 + i)
                a = rng.integers(0, 2, n, dtype=np.uint8)
                b = a ^ (rng.random(n) < p).astype(np.uint8)
                r = physec.keygen.agree(a, b, [], cfg, nof_realisations=n / 24, h_total=0.95 * n, error_rate=p_cal,
                                        public_seed=i + 1)
                leak += r["alice"]["leaked_bits"]
                residual += int(not np.array_equal(r["alice"]["reconciled"], r["bob"]["reconciled"]))
            print(f"{n},{p},{p_cal},{factor},{passes},{runs},{leak / runs / n:.4f},{leak / runs / n / h2(p):.3f},{residual}",
                  flush=True)


if __name__ == "__main__":
    sys.exit(main())
