"""How the ingest assets fail: transient trouble retries with backoff, bad data fails at once.

A locked or unreadable file, a full disk or a network error may pass: the step retries after 5,
10 and 20 seconds (with jitter). A file or setting that cannot be accepted (the loaders raise a
`ValueError` subclass naming the file and the problem) would fail the same way again, so it fails
the run at once with that cause as the failure's description, which the UI shows on the run.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

INGEST_RETRIES = dg.RetryPolicy(
    max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


@contextmanager
def fail_fast_on_bad_data(*permanent: type[BaseException]) -> Iterator[None]:
    """Turn a `ValueError` (or one of `permanent`) into a `dg.Failure` that is not retried."""
    try:
        yield
    except (ValueError, *permanent) as err:
        raise dg.Failure(
            description=f"{type(err).__name__}: {err}",
            metadata={"error": type(err).__name__, "retried": False},
            allow_retries=False,
        ) from err
