//! Value pools and code tables of the OKKI 小满 order simulator.
//!
//! Contract: plain data only. Status codes and their approval meaning are \[I\] (PROTOCOLS.md
//! §2.2 only says `status` comes from `/v1/invoices/order/orderEnums`): a record is *approved*
//! when its status is one of [`APPROVED_STATUSES`], a *draft* when it is [`STATUS_DRAFT`].

/// `(code, label)` of every order status, as `orderEnums` would list them \[I\].
pub const STATUSES: &[(u8, &str)] = &[
    (1, "草稿"),
    (2, "审批中"),
    (3, "已审批"),
    (4, "已发货"),
    (5, "已完成"),
    (6, "已作废"),
];

/// Relative frequency of each status, same order as [`STATUSES`].
pub const STATUS_WEIGHTS: [u32; 6] = [8, 10, 30, 25, 20, 7];

/// The draft status (`approval_with_draft=1` adds these to approved ones).
pub const STATUS_DRAFT: u8 = 1;

/// Statuses that count as approved for `approval=1`.
pub const APPROVED_STATUSES: [u8; 3] = [3, 4, 5];

/// Whether `status` is a known status code.
pub fn is_status(code: u8) -> bool {
    STATUSES.iter().any(|(known, _)| *known == code)
}

/// Customer companies (`company.name`).
pub const COMPANIES: &[&str] = &[
    "ACME Pty Ltd",
    "深圳市前海贸易有限公司",
    "Müller & Söhne GmbH",
    "Global Trade Co., Ltd.",
    "杭州小满科技有限公司",
    "O'Neil Imports LLC",
    "株式会社サンプル",
    "Société Générale d'Export",
];

/// Order names (`name`).
pub const ORDER_NAMES: &[&str] = &[
    "Sample order",
    "年度框架订单",
    "Trial order - LED lamps",
    "补货订单",
    "Container 40HQ mixed SKUs",
    "展会样品单",
];

/// Currencies (`currency`).
pub const CURRENCIES: &[&str] = &["USD", "CNY", "EUR", "GBP", "JPY", "AUD"];

/// Exchange rates to CNY as decimal strings, same order as [`CURRENCIES`].
pub const EXCHANGE_RATES: &[&str] = &["7.1088", "1.0000", "7.7563", "8.9820", "0.0484", "4.6931"];

/// Remarks (`remark`, nullable).
pub const REMARKS: &[&str] = &[
    "请尽快发货",
    "Customer asked for split shipment",
    "含税价",
    "FOB Ningbo",
    "付款方式: T/T 30% deposit",
];

/// Sales people (`handler_name`).
pub const HANDLERS: &[&str] = &["张伟", "李娜", "Tom Chen", "王芳", "Lucy Liu"];

/// Trade terms (`price_contract`, nullable).
pub const TRADE_TERMS: &[&str] = &["FOB", "CIF", "EXW", "DDP", "CFR"];
