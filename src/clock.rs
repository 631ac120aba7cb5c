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
            let text = format_utc(t.to_offset(UtcOffset::UTC));
            *last = Some((t, text.clone()));
            text
        }
    })
}

/// `FORMAT`, digit by digit: every change stamps a row or two, and the general formatter
/// costs ten times as much. Years outside 0–9999 take the general way.
fn format_utc(t: OffsetDateTime) -> String {
    let year = t.year();
    if !(0..=9999).contains(&year) {
        return t.format(FORMAT).unwrap_or_default();
    }
    let mut text = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, width: usize, mut value: u32| {
        for i in (at..at + width).rev() {
            text[i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, year as u32);
    put(5, 2, u8::from(t.month()).into());
    put(8, 2, t.day().into());
    put(11, 2, t.hour().into());
    put(14, 2, t.minute().into());
    put(17, 2, t.second().into());
    put(20, 3, t.millisecond().into());
    text.iter().map(|&b| char::from(b)).collect()
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

    #[test]
    fn the_digit_by_digit_format_is_the_general_one() {
        for s in [
            "0001-01-01T00:00:00.000Z",
            "1999-12-31T23:59:59.999Z",
            "2026-02-03T04:05:06.007Z",
            "9999-12-31T23:59:59.123Z",
        ] {
            let t = parse_rfc3339(s).unwrap();
            assert_eq!(format_utc(t), t.format(FORMAT).unwrap());
            assert_eq!(format_utc(t), s);
        }
    }
}
