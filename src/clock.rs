//! Time as connsql stores and prints it: UTC, to the millisecond, RFC 3339 with exactly three
//! fractional digits (`2026-11-28T17:31:18.120Z`), so every timestamp has the same width.

use time::format_description::FormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

const FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// The current time, to the millisecond (what the text form holds).
pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(t)
}

/// RFC 3339 text of a time in UTC with three fractional digits. A statement stamps several rows
/// with the same time, so the last formatting is reused.
pub fn rfc3339(t: OffsetDateTime) -> String {
    thread_local! {
        static LAST: std::cell::RefCell<Option<(OffsetDateTime, String)>> = const { std::cell::RefCell::new(None) };
    }
    LAST.with_borrow_mut(|last| match last {
        Some((at, text)) if *at == t => text.clone(),
        _ => {
            let text = t
                .to_offset(UtcOffset::UTC)
                .format(FORMAT)
                .unwrap_or_default();
            *last = Some((t, text.clone()));
            text
        }
    })
}

/// Reads any RFC 3339 time (catalogs written by older releases dropped trailing zeros).
pub fn parse_rfc3339(s: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_fractional_digits_always() {
        let t = parse_rfc3339("2026-11-28T17:31:46.18Z").unwrap();
        assert_eq!(rfc3339(t), "2026-11-28T17:31:46.180Z");
        let t = parse_rfc3339("2026-11-28T17:31:46Z").unwrap();
        assert_eq!(rfc3339(t), "2026-11-28T17:31:46.000Z");
        let t = parse_rfc3339("2026-11-28T18:31:46.5+01:00").unwrap();
        assert_eq!(rfc3339(t), "2026-11-28T17:31:46.500Z");
    }
}
