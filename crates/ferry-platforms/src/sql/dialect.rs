//! Which database a target URL names, and the few facts that differ between the three.
//!
//! Contract: the URL scheme alone decides the dialect, case-insensitively: `mysql:` and
//! `mariadb:` → MySQL, `postgres:` and `postgresql:` → PostgreSQL, `sqlite:` → SQLite.

/// A database ferry writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// MySQL or MariaDB.
    MySql,
    /// PostgreSQL.
    Postgres,
    /// SQLite.
    Sqlite,
}

impl Dialect {
    /// The dialect a URL names, or `None` for any other scheme.
    pub fn from_url(url: &str) -> Option<Dialect> {
        let (scheme, _) = url.split_once(':')?;
        match scheme.to_ascii_lowercase().as_str() {
            "mysql" | "mariadb" => Some(Dialect::MySql),
            "postgres" | "postgresql" => Some(Dialect::Postgres),
            "sqlite" => Some(Dialect::Sqlite),
            _ => None,
        }
    }

    /// The product name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::MySql => "MySQL",
            Dialect::Postgres => "PostgreSQL",
            Dialect::Sqlite => "SQLite",
        }
    }

    /// The `platform` name of a `ferry.toml` connection to this database.
    pub fn platform(self) -> &'static str {
        match self {
            Dialect::MySql => "mysql",
            Dialect::Postgres => "postgres",
            Dialect::Sqlite => "sqlite",
        }
    }

    /// Most bound parameters one statement may carry (MySQL and PostgreSQL count them in a
    /// 16-bit field; SQLite's `SQLITE_MAX_VARIABLE_NUMBER` defaults to 32766).
    pub fn max_placeholders(self) -> usize {
        match self {
            Dialect::MySql | Dialect::Postgres => 65_535,
            Dialect::Sqlite => 32_766,
        }
    }

    /// Pool size when the options leave it at 0: SQLite has one writer at a time anyway.
    pub fn default_connections(self) -> u32 {
        match self {
            Dialect::MySql | Dialect::Postgres => 2,
            Dialect::Sqlite => 1,
        }
    }

    /// `identifier` as a quoted identifier, with the quote character doubled inside:
    /// double quotes for PostgreSQL, backticks for MySQL and SQLite (SQLite reads a
    /// double-quoted name that matches no column as a string literal; a backticked one is
    /// always a name).
    pub(crate) fn quote(self, identifier: &str) -> String {
        let quote = match self {
            Dialect::MySql | Dialect::Sqlite => '`',
            Dialect::Postgres => '"',
        };
        let mut quoted = String::with_capacity(identifier.len() + 2);
        quoted.push(quote);
        for character in identifier.chars() {
            if character == quote {
                quoted.push(quote);
            }
            quoted.push(character);
        }
        quoted.push(quote);
        quoted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_schemes_pick_the_dialect() {
        assert_eq!(Dialect::from_url("mysql://root@h/db"), Some(Dialect::MySql));
        assert_eq!(Dialect::from_url("MariaDB://h/db"), Some(Dialect::MySql));
        assert_eq!(
            Dialect::from_url("postgres://u@h/db"),
            Some(Dialect::Postgres)
        );
        assert_eq!(
            Dialect::from_url("postgresql://u@h/db"),
            Some(Dialect::Postgres)
        );
        assert_eq!(Dialect::from_url("sqlite:x.db"), Some(Dialect::Sqlite));
        assert_eq!(Dialect::from_url("sqlite::memory:"), Some(Dialect::Sqlite));
        assert_eq!(Dialect::from_url("mssql://h/db"), None);
        assert_eq!(Dialect::from_url("no-scheme"), None);
    }

    #[test]
    fn quoting_doubles_the_quote_character() {
        assert_eq!(Dialect::MySql.quote("a`b"), "`a``b`");
        assert_eq!(
            Dialect::Postgres.quote("Order \"x\""),
            "\"Order \"\"x\"\"\""
        );
        assert_eq!(Dialect::Sqlite.quote("type"), "`type`");
    }
}
