//! IAM policy evaluation, as much as the emulator needs: `Allow` and `Deny` statements whose
//! `Action` and `Resource` match with `*` and `?` wildcards, and a `StringLike` condition on
//! `s3:prefix`. A request is allowed when the identity's policy allows it, no statement denies
//! it, and a session policy, when there is one, allows it too.

use serde_json::Value;

/// One request to authorise.
pub struct Ask<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    /// `s3:prefix` of a listing.
    pub prefix: Option<&'a str>,
}

/// Why a request was refused, in AWS's words ("because no … policy allows").
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    Identity,
    Session,
    ExplicitDeny,
}

impl Refusal {
    pub fn reason(&self, action: &str) -> String {
        match self {
            Refusal::Identity => {
                format!("because no identity-based policy allows the {action} action")
            }
            Refusal::Session => format!("because no session policy allows the {action} action"),
            Refusal::ExplicitDeny => {
                "with an explicit deny in an identity-based policy".to_string()
            }
        }
    }
}

pub fn authorize(
    identity: Option<&Value>,
    session: Option<&str>,
    ask: &Ask<'_>,
) -> Result<(), Refusal> {
    let session: Option<Value> = session.map(|s| serde_json::from_str(s).unwrap_or(Value::Null));
    let verdicts = [identity, session.as_ref()];
    if verdicts.iter().flatten().any(|p| matches(p, "Deny", ask)) {
        return Err(Refusal::ExplicitDeny);
    }
    if !identity.is_some_and(|p| matches(p, "Allow", ask)) {
        return Err(Refusal::Identity);
    }
    if let Some(policy) = &session
        && !matches(policy, "Allow", ask)
    {
        return Err(Refusal::Session);
    }
    Ok(())
}

/// Whether a statement with this effect matches the request.
fn matches(policy: &Value, effect: &str, ask: &Ask<'_>) -> bool {
    statements(policy).iter().any(|s| {
        s.get("Effect").and_then(Value::as_str) == Some(effect)
            && strings(s.get("Action")).iter().any(|a| glob(a, ask.action))
            && strings(s.get("Resource"))
                .iter()
                .any(|r| glob(r, ask.resource))
            && condition_holds(s.get("Condition"), ask)
    })
}

fn statements(policy: &Value) -> Vec<&Value> {
    match policy.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// A statement's conditions, as IAM evaluates them: every operator's every key must hold. The
/// string operators (`StringEquals`, `StringLike` and their negations) are understood on
/// `s3:prefix`; a condition on a key the request does not carry does not hold (the
/// `…IfExists` forms aside, which then hold), as IAM reads it. Any other operator or key is not
/// understood and does not hold.
fn condition_holds(condition: Option<&Value>, ask: &Ask<'_>) -> bool {
    let Some(Value::Object(operators)) = condition else {
        return true;
    };
    operators.iter().all(|(op, keys)| {
        let (base, if_exists) = match op.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (op.as_str(), false),
        };
        let test: fn(&str, &str) -> bool = match base {
            "StringEquals" => |pattern, value| pattern == value,
            "StringLike" => glob,
            "StringNotEquals" => |pattern, value| pattern != value,
            "StringNotLike" => |pattern, value| !glob(pattern, value),
            _ => return false,
        };
        let negated = base.starts_with("StringNot");
        keys.as_object().is_some_and(|keys| {
            keys.iter().all(|(key, patterns)| {
                let value = match key.as_str() {
                    "s3:prefix" => ask.prefix,
                    _ => return false,
                };
                let Some(value) = value else {
                    return if_exists;
                };
                let patterns = strings(Some(patterns));
                if negated {
                    patterns.iter().all(|p| test(p, value))
                } else {
                    patterns.iter().any(|p| test(p, value))
                }
            })
        })
    })
}

/// One element of an IAM pattern.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Elem {
    Char(char),
    /// `*`: any run of characters.
    Any,
    /// `?`: one character.
    One,
}

/// A pattern's elements: `*` and `?` are wildcards, and `${*}`, `${?}`, `${$}` the literal
/// characters, as IAM reads them in resources and `…Like` conditions.
fn elements(pattern: &str) -> Vec<Elem> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if let Some(literal @ ('*' | '?' | '$')) = rest
            .strip_prefix("${")
            .and_then(|r| r.chars().next())
            .filter(|_| rest[2..].chars().nth(1) == Some('}'))
        {
            out.push(Elem::Char(literal));
            rest = &rest[4..];
            continue;
        }
        out.push(match c {
            '*' => Elem::Any,
            '?' => Elem::One,
            c => Elem::Char(c),
        });
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// IAM's wildcard match: `*` any run of characters, `?` one, `${*}` `${?}` `${$}` themselves;
/// action names ignore case.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<Elem>, Vec<char>) = if pattern.contains(':') && !pattern.starts_with("arn:") {
        (
            elements(&pattern.to_ascii_lowercase()),
            text.to_ascii_lowercase().chars().collect(),
        )
    } else {
        (elements(pattern), text.chars().collect())
    };
    // Iterative matching with backtracking to the last `*`.
    let (mut i, mut j) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while j < t.len() {
        if i < p.len() && (p[i] == Elem::One || p[i] == Elem::Char(t[j])) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == Elem::Any {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    while i < p.len() && p[i] == Elem::Any {
        i += 1;
    }
    i == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ask<'a>(action: &'a str, resource: &'a str, prefix: Option<&'a str>) -> Ask<'a> {
        Ask {
            action,
            resource,
            prefix,
        }
    }

    #[test]
    fn wildcards() {
        assert!(glob("s3:*", "s3:GetObject"));
        assert!(glob(
            "arn:aws:s3:::bkt/raw/*",
            "arn:aws:s3:::bkt/raw/a/b.json"
        ));
        assert!(!glob("arn:aws:s3:::bkt/raw/*", "arn:aws:s3:::bkt/out/a"));
        assert!(glob("*", "anything"));
        assert!(glob("raw/?", "raw/a"));
        assert!(glob("arn:aws:s3:::b/a${*}b/*", "arn:aws:s3:::b/a*b/x"));
        assert!(!glob("arn:aws:s3:::b/a${*}b/*", "arn:aws:s3:::b/axb/x"));
        assert!(glob("a${?}${$}*", "a?$x"));
        assert!(!glob("a${?}", "ab"));
    }

    #[test]
    fn a_condition_on_a_key_the_request_lacks_does_not_hold() {
        let policy = json!({"Statement": [{"Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
            "Resource": "arn:aws:s3:::bkt", "Condition": {"StringLike": {"s3:prefix": ["raw/*"]}}}]});
        let location = ask("s3:GetBucketLocation", "arn:aws:s3:::bkt", None);
        assert_eq!(
            authorize(Some(&policy), None, &location),
            Err(Refusal::Identity)
        );
        let if_exists = json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetBucketLocation",
            "Resource": "arn:aws:s3:::bkt", "Condition": {"StringLikeIfExists": {"s3:prefix": ["raw/*"]}}}]});
        assert_eq!(authorize(Some(&if_exists), None, &location), Ok(()));
    }

    #[test]
    fn a_session_policy_narrows_the_identity() {
        let role = json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
        let session = r#"{"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bkt","Condition":{"StringLike":{"s3:prefix":["raw/*"]}}}]}"#;
        let list = |p| ask("s3:ListBucket", "arn:aws:s3:::bkt", Some(p));
        assert_eq!(
            authorize(Some(&role), Some(session), &list("raw/2024/")),
            Ok(())
        );
        assert_eq!(
            authorize(Some(&role), Some(session), &list("out/")),
            Err(Refusal::Session)
        );
        assert_eq!(
            authorize(None, Some(session), &list("raw/")),
            Err(Refusal::Identity)
        );
        assert_eq!(authorize(Some(&role), None, &list("out/")), Ok(()));
    }
}
