//! A compact time index over records, optionally partitioned by a small group key (a status).
//!
//! Contract: entries are `(time, record index)` pairs sorted ascending, so records with equal
//! times are ordered by record index (= by the platform's primary key, since records are
//! generated in key order). [`TimeIndex::slice`] returns the entries with
//! `from <= time < to_exclusive` in O(log n); [`TimeIndex::reposition`] moves one record to a
//! new time in O(distance moved). Eight bytes per entry per partition.

/// One index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    /// The indexed time (Unix seconds).
    pub time: u32,
    /// The record's position in the platform's record vector.
    pub record: u32,
}

/// All entries, plus the same entries split by group.
#[derive(Debug, Default)]
pub struct TimeIndex {
    all: Vec<Entry>,
    by_group: Vec<Vec<Entry>>,
}

impl TimeIndex {
    /// Builds the index from `(time, group)` per record; `None` leaves a record out (e.g. an
    /// order that was never sent has no send time).
    pub fn build(
        records: usize,
        group_count: usize,
        mut key: impl FnMut(usize) -> Option<(u32, u8)>,
    ) -> Self {
        let mut all = Vec::with_capacity(records);
        let mut by_group: Vec<Vec<Entry>> = vec![Vec::new(); group_count];
        for record in 0..records {
            let Some((time, group)) = key(record) else {
                continue;
            };
            let record = u32::try_from(record).expect("record count should fit in u32");
            let entry = Entry { time, record };
            all.push(entry);
            if let Some(partition) = by_group.get_mut(usize::from(group)) {
                partition.push(entry);
            }
        }
        all.sort_unstable();
        for partition in &mut by_group {
            partition.sort_unstable();
        }
        Self { all, by_group }
    }

    /// Entries with `from <= time < to_exclusive`, of one group or of all.
    pub fn slice(&self, group: Option<u8>, from: u32, to_exclusive: u32) -> &[Entry] {
        let entries = match group {
            None => self.all.as_slice(),
            Some(group) => match self.by_group.get(usize::from(group)) {
                Some(partition) => partition.as_slice(),
                None => return &[],
            },
        };
        let start = entries.partition_point(|entry| entry.time < from);
        let end = entries
            .partition_point(|entry| entry.time < to_exclusive)
            .max(start);
        &entries[start..end]
    }

    /// Moves `record` (in `group`) from `old_time` to `new_time`; returns `false` if the
    /// record was not indexed at `old_time`.
    pub fn reposition(&mut self, record: u32, group: u8, old_time: u32, new_time: u32) -> bool {
        let old = Entry {
            time: old_time,
            record,
        };
        let new = Entry {
            time: new_time,
            record,
        };
        let in_all = reposition_in(&mut self.all, old, new);
        let in_group = match self.by_group.get_mut(usize::from(group)) {
            Some(partition) => reposition_in(partition, old, new),
            None => false,
        };
        in_all && in_group
    }

    /// Number of indexed records.
    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }
}

fn reposition_in(entries: &mut [Entry], old: Entry, new: Entry) -> bool {
    let Ok(from) = entries.binary_search(&old) else {
        return false;
    };
    if new > old {
        // Shift the entries between the old and the new place one step left.
        let to = entries.partition_point(|entry| *entry < new);
        entries[from..to].rotate_left(1);
        entries[to - 1] = new;
    } else {
        let to = entries.partition_point(|entry| *entry < new);
        entries[to..=from].rotate_right(1);
        entries[to] = new;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times(index: &TimeIndex, group: Option<u8>) -> Vec<(u32, u32)> {
        index
            .slice(group, 0, u32::MAX)
            .iter()
            .map(|e| (e.time, e.record))
            .collect()
    }

    #[test]
    fn slices_are_half_open_and_grouped() {
        let data = [(30, 0), (10, 1), (20, 0), (10, 0)];
        let index = TimeIndex::build(4, 2, |i| Some(data[i]));
        assert_eq!(
            times(&index, None),
            vec![(10, 1), (10, 3), (20, 2), (30, 0)]
        );
        assert_eq!(times(&index, Some(1)), vec![(10, 1)]);
        let window: Vec<u32> = index.slice(None, 10, 30).iter().map(|e| e.record).collect();
        assert_eq!(window, vec![1, 3, 2]);
        assert!(index.slice(Some(7), 0, 100).is_empty());
        assert!(index.slice(None, 40, 10).is_empty());
    }

    #[test]
    fn reposition_keeps_order_both_ways() {
        let data = [(10, 0), (20, 0), (30, 0), (40, 0)];
        let mut index = TimeIndex::build(4, 1, |i| Some(data[i]));
        assert!(index.reposition(0, 0, 10, 35));
        assert_eq!(
            times(&index, None),
            vec![(20, 1), (30, 2), (35, 0), (40, 3)]
        );
        assert_eq!(times(&index, Some(0)), times(&index, None));
        assert!(index.reposition(3, 0, 40, 5));
        assert_eq!(times(&index, None), vec![(5, 3), (20, 1), (30, 2), (35, 0)]);
        assert!(!index.reposition(3, 0, 40, 50));
    }
}
