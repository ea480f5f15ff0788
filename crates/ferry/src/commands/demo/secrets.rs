//! The demo's credentials: each one from an environment variable when set, else the value the
//! simulators use by default.
//!
//! Contract: the simulators are configured with exactly the values ferry.toml resolves to. A
//! value taken from the environment is written into ferry.toml as a `${VAR}` reference, so it
//! never reaches the disk; a default is written literally (it is public test data). This lets
//! a test run the demo with unique secrets and scan everything ferry prints and stores.

use ferry_sim::{BanniuConfig, KingdeeConfig, SimConfig};

/// One credential.
pub struct DemoSecret {
    env: &'static str,
    value: String,
    from_env: bool,
}

impl DemoSecret {
    fn read(env: &'static str, default: &str) -> DemoSecret {
        match std::env::var(env) {
            Ok(value) if !value.is_empty() => DemoSecret {
                env,
                value,
                from_env: true,
            },
            _ => DemoSecret {
                env,
                value: default.to_owned(),
                from_env: false,
            },
        }
    }

    /// The value as ferry.toml holds it: a `${VAR}` reference or the literal default.
    pub fn toml(&self) -> String {
        if self.from_env {
            format!("${{{}}}", self.env)
        } else {
            self.value.clone()
        }
    }

    fn value(&self) -> String {
        self.value.clone()
    }
}

/// Every credential the demo's connections use.
pub struct DemoSecrets {
    /// The Qimen app secret (Jushuitan, Jackyun, WDT, WDT flagship).
    pub qimen: DemoSecret,
    /// Jackyun's app secret.
    pub jackyun: DemoSecret,
    /// OKKI's client secret.
    pub okki: DemoSecret,
    /// WDT flagship's `secret:salt`.
    pub wdt_flagship: DemoSecret,
    /// The Kingdee user's password.
    pub kingdee: DemoSecret,
    /// Banniu's app secret.
    pub banniu_secret: DemoSecret,
    /// Banniu's access token.
    pub banniu_token: DemoSecret,
}

impl DemoSecrets {
    /// Reads `FERRY_DEMO_QIMEN_SECRET`, `FERRY_DEMO_JACKYUN_SECRET`, `FERRY_DEMO_OKKI_SECRET`,
    /// `FERRY_DEMO_WDT_SECRET` (`secret:salt`), `FERRY_DEMO_KINGDEE_PASSWORD`,
    /// `FERRY_DEMO_BANNIU_SECRET` and `FERRY_DEMO_BANNIU_TOKEN`.
    pub fn from_env() -> DemoSecrets {
        DemoSecrets {
            qimen: DemoSecret::read("FERRY_DEMO_QIMEN_SECRET", "qimensecret"),
            jackyun: DemoSecret::read("FERRY_DEMO_JACKYUN_SECRET", "jkysecret"),
            okki: DemoSecret::read("FERRY_DEMO_OKKI_SECRET", "okkisecret"),
            wdt_flagship: DemoSecret::read("FERRY_DEMO_WDT_SECRET", "testsecret:testsalt"),
            kingdee: DemoSecret::read("FERRY_DEMO_KINGDEE_PASSWORD", "apipassword"),
            banniu_secret: DemoSecret::read("FERRY_DEMO_BANNIU_SECRET", "banniusecret"),
            banniu_token: DemoSecret::read("FERRY_DEMO_BANNIU_TOKEN", "bntoken"),
        }
    }

    /// Gives `config`'s simulator the credentials ferry.toml will use.
    pub fn configure(&self, config: &mut SimConfig) {
        match config {
            SimConfig::Jushuitan(config) => config.qimen.secret = self.qimen.value(),
            SimConfig::Wdt(config) => config.qimen.secret = self.qimen.value(),
            SimConfig::Jackyun(config) => {
                config.qimen.secret = self.qimen.value();
                config.app.secret = self.jackyun.value();
            }
            SimConfig::Okki(config) => config.auth.client_secret = self.okki.value(),
            SimConfig::WdtFlagship(config) => {
                config.qimen.secret = self.qimen.value();
                let value = self.wdt_flagship.value();
                let (secret, salt) = value.split_once(':').unwrap_or((value.as_str(), ""));
                config.wdt.secret = secret.to_owned();
                config.wdt.salt = salt.to_owned();
            }
            SimConfig::Kingdee(config) => self.configure_kingdee(config),
            SimConfig::Banniu(config) => self.configure_banniu(config),
        }
    }

    /// Gives the Kingdee simulator the password ferry.toml will use.
    pub fn configure_kingdee(&self, config: &mut KingdeeConfig) {
        config.auth.password = self.kingdee.value();
    }

    /// Gives the Banniu simulator the secret and token ferry.toml will use.
    pub fn configure_banniu(&self, config: &mut BanniuConfig) {
        config.auth.app_secret = self.banniu_secret.value();
        config.auth.access_token = self.banniu_token.value();
    }
}
