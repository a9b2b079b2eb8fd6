"""physec.nist against the worked examples of NIST SP 800-22 rev1a (§2.x.4 and §2.x.8): the strings and P-values
are typed from the document, to the 6 decimals it prints, not read from physec."""
import numpy as np
import pytest

import physec
from conftest import random_bits

PRINTED_6 = 0.5e-6 + 1e-12  # half a unit in the 6th printed decimal

# SP 800-22 rev1a §2.1.8 and following: the first 100 binary digits of the expansion of e.
EPS_100 = ("11001001000011111101101010100010001000010110100011"
           "00001000110100110001001100011001100010100010111000")

# (test, ε, config, {label: printed P-value}), section of the document in the comment.
EXAMPLES = [
    ("frequency", "1011010101", None, {"": 0.527089}),                                  # §2.1.4
    ("frequency", EPS_100, None, {"": 0.109599}),                                        # §2.1.8
    ("block_frequency", "0110011010", {"block_frequency_M": 3}, {"": 0.801252}),         # §2.2.4
    ("block_frequency", EPS_100, {"block_frequency_M": 10}, {"": 0.706438}),             # §2.2.8
    ("runs", "1001101011", None, {"": 0.147232}),                                        # §2.3.4
    ("runs", EPS_100, None, {"": 0.500798}),                                             # §2.3.8
    ("serial", "0011011101", {"serial_m": 3}, {"1": 0.808792, "2": 0.670320}),          # §2.11.4
    ("approximate_entropy", "0100110101", {"approximate_entropy_m": 3}, {"": 0.261961}), # §2.12.4
    ("approximate_entropy", EPS_100, {"approximate_entropy_m": 2}, {"": 0.235301}),      # §2.12.8
    ("cumulative_sums", "1011010111", None, {"forward": 0.411659}),                      # §2.13.4
    ("cumulative_sums", EPS_100, None, {"forward": 0.219194, "reverse": 0.114866}),      # §2.13.8
    ("random_excursions_variant", "0110110101", {"excursions_min_cycles": 0}, {"x=+1": 0.683091}),  # §2.15.4
]


@pytest.mark.parametrize("test,eps,config,expected", EXAMPLES,
                         ids=[f"{e[0]}-{len(e[1])}" for e in EXAMPLES])
def test_sp800_22_worked_examples(test, eps, config, expected):
    bits = physec.nist.bits_from_string(eps)
    assert bits.dtype == np.uint8 and bits.shape == (len(eps),)
    for r in (getattr(physec.nist, test)(bits, config), getattr(physec.nist, test)(eps, config)):  # array or str
        for label, p in expected.items():
            assert r.p_value(label) == pytest.approx(p, abs=PRINTED_6)


def test_statistics_and_inputs_of_any_integer_dtype():
    # §2.1.8: S_n = -16 and s_obs = 1.6 for the 100 digits of e; a Python list of ints and a bool array give the same.
    eps = [int(c) for c in EPS_100]
    for bits in (eps, np.array(eps, dtype=bool), np.array(eps, dtype=np.int64)):
        r = physec.nist.frequency(bits)
        assert r.statistic("S_n") == -16
        assert r.statistic("s_obs") == pytest.approx(1.6, abs=1e-12)
        assert r.statistics["S_n"] == -16
        assert r.name == "Frequency" and r.recommendation_met


def test_run_all_returns_the_fifteen_tests_in_order():
    bits = random_bits(20000, seed=5)
    results = physec.nist.run_all(bits)
    assert [r.name for r in results] == physec.nist.test_names()
    assert len(results) == 15
    nonoverlapping = results[physec.nist.test_names().index("NonOverlappingTemplate")]
    assert nonoverlapping.p_values.shape == (148,)  # §2.7: 148 aperiodic templates of length 9
    # Random excursions need 500 cycles (§2.14.7); 20,000 fair bits have ~110: skipped, with a reason.
    excursions = results[physec.nist.test_names().index("RandomExcursions")]
    assert excursions.skipped and excursions.skip_reason and excursions.p_values.size == 0


def test_suite_analysis_counts_sequences():
    bits = random_bits(10 * 1000, seed=9)
    report = physec.nist.suite(bits, sequence_length=1000, nof_sequences=10, config={"serial_m": 4})
    assert report.nof_sequences == 10 and report.sequence_length == 1000
    row = report.row("Frequency")
    assert row.nof_sequences == 10 and int(row.histogram.sum()) == 10
    assert 0 <= row.nof_passed <= 10
    assert "Frequency" in report.final_analysis_report()


def test_bad_bits_raise_physec_error_with_the_index():
    bits = np.array([0, 1, 1, 2, 0], dtype=np.uint8)
    with pytest.raises(physec.Error) as e:
        physec.nist.frequency(bits)
    assert "[3]" in str(e.value)  # the index of the first non-bit
    with pytest.raises(ValueError):  # physec.Error is a ValueError
        physec.nist.bits_from_string("01x1")
    with pytest.raises(physec.Error, match="wrong number of dimensions"):
        physec.nist.frequency(np.zeros((2, 3), dtype=np.uint8))


def test_bad_config_key_is_rejected_with_the_suggestion():
    with pytest.raises(physec.Error) as e:
        physec.nist.block_frequency(random_bits(1000, 1), {"block_frequncy_M": 10})
    message = str(e.value)
    assert "block_frequncy_M" in message and "block_frequency_M" in message and "\n" not in message
    with pytest.raises(physec.Error, match="serial_m"):  # out of the documented range 2..20
        physec.nist.serial(random_bits(1000, 1), {"serial_m": 40})
    with pytest.raises(physec.Error, match="serial_m"):  # wrong type, as in TOML
        physec.nist.serial(random_bits(1000, 1), {"serial_m": "four"})


def _e_bits(n):
    """The first n bits of e = 10.1011011111...b (integer bits included), MSB first, uint8 [n]: e = sum 1/k! by
    binary splitting in Python integers, independent of physec and of MPFR. 80,000 terms: 80000! > 2^1,190,000, so
    the truncated tail is far below the last bit."""
    def split(a, b):  # sum over k in (a, b] of a!/k!, as P/Q with Q = (a+1)...(b)
        if b - a == 1:
            return 1, b
        m = (a + b) // 2
        p1, q1 = split(a, m)
        p2, q2 = split(m, b)
        return p1 * q2 + p2, q1 * q2
    p, q = split(0, 80_000)
    z = ((p + q) << (n - 2)) // q  # floor(e * 2^(n-2)): n bits
    return np.frombuffer(bin(z)[2:].encode(), dtype=np.uint8) - ord("0")


# SP 800-22 rev1a Appendix B, "2. The binary expansion of e" (n = 10^6, the document's parameters, which are the
# defaults): (test, label, printed P-value), typed from the document.
APPENDIX_B_E = [
    ("frequency", "", 0.953749), ("block_frequency", "", 0.211072),
    ("cumulative_sums", "forward", 0.669886), ("cumulative_sums", "reverse", 0.724265),
    ("runs", "", 0.561917), ("longest_run", "", 0.718945), ("rank", "", 0.306156), ("dft", "", 0.847187),
    ("non_overlapping_template", "000000001", 0.078790), ("overlapping_template", "", 0.110434),
    ("universal", "", 0.282568), ("approximate_entropy", "", 0.700073),
    ("random_excursions", "x=+1", 0.786868), ("random_excursions_variant", "x=-1", 0.826009),
    ("linear_complexity", "", 0.826335), ("serial", "1", 0.766182), ("serial", "2", 0.462921),
]


def test_appendix_b_binary_expansion_of_e():
    e = _e_bits(1_000_000)
    # The first 64 bits of the reference suite's data/data.e, typed from that file.
    assert "".join(map(str, e[:64])) == "1010110111111000010101000101100010100010101110110100101010011010"
    for test, label, printed in APPENDIX_B_E:
        assert getattr(physec.nist, test)(e).p_value(label) == pytest.approx(printed, abs=PRINTED_6), (test, label)
