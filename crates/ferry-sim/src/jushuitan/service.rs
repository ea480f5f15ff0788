//! Serving one page of an order query: select, render, count, and maybe move records.
//!
//! Contract: [`serve_page`] renders the page from the state *before* any move, then rolls the
//! move-records fault. Moved orders are ones the client has not been served yet in this window
//! (positions after the page), unless `include_served` is set, in which case any order of the
//! window may move (and a naive client then skips one that stayed). Counters: pages, records,
//! late-hidden, moves.

use std::sync::PoisonError;

use crate::framework::paging::{late_indexing, move_fault, page_bounds};
use crate::framework::stats::Counter;
use crate::jushuitan::JushuitanState;
use crate::jushuitan::orders::{OrderJson, render};
use crate::jushuitan::query::OrderQuery;

/// One served page and its paging fields.
#[derive(Debug)]
pub struct PageOutcome {
    /// `page_index` as asked.
    pub page_index: u32,
    /// `page_size` as asked.
    pub page_size: u32,
    /// Visible orders matching the query.
    pub data_count: u64,
    /// `ceil(data_count / page_size)`.
    pub page_count: u64,
    /// Whether a later page has orders.
    pub has_next: bool,
    /// The orders of this page.
    pub orders: Vec<OrderJson>,
}

/// Serves `query`'s page.
pub fn serve_page(state: &JushuitanState, query: &OrderQuery) -> PageOutcome {
    let visibility = late_indexing(&state.core);
    let offset = (query.page_index as usize - 1).saturating_mul(query.page_size as usize);
    let (data_count, page_cores, hidden, served_end) = {
        let store = state.store.read().unwrap_or_else(PoisonError::into_inner);
        let view = store.view(&query.filter, &visibility);
        let page = page_bounds(view.len(), offset, query.page_size as usize);
        let end = page.end;
        let cores: Vec<_> = page
            .map(|position| {
                let record = view.record_at(position);
                (record, store.core(record))
            })
            .collect();
        (view.len(), cores, view.hidden, end)
    };
    let orders: Vec<OrderJson> = page_cores
        .iter()
        .map(|(record, core)| render(&state.render, *record, core))
        .collect();
    let stats = &state.core.stats;
    stats.incr(Counter::PagesServed);
    stats.add(Counter::RecordsServed, orders.len() as u64);
    stats.add(Counter::LateHidden, hidden as u64);

    move_fault(&state.core, served_end, |first_candidate, moves, choose| {
        let mut store = state.store.write().unwrap_or_else(PoisonError::into_inner);
        store.move_later(&query.filter, &visibility, first_candidate, moves, choose)
    });

    let data_count = data_count as u64;
    let page_size = u64::from(query.page_size);
    let page_count = data_count.div_ceil(page_size);
    PageOutcome {
        page_index: query.page_index,
        page_size: query.page_size,
        data_count,
        page_count,
        has_next: u64::from(query.page_index) < page_count,
        orders,
    }
}
