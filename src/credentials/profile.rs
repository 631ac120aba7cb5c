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
    fn profile_names_are_plain() {
        assert_eq!(
            profile_name("My Lake", Some("load")),
            "connsql-My-Lake-load"
        );
    }
}
