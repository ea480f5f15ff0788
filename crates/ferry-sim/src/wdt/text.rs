//! Fixed catalogs the WDT enterprise stockout generator draws from: statuses, shops,
//! warehouses, goods and the ordinary text pools.
//!
//! Contract: these tables are part of the data format: changing an entry or its position
//! changes the generated data for every seed, so tests pinned on exact values must change too.
//! Shop numbers include every `shop_no` seed 003 names (`002,003,004,0071` are filtered in,
//! `005,006,007,0081,0091` map to another organisation).

/// Stockout statuses (PROTOCOLS.md §4.2), indexed by the status byte of a stored record.
pub const STATUSES: [u16; 8] = [5, 55, 95, 105, 110, 113, 115, 120];

/// Relative weights of [`STATUSES`] in generated data.
pub const STATUS_WEIGHTS: [u32; 8] = [3, 7, 50, 5, 25, 3, 3, 4];

/// The status byte of a status value.
pub fn status_index(value: u16) -> Option<u8> {
    STATUSES
        .iter()
        .position(|status| *status == value)
        .and_then(|index| u8::try_from(index).ok())
}

/// A shop: `shop_no`, `shop_name`, `platform_id`.
pub struct Shop {
    /// `shop_no`.
    pub no: &'static str,
    /// `shop_name`.
    pub name: &'static str,
    /// `platform_id`.
    pub platform_id: u32,
}

/// The shops.
pub const SHOPS: [Shop; 10] = [
    Shop {
        no: "001",
        name: "天猫旗舰店",
        platform_id: 1,
    },
    Shop {
        no: "002",
        name: "京东自营店",
        platform_id: 3,
    },
    Shop {
        no: "003",
        name: "拼多多专营店",
        platform_id: 32,
    },
    Shop {
        no: "004",
        name: "抖音小店",
        platform_id: 69,
    },
    Shop {
        no: "005",
        name: "分销-华东",
        platform_id: 0,
    },
    Shop {
        no: "006",
        name: "O'Neil \"官方\" 店🛒",
        platform_id: 1,
    },
    Shop {
        no: "007",
        name: "有赞微商城",
        platform_id: 17,
    },
    Shop {
        no: "0071",
        name: "线下门店\\总仓",
        platform_id: 127,
    },
    Shop {
        no: "0081",
        name: "快手小店",
        platform_id: 71,
    },
    Shop {
        no: "0091",
        name: "唯品会",
        platform_id: 9,
    },
];

/// Relative share of records per shop in [`SHOPS`].
pub const SHOP_WEIGHTS: [u32; 10] = [20, 15, 12, 12, 8, 4, 7, 8, 8, 6];

/// The shop index of a `shop_no`.
pub fn shop_index(no: &str) -> Option<u8> {
    SHOPS
        .iter()
        .position(|shop| shop.no == no)
        .and_then(|index| u8::try_from(index).ok())
}

/// Warehouses: `warehouse_no`, `warehouse_name`, `warehouse_id`.
pub const WAREHOUSES: [(&str, &str, u32); 3] = [
    ("WH01", "杭州仓", 3),
    ("WH02", "广州仓", 4),
    ("WH03", "成都仓", 7),
];

/// Goods: `goods_no`, `goods_name`, `spec_name`, price in cents.
pub const GOODS: [(&str, &str, &str, i64); 8] = [
    ("G001", "保温杯", "500ml 白", 19_900),
    ("G002", "纯棉T恤", "XL 黑", 8_900),
    ("G003", "Type-C数据线", "1m 编织", 2_990),
    ("G004", "蓝牙耳机", "降噪版", 39_900),
    ("G005", "龙井茶礼盒", "250g", 26_800),
    ("G006", "儿童积木", "300粒", 12_900),
    ("G007", "手机壳 iPhone 15", "透明", 3_900),
    ("G008", "坚果大礼包", "1.5kg", 15_800),
];

/// Invoice titles (one Kingdee customer per title in seed 003).
pub const INVOICE_TITLES: &[&str] = &[
    "",
    "",
    "",
    "个人",
    "上海某某贸易有限公司",
    "深圳市某某科技有限公司",
    "杭州某某电子商务有限公司",
    "北京某某文化传媒有限公司",
];
/// Invoice contents (seed 003 maps them to the tax registration code).
pub const INVOICE_CONTENTS: &[&str] = &[
    "91310000MA1FL0XY2K",
    "91440300MA5ETT1X8Q",
    "91330100MA27YY1234",
    "明细",
    "",
];
/// Seller remarks.
pub const REMARKS: &[&str] = &["", "", "已核对地址", "补发", "顾客要求改色"];
/// Customer-service remarks.
pub const CS_REMARKS: &[&str] = &["", "", "加急", "不要放发票", "周末送货"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_round_trip() {
        for (index, status) in STATUSES.iter().enumerate() {
            assert_eq!(status_index(*status), Some(index as u8));
        }
        assert_eq!(status_index(96), None);
        assert_eq!(shop_index("0071"), Some(7));
        assert_eq!(shop_index("071"), None);
    }
}
