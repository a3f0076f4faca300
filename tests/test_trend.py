"""The status rule, the changes and the thinning of an indicator's series, on hand-computed
series (no database).

The series run every 100 days from 1 January 2027, so that a line's slope is easy to
compute by hand: 100, 110, 120, 130 rises 0.1 a day.
"""

import datetime

import pytest

from indicators import chart, trend

START = datetime.date(2027, 1, 1)


def day(n: int) -> datetime.date:
    return START + datetime.timedelta(days=n)


def series(*values) -> list:
    return [(day(100 * i), float(v)) for i, v in enumerate(values)]


def status(points, *, direction="up", target=None, by=None, today=None):
    return trend.status(
        points,
        direction=direction,
        target_value=target,
        target_date=by,
        today=today or points[-1][0],
    )


# The status rule


def test_rising_toward_the_target_is_on_track():
    # 100, 110, 120, 130 on days 0..300: 0.1 a day; by day 1000 the line reaches 200.
    result = status(series(100, 110, 120, 130), target=200, by=day(1000))
    assert (result.key, result.projection) == ("on_track", 200.0)
    assert result.reason == (
        "A straight line through the last 4 values reaches 200 by 2029-09-27; the target is 200."
    )


def test_rising_too_slowly_but_covering_half_the_distance_is_at_risk():
    # The line reaches 200: 70 of the 120 still to go from 130 to 250 (at least 60).
    result = status(series(100, 110, 120, 130), target=250, by=day(1000))
    assert (result.key, result.projection) == ("at_risk", 200.0)


def test_rising_but_covering_less_than_half_the_distance_is_off_track():
    # The line reaches 200: 70 of the 170 still to go from 130 to 300 (less than 85).
    result = status(series(100, 110, 120, 130), target=300, by=day(1000))
    assert (result.key, result.projection) == ("off_track", 200.0)


def test_stalled_is_off_track():
    result = status(series(120, 120, 120, 120), target=200, by=day(1000))
    assert (result.key, result.projection) == ("off_track", 120.0)
    assert result.label == "off track"


def test_falling_when_lower_is_better_is_on_track():
    # 50, 45, 40 on days 0..200: -0.05 a day; by day 600 the line reaches 20.
    result = status(series(50, 45, 40), direction="down", target=20, by=day(600))
    assert (result.key, result.projection) == ("on_track", 20.0)


def test_rising_when_lower_is_better_is_off_track():
    result = status(series(40, 45, 50), direction="down", target=20, by=day(600))
    assert (result.key, result.projection) == ("off_track", 70.0)  # 40 + 0.05 * 600


def test_only_the_last_six_values_make_the_line():
    # An early fall, then six values rising 10 per 100 days (days 300 to 800): from 150 on
    # day 800, 0.1 a day reaches 200 on day 1300. All nine values would make a falling line.
    points = series(500, 400, 300, 100, 110, 120, 130, 140, 150)
    result = status(points, target=200, by=day(1300))
    assert (result.key, result.projection) == ("on_track", 200.0)


def test_a_single_value_is_not_enough_data():
    result = status(series(100), target=200, by=day(1000))
    assert result.key == "no_data"
    assert result.label == "not enough data"
    assert result.reason == "At least two values are needed to see which way it is moving."


def test_no_value_is_not_enough_data():
    result = trend.status([], direction="up", target_value=200, target_date=day(1000), today=START)
    assert (result.key, result.projection) == ("no_data", None)


def test_no_target_is_not_enough_data():
    result = status(series(100, 110, 120), target=None, by=None)
    assert result.key == "no_data"
    assert result.reason == "There is no target (a value and a date) to compare with."
    assert status(series(100, 110), target=200, by=None).key == "no_data"


def test_after_the_target_date_the_latest_value_decides():
    points = series(100, 150, 190)
    assert status(points, target=180, by=day(150), today=day(400)).key == "on_track"
    late = status(points, target=200, by=day(150), today=day(400))
    assert late.key == "off_track"
    assert late.reason == (
        "The target date (2027-05-31) has come, and the latest value, 190, does not meet "
        "the target of 200."
    )


def test_a_target_met_but_left_behind_is_at_risk():
    # 210, 205 falling 0.05 a day: 190 by day 400, under the target of 200 already met.
    result = status(series(210, 205), target=200, by=day(400))
    assert (result.key, result.projection) == ("at_risk", 190.0)


# Changes


@pytest.mark.parametrize(
    ("latest", "reference", "direction", "since", "words"),
    [
        (112, 100, "up", "baseline", "up 12 since the baseline — the better way"),
        (112, 100, "down", "baseline", "up 12 since the baseline — the worse way"),
        (97.5, 100, "down", "previous", "down 2.5 since the previous value — the better way"),
        (100, 100, "up", "previous", "no change since the previous value"),
    ],
)
def test_a_change_is_said_in_words(latest, reference, direction, since, words):
    assert trend.describe(trend.change(latest, reference, direction), since) == words


def test_no_reference_is_no_change():
    assert trend.change(100, None, "up") is None
    assert trend.describe(None, "baseline") == ""


# Thinning


def test_a_short_series_is_not_thinned():
    points = series(1, 2, 3)
    assert trend.thin(points, 200) == points


def test_thinning_keeps_the_first_the_last_and_the_extremes():
    points = [(i, float(i % 7)) for i in range(1000)]
    points[500] = (500, 999.0)
    points[501] = (501, -999.0)
    kept = trend.thin(points, 50)
    assert len(kept) <= 50
    assert kept[0] == points[0] and kept[-1] == points[-1]
    assert (500, 999.0) in kept and (501, -999.0) in kept
    assert kept == sorted(kept)


def test_ten_thousand_points_are_thinned_to_two_hundred():
    points = [(START + datetime.timedelta(days=i), float(i % 97)) for i in range(10_000)]
    kept = trend.thin(points, 200)
    assert 190 <= len(kept) <= 200
    assert max(v for _d, v in kept) == 96.0 and min(v for _d, v in kept) == 0.0


# The chart's geometry


def test_the_chart_takes_in_the_baseline_and_the_target():
    chart_ = chart.trend_chart(
        [{"name": "The whole", "points": series(100, 110, 120, 130)}],
        baseline=(START, 90.0),
        target=(day(1000), 200.0),
    )
    assert [t["label"] for t in chart_["y_ticks"]] == ["75", "100", "125", "150", "175", "200"]
    assert chart_["top"] <= chart_["target"]["y"] <= chart_["bottom"]
    assert chart_["baseline"]["label"] == "Baseline 90 (2027-01-01)"
    assert chart_["target"]["label"] == "Target 200 by 2029-09-27"
    assert chart_["target"]["x"] == chart_["right"]
    assert len(chart_["lines"][0]["markers"]) == 4


def test_a_long_line_has_no_markers():
    points = [(START + datetime.timedelta(days=i), float(i)) for i in range(100)]
    chart_ = chart.trend_chart([{"name": "The whole", "points": points}])
    assert chart_["lines"][0]["markers"] == []
    assert chart_["target"] is None and chart_["baseline"] is None


def test_nice_ticks_are_round():
    assert chart.nice_ticks(0, 97) == [0, 20, 40, 60, 80, 100]
    assert chart.nice_ticks(5, 5) == [4.4, 4.6, 4.8, 5.0, 5.2, 5.4, 5.6]


def test_a_sparkline_of_one_value_is_a_dot():
    line = chart.sparkline(series(5))
    assert (line["last_x"], line["last_y"]) == (60.0, 16.0)
    assert chart.sparkline([]) is None
