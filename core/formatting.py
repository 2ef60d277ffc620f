"""How numbers are written on screen and in exports: computed values, typed data, predictions."""

from __future__ import annotations

import math
import re

SIGNIFICANT_DIGITS = 4
# Fixed-point for 1e-4 <= |x| < 1e6, scientific outside: a tiny value such as 4.394e-32 never
# turns into "0.0000", and a huge one never into a row of digits.
FIXED_MIN = 1e-4
FIXED_MAX = 1e6
# A data value whose shortest repr needs more significant digits than this was computed (e.g.
# standardized), not typed, and is written like a computed value.
DATA_MAX_DIGITS = 8
FLOAT64_MAX_WRITTEN = "1.797e+308"

APPROX = "≈"
APPROX_ASCII = "~"


def fmt(x: float) -> str:
    """A computed value with 4 significant digits; never hides a non-zero value as 0.

    0 -> "0", 0.69314695 -> "0.6931", 60.500032 -> "60.50", 12345.6 -> "12346",
    0.00012 -> "0.0001200", 4.3937656749e-32 -> "4.394e-32", 12345678 -> "1.235e+07".
    The decimals come from the exponent of the value rounded to 4 digits, so a rounding that
    bumps a digit keeps 4 significant digits: 9.99996 -> "10.00".
    """
    x = float(x)
    if x == 0:
        return "0"  # also for -0.0: a sign on zero means nothing to a reader
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    scientific = f"{x:.{SIGNIFICANT_DIGITS - 1}e}"
    if math.isinf(float(scientific)):
        # From 1.7975e308 up, the rounding 1.798e+308 exceeds float64 and would read back as inf.
        scientific = f"{'-' if x < 0 else ''}{FLOAT64_MAX_WRITTEN}"
    if not FIXED_MIN <= abs(x) < FIXED_MAX:
        return scientific
    exponent = int(scientific[scientific.index("e") + 1 :])
    # Rounding at the same decimal position as the scientific form gives the same digits.
    return f"{x:.{max(0, SIGNIFICANT_DIGITS - 1 - exponent)}f}"


def fmt_data(x: float) -> str:
    """A data value (feature, label, typed setting) as it was typed: 121.0 -> "121", 14.8 -> "14.8".

    Values whose shortest repr is long (standardized features such as 0.8660254037844387) are
    written like computed values, with fmt.
    """
    x = float(x)
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return fmt(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))  # 121.0 was typed as 121; below 1e15 every integer is exact
    text = repr(x)
    mantissa = text.split("e")[0]
    digits = mantissa.lstrip("-").replace(".", "").strip("0")
    return text if len(digits) <= DATA_MAX_DIGITS else fmt(x)


def fmt_prob(f: float, gap: float | None = None, ascii: bool = False) -> str:
    """A probability (a prediction f = sigma(z)), written so that 0, 1 and 0.5 are never faked.

    `gap` is 1 - f computed from the logit (maths.complement), if known. A value that fmt would
    round to 1 is written as its gap to 1, "1 - 1.234e-08": from `gap`, or as 1 - f (exact in
    float64 for f in [0.5, 1]). Exactly 1 with no gap to tell is "≈1" (float64 rounded the true
    value, which is never exactly 1); likewise 0.0 (an underflow) is "≈0". A value that rounds
    to 0.5000 but is not 0.5 gets the digits that tell its side: 0.50000027 -> "0.5000003".
    Tiny values are scientific (4.394e-32). ascii=True writes "~" for "≈".
    """
    f = float(f)
    approx = APPROX_ASCII if ascii else APPROX
    if f >= 0.5 and (f == 1.0 or float(fmt(f)) >= 1.0):
        rest = 1.0 - f if gap is None else float(gap)
        return f"1 - {fmt(rest)}" if rest > 0 else f"{approx}1"
    if f == 0.0:
        return f"{approx}0"
    text = fmt(f)
    if float(text) == 0.5 and f != 0.5:
        return _side_of_one_half(f)
    return text


def _side_of_one_half(f: float) -> str:
    """f near 0.5 with as many decimals as it takes to see which side of 0.5 it is on."""
    for decimals in range(SIGNIFICANT_DIGITS + 1, 18):
        text = f"{f:.{decimals}f}"
        if float(text) != 0.5:
            return text
    return repr(f)


def operand(text: str) -> str:
    """A formatted number as the right operand of * or -: negatives in parentheses, (-204.0)."""
    return f"({text})" if text.startswith("-") else text


_SCIENTIFIC = re.compile(r"(\d+(?:\.\d+)?)e([+-]\d+)")
_SPECIAL = re.compile(r"\b(nan|inf)\b")


def to_tex(text: str) -> str:
    r"""A string written by fmt, fmt_data or fmt_prob, as TeX math (for $...$ or align*).

    "4.394e-32" -> "4.394\times10^{-32}", "≈1" -> "\approx 1", "1 - 1.000e-08" ->
    "1 - 1.000\times10^{-8}", "inf" -> "\infty".
    """
    text = text.replace(APPROX, r"\approx ").replace(APPROX_ASCII, r"\approx ")
    text = _SCIENTIFIC.sub(lambda m: rf"{m.group(1)}\times10^{{{int(m.group(2))}}}", text)
    return _SPECIAL.sub(lambda m: r"\mathrm{nan}" if m.group(1) == "nan" else r"\infty", text)
