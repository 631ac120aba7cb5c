//! Generated statements print and parse back to themselves: `parse(print(ast)) == ast`,
//! for plain and pretty printing, and the redacted form never shows a secret.

use connsql::sql::ast::{
    GroupSetting, Ident, OptionName, OptionSetting, Options, StringLit, Value,
};
use connsql::sql::options::OptionKey;
use connsql::sql::parse::TIME_UNITS;
use connsql::sql::spec::{CONNECTION_OPTIONS, ConnectionOption};
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
    ]
}

fn option() -> impl Strategy<Value = OptionSetting<ConnectionOption>> {
    let name = prop_oneof![
        (0..CONNECTION_OPTIONS.len())
            .prop_map(|i| OptionName::Known(CONNECTION_OPTIONS[i].key, Span::default())),
        "[A-Za-z_][A-Za-z0-9_]{0,12}"
            .prop_filter("not a known option", |n| ConnectionOption::from_name(n)
                .is_none())
            // After a number, a unit word would read as part of an interval.
            .prop_filter("not a time unit", |n| !TIME_UNITS
                .iter()
                .any(|u| u.eq_ignore_ascii_case(n)))
            .prop_map(|n| OptionName::Unknown(n, Span::default())),
    ];
    (name, value()).prop_map(|(name, value)| OptionSetting { name, value })
}

fn options(min: usize) -> impl Strategy<Value = Options<ConnectionOption>> {
    prop::collection::vec(option(), min..6).prop_map(Options)
}

fn statement() -> impl Strategy<Value = Statement> {
    let kind = prop_oneof![
        (any::<bool>(), any::<bool>(), ident(), options(0)).prop_map(
            |(or_replace, ine, name, options)| {
                StatementKind::CreateConnection {
                    or_replace,
                    if_not_exists: ine && !or_replace,
                    name,
                    options,
                }
            }
        ),
        (ident(), options(1)).prop_map(|(name, set)| StatementKind::AlterConnection { name, set }),
        (ident(), ident())
            .prop_map(|(name, new_name)| StatementKind::RenameConnection { name, new_name }),
        (any::<bool>(), ident())
            .prop_map(|(if_exists, name)| StatementKind::DropConnection { if_exists, name }),
        ident().prop_map(|name| StatementKind::ValidateConnection { name }),
        prop::option::of(string()).prop_map(|like| StatementKind::ShowConnections { like }),
        ident().prop_map(|name| StatementKind::DescribeConnection { name }),
        ident().prop_map(|name| StatementKind::ShowCreateConnection { name }),
        prop::option::of(ident())
            .prop_map(|connection| StatementKind::ShowTrustPolicy { connection }),
        ident().prop_map(|name| StatementKind::ShowS3Policy { name }),
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
}
