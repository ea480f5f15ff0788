//! What a Kingdee target reads once at open: the connection's login settings and the scheme's
//! operation, FormId, `data` options and allocation orgs.
//!
//! Contract:
//! - Connection: `base_url` (a `/` is appended when missing), `acct_id`, `username`, `login`
//!   (`validate_user` default, `app_secret`, `sign`, `signature`; aliases
//!   `login_by_app_secret`, `login_by_sign`, `signature_header`), `password` (validate_user),
//!   `app_id` + `app_secret` (the other three), `lcid` (2052), `org_number` (signature app
//!   data, default `0` \[I\]). A missing setting the mode needs is `Rejected` naming it.
//! - Scheme: the api (`batchSave`, `save`, `submit`, `audit`, `allocate`, ASCII case ignored)
//!   is the operation; an `otherRequest` `Operation` naming another is `Invalid`. `FormId` is
//!   required. Every `otherRequest` entry named like a Save `data` option
//!   ([`DATA_OPTIONS`]) is sent in `data` as written (`NeedUpDateFields`/`NeedReturnFields`
//!   given as a comma string become arrays). `distributionOrg` (in `otherRequest` or on the
//!   target itself) lists organisation internal ids (comma string, number or array) to
//!   Allocate saved records to.

use ferry_model::Connection;
use ferry_model::scheme::TargetAdapter;
use serde_json::{Map, Value};

use crate::error::CallError;

/// Save/BatchSave `data` options taken from `otherRequest`.
pub const DATA_OPTIONS: [&str; 15] = [
    "NeedUpDateFields",
    "NeedReturnFields",
    "IsDeleteEntry",
    "SubSystemId",
    "IsVerifyBaseDataField",
    "IsEntryBatchFill",
    "ValidateFlag",
    "NumberSearch",
    "IsAutoAdjustField",
    "InterationFlags",
    "IgnoreInterationFlag",
    "IsControlPrecision",
    "ValidateRepeatJson",
    "BatchCount",
    "IsAutoSubmitAndAudit",
];

/// How the client authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// `AuthService.ValidateUser`.
    ValidateUser { password: String },
    /// `AuthService.LoginByAppSecret`.
    AppSecret { app_id: String, app_secret: String },
    /// `AuthService.LoginBySign`.
    Sign { app_id: String, app_secret: String },
    /// Stateless signature headers on every call.
    Signature {
        app_id: String,
        app_secret: String,
        org_number: String,
    },
}

impl Login {
    /// The setting's canonical name.
    pub fn name(&self) -> &'static str {
        match self {
            Login::ValidateUser { .. } => "validate_user",
            Login::AppSecret { .. } => "app_secret",
            Login::Sign { .. } => "sign",
            Login::Signature { .. } => "signature",
        }
    }

    /// Secrets to scrub from any message.
    pub fn secrets(&self) -> Vec<&str> {
        match self {
            Login::ValidateUser { password } => vec![password],
            Login::AppSecret { app_secret, .. }
            | Login::Sign { app_secret, .. }
            | Login::Signature { app_secret, .. } => vec![app_secret],
        }
    }
}

/// Which write a scheme asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `DynamicFormService.BatchSave`.
    BatchSave,
    /// `DynamicFormService.Save`, one row per call.
    Save,
    /// `DynamicFormService.Submit` by `FNumber`.
    Submit,
    /// `DynamicFormService.Audit` by `FNumber`.
    Audit,
    /// `DynamicFormService.Allocate` by internal id.
    Allocate,
}

impl Operation {
    fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "batchsave" => Some(Operation::BatchSave),
            "save" => Some(Operation::Save),
            "submit" => Some(Operation::Submit),
            "audit" => Some(Operation::Audit),
            "allocate" => Some(Operation::Allocate),
            _ => None,
        }
    }

    /// The service's method name.
    pub fn service(self) -> &'static str {
        match self {
            Operation::BatchSave => "BatchSave",
            Operation::Save => "Save",
            Operation::Submit => "Submit",
            Operation::Audit => "Audit",
            Operation::Allocate => "Allocate",
        }
    }
}

/// Everything read at open.
#[derive(Clone, PartialEq, Eq)]
pub struct Settings {
    /// Base URL ending in `/`.
    pub base_url: String,
    /// Data centre id.
    pub acct_id: String,
    /// User name.
    pub username: String,
    /// `lcid`.
    pub lcid: u32,
    /// Login mode and its credentials.
    pub login: Login,
    /// The operation.
    pub operation: Operation,
    /// FormId.
    pub form_id: String,
    /// `data` options.
    pub options: Map<String, Value>,
    /// Allocate saved records to these organisation ids.
    pub distribution_orgs: Vec<String>,
    /// The target's `id` field when it is not `FNumber`: existing records are found by it.
    pub match_field: Option<String>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Settings")
            .field("base_url", &self.base_url)
            .field("acct_id", &self.acct_id)
            .field("username", &self.username)
            .field("login", &self.login.name())
            .field("operation", &self.operation)
            .field("form_id", &self.form_id)
            .field("distribution_orgs", &self.distribution_orgs)
            .finish_non_exhaustive()
    }
}

fn required(connection: &Connection, key: &str, why: &str) -> Result<String, CallError> {
    match connection.get(key) {
        Some(value) if !value.trim().is_empty() => Ok(value.to_owned()),
        _ => Err(CallError::Rejected {
            message: format!("connection `{}` has no `{key}` ({why})", connection.name),
        }),
    }
}

fn invalid(message: String) -> CallError {
    CallError::Invalid { message }
}

fn list(value: &Value) -> Vec<String> {
    match value {
        Value::Array(values) => values.iter().flat_map(list).collect(),
        Value::String(text) => text
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(str::to_owned)
            .collect(),
        Value::Number(number) => vec![number.to_string()],
        _ => Vec::new(),
    }
}

fn login(connection: &Connection) -> Result<Login, CallError> {
    let mode = connection.get("login").unwrap_or("validate_user");
    let app = |why: &str| -> Result<(String, String), CallError> {
        Ok((
            required(connection, "app_id", why)?,
            required(connection, "app_secret", why)?,
        ))
    };
    match mode.trim().to_ascii_lowercase().as_str() {
        "validate_user" => Ok(Login::ValidateUser {
            password: required(connection, "password", "login `validate_user` needs it")?,
        }),
        "app_secret" | "login_by_app_secret" => {
            let (app_id, app_secret) = app("login `app_secret` needs it")?;
            Ok(Login::AppSecret { app_id, app_secret })
        }
        "sign" | "login_by_sign" => {
            let (app_id, app_secret) = app("login `sign` needs it")?;
            Ok(Login::Sign { app_id, app_secret })
        }
        "signature" | "signature_header" => {
            let (app_id, app_secret) = app("login `signature` needs it")?;
            let org_number = connection.get("org_number").unwrap_or("0").to_owned();
            Ok(Login::Signature {
                app_id,
                app_secret,
                org_number,
            })
        }
        other => Err(CallError::Rejected {
            message: format!(
                "connection `{}`: unknown `login` `{other}` (valid: `validate_user`, `app_secret`, `sign`, `signature`)",
                connection.name
            ),
        }),
    }
}

/// Reads the settings of a Kingdee target.
pub fn read(connection: &Connection, target: &TargetAdapter) -> Result<Settings, CallError> {
    let adapter = &target.adapter;
    let mut base_url = required(
        connection,
        "base_url",
        "the site, e.g. `http://host/k3cloud/`",
    )?;
    if !base_url.ends_with('/') {
        base_url.push('/');
    }
    let acct_id = required(connection, "acct_id", "the data centre id")?;
    let username = required(connection, "username", "the API user")?;
    let lcid_text = connection.get("lcid").unwrap_or("2052");
    let lcid = lcid_text.trim().parse().map_err(|_| CallError::Rejected {
        message: format!(
            "connection `{}`: `lcid` must be a number, got `{lcid_text}`",
            connection.name
        ),
    })?;
    let api = adapter.api.value.as_str();
    let operation = Operation::parse(api).ok_or_else(|| {
        invalid(format!(
            "unknown Kingdee api `{api}` (valid: `batchSave`, `save`, `submit`, `audit`, `allocate`)"
        ))
    })?;
    if let Some(named) = adapter
        .other("Operation")
        .and_then(|field| field.raw_value.as_str())
        && Operation::parse(named) != Some(operation)
    {
        return Err(invalid(format!(
            "`otherRequest` `Operation` `{named}` contradicts the target api `{api}`"
        )));
    }
    let form_id = adapter
        .other("FormId")
        .and_then(|field| field.raw_value.as_str())
        .map(str::trim)
        .filter(|form| !form.is_empty())
        .ok_or_else(|| {
            invalid(
                "a Kingdee target needs an `otherRequest` entry `FormId` (e.g. `BD_Customer`)"
                    .to_owned(),
            )
        })?
        .to_owned();
    let mut options = Map::new();
    for name in DATA_OPTIONS {
        let Some(field) = adapter.other(name) else {
            continue;
        };
        let value = match (name, &field.raw_value) {
            ("NeedUpDateFields" | "NeedReturnFields", Value::String(_)) => {
                Value::from(list(&field.raw_value))
            }
            (_, value) => value.clone(),
        };
        if !value.is_null() {
            options.insert(name.to_owned(), value);
        }
    }
    let distribution = adapter
        .other("distributionOrg")
        .map(|field| &field.raw_value)
        .or_else(|| adapter.extras.get("distributionOrg"));
    let distribution_orgs = distribution.map(list).unwrap_or_default();
    let match_field = adapter
        .id
        .clone()
        .filter(|id| !id.is_empty() && !id.eq_ignore_ascii_case("FNumber"));
    Ok(Settings {
        base_url,
        acct_id,
        username,
        lcid,
        login: login(connection)?,
        operation,
        form_id,
        options,
        distribution_orgs,
        match_field,
    })
}
