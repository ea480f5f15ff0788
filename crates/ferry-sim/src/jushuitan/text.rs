//! Fixed catalogs the Jushuitan order generator draws from: statuses, shops, carriers,
//! addresses, products and the ordinary text pools.
//!
//! Contract: these tables are part of the data format: changing an entry or its position
//! changes the generated data for every seed, so tests pinned on exact values must change too.

/// Order statuses (PROTOCOLS.md §3.1), indexed by the status byte of a stored order.
pub const STATUSES: [&str; 10] = [
    "WaitPay",
    "Delivering",
    "Merged",
    "Question",
    "Split",
    "WaitOuterSent",
    "WaitConfirm",
    "WaitFConfirm",
    "Sent",
    "Cancelled",
];

/// Relative weights of [`STATUSES`] in generated data.
pub const STATUS_WEIGHTS: [u32; 10] = [5, 8, 3, 3, 3, 3, 10, 3, 55, 7];

/// Status byte of `WaitPay` (no payment yet).
pub const STATUS_WAIT_PAY: u8 = 0;
/// Status byte of `Question`.
pub const STATUS_QUESTION: u8 = 3;
/// Status byte of `Sent` (has a send date).
pub const STATUS_SENT: u8 = 8;
/// Status byte of `Cancelled`.
pub const STATUS_CANCELLED: u8 = 9;

/// The status byte for a status name.
pub fn status_code(name: &str) -> Option<u8> {
    STATUSES
        .iter()
        .position(|status| *status == name)
        .and_then(|code| u8::try_from(code).ok())
}

/// The platform-side (online shop) status that goes with an ERP status.
pub fn shop_status(status: u8) -> &'static str {
    match status {
        STATUS_WAIT_PAY => "WAIT_BUYER_PAY",
        STATUS_SENT => "WAIT_BUYER_CONFIRM_GOODS",
        STATUS_CANCELLED => "TRADE_CLOSED",
        _ => "WAIT_SELLER_SEND_GOODS",
    }
}

/// A shop: id, name, `order_from` code.
pub struct Shop {
    /// `shop_id`.
    pub id: u64,
    /// `shop_name`.
    pub name: &'static str,
    /// `order_from`.
    pub order_from: &'static str,
}

/// The shops; `头条放心购` is one the seed 002 scheme filters out.
pub const SHOPS: [Shop; 8] = [
    Shop {
        id: 10_001_234,
        name: "天猫旗舰店",
        order_from: "TAOBAO",
    },
    Shop {
        id: 10_001_235,
        name: "京东自营专卖店",
        order_from: "JD",
    },
    Shop {
        id: 10_001_236,
        name: "头条放心购",
        order_from: "TOUTIAO",
    },
    Shop {
        id: 10_001_237,
        name: "拼多多专营店",
        order_from: "PDD",
    },
    Shop {
        id: 10_001_238,
        name: "抖音小店",
        order_from: "DOUYIN",
    },
    Shop {
        id: 10_001_239,
        name: "O'Neil \"官方\" 店🛒",
        order_from: "KUAISHOU",
    },
    Shop {
        id: 10_001_240,
        name: "有赞微商城",
        order_from: "YOUZAN",
    },
    Shop {
        id: 10_001_241,
        name: "线下门店\\总仓",
        order_from: "OFFLINE",
    },
];

/// Relative share of orders per shop in [`SHOPS`].
pub const SHOP_WEIGHTS: [u32; 8] = [30, 15, 12, 15, 12, 4, 7, 5];

/// Carriers: company name, tracking-number prefix, `lc_id`.
pub const CARRIERS: [(&str, &str, &str); 6] = [
    ("顺丰速运", "SF", "SF"),
    ("中通快递", "ZTO", "ZTO"),
    ("圆通速递", "YT", "YTO"),
    ("韵达快递", "YD", "YUNDA"),
    ("京东物流", "JDV", "JD"),
    ("邮政EMS", "EMS", "EMS"),
];

/// Receiver addresses: province, city, district.
pub const ADDRESSES: [(&str, &str, &str); 12] = [
    ("广东省", "深圳市", "南山区"),
    ("广东省", "广州市", "天河区"),
    ("浙江省", "杭州市", "西湖区"),
    ("浙江省", "宁波市", "鄞州区"),
    ("上海", "上海市", "浦东新区"),
    ("北京", "北京市", "朝阳区"),
    ("江苏省", "苏州市", "工业园区"),
    ("四川省", "成都市", "武侯区"),
    ("湖北省", "武汉市", "洪山区"),
    ("山东省", "青岛市", "市南区"),
    ("新疆维吾尔自治区", "乌鲁木齐市", "天山区"),
    ("内蒙古自治区", "呼和浩特市", "新城区"),
];

/// Products: name and properties; a SKU number picks one by modulo.
pub const PRODUCTS: [(&str, &str); 12] = [
    ("保温杯", "500ml;白"),
    ("保温杯", "500ml;黑"),
    ("纯棉T恤", "颜色:白;尺码:XL"),
    ("纯棉T恤", "颜色:黑;尺码:M"),
    ("Type-C数据线", "1m;编织"),
    ("蓝牙耳机", "黑色;降噪版"),
    ("补水面膜", "10片装"),
    ("龙井茶礼盒", "250g"),
    ("跑步鞋", "42码;灰"),
    ("儿童积木", "300粒"),
    ("手机壳 iPhone 15", "透明"),
    ("坚果大礼包", "1.5kg"),
];

/// Number of distinct SKUs.
pub const SKU_COUNT: u32 = 300;

/// Order types (`type`); `分销订单` orders carry a distributor.
pub const ORDER_TYPES: [&str; 5] = ["普通订单", "补发订单", "换货订单", "分销订单", "天猫分销"];
/// Relative weights of [`ORDER_TYPES`].
pub const ORDER_TYPE_WEIGHTS: [u32; 5] = [85, 4, 3, 6, 2];

/// Labels; `线上发货` and `虚拟发货` are those the seed 002 scheme filters out.
pub const LABELS: [&str; 8] = [
    "线上发货",
    "虚拟发货",
    "加急",
    "赠品",
    "预售",
    "特殊单",
    "O'Brien",
    "顺丰包邮",
];

/// Ordinary pools for free-text fields.
pub const BUYER_MESSAGES: &[&str] = &[
    "",
    "",
    "请尽快发货",
    "不要放发票",
    "周末送货",
    "包装好一点，谢谢！",
];
/// Seller remarks.
pub const REMARKS: &[&str] = &["", "", "已核对地址", "补发", "顾客要求改色"];
/// Invoice titles.
pub const INVOICE_TITLES: &[&str] = &[
    "",
    "",
    "个人",
    "上海某某贸易有限公司",
    "深圳市某某科技有限公司",
];
/// Order creators.
pub const CREATORS: &[&str] = &["系统", "系统", "张三", "李四", "客服小美"];
/// Buyer nicknames.
pub const BUYER_NICKS: &[&str] = &[
    "tb_小明",
    "jd_user_88",
    "王**",
    "O'Hara",
    "买家🎁",
    "pdd_2024",
];
/// Question types, for orders in `Question`.
pub const QUESTION_TYPES: &[&str] = &["缺货", "地址异常", "黑名单", "特殊单"];
/// Question descriptions.
pub const QUESTION_DESCS: &[&str] = &[
    "商品库存不足",
    "收货地址不完整",
    "买家在黑名单中",
    "需人工审核",
];
/// Warehouse notes (`node`).
pub const NODES: &[&str] = &["", "仓库加急", "易碎品"];
/// Item extension data (`item_ext_data`), often JSON text.
pub const ITEM_EXT: &[&str] = &[
    "",
    "{\"gift_wrap\":true}",
    "{\"engrave\":\"生日快乐\"}",
    "备注:包装",
];
/// Payment methods.
pub const PAYMENTS: [&str; 4] = ["支付宝", "微信支付", "银联", "京东支付"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_round_trip() {
        for (code, name) in STATUSES.iter().enumerate() {
            assert_eq!(status_code(name), Some(code as u8));
        }
        assert_eq!(status_code("Shipped"), None);
        assert_eq!(STATUSES[usize::from(STATUS_SENT)], "Sent");
        assert_eq!(STATUSES[usize::from(STATUS_QUESTION)], "Question");
    }
}
