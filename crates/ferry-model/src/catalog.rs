//! The platforms ferry knows, as data: which APIs each offers (and in which direction), how
//! wide a query window may be, and which connection settings it needs.
//!
//! Validation uses this to reject an unknown `api` or `platform` with the list of valid ones;
//! the platform implementations (ferry-platforms) are registered under the same names. Facts
//! come from PROTOCOLS.md; those marked [I] there are defaults a connection can override.

/// Which half of a scheme an API can serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// A source: reads records (`"effect": "QUERY"`).
    Query,
    /// A target: writes records (`"effect": "EXECUTE"`).
    Execute,
}

impl Effect {
    /// The scheme spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Query => "QUERY",
            Effect::Execute => "EXECUTE",
        }
    }
}

/// One API of a platform.
#[derive(Debug)]
pub struct ApiInfo {
    /// The name a scheme's `api` uses.
    pub name: &'static str,
    /// Source or target.
    pub effect: Effect,
    /// The widest window one query may cover, in seconds (sources only).
    pub max_span_secs: Option<i64>,
    /// Number of the first page (0 or 1; sources only).
    pub first_page: i64,
    /// Page size used when the scheme sets none, and the largest the API accepts.
    pub page_size: (u32, u32),
}

/// One connection setting.
#[derive(Debug)]
pub struct SettingInfo {
    /// The key in `[connections.NAME]`.
    pub name: &'static str,
    /// Whether the connection is unusable without it.
    pub required: bool,
    /// Whether the value is (or contains) a credential: kept as a `Secret`.
    pub secret: bool,
    /// The value used when the key is absent.
    pub default: Option<&'static str>,
}

/// One platform (or one route of a platform).
#[derive(Debug)]
pub struct PlatformInfo {
    /// The name `platform = "..."` uses.
    pub name: &'static str,
    /// A human title.
    pub title: &'static str,
    /// Its APIs.
    pub apis: &'static [ApiInfo],
    /// Its connection settings (besides `platform` and `rate`).
    pub settings: &'static [SettingInfo],
    /// The request rate used when the connection sets none, e.g. `"10/s"` ([I] for most).
    pub default_rate: Option<&'static str>,
}

impl PlatformInfo {
    /// Looks an API up by name.
    pub fn api(&self, name: &str) -> Option<&'static ApiInfo> {
        self.apis.iter().find(|api| api.name == name)
    }

    /// Looks a setting up by name.
    pub fn setting(&self, name: &str) -> Option<&'static SettingInfo> {
        self.settings.iter().find(|setting| setting.name == name)
    }
}

const DAY: i64 = 86_400;

/// A source API: name, window cap, first page number, (default, maximum) page size.
const fn query(
    name: &'static str,
    max_span_secs: i64,
    first_page: i64,
    page_size: (u32, u32),
) -> ApiInfo {
    ApiInfo {
        name,
        effect: Effect::Query,
        max_span_secs: Some(max_span_secs),
        first_page,
        page_size,
    }
}

const fn execute(name: &'static str) -> ApiInfo {
    ApiInfo {
        name,
        effect: Effect::Execute,
        max_span_secs: None,
        first_page: 0,
        page_size: (0, 0),
    }
}

const fn required(name: &'static str) -> SettingInfo {
    SettingInfo {
        name,
        required: true,
        secret: false,
        default: None,
    }
}

const fn secret(name: &'static str) -> SettingInfo {
    SettingInfo {
        name,
        required: true,
        secret: true,
        default: None,
    }
}

const fn optional(name: &'static str, default: Option<&'static str>) -> SettingInfo {
    SettingInfo {
        name,
        required: false,
        secret: false,
        default,
    }
}

const SQL_SETTINGS: &[SettingInfo] = &[SettingInfo {
    name: "url",
    required: true,
    secret: true,
    default: None,
}];

/// Every platform ferry knows.
pub static PLATFORMS: &[PlatformInfo] = &[
    PlatformInfo {
        name: "jushuitan-qimen",
        title: "Jushuitan 聚水潭 via Qimen",
        apis: &[query("jushuitan.order.list.query", 7 * DAY, 1, (100, 100))],
        settings: &[
            optional(
                "base_url",
                Some("http://a1q40taq0j.api.taobao.com/router/qm"),
            ),
            required("app_key"),
            secret("secret"),
            optional("target_app_key", Some("23060081")),
            required("customer_id"),
            optional("sign_method", Some("md5")),
        ],
        default_rate: Some("10/s"),
    },
    PlatformInfo {
        name: "jushuitan",
        title: "Jushuitan 聚水潭 open API v2",
        apis: &[query("/open/orders/single/query", 7 * DAY, 1, (100, 100))],
        settings: &[
            optional("base_url", Some("https://openapi.jushuitan.com")),
            required("app_key"),
            secret("app_secret"),
            secret("access_token"),
        ],
        default_rate: Some("4/s"),
    },
    PlatformInfo {
        name: "jackyun-qimen",
        title: "Jackyun 吉客云 via Qimen",
        apis: &[query(
            "jackyun.tradenotsensitiveinfos.list.get",
            7 * DAY,
            0,
            (200, 1000),
        )],
        settings: &[
            optional(
                "base_url",
                Some("https://zci2vl4joy.api.taobao.com/router/qm"),
            ),
            required("app_key"),
            secret("secret"),
            required("target_app_key"),
            required("jky_appkey"),
            secret("jky_secret"),
            required("jky_customer_id"),
        ],
        default_rate: Some("10/s"),
    },
    PlatformInfo {
        name: "jackyun",
        title: "Jackyun 吉客云 open gateway",
        apis: &[query(
            "jackyun.tradenotsensitiveinfos.list.get",
            7 * DAY,
            0,
            (200, 1000),
        )],
        settings: &[
            optional("base_url", Some("https://open.jackyun.com/open/openapi/do")),
            required("appkey"),
            secret("secret"),
        ],
        default_rate: Some("10/s"),
    },
    PlatformInfo {
        name: "okki",
        title: "OKKI CRM 小满",
        apis: &[query("/v1/invoices/order/list", 30 * DAY, 1, (100, 500))],
        settings: &[
            optional("base_url", Some("https://api.xiaoman.cn")),
            required("client_id"),
            secret("client_secret"),
        ],
        default_rate: Some("5/s"),
    },
    PlatformInfo {
        name: "wdt-qimen",
        title: "WDT enterprise 旺店通企业版 via Qimen",
        apis: &[query("wdt.stockout.order.query.trade", DAY, 0, (40, 100))],
        settings: &[
            optional(
                "base_url",
                Some("http://hu3cgwt0tc.api.taobao.com/router/qm"),
            ),
            required("app_key"),
            secret("secret"),
            required("target_app_key"),
            required("sid"),
        ],
        default_rate: Some("1/s"),
    },
    PlatformInfo {
        name: "wdt",
        title: "WDT enterprise 旺店通企业版 open API",
        apis: &[query("stockout_order_query_trade.php", DAY, 0, (40, 100))],
        settings: &[
            optional("base_url", Some("https://api.wangdian.cn/openapi2")),
            required("sid"),
            required("appkey"),
            secret("appsecret"),
        ],
        default_rate: Some("1/s"),
    },
    PlatformInfo {
        name: "wdt-flagship-qimen",
        title: "WDT flagship 旺店通旗舰版 via Qimen",
        apis: &[query(
            "wdt.aftersales.refund.refund.search",
            30 * DAY,
            1,
            (50, 200),
        )],
        settings: &[
            optional(
                "base_url",
                Some("http://3ldsmu02o9.api.taobao.com/router/qm"),
            ),
            required("app_key"),
            secret("secret"),
            required("target_app_key"),
            required("sid"),
            required("wdt_appkey"),
            secret("wdt_secret"),
        ],
        default_rate: Some("5/s"),
    },
    PlatformInfo {
        name: "wdt-flagship",
        title: "WDT flagship 旺店通旗舰版 open API",
        apis: &[query(
            "aftersales.refund.Refund.search",
            30 * DAY,
            0,
            (50, 200),
        )],
        settings: &[
            optional("base_url", Some("http://wdt.wangdian.cn/openapi")),
            required("sid"),
            required("key"),
            secret("secret"),
        ],
        default_rate: Some("5/s"),
    },
    PlatformInfo {
        name: "kingdee",
        title: "Kingdee K3Cloud 金蝶云星空",
        apis: &[
            execute("batchSave"),
            execute("save"),
            execute("submit"),
            execute("audit"),
            execute("allocate"),
        ],
        settings: &[
            required("base_url"),
            required("acct_id"),
            required("username"),
            optional("login", Some("validate_user")),
            SettingInfo {
                name: "password",
                required: false,
                secret: true,
                default: None,
            },
            optional("app_id", None),
            SettingInfo {
                name: "app_secret",
                required: false,
                secret: true,
                default: None,
            },
            optional("lcid", Some("2052")),
            optional("org_number", None),
        ],
        default_rate: Some("10/s"),
    },
    PlatformInfo {
        name: "banniu",
        title: "Banniu 班牛",
        apis: &[
            query("task.list", DAY, 1, (100, 100)),
            execute("task.update"),
            execute("task.batchUpdate"),
        ],
        settings: &[
            optional(
                "base_url",
                Some("https://open.bytenew.com/gateway/api/miniAPI"),
            ),
            required("app_key"),
            secret("app_secret"),
            secret("access_token"),
        ],
        default_rate: Some("5/s"),
    },
    PlatformInfo {
        name: "mysql",
        title: "MySQL / MariaDB",
        apis: &[execute("batchexecute")],
        settings: SQL_SETTINGS,
        default_rate: None,
    },
    PlatformInfo {
        name: "postgres",
        title: "PostgreSQL",
        apis: &[execute("batchexecute")],
        settings: SQL_SETTINGS,
        default_rate: None,
    },
    PlatformInfo {
        name: "sqlite",
        title: "SQLite",
        apis: &[execute("batchexecute")],
        settings: SQL_SETTINGS,
        default_rate: None,
    },
    PlatformInfo {
        name: "ledger",
        title: "ferry's ledger only (写入空操作: records are kept, nothing is sent)",
        apis: &[execute("写入空操作")],
        settings: &[],
        default_rate: None,
    },
];

/// Looks a platform up by name.
pub fn platform(name: &str) -> Option<&'static PlatformInfo> {
    PLATFORMS.iter().find(|platform| platform.name == name)
}

/// The names of all platforms, for hints.
pub fn platform_names() -> Vec<&'static str> {
    PLATFORMS.iter().map(|platform| platform.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_platform_has_an_api() {
        let mut names = platform_names();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PLATFORMS.len());
        for platform in PLATFORMS {
            assert!(!platform.apis.is_empty(), "{}", platform.name);
        }
        assert_eq!(
            platform("jushuitan-qimen")
                .unwrap()
                .api("jushuitan.order.list.query")
                .unwrap()
                .max_span_secs,
            Some(7 * DAY)
        );
    }
}
