//! Serving one page of a stockout query: select, render, count, and maybe move records.
//!
//! Contract: [`serve_page`] renders page `page_no` (from 0) from the state *before* any move,
//! then rolls the move-records fault. Moved records are ones the client has not been served
//! yet in this window (positions after the page), unless `include_served` is set. The
//! reported `total_count` counts the visible matching records at the time of the request.
//! Counters: pages, records, late-hidden, moves.

use std::sync::PoisonError;

use crate::framework::paging::{late_indexing, move_fault, page_bounds};
use crate::framework::stats::Counter;
use crate::wdt::WdtState;
use crate::wdt::query::StockoutQuery;
use crate::wdt::records::{StockoutJson, render};

/// One served page.
#[derive(Debug)]
pub struct PageOutcome {
    /// Visible matching records (`total_count`).
    pub total_count: u64,
    /// The records of this page.
    pub records: Vec<StockoutJson>,
}

/// Serves `query`'s page.
pub fn serve_page(state: &WdtState, query: &StockoutQuery) -> PageOutcome {
    let visibility = late_indexing(&state.core);
    let offset = (query.page_no as usize).saturating_mul(query.page_size as usize);
    let (total, page_cores, hidden, served_end) = {
        let store = state.store.read().unwrap_or_else(PoisonError::into_inner);
        let view = store.view(&query.filter, &visibility);
        let page = page_bounds(view.records.len(), offset, query.page_size as usize);
        let end = page.end;
        let cores: Vec<_> = view.records[page]
            .iter()
            .map(|record| (*record, store.core(*record)))
            .collect();
        (view.records.len(), cores, view.hidden, end)
    };
    let records: Vec<StockoutJson> = page_cores
        .iter()
        .map(|(record, core)| render(&state.render, *record, core))
        .collect();
    let stats = &state.core.stats;
    stats.incr(Counter::PagesServed);
    stats.add(Counter::RecordsServed, records.len() as u64);
    stats.add(Counter::LateHidden, hidden as u64);

    move_fault(&state.core, served_end, |first_candidate, moves, choose| {
        let mut store = state.store.write().unwrap_or_else(PoisonError::into_inner);
        store.move_later(&query.filter, &visibility, first_candidate, moves, choose)
    });
    PageOutcome {
        total_count: total as u64,
        records,
    }
}
