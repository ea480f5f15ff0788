//! Both Jushuitan routes page a window against the simulator and return exactly its ground
//! truth, with one request per page; a window over seven days is refused with the platform's
//! own message.

mod jushuitan_support;

use ferry_platforms::{CallError, SourceShape};
use ferry_sim::FaultConfig;
use jushuitan_support::{
    NATIVE_SETTINGS, QIMEN_SETTINGS, WINDOW, fetch, native_params, native_source, o_ids, page_all,
    qimen_params, qimen_source, sort_by_o_id, start, truth, with,
};
use serde_json::Value;

const ORDERS: u32 = 2_000;

const SHAPE: SourceShape = SourceShape {
    first_page: 1,
    max_page_size: 100,
    page_param: "page_index",
    size_param: "page_size",
    modified_field: Some("modified"),
};

/// Asserts that `pages` hold exactly `expected` (any order), each reporting its total.
fn assert_pages_match(pages: &[ferry_platforms::Page], expected: &[Value], page_size: usize) {
    let expected_total = expected.len() as u64;
    let mut served: Vec<Value> = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        assert_eq!(page.total, Some(expected_total), "page {index}");
        let last = index + 1 == pages.len();
        assert_eq!(page.has_next, Some(!last), "page {index}");
        if !last {
            assert_eq!(page.records.len(), page_size, "page {index}");
        }
        served.extend(page.records.iter().cloned());
    }
    sort_by_o_id(&mut served);
    assert_eq!(o_ids(&served), o_ids(expected));
    assert_eq!(served, expected);
}

#[tokio::test]
async fn qimen_route_pages_a_window_to_exactly_the_ground_truth() {
    let handle = start(ORDERS, FaultConfig::default(), None).await;
    let source = qimen_source(&handle, QIMEN_SETTINGS);
    assert_eq!(source.shape(), SHAPE);
    let expected = truth(&handle);
    assert!(expected.len() > 300, "the window should span several pages");
    let pages = page_all(source.as_ref(), &qimen_params(WINDOW.0, WINDOW.1), 100).await;
    assert_eq!(pages.len(), expected.len().div_ceil(100));
    assert_pages_match(&pages, &expected, 100);
    let stats = handle.simulator().stats();
    assert_eq!(stats.requests, pages.len() as u64);
    assert_eq!(stats.served, pages.len() as u64);
}

#[tokio::test]
async fn native_route_pages_a_window_to_exactly_the_ground_truth() {
    let handle = start(ORDERS, FaultConfig::default(), None).await;
    let source = native_source(&handle, NATIVE_SETTINGS);
    assert_eq!(source.shape(), SHAPE);
    let expected = truth(&handle);
    let pages = page_all(source.as_ref(), &native_params(WINDOW.0, WINDOW.1), 37).await;
    assert_eq!(pages.len(), expected.len().div_ceil(37));
    assert_pages_match(&pages, &expected, 37);
    let stats = handle.simulator().stats();
    assert_eq!(stats.requests, pages.len() as u64);
    assert_eq!(stats.served, pages.len() as u64);
}

#[tokio::test]
async fn every_qimen_sign_method_is_accepted_by_the_gateway() {
    let handle = start(ORDERS, FaultConfig::default(), None).await;
    let params = qimen_params(WINDOW.0, WINDOW.1);
    let expected = truth(&handle);
    let mut first_pages = Vec::new();
    for method in ["md5", "hmac", "hmac-sha256"] {
        let source = qimen_source(&handle, &with(QIMEN_SETTINGS, "sign_method", method));
        let page = fetch(source.as_ref(), &params, 1, 100).await.unwrap();
        assert_eq!(page.total, Some(expected.len() as u64), "{method}");
        first_pages.push(page);
    }
    assert_eq!(first_pages[0], first_pages[1]);
    assert_eq!(first_pages[0], first_pages[2]);
    assert_eq!(handle.simulator().stats().rejected_sign, 0);
}

#[tokio::test]
async fn rendered_paging_values_are_overridden_by_the_page_request() {
    let handle = start(ORDERS, FaultConfig::default(), None).await;
    let expected = truth(&handle);
    let mut params = qimen_params(WINDOW.0, WINDOW.1);
    params.insert("page_index".to_owned(), Value::from(9));
    params.insert("page_size".to_owned(), Value::from("3"));
    let qimen = qimen_source(&handle, QIMEN_SETTINGS);
    let page = fetch(qimen.as_ref(), &params, 2, 10).await.unwrap();
    assert_eq!(page.records.len(), 10);
    let mut native_params = native_params(WINDOW.0, WINDOW.1);
    native_params.insert("page_index".to_owned(), Value::from(9));
    let native = native_source(&handle, NATIVE_SETTINGS);
    let native_page = fetch(native.as_ref(), &native_params, 2, 10).await.unwrap();
    assert_eq!(native_page, page);
    assert_eq!(page.total, Some(expected.len() as u64));
}

#[tokio::test]
async fn a_window_over_seven_days_is_invalid_with_the_platform_message() {
    let handle = start(200, FaultConfig::default(), None).await;
    let end = "2024-01-10 00:00:01";
    let qimen = qimen_source(&handle, QIMEN_SETTINGS);
    let error = fetch(qimen.as_ref(), &qimen_params(WINDOW.0, end), 1, 100)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CallError::Invalid {
            message: "jushuitan.order.list.query failed (code 20: 时间间隔不能超过七天)".to_owned()
        }
    );
    assert!(!error.is_retryable());
    let native = native_source(&handle, NATIVE_SETTINGS);
    let error = fetch(native.as_ref(), &native_params(WINDOW.0, end), 1, 100)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        CallError::Invalid {
            message: "/open/orders/single/query failed (code 20: 时间间隔不能超过七天)".to_owned()
        }
    );
    assert_eq!(handle.simulator().stats().rejected_request, 2);
}
