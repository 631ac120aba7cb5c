//! Where a PostgreSQL catalog is and how to reach it: the `postgresql://` URL, completed with
//! libpq's conventions (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`, `~/.pgpass`,
//! `PGSSLMODE`, `application_name=connsql`), and the URL as shown to people: never a password.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use postgres::config::{Host, SslMode};

/// Whether a catalog target names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres(target: &Path) -> bool {
    target
        .to_str()
        .is_some_and(|t| t.starts_with("postgresql://") || t.starts_with("postgres://"))
}

/// The target as shown in messages and printed configuration: the URL without its password
/// (`postgresql://ana@db:5432/catalog`), or the path.
pub fn shown(target: &Path) -> String {
    let text = target.to_string_lossy();
    if !is_postgres(target) {
        return text.into_owned();
    }
    // scheme://[user[:password]@]host…: drop what is between the first ':' of the user part
    // and the '@'.
    let (scheme, rest) = text.split_once("://").unwrap_or(("postgresql", &text));
    match rest.split_once('@') {
        Some((userinfo, host)) if !userinfo.contains('/') => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}://{user}@{host}")
        }
        _ => format!("{scheme}://{rest}"),
    }
}

/// The client configuration for a target, with libpq's environment and password file applied
/// where the URL is silent.
pub fn config(target: &Path, connect_timeout: Duration) -> Result<postgres::Config, String> {
    let text = target.to_string_lossy();
    let mut config = postgres::Config::from_str(&text).map_err(|e| {
        format!("not a PostgreSQL URL ({e}): write postgresql://user@host:port/database")
    })?;
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if config.get_hosts().is_empty() {
        config.host(&env("PGHOST").unwrap_or_else(|| "localhost".into()));
    }
    if config.get_ports().is_empty()
        && let Some(port) = env("PGPORT").and_then(|p| p.parse().ok())
    {
        config.port(port);
    }
    if config.get_user().is_none() {
        config.user(&env("PGUSER").unwrap_or_else(|| crate::catalog::os_user().to_string()));
    }
    if config.get_dbname().is_none() {
        let db = env("PGDATABASE").unwrap_or_else(|| config.get_user().unwrap_or("").to_string());
        config.dbname(&db);
    }
    if config.get_application_name().is_none() {
        config.application_name("connsql");
    }
    if !text.contains("sslmode=")
        && let Some(mode) = env("PGSSLMODE")
    {
        config.ssl_mode(match mode.as_str() {
            "disable" => SslMode::Disable,
            "require" | "verify-ca" | "verify-full" => SslMode::Require,
            _ => SslMode::Prefer,
        });
    }
    if config.get_password().is_none() {
        let password = env("PGPASSWORD").or_else(|| pgpass(&config));
        if let Some(p) = password {
            config.password(p);
        }
    }
    config.connect_timeout(connect_timeout);
    Ok(config)
}

/// The password `~/.pgpass` (or `PGPASSFILE`) holds for this host, port, database and user:
/// `host:port:database:user:password` lines, `*` matching anything, `\:` and `\\` escaped.
fn pgpass(config: &postgres::Config) -> Option<String> {
    let path = std::env::var("PGPASSFILE")
        .ok()
        .filter(|p| !p.is_empty())
        .or_else(|| std::env::var("HOME").ok().map(|h| format!("{h}/.pgpass")))?;
    // libpq ignores a password file others may read, and says so: so does connsql.
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(&path).ok()?.permissions().mode()
    };
    if mode & 0o077 != 0 {
        crate::catalog::notice(format!(
            "password file {path} has group or world access (mode {:o}) and was ignored; \
             permissions should be u=rw (0600) or less: chmod 600 {path}",
            mode & 0o777
        ));
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let host = match config.get_hosts().first()? {
        Host::Tcp(h) => h.clone(),
        Host::Unix(p) => p.to_string_lossy().into_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let wanted = [
        host.as_str(),
        port.as_str(),
        config.get_dbname().unwrap_or(""),
        config.get_user().unwrap_or(""),
    ];
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .find_map(|line| {
            let fields = split_escaped(line);
            let [h, p, d, u, password] = fields.as_slice() else {
                return None;
            };
            let matches = [h, p, d, u]
                .iter()
                .zip(wanted)
                .all(|(field, want)| field.as_str() == "*" || field.as_str() == want);
            matches.then(|| password.clone())
        })
}

fn split_escaped(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(f)) = (chars.next(), fields.last_mut()) {
                    f.push(next);
                }
            }
            ':' => fields.push(String::new()),
            c => {
                if let Some(f) = fields.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_never_shown() {
        let p = |s: &str| shown(Path::new(s));
        assert_eq!(
            p("postgresql://ana:s3cret@db:5432/cat"),
            "postgresql://ana@db:5432/cat"
        );
        assert_eq!(p("postgres://db/cat"), "postgres://db/cat");
        assert_eq!(p("/home/ana/catalog.db"), "/home/ana/catalog.db");
    }

    #[test]
    fn pgpass_fields_unescape() {
        assert_eq!(
            split_escaped(r"h:5432:db:u:pa\:ss"),
            ["h", "5432", "db", "u", "pa:ss"]
        );
    }
}
