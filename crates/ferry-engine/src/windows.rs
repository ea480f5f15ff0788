//! Window planning: which half-open ranges `[from, to)` of the source's time a run fetches.
//!
//! A run covers `[checkpoint - overlap, now - lag)`, or `[start, now - lag)` the first time,
//! or exactly `[--from, --to)` when the user says so. The range is cut into consecutive
//! windows no wider than the API allows. Windows tile the range exactly: no gap, no overlap
//! between neighbours, the last one may be shorter.

use serde::Serialize;

/// A half-open range of unix seconds `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    /// First second included.
    pub from: i64,
    /// First second not included.
    pub to: i64,
}

impl Window {
    /// Width in seconds.
    pub fn span(&self) -> i64 {
        self.to - self.from
    }
}

/// Where a run's range comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeStart {
    /// The user gave `--from`: used as is.
    Explicit(i64),
    /// The scheme's checkpoint: the run reaches back `overlap` before it.
    Checkpoint(i64),
    /// First run: the scheme's `sync.start`.
    First(i64),
}

/// The range a run covers.
///
/// `to` is `--to` when given, else `now - lag`. An empty range (start at or after end) means
/// there is nothing to fetch yet.
pub fn run_range(
    start: RangeStart,
    explicit_to: Option<i64>,
    now: i64,
    lag_secs: i64,
    overlap_secs: i64,
) -> Window {
    let from = match start {
        RangeStart::Explicit(from) | RangeStart::First(from) => from,
        RangeStart::Checkpoint(checkpoint) => checkpoint - overlap_secs,
    };
    let to = explicit_to.unwrap_or(now - lag_secs);
    Window {
        from,
        to: to.max(from),
    }
}

/// Cuts `range` into windows of at most `max_span_secs`. Lazily, so a long backfill does
/// not allocate every window up front.
pub fn split(range: Window, max_span_secs: i64) -> impl Iterator<Item = Window> {
    debug_assert!(max_span_secs > 0, "max_span should be validated positive");
    let step = max_span_secs.max(1);
    let mut cursor = range.from;
    std::iter::from_fn(move || {
        if cursor >= range.to {
            return None;
        }
        let end = cursor.saturating_add(step).min(range.to);
        let window = Window {
            from: cursor,
            to: end,
        };
        cursor = end;
        Some(window)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DAY: i64 = 86_400;

    #[test]
    fn twenty_days_at_seven_make_three_windows() {
        let start = 1_704_038_400; // 2024-01-01 00:00:00 +08:00
        let range = run_range(
            RangeStart::Explicit(start),
            Some(start + 19 * DAY),
            0,
            60,
            600,
        );
        let windows: Vec<Window> = split(range, 7 * DAY).collect();
        assert_eq!(
            windows,
            vec![
                Window {
                    from: start,
                    to: start + 7 * DAY
                },
                Window {
                    from: start + 7 * DAY,
                    to: start + 14 * DAY
                },
                Window {
                    from: start + 14 * DAY,
                    to: start + 19 * DAY
                },
            ]
        );
    }

    #[test]
    fn checkpoint_runs_reach_back_by_the_overlap_and_stop_at_the_lag() {
        let range = run_range(RangeStart::Checkpoint(10_000), None, 20_000, 60, 600);
        assert_eq!(
            range,
            Window {
                from: 9_400,
                to: 19_940
            }
        );
        let empty = run_range(RangeStart::First(30_000), None, 20_000, 60, 600);
        assert_eq!(split(empty, DAY).count(), 0);
    }

    proptest! {
        #[test]
        fn windows_tile_the_range(from in -1_000_000i64..1_000_000, width in 0i64..5_000_000, span in 1i64..1_000_000) {
            let range = Window { from, to: from + width };
            let windows: Vec<Window> = split(range, span).collect();
            let mut cursor = from;
            for window in &windows {
                prop_assert_eq!(window.from, cursor);
                prop_assert!(window.span() > 0 && window.span() <= span);
                cursor = window.to;
            }
            prop_assert_eq!(cursor, range.to);
        }
    }
}
