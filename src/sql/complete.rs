//! Completion and completeness of text being typed. What may come at the cursor is what the
//! parser itself looks for there (`parse::expected_at_end`): the keywords it tries, the names
//! of existing connections or jobs where it reads one, an option table's names where options
//! go (each with its one-line summary), an option's value words after its `=`. A statement is
//! complete once the splitter finds its `;`. The REPL only shows what these say.

use super::job_spec::JobOption;
use super::lex;
use super::name::Ident;
use super::options::{OptionDef, OptionKey};
use super::parse::{Expected, NameKind, OptionPlace, expected_at_end};
use super::spec::ConnectionOption;
use super::split::statement_end;

/// One thing that may be typed: the text to insert and, for an option, what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub replacement: String,
    pub summary: Option<&'static str>,
}

/// The names that exist, for the places where the parser reads one.
#[derive(Clone, Copy, Debug, Default)]
pub struct Names<'a> {
    pub connections: &'a [String],
    pub jobs: &'a [String],
    /// The roles of a team catalog's server.
    pub roles: &'a [String],
}

/// What may be typed at the end of `before` that starts with `word` (any case): keywords,
/// then names, then options and values, each once.
pub fn candidates(before: &str, word: &str, names: Names<'_>) -> Vec<Candidate> {
    let wanted = word.to_ascii_lowercase();
    let mut out: Vec<Candidate> = Vec::new();
    let mut add = |replacement: String, summary: Option<&'static str>| {
        let matches = replacement.to_ascii_lowercase().starts_with(&wanted)
            // A quoted name matches what is typed of it without its quote too.
            || replacement
                .strip_prefix('"')
                .is_some_and(|r| r.to_ascii_lowercase().starts_with(&wanted));
        if matches && !out.iter().any(|c| c.replacement == replacement) {
            out.push(Candidate {
                replacement,
                summary,
            });
        }
    };
    let mut expected = expected_at_end(before);
    // Keywords first, then values, names and options, each kind in the parser's order.
    expected.sort_by_key(|e| match e {
        Expected::Keyword(_) => 0,
        Expected::Value(_) => 1,
        Expected::Name(_) => 2,
        Expected::Option(_) => 3,
    });
    for expected in expected {
        match expected {
            Expected::Keyword(k) => add(k.to_string(), None),
            Expected::Value(words) => words.iter().for_each(|w| add(w.to_string(), None)),
            Expected::Name(NameKind::Connection) => names
                .connections
                .iter()
                .for_each(|n| add(Ident::new(n.as_str()).to_string(), None)),
            Expected::Name(NameKind::Job) => names
                .jobs
                .iter()
                .for_each(|n| add(Ident::new(n.as_str()).to_string(), None)),
            Expected::Name(NameKind::Role) => {
                add("PUBLIC".to_string(), None);
                names
                    .roles
                    .iter()
                    .for_each(|n| add(Ident::new(n.as_str()).to_string(), None))
            }
            Expected::Name(NameKind::New) => {}
            Expected::Option(place) => {
                for (name, summary) in options(place) {
                    add(name.to_string(), Some(summary));
                }
            }
        }
    }
    out
}

/// The options that may be written in `place`, with their summaries.
fn options(place: OptionPlace) -> Vec<(&'static str, &'static str)> {
    fn of<K: OptionKey>(keep: impl Fn(&OptionDef<K>) -> bool) -> Vec<(&'static str, &'static str)> {
        K::table()
            .iter()
            .filter(|d| keep(d))
            .map(|d| (d.name, d.summary))
            .collect()
    }
    let located = |k: JobOption| {
        matches!(
            k,
            JobOption::Location | JobOption::Bucket | JobOption::Prefix
        )
    };
    match place {
        OptionPlace::Connection => of::<ConnectionOption>(|_| true),
        OptionPlace::ConnectionSet => of::<ConnectionOption>(|d| d.editable),
        OptionPlace::Job => of::<JobOption>(|d| !located(d.key)),
        // Upsolver's scripts write a COPY's options after its connection too.
        OptionPlace::CopySource => of::<JobOption>(|d| d.key.applies().copy),
        OptionPlace::InsertTarget => of::<JobOption>(|d| d.key == JobOption::Location),
        OptionPlace::JobSet => of::<JobOption>(|d| d.editable),
    }
}

/// Whether `text` ends with a complete statement (its `;`, then only blanks): what the REPL
/// runs, and otherwise reads another line of.
pub fn is_complete(text: &str) -> bool {
    let mut last = None;
    let mut from = 0;
    while let Some(end) = statement_end(text, from) {
        last = Some(end);
        from = end;
    }
    last.is_some_and(|end| lex::is_blank(&text[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(before: &str, word: &str) -> Vec<String> {
        let connections = [
            "lake".to_string(),
            "logs".to_string(),
            "My Conn".to_string(),
        ];
        let jobs = ["load_orders".to_string()];
        candidates(
            before,
            word,
            Names {
                connections: &connections,
                jobs: &jobs,
                roles: &["analyst".to_string()],
            },
        )
        .into_iter()
        .map(|c| c.replacement)
        .collect()
    }

    #[test]
    fn the_parser_decides_what_is_offered() {
        assert_eq!(offered("", "CR"), ["CREATE"]);
        assert_eq!(
            offered("CREATE JOB j AS COPY FROM S3 ", ""),
            ["lake", "logs", "\"My Conn\""]
        );
        assert_eq!(
            offered("CREATE JOB j AS COPY FROM S3 ", "l"),
            ["lake", "logs"]
        );
        assert_eq!(
            offered("create job j as insert into s3 ", "M"),
            ["\"My Conn\""]
        );
        assert_eq!(
            offered("DROP CONNECTION ", ""),
            ["IF", "lake", "logs", "\"My Conn\""]
        );
        assert_eq!(offered("DROP JOB ", "lo"), ["load_orders"]);
        assert_eq!(offered("SHOW JOBS FOR CONNECTION ", "la"), ["lake"]);
        // Only what may stand there: no IF after a COPY's S3, no COPY before AS.
        assert!(!offered("CREATE JOB j AS COPY FROM S3 ", "").contains(&"IF".to_string()));
        let after_connection = offered("CREATE JOB j AS COPY FROM S3 lake ", "CO");
        assert!(
            after_connection.contains(&"CONTENT_TYPE".to_string()),
            "{after_connection:?}"
        );
        assert!(
            !after_connection
                .iter()
                .any(|w| w == "CONNECTIONS" || w == "COPY")
        );
        assert_eq!(
            offered("CREATE JOB j AS COPY FROM S3 lake ", "IN"),
            ["INTO", "INITIAL_LOAD_PATTERN", "INITIAL_LOAD_PREFIX"]
        );
        assert!(offered("CREATE JOB j ", "CONTENT").contains(&"CONTENT_TYPE".to_string()));
        assert!(offered("CREATE S3 CONNECTION c ", "AWS").contains(&"AWS_ROLE".to_string()));
        assert!(offered("CREATE S3 CONNECTION c ", "CONTENT").is_empty());
        assert_eq!(
            offered("CREATE S3 CONNECTION c READ_ONLY = ", ""),
            ["TRUE", "FALSE"]
        );
        assert_eq!(offered("CREATE ", ""), ["OR", "JOB", "SYNC", "S3"]);
        assert_eq!(
            offered("SHOW CONNECTIONS; DROP JOB ", ""),
            ["IF", "load_orders"]
        );
    }

    #[test]
    fn options_come_with_their_summaries() {
        let c = candidates("CREATE S3 CONNECTION c ", "READ", Names::default());
        assert_eq!(c.len(), 1);
        assert!(c[0].summary.is_some_and(|s| s.contains("TRUE")), "{c:?}");
    }

    #[test]
    fn complete_statements_end_with_their_semicolon() {
        assert!(is_complete("SHOW CONNECTIONS;\n"));
        assert!(!is_complete("CREATE S3 CONNECTION c\n"));
        assert!(!is_complete("CREATE S3 CONNECTION c COMMENT = 'a;\n"));
        assert!(is_complete("SHOW CONNECTIONS; -- done\n"));
        assert!(!is_complete("SHOW CONNECTIONS; DROP CONNECTION x\n"));
    }

    #[test]
    fn roles_and_public_come_where_a_grant_names_a_role() {
        let got: Vec<String> = offered("GRANT USAGE ON CATALOG TO ", "");
        assert!(
            got.contains(&"PUBLIC".to_string()) && got.contains(&"analyst".to_string()),
            "{got:?}"
        );
        let got: Vec<String> = offered("GRANT ", "");
        assert_eq!(got, ["ADMIN", "USAGE"]);
        let got: Vec<String> = offered("REVOKE USAGE ON ", "");
        assert_eq!(got, ["CATALOG", "CONNECTION"]);
        let got: Vec<String> = offered("SHOW GRANTS ON CONNECTION ", "la");
        assert_eq!(got, ["lake"]);
    }
}
