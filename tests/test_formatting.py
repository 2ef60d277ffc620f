"""Number formatting: 4 significant digits, tiny values visible, data as typed, honest 0 and 1."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logsgd.core.formatting import fmt, fmt_data, fmt_prob, to_tex

finite_nonzero = st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x != 0)


def significant_digits(text: str) -> int:
    """Significant digits a written number shows: "0.0001200" -> 4, "12346" -> 5."""
    mantissa = text.lstrip("-").split("e")[0].replace(".", "")
    return len(mantissa.lstrip("0"))


def parses_back(x: float, text: str) -> bool:
    """The written value is within 4-significant-digit rounding of x (relative 5e-4).

    Below the normal range, parsing itself snaps to multiples of 5e-324, hence the absolute part.
    """
    return math.isclose(float(text), x, rel_tol=5e-4 * (1 + 1e-12), abs_tol=5e-324)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (math.nan, "nan"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        (4.3937656749e-32, "4.394e-32"),
        (1e-8, "1.000e-08"),
        (-1e-8, "-1.000e-08"),
        (12345678.0, "1.235e+07"),
        (1e6, "1.000e+06"),
        (60.500032, "60.50"),
        (58.750030, "58.75"),
        (-0.58750029, "-0.5875"),
        (12345.6, "12346"),
        (0.00012, "0.0001200"),
        (1e-4, "0.0001000"),
        (9.9991e-5, "9.999e-05"),
        (9.99999e-5, "1.000e-04"),
        (1.7976931348623157e308, "1.797e+308"),  # 1.798e+308 would parse back as inf
        (-1.7976e308, "-1.797e+308"),
        (0.69314695, "0.6931"),
        (9.99996, "10.00"),  # the rounding bumps a digit: still 4 significant digits
        (-204.0, "-204.0"),
        (1.0, "1.000"),
        (999999.4, "999999"),
    ],
)
def test_fmt_writes_computed_values_with_four_significant_digits(
    value: float, written: str
) -> None:
    assert fmt(value) == written


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (121.0, "121"),
        (14.8, "14.8"),
        (0.0, "0"),
        (-0.0, "0"),
        (1.0, "1"),
        (-3.25, "-3.25"),
        (0.07871, "0.07871"),  # a breast-cancer feature: typed with 4 digits, shown as typed
        (0.006399, "0.006399"),
        (1001.0, "1001"),
        (1e-5, "1e-05"),
        (0.8660254037844387, "0.8660"),  # standardized: too long to be typed, written by fmt
        (-1.224744871391589, "-1.225"),
    ],
)
def test_fmt_data_writes_data_as_typed(value: float, written: str) -> None:
    assert fmt_data(value) == written


@pytest.mark.parametrize(
    ("value", "written", "ascii_written"),
    [
        (0.500000268, "0.5000003", "0.5000003"),  # not 0.5: the digits that tell its side
        (0.49999997, "0.49999997", "0.49999997"),
        (0.5, "0.5000", "0.5000"),
        (0.69314695, "0.6931", "0.6931"),
        (4.3937656749e-32, "4.394e-32", "4.394e-32"),
        (1.0, "≈1", "~1"),
        (0.0, "≈0", "~0"),
        (1.0 - 2.0**-30, "1 - 9.313e-10", "1 - 9.313e-10"),
        (0.99996, "1 - 4.000e-05", "1 - 4.000e-05"),
        (0.9999, "0.9999", "0.9999"),
        (0.99994, "0.9999", "0.9999"),
    ],
)
def test_fmt_prob_never_fakes_zero_or_one(value: float, written: str, ascii_written: str) -> None:
    assert fmt_prob(value) == written
    assert fmt_prob(value, ascii=True) == ascii_written


def test_fmt_prob_writes_the_gap_from_the_logit_where_f_is_1_in_float64() -> None:
    # The seed lecture after step 2: z = 175.9 gives f = 1.0 in float64, but 1 - f = e^-175.9.
    assert fmt_prob(1.0) == "≈1"
    assert fmt_prob(1.0, gap=3.883e-77) == "1 - 3.883e-77"
    assert fmt_prob(1.0, gap=0.0) == "≈1"  # sigma(-z) underflowed too: nothing left to tell


@given(st.floats(0.49, 0.51, allow_nan=False))
def test_a_probability_near_one_half_shows_its_side(f: float) -> None:
    text = fmt_prob(f)
    if f == 0.5:
        assert text == "0.5000"
    else:
        assert float(text) != 0.5 and (float(text) > 0.5) == (f > 0.5), (f, text)


@pytest.mark.parametrize(
    ("written", "tex"),
    [
        ("4.394e-32", r"4.394\times10^{-32}"),
        ("1.235e+07", r"1.235\times10^{7}"),
        ("1 - 1.000e-08", r"1 - 1.000\times10^{-8}"),
        ("≈1", r"\approx 1"),
        ("~0", r"\approx 0"),
        ("-0.5875", "-0.5875"),
        ("1e-05", r"1\times10^{-5}"),
        ("-inf", r"-\infty"),
        ("nan", r"\mathrm{nan}"),
    ],
)
def test_to_tex_typesets_written_numbers(written: str, tex: str) -> None:
    assert to_tex(written) == tex


@given(finite_nonzero)
def test_fmt_parses_back_to_four_significant_digits(x: float) -> None:
    text = fmt(x)
    assert parses_back(x, text), (x, text)
    assert float(text) != 0, f"{x!r} written as {text!r}"
    assert significant_digits(text) >= 4, (x, text)
    assert (text.startswith("-")) == (x < 0)


@given(finite_nonzero)
def test_fmt_is_exactly_four_digits_in_fixed_point(x: float) -> None:
    text = fmt(x)
    if "e" not in text and abs(x) < 1000:
        assert significant_digits(text) == 4, (x, text)


@given(st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
def test_fmt_prob_below_one_never_reads_as_one(f: float) -> None:
    text = fmt_prob(f)
    assert not re.fullmatch(r"1(\.0*)?", text), (f, text)
    if text.startswith("1 - "):
        gap = float(text.removeprefix("1 - "))
        assert gap > 0
        assert math.isclose(gap, 1.0 - f, rel_tol=5e-4 * (1 + 1e-12)), (f, text)
    elif f == 0.0:
        assert text == "≈0"
    else:
        assert float(text) < 1.0
        assert parses_back(f, text), (f, text)


@given(st.decimals(min_value=-100000, max_value=100000, places=3, allow_nan=False))
def test_fmt_data_gives_back_typed_values_exactly(typed: object) -> None:
    x = float(str(typed))
    assert float(fmt_data(x)) == x


@given(finite_nonzero)
def test_fmt_data_is_exact_or_four_digits(x: float) -> None:
    text = fmt_data(x)
    assert float(text) == x or parses_back(x, text), (x, text)
