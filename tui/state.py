"""The one value the app holds and every panel renders from: ViewState."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from logsgd.core.events import IntArray, StepEvent
from logsgd.core.landscape import GridRequest, Window
from logsgd.core.maths import FloatArray
from logsgd.core.quiz import Quiz
from logsgd.core.scenario import Scenario

ChartMode = Literal["weights", "loss", "boundary", "landscape"]
# The panels in reading order of the full layout (left to right, top to bottom): keys 1-5, tab,
# the tabs line and the help screen number them in this order, and the app lays them out in it.
PANELS = ("dataset", "batch", "predictions", "gradients", "chart")


@dataclass(frozen=True, eq=False)
class PinnedLine:
    """A pinned run as the chart draws it over the live one, and its figure at the cursor."""

    letter: str  # "A"
    label: str  # "A: lr 0.01 raw": the letter and what differs from the live run
    steps: FloatArray
    values: FloatArray  # (k, series), the same series as the live run's
    loss_at_cursor: float | None  # its full-data loss after the cursor's step (None: not run)
    history_length: int


@dataclass(frozen=True, eq=False)
class ChartData:
    """The history as drawn: downsampled to at most a few hundred points, whatever its length.

    steps[i] is the step of point i; values[i] the weights (or loss) there. The ghost is the
    timeline dropped by the last hyperparameter change, drawn fainter. Of many weights only
    the largest at the cursor and the bias are drawn (series_names name them).
    """

    mode: ChartMode
    steps: FloatArray
    values: FloatArray  # (k, series)
    series_names: tuple[str, ...]
    ghost_steps: FloatArray
    ghost_values: FloatArray
    cursor: int
    epoch_boundaries: tuple[int, ...]
    changes: tuple[int, ...]  # steps where hyperparameters changed
    series_total: int | None = None  # the history's series, when fewer are drawn
    ghost_label: str = "dropped"  # "dropped: lr 0.01", what the dropped steps ran with
    pinned: tuple[PinnedLine, ...] = ()  # the pinned runs, drawn under the live one
    highlighted: int | None = None  # the column of the weight highlighted (w), if drawn


@dataclass(frozen=True, eq=False)
class LandscapeData:
    """The loss landscape at the cursor, as the engine recorded it: the path of the steps to
    the cursor over two weights, the window around it, the next step's move; the grid of
    the objective is asked of `grids` at the plot's size (None while it is computed in the
    background)."""

    pair: tuple[int, int]  # the weights across and up
    path_a: FloatArray  # the recorded weights at path_steps (at most a few hundred)
    path_b: FloatArray
    path_steps: IntArray  # 0 .. the cursor, both ends always
    cursor_point: tuple[float, float]
    next_point: tuple[float, float] | None  # the weights after the next step (None: not finite)
    move: FloatArray | None  # the next step's move, -lr g (every weight)
    momentum: bool  # the move is -lr v
    held: tuple[float, ...]  # every weight at the cursor: the others are held there
    window: Window
    l2: float  # the next step's lambda: the objective drawn has its penalty
    n_rows: int
    grids: Callable[[GridRequest], FloatArray | None]
    before_step: bool = False  # drawn at the step before the cursor's, with no move (quiz)


@dataclass(frozen=True, eq=False)
class DataInfo:
    """What the panels need to name the data (never the engine itself)."""

    name: str
    feature_names: tuple[str, ...]
    label_name: str
    class_names: tuple[str, str]
    inputs: FloatArray  # (n, d) as the engine uses them (standardized when on)
    labels: FloatArray

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    def weight_label(self, j: int) -> str:
        """Weight j with the feature it multiplies: "w0 (x1)", "w3 (x4: area)", "w4 (bias)"."""
        if j == self.n_features:
            return f"w{j} (bias)"
        name = self.feature_names[j]
        return f"w{j} (x{j + 1})" if name == f"x{j + 1}" else f"w{j} (x{j + 1}: {name})"


@dataclass(frozen=True, eq=False)
class ViewState:
    """The StepEvent on screen plus the view settings around it: all that the screen shows.

    The app holds exactly one and changes it by replacing it (`dataclasses.replace`); panels
    are bound to it and redraw from it, and the app's watcher does what a change of a setting
    does beyond drawing (a timer, a layout, the Footer's keys). Nothing else holds a setting.
    """

    event: StepEvent
    """The step on screen, as the engine computed it."""
    data: DataInfo
    """The dataset's names and values, as the engine uses them."""
    chart: ChartData
    """The history as the chart draws it, for `event` and `chart_mode` (the app builds it)."""
    notice: str = ""
    """The last thing the app said (a change of settings, a refusal, a run's end); it stays
    until the next one."""
    playing: bool = False
    """Autoplay is on: a step every 1 / speed seconds."""
    speed: float = 2.0
    """Autoplay steps per second."""
    chart_mode: ChartMode = "weights"
    """What the chart panel draws: the weights, the full-data loss, the decision boundary or
    the loss landscape."""
    boundary_fit: bool = False
    """The decision boundary's window takes in the lines (z = 0 now and before the step), not
    only the data."""
    highlighted_weight: int | None = None
    """The weight the chart draws in full, the others dim (w; None: all in full). Drawn
    whether or not it is among the largest."""
    boundary_pair: tuple[int, int] = (0, 1)
    """The two features the decision boundary is drawn over (across, up), 0-based; the others
    are held at their mean."""
    landscape_pair: tuple[int, int] = (0, 1)
    """The loss landscape's two weights, across and up."""
    landscape: LandscapeData | None = None
    """The loss landscape at `event`'s step, while `chart_mode` is "landscape" (the app
    builds it)."""
    landscape_grids_ready: int = 0
    """How many grids were computed in the background: one more redraws the landscape."""
    selected_panel: str = "batch"
    """The panel that the scroll keys move (the only one shown in the compact layout)."""
    busy: str = ""
    """What runs in the background ("running 10 epochs"), or "" when nothing does."""
    pins_changed: int = 0
    """How many times the pinned runs changed (pin, unpin, switch; the app's Pins hold them):
    a change rebuilds the chart, which overlays them."""
    quiz_on: bool = False
    """Quiz mode: a step's asked numbers are blank ("?") until answered or revealed."""
    quiz: Quiz = field(default_factory=Quiz)
    """The quiz's settings and the answers given, per step (kept when quiz mode is off)."""
    scenario: Scenario | None = None
    """The lecture played (--scenario): its stops, their notes, questions and settings."""
    scenario_note_shown: bool = True
    """The scenario's note box is shown (N hides it)."""
    focus: bool = False
    """Focus mode: one block of the derivation at full screen, its results in big digits."""
    focus_block: int = 0
    """The block focus mode shows: weight j's (j >= 0) or the batch's (-1); tab moves on."""

    @property
    def n_rows(self) -> int:
        return int(self.data.labels.shape[0])
