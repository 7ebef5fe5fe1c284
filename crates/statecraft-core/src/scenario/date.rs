//! Calendar dates of scenarios and their serde forms (a leaf module: the predicate language and
//! the scenario data both use it).

/// A calendar date (no time of day).
pub type Date = chrono::NaiveDate;

/// Serde helpers for dates: accept a bare TOML date (`as_of = 2026-01-11`) as well as a quoted
/// string (`as_of = "2026-01-11"`, also what JSON carries). Use with
/// `#[serde(default, deserialize_with = "crate::scenario::date_serde::option")]` on an
/// `Option<Date>`, or `deserialize_with = "crate::scenario::date_serde::required"` on a `Date`.
pub mod date_serde {
    use super::Date;
    use serde::de::{Deserializer, Error, MapAccess, Visitor};

    struct DateVisitor;

    fn parse<E: Error>(s: &str) -> Result<Date, E> {
        let s = s.trim();
        Date::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            if s.len() > 10 && Date::parse_from_str(&s[..10], "%Y-%m-%d").is_ok() {
                E::custom(format!(
                    "expected a date without time of day (YYYY-MM-DD), found `{s}`; write `{}`",
                    &s[..10]
                ))
            } else {
                E::custom(format!("expected a date YYYY-MM-DD, found `{s}`"))
            }
        })
    }

    impl<'de> Visitor<'de> for DateVisitor {
        type Value = Date;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a date YYYY-MM-DD (bare `2026-01-11` or quoted `\"2026-01-11\"`)")
        }
        fn visit_str<E: Error>(self, v: &str) -> Result<Date, E> {
            parse(v)
        }
        /// toml hands a bare date over as a one-entry map holding its text.
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Date, A::Error> {
            let Some((_k, v)) = map.next_entry::<String, String>()? else {
                return Err(A::Error::custom("expected a date YYYY-MM-DD"));
            };
            parse(&v)
        }
    }

    /// A required date.
    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        d.deserialize_any(DateVisitor)
    }

    /// An optional date (use with `#[serde(default)]`).
    pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        d.deserialize_any(DateVisitor).map(Some)
    }
}
