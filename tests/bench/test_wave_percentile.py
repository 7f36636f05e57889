"""The wave's ratio compares like with like: the lone user's p95 is taken by the rule
locust uses for the wave's p95 (locust.stats.calculate_response_time_percentile; locust
itself is not imported here, as importing it patches the process for gevent)."""

import random

from bench.wave import percentile


def test_p95_is_the_value_locust_would_report_for_as_many_requests():
    for count, expected in ((1, 1), (10, 10), (20, 20), (40, 39), (200, 191)):
        values = list(range(1, count + 1))
        random.Random(count).shuffle(values)
        assert percentile(values, 0.95) == expected, count


def test_the_median_by_the_same_rule():
    assert percentile([5, 1, 4, 2, 3], 0.5) == 3
    assert percentile([4, 1, 3, 2], 0.5) == 3
