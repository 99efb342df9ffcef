//! The pages' words: one Fluent catalogue per language (`locales/<tag>/
//! herald.ftl`), compiled in, so the server and the browser say the same
//! thing. Plurals follow CLDR's rules (intl_pluralrules); a sender's titles
//! and bodies are theirs and never pass through here.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentResource, FluentValue};
use serde::{Deserialize, Serialize};
use unic_langid::LanguageIdentifier;

pub use fluent_bundle::FluentArgs;

/// A language Herald's pages are written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    En,
    De,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::De];

    /// Its BCP 47 tag, as `<html lang>` and the settings carry it.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
        }
    }

    /// The language's own name for itself, as a language picker shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::De => "Deutsch",
        }
    }

    /// The language a tag asks for ("de", "de-AT" → German), if Herald
    /// speaks it.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Locale::ALL.into_iter().find(|l| l.tag() == primary)
    }

    /// The best of Herald's languages for an `Accept-Language` header, by
    /// its weights (RFC 9110 §12.5.4); English when none is wanted.
    pub fn negotiate(accept_language: &str) -> Locale {
        let requested = fluent_langneg::accepted_languages::parse(accept_language);
        let available: Vec<LanguageIdentifier> = Locale::ALL.iter().map(|l| l.id()).collect();
        let default = Locale::En.id();
        let chosen = fluent_langneg::negotiate_languages(
            &requested,
            &available,
            Some(&default),
            fluent_langneg::NegotiationStrategy::Lookup,
        );
        chosen
            .first()
            .and_then(|id| Locale::parse(&id.to_string()))
            .unwrap_or_default()
    }

    fn id(self) -> LanguageIdentifier {
        self.tag().parse().unwrap_or_default()
    }

    /// The catalogue's files: the frame, bell and inbox (`herald.ftl`);
    /// the other end-user pages (`pages.ftl`); the admin console
    /// (`admin.ftl`).
    fn sources(self) -> [&'static str; 3] {
        match self {
            Locale::En => [
                include_str!("../locales/en/herald.ftl"),
                include_str!("../locales/en/pages.ftl"),
                include_str!("../locales/en/admin.ftl"),
            ],
            Locale::De => [
                include_str!("../locales/de/herald.ftl"),
                include_str!("../locales/de/pages.ftl"),
                include_str!("../locales/de/admin.ftl"),
            ],
        }
    }

    /// `<herald-bell>`'s words in this language (Fluent), which the server
    /// serves inside the script.
    pub fn embed_catalogue(self) -> &'static str {
        match self {
            Locale::En => include_str!("../locales/en/embed.ftl"),
            Locale::De => include_str!("../locales/de/embed.ftl"),
        }
    }

    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        static EN: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| build(Locale::En));
        static DE: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| build(Locale::De));
        match self {
            Locale::En => &EN,
            Locale::De => &DE,
        }
    }

    /// Message `id` in this language (see [`t!`](crate::t)). A message
    /// missing here is a test failure (`tests::…`); at run time it shows
    /// its id rather than failing the page.
    pub fn text(self, id: &str, args: Option<&FluentArgs>) -> String {
        let bundle = self.bundle();
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// "now", "5 minutes ago", "in 3 hours": how far `then_ms` is from
    /// `now_ms`, as CLDR's long relative-time patterns say it (the browser's
    /// `Intl.RelativeTimeFormat` says the same; a browser test compares).
    pub fn relative(self, then_ms: i64, now_ms: i64) -> String {
        let (value, unit) = relative_parts(then_ms, now_ms);
        if value == 0 {
            return crate::t!(self, "time-now");
        }
        let mut args = FluentArgs::new();
        args.set("n", FluentValue::from(value.abs()));
        args.set("unit", FluentValue::from(unit.as_str()));
        let id = if value < 0 {
            "time-past"
        } else {
            "time-future"
        };
        self.text(id, Some(&args))
    }
}

fn build(locale: Locale) -> FluentBundle<FluentResource> {
    let mut bundle = FluentBundle::new_concurrent(vec![locale.id()]);
    // No Unicode isolation marks around arguments: the pages put names and
    // numbers in their own elements where direction matters.
    bundle.set_use_isolating(false);
    // The files are compiled in and parsed, without errors or clashing
    // ids, by the tests below, so neither step can fail here.
    for source in locale.sources() {
        let resource =
            FluentResource::try_new(source.to_owned()).unwrap_or_else(|(resource, _)| resource);
        let _ = bundle.add_resource(resource);
    }
    bundle
}

/// A unit of relative time, named as `Intl.RelativeTimeFormat` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    Second,
    Minute,
    Hour,
    Day,
    Month,
}

impl TimeUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeUnit::Second => "second",
            TimeUnit::Minute => "minute",
            TimeUnit::Hour => "hour",
            TimeUnit::Day => "day",
            TimeUnit::Month => "month",
        }
    }
}

/// How far `then_ms` is from `now_ms` as one rounded value and its unit,
/// negative in the past: under 45 s is "now" (0 seconds), then minutes,
/// hours, days and 30-day months, each rounded to the nearest (a day less
/// a few milliseconds is "1 day", not "24 hours").
pub fn relative_parts(then_ms: i64, now_ms: i64) -> (i64, TimeUnit) {
    let delta = then_ms - now_ms;
    let seconds = delta.abs() / 1000;
    let sign = if delta < 0 { -1 } else { 1 };
    let (magnitude, unit) = match seconds {
        0..=44 => (0, TimeUnit::Second),
        45..=3_569 => ((seconds + 30) / 60, TimeUnit::Minute),
        3_570..=84_599 => ((seconds + 1_800) / 3_600, TimeUnit::Hour),
        84_600..=2_548_799 => ((seconds + 43_200) / 86_400, TimeUnit::Day),
        _ => ((seconds + 1_296_000) / 2_592_000, TimeUnit::Month),
    };
    (sign * magnitude, unit)
}

/// `t!(locale, "id")` or `t!(locale, "id", name = value, …)`: message `id`
/// in `locale`, with Fluent arguments. Only a literal id, so the tests can
/// find every message the code asks for.
#[macro_export]
macro_rules! t {
    ($locale:expr, $id:literal) => {
        $locale.text($id, None)
    };
    ($locale:expr, $id:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = $crate::i18n::FluentArgs::new();
        $( args.set(stringify!($name), $value); )+
        $locale.text($id, Some(&args))
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_bundle::FluentResource;
    use fluent_syntax::ast::Entry;
    use std::collections::BTreeSet;

    fn ids(locale: Locale) -> BTreeSet<String> {
        let mut ids = BTreeSet::new();
        for source in locale.sources() {
            let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(_, e)| {
                panic!("{}: a catalogue does not parse: {e:?}", locale.tag())
            });
            for entry in resource.entries() {
                if let Entry::Message(m) = entry {
                    let fresh = ids.insert(m.id.name.to_owned());
                    assert!(fresh, "{}: {} is defined twice", locale.tag(), m.id.name);
                }
            }
        }
        ids
    }

    /// Every literal id after `t!(…,` in the code under `dir`.
    fn used_ids(dir: &std::path::Path, into: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                used_ids(&path, into);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("i18n.rs") {
                let code = std::fs::read_to_string(&path).unwrap();
                for (at, _) in code.match_indices("t!(") {
                    let call = &code[at..];
                    if at > 0 && code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    let Some(open) = call.find('"') else { continue };
                    let id: String = call[open + 1..].chars().take_while(|&c| c != '"').collect();
                    if id.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !id.is_empty() {
                        into.insert(id);
                    }
                }
            }
        }
    }

    #[test]
    fn every_language_has_every_message_and_nothing_else() {
        let english = ids(Locale::En);
        assert!(english.len() > 50, "the English catalogue looks empty");
        for locale in Locale::ALL {
            let theirs = ids(locale);
            let missing: Vec<_> = english.difference(&theirs).collect();
            let extra: Vec<_> = theirs.difference(&english).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{}: missing {missing:?}, not in English {extra:?}",
                locale.tag()
            );
        }
    }

    #[test]
    fn every_message_the_code_asks_for_is_in_the_catalogue() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = BTreeSet::new();
        for dir in ["src", "app/src"] {
            used_ids(&root.join(dir), &mut used);
        }
        assert!(used.len() > 50, "found too few t!(…) calls: {used:?}");
        let english = ids(Locale::En);
        let unknown: Vec<_> = used.difference(&english).collect();
        assert!(
            unknown.is_empty(),
            "asked for but not in the catalogue: {unknown:?}"
        );
    }

    #[test]
    fn messages_format_without_errors_in_every_language() {
        for locale in Locale::ALL {
            let bundle = locale.bundle();
            for id in ids(locale) {
                let pattern = bundle.get_message(&id).and_then(|m| m.value());
                assert!(pattern.is_some(), "{}: {id} has no value", locale.tag());
            }
        }
    }

    #[test]
    fn the_language_comes_from_accept_language_by_weight() {
        assert_eq!(Locale::negotiate("de-DE,de;q=0.9,en;q=0.8"), Locale::De);
        assert_eq!(Locale::negotiate("fr-FR, de;q=0.5, en;q=0.4"), Locale::De);
        assert_eq!(Locale::negotiate("en-GB,de;q=0.9"), Locale::En);
        assert_eq!(Locale::negotiate("fr, es"), Locale::En);
        assert_eq!(Locale::negotiate(""), Locale::En);
        assert_eq!(Locale::negotiate("*"), Locale::En);
        assert_eq!(Locale::parse("de-AT"), Some(Locale::De));
        assert_eq!(Locale::parse("fr"), None);
    }

    #[test]
    fn relative_times_follow_cldr_in_both_languages() {
        let now = 10_000_000_000;
        let cases = [
            (now - 10_000, "now", "jetzt"),
            (now - 60_000, "1 minute ago", "vor 1 Minute"),
            (now - 5 * 60_000, "5 minutes ago", "vor 5 Minuten"),
            (now - 3_600_000, "1 hour ago", "vor 1 Stunde"),
            (now - 3 * 3_600_000, "3 hours ago", "vor 3 Stunden"),
            (now - 86_400_000, "1 day ago", "vor 1 Tag"),
            (now - 2 * 86_400_000, "2 days ago", "vor 2 Tagen"),
            (now - 70 * 86_400_000, "2 months ago", "vor 2 Monaten"),
            (now + 10 * 60_000, "in 10 minutes", "in 10 Minuten"),
            (now + 3_600_000, "in 1 hour", "in 1 Stunde"),
            (now + 6 * 86_400_000, "in 6 days", "in 6 Tagen"),
            (now + 86_400_000, "in 1 day", "in 1 Tag"),
            (now + 86_400_000 - 5, "in 1 day", "in 1 Tag"),
            (now + 3_600_000 - 5, "in 1 hour", "in 1 Stunde"),
            (now - 40 * 60_000, "40 minutes ago", "vor 40 Minuten"),
        ];
        for (then, en, de) in cases {
            assert_eq!(Locale::En.relative(then, now), en);
            assert_eq!(Locale::De.relative(then, now), de);
        }
    }

    #[test]
    fn arguments_and_plurals_reach_the_text() {
        assert_eq!(
            crate::t!(Locale::En, "bell-label", count = 1),
            "Notifications, 1 unread"
        );
        assert_eq!(
            crate::t!(Locale::De, "bell-announce", count = 1),
            "1 ungelesene Benachrichtigung"
        );
        assert_eq!(
            crate::t!(Locale::De, "bell-announce", count = 3),
            "3 ungelesene Benachrichtigungen"
        );
    }
}
