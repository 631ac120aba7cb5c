//! Generated statements print and parse back to themselves: `parse(print(ast)) == ast`,
//! for plain and pretty printing, and the redacted form never shows a secret.

use connsql::sql::ast::{
    CreateJob, DropBehavior, GroupSetting, Ident, JobStatementBody, OptionName, OptionSetting,
    Options, StringLit, TableName, Transformation, Value,
};
use connsql::sql::job_spec::JobOption;
use connsql::sql::options::{OptionKey, ValueKind};
use connsql::sql::select::parse_select;
use connsql::sql::spec::ConnectionOption;
use connsql::sql::words::TIME_UNITS;
use connsql::sql::{Redacted, Span, Statement, StatementKind, parse};
use proptest::prelude::*;

fn ident() -> impl Strategy<Value = Ident> {
    prop_oneof![
        "[a-z_][a-z0-9_]{0,12}".prop_map(Ident::new),
        // Anything non-empty, quotes and non-ASCII included: printed quoted.
        "\\PC{1,12}".prop_map(Ident::new),
    ]
}

fn string() -> impl Strategy<Value = StringLit> {
    "\\PC{0,24}".prop_map(StringLit::new)
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        string().prop_map(Value::String),
        prop::collection::vec(string(), 1..4).prop_map(|items| Value::List(items, Span::default())),
        any::<bool>().prop_map(|b| Value::Bool(b, Span::default())),
        "[A-Za-z_][A-Za-z0-9_]{0,8}"
            .prop_filter("TRUE and FALSE are booleans", |w| !w
                .eq_ignore_ascii_case("true")
                && !w.eq_ignore_ascii_case("false"))
            .prop_map(|w| Value::Word(w, Span::default())),
        "[0-9][0-9a-z_.]{0,6}".prop_map(|n| Value::Number(n, Span::default())),
        "\\PC{1,12}".prop_map(|q| Value::Quoted(q, Span::default())),
        ("[1-9][0-9]{0,3}", prop::sample::select(TIME_UNITS)).prop_map(|(amount, unit)| {
            Value::Interval {
                amount,
                unit: unit.to_string(),
                span: Span::default(),
            }
        }),
        prop::collection::vec(("[A-Z][A-Z_]{0,8}", string()), 1..3).prop_map(|items| {
            Value::Group(
                items
                    .into_iter()
                    .map(|(name, s)| GroupSetting {
                        name,
                        value: Value::String(s),
                        span: Span::default(),
                    })
                    .collect(),
                Span::default(),
            )
        }),
        prop::collection::vec(ident(), 1..4).prop_map(|names| Value::Names(names, Span::default())),
    ]
}

/// Expressions in sqlparser's canonical print (what a parsed one is kept as).
const EXPRESSIONS: &[&str] = &[
    "MD5(email)",
    "UPPER(\"Full Name\")",
    "price * (1 + tax)",
    "CAST($event_time AS TIMESTAMP)",
    "CONCAT(first_name, ' ', last_name)",
    "'a,b;c)'",
    "CASE WHEN x > 0 THEN 'pos' ELSE 'neg' END",
];

fn transformations() -> impl Strategy<Value = Value> {
    prop::collection::vec((ident(), prop::sample::select(EXPRESSIONS)), 1..4).prop_map(|items| {
        Value::Transformations(
            items
                .into_iter()
                .map(|(column, expression)| Transformation {
                    column,
                    expression: expression.to_string(),
                    span: Span::default(),
                })
                .collect(),
            Span::default(),
        )
    })
}

/// Words an unknown option may not be named: they end an option list, or a number before them
/// would read as an interval.
fn reserved(n: &str) -> bool {
    TIME_UNITS.iter().any(|u| u.eq_ignore_ascii_case(n))
        || [
            "AS",
            "INTO",
            "SELECT",
            "WITH",
            "MAP_COLUMNS_BY_NAME",
            "SET",
            "RESTRICT",
            "CASCADE",
        ]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(n))
}

fn option<K: OptionKey>() -> impl Strategy<Value = OptionSetting<K>> {
    let table = K::table();
    let name = prop_oneof![
        (0..table.len()).prop_map(move |i| OptionName::Known(table[i].key, Span::default())),
        "[A-Za-z_][A-Za-z0-9_]{0,12}"
            .prop_filter("not a known option", |n| K::from_name(n).is_none())
            .prop_filter("not a reserved word", |n| !reserved(n))
            .prop_map(|n| OptionName::Unknown(n, Span::default())),
    ];
    // COLUMN_TRANSFORMATIONS reads `( … )` as expressions: it gets those.
    (name, value(), transformations()).prop_map(|(name, value, transformations)| {
        let value = match &name {
            OptionName::Known(k, _) if matches!(k.def().kind, ValueKind::Transformations) => {
                transformations
            }
            _ => value,
        };
        OptionSetting { name, value }
    })
}

fn options<K: OptionKey>(min: usize) -> impl Strategy<Value = Options<K>> {
    prop::collection::vec(option::<K>(), min..6).prop_map(Options)
}

fn table_name() -> impl Strategy<Value = TableName> {
    prop::collection::vec(ident(), 1..4).prop_map(|parts| TableName {
        parts,
        span: Span::default(),
    })
}

const SELECTS: &[&str] = &[
    "SELECT * FROM default_glue_catalog.db.t WHERE $event_time BETWEEN run_start_time() AND run_end_time()",
    "SELECT a, count(*) AS n FROM db.orders o JOIN db.customers c ON o.cid = c.id GROUP BY a",
    "WITH x AS (SELECT 1 AS one) SELECT one FROM x",
    "SELECT 'a;b' AS s, \"Mixed Case\" FROM t",
];

fn job() -> impl Strategy<Value = CreateJob> {
    let copy = (ident(), options::<JobOption>(0), table_name()).prop_map(
        |(connection, source, target)| JobStatementBody::Copy {
            connection,
            source,
            target,
        },
    );
    let insert = (
        ident(),
        options::<JobOption>(0),
        any::<bool>(),
        0..SELECTS.len(),
    )
        .prop_map(|(connection, target, map_columns_by_name, i)| {
            let text = SELECTS[i];
            JobStatementBody::Insert {
                connection,
                target,
                map_columns_by_name,
                select: parse_select(text, Span::new(0, text.len())).expect("a select"),
            }
        });
    (
        any::<(bool, bool, bool)>(),
        ident(),
        options::<JobOption>(0),
        prop_oneof![copy, insert],
    )
        .prop_map(|((or_replace, sync, ine), name, options, body)| CreateJob {
            or_replace,
            sync,
            if_not_exists: ine && !or_replace,
            name,
            options,
            body,
        })
}

fn statement() -> impl Strategy<Value = Statement> {
    let kind = prop_oneof![
        (
            any::<bool>(),
            any::<bool>(),
            ident(),
            options::<ConnectionOption>(0)
        )
            .prop_map(|(or_replace, ine, name, options)| {
                StatementKind::CreateConnection {
                    or_replace,
                    if_not_exists: ine && !or_replace,
                    name,
                    options,
                }
            }),
        (ident(), options::<ConnectionOption>(1))
            .prop_map(|(name, set)| StatementKind::AlterConnection { name, set }),
        (ident(), ident())
            .prop_map(|(name, new_name)| StatementKind::RenameConnection { name, new_name }),
        (any::<bool>(), ident(), 0..3usize).prop_map(|(if_exists, name, b)| {
            StatementKind::DropConnection {
                if_exists,
                name,
                behavior: [
                    DropBehavior::Default,
                    DropBehavior::Restrict,
                    DropBehavior::Cascade,
                ][b],
            }
        }),
        ident().prop_map(|name| StatementKind::ValidateConnection { name }),
        ident().prop_map(|name| StatementKind::ValidateJob { name }),
        (
            ident(),
            string(),
            proptest::option::of(proptest::sample::select(
                connsql::sql::ast::Access::ALL.to_vec()
            ))
        )
            .prop_map(|(name, location, access)| StatementKind::ValidateAccess {
                name,
                location,
                access
            }),
        prop::option::of(string()).prop_map(|like| StatementKind::ShowConnections { like }),
        ident().prop_map(|name| StatementKind::DescribeConnection { name }),
        ident().prop_map(|name| StatementKind::ShowCreateConnection { name }),
        prop::option::of(ident())
            .prop_map(|connection| StatementKind::ShowTrustPolicy { connection }),
        ident().prop_map(|name| StatementKind::ShowS3Policy { name }),
        (ident(), proptest::option::of(ident()))
            .prop_map(|(connection, job)| StatementKind::ShowAwsProfile { connection, job }),
        job().prop_map(|j| StatementKind::CreateJob(Box::new(j))),
        (ident(), options::<JobOption>(1))
            .prop_map(|(name, set)| StatementKind::AlterJob { name, set }),
        (any::<bool>(), ident())
            .prop_map(|(if_exists, name)| StatementKind::DropJob { if_exists, name }),
        (prop::option::of(string()), prop::option::of(ident()))
            .prop_map(|(like, connection)| StatementKind::ShowJobs { like, connection }),
        ident().prop_map(|name| StatementKind::DescribeJob { name }),
        ident().prop_map(|name| StatementKind::ShowCreateJob { name }),
    ];
    kind.prop_map(Statement::new)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn print_then_parse_is_identity(stmt in statement()) {
        for text in [stmt.to_string(), format!("{stmt:#}"), format!("{stmt};")] {
            let (parsed, diags) = parse(&text);
            prop_assert!(diags.is_empty(), "{text}: {diags:?}");
            prop_assert_eq!(parsed.len(), 1, "{}", text);
            prop_assert_eq!(&parsed[0], &stmt, "{}", text);
        }
    }

    #[test]
    fn redacted_text_has_no_secret(stmt in statement()) {
        let redacted = Redacted(&stmt).to_string();
        let options = match &stmt.kind {
            StatementKind::CreateConnection { options, .. } => Some(options),
            StatementKind::AlterConnection { set, .. } => Some(set),
            _ => None,
        };
        // An unknown option whose name looks like a secret's has its value masked too.
        if let StatementKind::CreateJob(job) = &stmt.kind {
            for o in &job.options.0 {
                if let OptionName::Unknown(name, _) = &o.name
                    && connsql::sql::spec::looks_like_secret_name(name)
                    && let Value::String(s) = &o.value
                    && s.value.chars().count() >= 6
                {
                    prop_assert!(!redacted.contains(&s.to_string()), "{} shows {}", redacted, s);
                }
            }
        }
        for o in options.map(|o| o.0.as_slice()).unwrap_or_default() {
            // The secret's literal must be gone (a short one could occur by chance elsewhere).
            if o.name.key().is_some_and(ConnectionOption::is_secret)
                && let Value::String(s) = &o.value
                && s.value.chars().count() >= 6
            {
                prop_assert!(!redacted.contains(&s.to_string()), "{} shows {}", redacted, s);
            }
        }
        // The redacted text is SQL too, and parses to the same statement but for secrets.
        let (parsed, diags) = parse(&redacted);
        prop_assert!(diags.is_empty() && parsed.len() == 1, "{}", redacted);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let (stmts, _) = parse(&text);
        for stmt in &stmts {
            let _ = connsql::sql::check(stmt);
            let _ = stmt.to_string();
        }
    }

    /// Malformed SELECTs and option lists inside job statements: an error with a position
    /// inside the text, or a statement that prints back to itself; never a panic.
    #[test]
    fn job_statements_with_arbitrary_parts_never_panic(
        part in prop_oneof![
            "\\PC{0,80}",
            "(SELECT|WITH|FROM|WHERE|JOIN|ON|\\$event_time|\\(|\\)|'x'|\"q\"|,|;|--|/\\*|\\*/| |1|a\\.b|=|TIMESTAMP|AS|INTO|S3){0,16}",
        ],
        slot in 0..3usize,
    ) {
        let text = match slot {
            0 => format!("CREATE JOB j AS INSERT INTO S3 c LOCATION = 's3://b/o/' SELECT {part}"),
            1 => format!("CREATE JOB j {part} AS COPY FROM S3 c LOCATION = 's3://b/p/' INTO db.t"),
            _ => format!("CREATE SYNC JOB j AS INSERT INTO S3 c LOCATION = 's3://b/o/' {part}"),
        };
        let (stmts, diags) = parse(&text);
        for d in &diags {
            prop_assert!(d.span.end <= text.len(), "span outside the text: {}", text);
        }
        for stmt in &stmts {
            let _ = connsql::sql::check(stmt);
            let printed = stmt.to_string();
            let (again, more) = parse(&printed);
            prop_assert!(more.is_empty() && again.len() == 1, "{} → {}", text, printed);
            prop_assert_eq!(&again[0], stmt);
        }
    }
}
