//! The `~/.aws/config` stanza that lets any AWS tool use a connection: a profile whose
//! `credential_process` runs `connsql credentials`. The AWS CLI and boto3 split the command
//! as a POSIX shell does (`shlex`), and the AWS SDKs for Rust, Go and JavaScript run it through
//! `sh -c`: arguments are quoted for both.

use std::path::Path;

use crate::sql::Ident;

/// A profile name for the connection (and job): `connsql-<connection>[-<job>]`, characters
/// other than letters, digits, `_`, `.` and `-` as `-`.
pub fn profile_name(connection: &str, job: Option<&str>) -> String {
    let mut name = format!("connsql-{connection}");
    if let Some(job) = job {
        name.push('-');
        name.push_str(job);
    }
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The stanza, ending with a newline.
pub fn stanza(
    profile: &str,
    exe: &Path,
    catalog: &Path,
    connection: &str,
    job: Option<&str>,
    region: Option<&str>,
) -> String {
    let mut command = vec![
        shell_quote(&exe.to_string_lossy()),
        "--catalog".to_string(),
        shell_quote(&catalog.to_string_lossy()),
        "credentials".to_string(),
        // The name as SQL writes it, so `"Lake"` stays exact when connsql folds names.
        shell_quote(&Ident::new(connection).to_string()),
    ];
    if let Some(job) = job {
        command.push("--job".to_string());
        command.push(shell_quote(&Ident::new(job).to_string()));
    }
    let mut out = format!(
        "[profile {profile}]\ncredential_process = {}\n",
        command.join(" ")
    );
    match region {
        Some(region) => out.push_str(&format!("region = {region}\n")),
        None => out.push_str("# region = <the bucket's region>: no AWS region is set here\n"),
    }
    out
}

/// What connsql's own AWS identity comes from when it runs as a profile's credential process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseIdentity {
    /// The standard chain as the environment says.
    Standard,
    /// `CONNSQL_BASE_PROFILE`: this profile, whatever `AWS_PROFILE` says.
    Profile(String),
    /// `AWS_PROFILE` names a connsql profile (its `credential_process` is `connsql …
    /// credentials`), as a tool does that was told to use it: the standard chain without that
    /// profile, in that profile's region unless one is set.
    Without {
        profile: String,
        region: Option<String>,
    },
}

/// Decides connsql's own identity for `connsql credentials`, from `CONNSQL_BASE_PROFILE`,
/// `AWS_PROFILE` and the AWS config file (`AWS_CONFIG_FILE`, else `~/.aws/config`).
pub fn base_identity() -> BaseIdentity {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let Some(base) = var("CONNSQL_BASE_PROFILE") {
        return BaseIdentity::Profile(base);
    }
    let Some(profile) = var("AWS_PROFILE") else {
        return BaseIdentity::Standard;
    };
    let path = var("AWS_CONFIG_FILE")
        .map(std::path::PathBuf::from)
        .or_else(|| var("HOME").map(|h| Path::new(&h).join(".aws/config")));
    let Some(text) = path.and_then(|p| std::fs::read_to_string(p).ok()) else {
        return BaseIdentity::Standard;
    };
    let settings = profile_settings(&text, &profile);
    let runs_connsql = settings
        .iter()
        .find(|(k, _)| k == "credential_process")
        .is_some_and(|(_, command)| is_connsql_credentials(command));
    if !runs_connsql {
        return BaseIdentity::Standard;
    }
    BaseIdentity::Without {
        region: settings
            .into_iter()
            .find(|(k, _)| k == "region")
            .map(|(_, v)| v),
        profile,
    }
}

/// The `key = value` settings of one profile of an AWS config file (`[profile name]`, or
/// `[default]`).
fn profile_settings(config: &str, profile: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in config.lines() {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = header.trim();
            let name = name.strip_prefix("profile").map_or(name, str::trim);
            inside = name == profile || (profile == "default" && header.trim() == "default");
            continue;
        }
        if inside
            && !line.starts_with(['#', ';'])
            && let Some((k, v)) = line.split_once('=')
        {
            out.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    out
}

/// Whether a `credential_process` command runs `connsql … credentials …`.
fn is_connsql_credentials(command: &str) -> bool {
    let words = shell_words(command);
    let name = words
        .first()
        .and_then(|p| Path::new(p).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.starts_with("connsql") && words.iter().any(|w| w == "credentials")
}

/// A command split into words as a POSIX shell splits it (quotes and backslashes), the way
/// the AWS CLI and boto3 read a `credential_process`.
fn shell_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    w.push(q);
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => w.extend(chars.next()),
                        q => w.push(q),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).extend(chars.next()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// `s` as one POSIX shell word: bare when it only holds characters no shell treats
/// specially, else in single quotes (a `'` written `'\''`).
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./:=@%+,".contains(&b));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_spaces_and_quotes_are_one_word() {
        let text = stanza(
            "connsql-lake",
            Path::new("/opt/my tools/connsql"),
            Path::new("/home/o'neil/catalog.db"),
            "Lake",
            Some("load"),
            Some("eu-west-1"),
        );
        assert_eq!(
            text,
            "[profile connsql-lake]\n\
             credential_process = '/opt/my tools/connsql' --catalog '/home/o'\\''neil/catalog.db' \
             credentials '\"Lake\"' --job load\nregion = eu-west-1\n"
        );
    }

    #[test]
    fn a_connsql_profile_is_recognised_by_its_credential_process() {
        let config = "[default]\nregion = eu-west-1\n[profile connsql-lake]\ncredential_process = '/opt/my tools/connsql' --catalog /c.db credentials lake\nregion = us-east-2\n[profile other]\ncredential_process = /usr/bin/vault-creds\n";
        let settings = profile_settings(config, "connsql-lake");
        assert!(is_connsql_credentials(&settings[0].1));
        assert_eq!(settings[1], ("region".into(), "us-east-2".into()));
        assert!(!is_connsql_credentials(
            &profile_settings(config, "other")[0].1
        ));
        assert_eq!(profile_settings(config, "default")[0].1, "eu-west-1");
        assert_eq!(
            shell_words(r"'/opt/my tools/connsql' --catalog '/home/o'\''neil/c.db' credentials x"),
            [
                "/opt/my tools/connsql",
                "--catalog",
                "/home/o'neil/c.db",
                "credentials",
                "x"
            ]
        );
    }

    #[test]
    fn profile_names_are_plain() {
        assert_eq!(
            profile_name("My Lake", Some("load")),
            "connsql-My-Lake-load"
        );
    }
}
