//! Sorting database errors into what the writer and the engine can act on.
//!
//! Contract: [`ErrorClass::Row`] means the database refused the statement's data (value too
//! long, out of range, bad number or date text, NOT NULL, unique, foreign key or CHECK
//! constraint): the writer bisects the batch to find the rows. Connection, IO and pool-timeout
//! errors, deadlocks, lock waits, statement timeouts and read-only servers are `Transient`;
//! authentication, permission, TLS and URL errors are `Rejected`; everything else the
//! database says (unknown table or column, syntax) is `Invalid`. Messages carry the
//! database's own code and text: `MySQL error 1406: Data too long for column 'c' at row 1`,
//! `PostgreSQL error 22001: value too long for type character varying(10)`,
//! `SQLite error 275: CHECK constraint failed: …`.

use sqlx::error::DatabaseError;
use sqlx::mysql::MySqlDatabaseError;
use sqlx::postgres::PgDatabaseError;
use sqlx::sqlite::SqliteError;

use crate::error::CallError;

/// What kind of failure an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorClass {
    /// The data of some row was refused.
    Row,
    /// Worth retrying.
    Transient,
    /// Credentials or permissions.
    Rejected,
    /// The statement does not fit the database.
    Invalid,
}

/// An error with its class, the database's code (MySQL number, SQLSTATE, SQLite extended
/// code) and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Classified {
    pub class: ErrorClass,
    pub code: Option<String>,
    pub message: String,
}

impl Classified {
    /// The error for the engine, prefixed with `context`. A data error outside a row statement
    /// (at commit, for a deferred constraint) cannot be pinned on a row and is `Invalid`.
    pub(crate) fn into_call_error(self, context: &str) -> CallError {
        let message = format!("{context}: {}", self.message);
        match self.class {
            ErrorClass::Transient => CallError::Transient { message },
            ErrorClass::Rejected => CallError::Rejected { message },
            ErrorClass::Row | ErrorClass::Invalid => CallError::Invalid { message },
        }
    }
}

/// MySQL/MariaDB error numbers about a row's data.
const MYSQL_ROW: &[u16] = &[
    1048, // column cannot be null
    1062, // duplicate entry
    1138, // invalid use of NULL value
    1169, // duplicate unique
    1216, 1217, // foreign key (old numbers)
    1263, // NULL supplied to NOT NULL column
    1264, // out of range
    1265, // data truncated
    1292, // incorrect datetime / truncated incorrect value
    1300, // invalid character string
    1366, // incorrect integer / string value
    1367, // illegal double value
    1406, // data too long
    1411, // incorrect value for function
    1451, 1452, // foreign key
    1557, 1586, 1859, // duplicate key variants
    1690, // value out of range
    3140, // invalid JSON text
    3819, // check constraint violated (MySQL)
    4025, // check constraint failed (MariaDB)
];

/// MySQL/MariaDB error numbers worth retrying.
const MYSQL_TRANSIENT: &[u16] = &[
    1021, 1037, 1038, 1040, 1041, 1053, 1114, 1152, 1154, 1155, 1156, 1157, 1158, 1159, 1160, 1161,
    1180, 1181, 1205, 1213, 1290, 1317, 1614, 1637, 1836, 1927, 1969, 3024, 3572,
];

/// MySQL/MariaDB error numbers about credentials, permissions or the connection's database.
const MYSQL_REJECTED: &[u16] = &[
    1044, 1045, 1049, 1129, 1130, 1142, 1143, 1227, 1370, 1698, 1820, 1862, 3118, 4151,
];

/// Longest PostgreSQL `DETAIL` kept in a message (it may repeat the whole failing row).
const MAX_DETAIL_CHARS: usize = 200;

/// Classifies any sqlx error.
pub(crate) fn classify(error: &sqlx::Error) -> Classified {
    let class = match error {
        sqlx::Error::Database(database) => return classify_database(database.as_ref()),
        sqlx::Error::Configuration(_) | sqlx::Error::Tls(_) => ErrorClass::Rejected,
        sqlx::Error::InvalidArgument(_)
        | sqlx::Error::Encode(_)
        | sqlx::Error::Decode(_)
        | sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::TypeNotFound { .. } => ErrorClass::Invalid,
        _ => ErrorClass::Transient,
    };
    Classified {
        class,
        code: None,
        message: error.to_string(),
    }
}

fn classify_database(error: &dyn DatabaseError) -> Classified {
    if let Some(mysql) = error.try_downcast_ref::<MySqlDatabaseError>() {
        let number = mysql.number();
        return Classified {
            class: mysql_class(number, mysql.code().unwrap_or("")),
            code: Some(number.to_string()),
            message: format!("MySQL error {number}: {}", mysql.message()),
        };
    }
    if let Some(postgres) = error.try_downcast_ref::<PgDatabaseError>() {
        let mut message = format!(
            "PostgreSQL error {}: {}",
            postgres.code(),
            postgres.message()
        );
        if let Some(detail) = postgres.detail() {
            let mut shown: String = detail.chars().take(MAX_DETAIL_CHARS).collect();
            if shown.len() < detail.len() {
                shown.push('…');
            }
            message.push_str(&format!(" ({shown})"));
        }
        return Classified {
            class: postgres_class(postgres.code()),
            code: Some(postgres.code().to_owned()),
            message,
        };
    }
    if let Some(sqlite) = error.try_downcast_ref::<SqliteError>() {
        let code = DatabaseError::code(sqlite)
            .map(|code| code.into_owned())
            .unwrap_or_default();
        let extended: i32 = code.parse().unwrap_or(1);
        return Classified {
            class: sqlite_class(extended),
            message: format!("SQLite error {code}: {}", DatabaseError::message(sqlite)),
            code: Some(code),
        };
    }
    Classified {
        class: ErrorClass::Invalid,
        code: error.code().map(|code| code.into_owned()),
        message: error.message().to_owned(),
    }
}

fn mysql_class(number: u16, sql_state: &str) -> ErrorClass {
    if MYSQL_ROW.contains(&number) {
        ErrorClass::Row
    } else if MYSQL_TRANSIENT.contains(&number) {
        ErrorClass::Transient
    } else if MYSQL_REJECTED.contains(&number) {
        ErrorClass::Rejected
    } else if sql_state.starts_with("22") || sql_state.starts_with("23") {
        ErrorClass::Row
    } else if sql_state.starts_with("08") || sql_state.starts_with("40") {
        ErrorClass::Transient
    } else {
        ErrorClass::Invalid
    }
}

fn postgres_class(sql_state: &str) -> ErrorClass {
    let class = sql_state.get(..2).unwrap_or("");
    match (class, sql_state) {
        // data exception, integrity constraint, cardinality (one upsert touching a key twice),
        // "index row size exceeds maximum"
        ("21" | "22" | "23", _) | (_, "54000") => ErrorClass::Row,
        ("08" | "40" | "53" | "58" | "XX", _)
        | (_, "55P03" | "25006" | "57014" | "57P01" | "57P02" | "57P03" | "57P04") => {
            ErrorClass::Transient
        }
        ("28", _) | (_, "42501" | "3D000") => ErrorClass::Rejected,
        _ => ErrorClass::Invalid,
    }
}

fn sqlite_class(extended_code: i32) -> ErrorClass {
    match extended_code & 0xff {
        // TOOBIG, CONSTRAINT, MISMATCH
        18..=20 => ErrorClass::Row,
        // BUSY, LOCKED, NOMEM, IOERR, CORRUPT, FULL, CANTOPEN, PROTOCOL, NOTADB
        5 | 6 | 7 | 10 | 11 | 13 | 14 | 15 | 26 => ErrorClass::Transient,
        // PERM, READONLY, AUTH
        3 | 8 | 23 => ErrorClass::Rejected,
        _ => ErrorClass::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mysql_numbers_and_states() {
        for number in [1406, 1366, 1292, 1264, 1048, 1062, 4025] {
            assert_eq!(mysql_class(number, "HY000"), ErrorClass::Row, "{number}");
        }
        assert_eq!(mysql_class(1213, "40001"), ErrorClass::Transient);
        assert_eq!(mysql_class(1205, "HY000"), ErrorClass::Transient);
        assert_eq!(mysql_class(1045, "28000"), ErrorClass::Rejected);
        assert_eq!(mysql_class(1142, "42000"), ErrorClass::Rejected);
        assert_eq!(mysql_class(1146, "42S02"), ErrorClass::Invalid);
        assert_eq!(mysql_class(1054, "42S22"), ErrorClass::Invalid);
        assert_eq!(mysql_class(9999, "22003"), ErrorClass::Row);
        assert_eq!(mysql_class(9999, "08S01"), ErrorClass::Transient);
    }

    #[test]
    fn postgres_states() {
        for state in [
            "22001", "22P02", "23505", "23502", "23514", "21000", "54000",
        ] {
            assert_eq!(postgres_class(state), ErrorClass::Row, "{state}");
        }
        for state in [
            "40001", "40P01", "08006", "53300", "57014", "57P01", "55P03",
        ] {
            assert_eq!(postgres_class(state), ErrorClass::Transient, "{state}");
        }
        for state in ["28P01", "28000", "42501", "3D000"] {
            assert_eq!(postgres_class(state), ErrorClass::Rejected, "{state}");
        }
        for state in ["42P01", "42703", "42601", "42P10"] {
            assert_eq!(postgres_class(state), ErrorClass::Invalid, "{state}");
        }
    }

    #[test]
    fn sqlite_codes() {
        assert_eq!(sqlite_class(275), ErrorClass::Row); // CHECK
        assert_eq!(sqlite_class(1299), ErrorClass::Row); // NOT NULL
        assert_eq!(sqlite_class(2067), ErrorClass::Row); // UNIQUE
        assert_eq!(sqlite_class(20), ErrorClass::Row); // MISMATCH
        assert_eq!(sqlite_class(5), ErrorClass::Transient); // BUSY
        assert_eq!(sqlite_class(517), ErrorClass::Transient); // BUSY_SNAPSHOT
        assert_eq!(sqlite_class(8), ErrorClass::Rejected); // READONLY
        assert_eq!(sqlite_class(1), ErrorClass::Invalid); // no such table
    }

    #[test]
    fn non_database_errors() {
        assert_eq!(
            classify(&sqlx::Error::PoolTimedOut).class,
            ErrorClass::Transient
        );
        let io = sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(classify(&io).class, ErrorClass::Transient);
        assert_eq!(
            classify(&sqlx::Error::InvalidArgument("x".into())).class,
            ErrorClass::Invalid
        );
    }
}
