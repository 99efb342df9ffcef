//! The pages' words: one Fluent catalogue per language (`locales/<tag>/`),
//! compiled in by `build.rs` into static data and said by the small
//! formatter here, the same in the server and in the browser (no Fluent
//! runtime in the WASM). Plurals follow CLDR's rules (checked against
//! intl_pluralrules in the tests); a sender's titles and bodies are theirs
//! and never pass through here.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use unic_langid::LanguageIdentifier;

/// The catalogues, as `build.rs` compiled them: `EN`, `DE`, sorted by id.
mod catalogue {
    use super::{Key, Part};
    include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));
}

/// A piece of a compiled message.
#[derive(Debug)]
pub(crate) enum Part {
    Text(&'static str),
    /// An argument, by name.
    Var(&'static str),
    /// A choice on an argument: the variants and which is the default.
    Select(&'static str, &'static [(Key, &'static [Part])], usize),
}

/// A variant's key: a plural category (or any word) or an exact number.
#[derive(Debug)]
pub(crate) enum Key {
    Name(&'static str),
    Number(i64),
}

/// A message's argument: text or a whole number.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg<'a> {
    Text(Cow<'a, str>),
    Number(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}
impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}
impl From<String> for Arg<'_> {
    fn from(s: String) -> Self {
        Arg::Text(Cow::Owned(s))
    }
}
macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(n: $t) -> Self {
                Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
number_arg!(i32, i64, u32, u64, usize);

/// A message's arguments, by name (see [`t!`](crate::t)).
#[derive(Clone, Debug, Default)]
pub struct Args<'a>(Vec<(&'static str, Arg<'a>)>);

impl<'a> Args<'a> {
    pub fn new() -> Self {
        Args(Vec::new())
    }

    pub fn set(&mut self, name: &'static str, value: impl Into<Arg<'a>>) {
        self.0.push((name, value.into()));
    }

    fn get(&self, name: &str) -> Option<&Arg<'a>> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

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

    /// `<herald-bell>`'s words in this language (Fluent), which the server
    /// serves inside the script.
    pub fn embed_catalogue(self) -> &'static str {
        match self {
            Locale::En => include_str!("../locales/en/embed.ftl"),
            Locale::De => include_str!("../locales/de/embed.ftl"),
        }
    }

    fn messages(self) -> &'static [(&'static str, &'static [Part])] {
        match self {
            Locale::En => catalogue::EN,
            Locale::De => catalogue::DE,
        }
    }

    /// CLDR's plural category of a whole number `n`: English and German
    /// share the rule "one: i = 1 and v = 0" (tested against
    /// intl_pluralrules for both).
    fn plural(self, n: i64) -> &'static str {
        match self {
            Locale::En | Locale::De if n == 1 => "one",
            Locale::En | Locale::De => "other",
        }
    }

    /// Message `id` in this language (see [`t!`](crate::t)). A message
    /// missing here is a test failure (`tests::…`); at run time it shows
    /// its id rather than failing the page.
    pub fn text(self, id: &str, args: Option<&Args>) -> String {
        let messages = self.messages();
        let parts = match messages.binary_search_by(|(each, _)| (*each).cmp(id)) {
            Ok(at) => messages[at].1,
            Err(_) => match learned::find(id) {
                Some(parts) => parts,
                None => return id.to_owned(),
            },
        };
        let mut out = String::new();
        self.say(parts, args, &mut out);
        out
    }

    /// The messages of this language whose ids start with `prefix`, as
    /// data: what a page sends its island to [`learn`] when the browser's
    /// WASM leaves them out (the admin console's, see build.rs).
    pub fn words(self, prefix: &str) -> Vec<Word> {
        self.messages()
            .iter()
            .filter(|(id, _)| id.starts_with(prefix))
            .map(|(id, parts)| Word((*id).to_owned(), parts.iter().map(Said::of).collect()))
            .collect()
    }

    /// Fluent's rules: an argument in its place (a missing one as
    /// `{$name}`); a choice on a number takes the variant of that exact
    /// number, else of its plural category, a choice on text the variant of
    /// that word, else the default.
    fn say(self, parts: &[Part], args: Option<&Args>, out: &mut String) {
        for part in parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Var(name) => match args.and_then(|a| a.get(name)) {
                    Some(Arg::Text(text)) => out.push_str(text),
                    Some(Arg::Number(n)) => out.push_str(&n.to_string()),
                    None => {
                        out.push_str("{$");
                        out.push_str(name);
                        out.push('}');
                    }
                },
                Part::Select(name, variants, default) => {
                    let value = args.and_then(|a| a.get(name));
                    let chosen = variants.iter().position(|(key, _)| match (key, value) {
                        (Key::Number(k), Some(Arg::Number(n))) => k == n,
                        (Key::Name(k), Some(Arg::Text(t))) => k == t,
                        _ => false,
                    });
                    let chosen = chosen.or_else(|| match value {
                        Some(Arg::Number(n)) => {
                            let category = self.plural(*n);
                            variants
                                .iter()
                                .position(|(key, _)| matches!(key, Key::Name(k) if *k == category))
                        }
                        _ => None,
                    });
                    self.say(variants[chosen.unwrap_or(*default)].1, args, out);
                }
            }
        }
    }

    /// "now", "5 minutes ago", "in 3 hours": how far `then_ms` is from
    /// `now_ms`, as CLDR's long relative-time patterns say it (the browser's
    /// `Intl.RelativeTimeFormat` says the same; a browser test compares).
    pub fn relative(self, then_ms: i64, now_ms: i64) -> String {
        let (value, unit) = relative_parts(then_ms, now_ms);
        if value == 0 {
            return crate::t!(self, "time-now");
        }
        let mut args = Args::new();
        args.set("n", value.abs());
        args.set("unit", unit.as_str());
        let id = if value < 0 {
            "time-past"
        } else {
            "time-future"
        };
        self.text(id, Some(&args))
    }
}

/// One message as data (see [`Locale::words`]): its id and its parts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Word(String, Vec<Said>);

/// A [`Part`] as data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum Said {
    Text(String),
    Var(String),
    Select(String, Vec<(SaidKey, Vec<Said>)>, usize),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum SaidKey {
    Name(String),
    Number(i64),
}

impl Said {
    fn of(part: &Part) -> Said {
        match part {
            Part::Text(t) => Said::Text((*t).to_owned()),
            Part::Var(v) => Said::Var((*v).to_owned()),
            Part::Select(name, variants, default) => Said::Select(
                (*name).to_owned(),
                variants
                    .iter()
                    .map(|(key, parts)| {
                        let key = match key {
                            Key::Name(n) => SaidKey::Name((*n).to_owned()),
                            Key::Number(n) => SaidKey::Number(*n),
                        };
                        (key, parts.iter().map(Said::of).collect())
                    })
                    .collect(),
                *default,
            ),
        }
    }

    /// Kept for the rest of the page's life, as the compiled ones are.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    fn into_part(self) -> Part {
        let keep = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        match self {
            Said::Text(t) => Part::Text(keep(t)),
            Said::Var(v) => Part::Var(keep(v)),
            Said::Select(name, variants, default) => {
                let variants: Vec<(Key, &'static [Part])> = variants
                    .into_iter()
                    .map(|(key, parts)| {
                        let key = match key {
                            SaidKey::Name(n) => Key::Name(keep(n)),
                            SaidKey::Number(n) => Key::Number(n),
                        };
                        let parts: Vec<Part> = parts.into_iter().map(Said::into_part).collect();
                        (key, &*Box::leak(parts.into_boxed_slice()))
                    })
                    .collect();
                Part::Select(keep(name), Box::leak(variants.into_boxed_slice()), default)
            }
        }
    }
}

/// Messages a page gave the browser at run time ([`learn`]), one language.
/// Empty on the server, which has every catalogue compiled in.
mod learned {
    use super::Part;

    #[cfg(target_arch = "wasm32")]
    thread_local! {
        pub(super) static WORDS: std::cell::RefCell<Vec<(&'static str, &'static [Part])>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }

    pub(super) fn find(id: &str) -> Option<&'static [Part]> {
        #[cfg(target_arch = "wasm32")]
        return WORDS.with_borrow(|words| {
            words
                .binary_search_by(|(each, _)| (*each).cmp(id))
                .ok()
                .map(|at| words[at].1)
        });
        #[cfg(not(target_arch = "wasm32"))]
        {
            let _ = id;
            None
        }
    }
}

/// Adds `words` (from [`Locale::words`]) to what this browser page can
/// say. On the server, which has them compiled in, it does nothing.
pub fn learn(words: Vec<Word>) {
    #[cfg(target_arch = "wasm32")]
    learned::WORDS.with_borrow_mut(|known| {
        for Word(id, parts) in words {
            let parts: Vec<Part> = parts.into_iter().map(Said::into_part).collect();
            let id: &'static str = Box::leak(id.into_boxed_str());
            if let Err(at) = known.binary_search_by(|(each, _)| (*each).cmp(id)) {
                known.insert(at, (id, Box::leak(parts.into_boxed_slice())));
            }
        }
    });
    #[cfg(not(target_arch = "wasm32"))]
    let _ = words;
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
        let mut args = $crate::i18n::Args::new();
        $( args.set(stringify!($name), $value); )+
        $locale.text($id, Some(&args))
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
    use std::collections::BTreeSet;

    /// Each catalogue file of `locale`, as build.rs reads them.
    fn sources(locale: Locale) -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        ["herald.ftl", "pages.ftl", "admin.ftl", "server.ftl"]
            .iter()
            .map(|f| std::fs::read_to_string(root.join(locale.tag()).join(f)).unwrap())
            .collect()
    }

    fn ids(locale: Locale) -> BTreeSet<String> {
        let mut ids = BTreeSet::new();
        for source in sources(locale) {
            let resource =
                fluent_syntax::parser::parse(source.as_str()).unwrap_or_else(|(_, e)| {
                    panic!("{}: a catalogue does not parse: {e:?}", locale.tag())
                });
            for entry in resource.body {
                if let Entry::Message(m) = entry {
                    let fresh = ids.insert(m.id.name.to_owned());
                    assert!(fresh, "{}: {} is defined twice", locale.tag(), m.id.name);
                }
            }
        }
        ids
    }

    /// The arguments `pattern` uses.
    fn variables<'s>(pattern: &Pattern<&'s str>, into: &mut BTreeSet<&'s str>) {
        for element in &pattern.elements {
            match element {
                PatternElement::Placeable {
                    expression: Expression::Inline(InlineExpression::VariableReference { id }),
                } => {
                    into.insert(id.name);
                }
                PatternElement::Placeable {
                    expression: Expression::Select { selector, variants },
                } => {
                    if let InlineExpression::VariableReference { id } = selector {
                        into.insert(id.name);
                    }
                    for v in variants {
                        variables(&v.value, into);
                    }
                }
                _ => {}
            }
        }
    }

    /// Every message, with numbers and with words for its arguments, says
    /// exactly what Fluent's own resolver (fluent-bundle) says.
    #[test]
    fn the_compiled_catalogue_says_what_fluent_says() {
        use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
        let mut checked = 0;
        for locale in Locale::ALL {
            let mut bundle = FluentBundle::new(vec![locale.id()]);
            bundle.set_use_isolating(false);
            for source in sources(locale) {
                bundle
                    .add_resource(FluentResource::try_new(source.clone()).unwrap())
                    .unwrap();
                let resource = fluent_syntax::parser::parse(source.as_str()).unwrap();
                for entry in &resource.body {
                    let Entry::Message(m) = entry else { continue };
                    let mut names = BTreeSet::new();
                    variables(m.value.as_ref().unwrap(), &mut names);
                    let units = ["second", "minute", "hour", "day", "month"];
                    for n in [0i64, 1, 2, 7, 21] {
                        for unit in units {
                            let mut theirs = FluentArgs::new();
                            let mut ours = Args::new();
                            for name in &names {
                                let name: &'static str = name.to_string().leak();
                                if name == "unit" {
                                    theirs.set(name, FluentValue::from(unit));
                                    ours.set(name, unit);
                                } else if n == 21 {
                                    // Words where words go.
                                    theirs.set(name, FluentValue::from("Ana"));
                                    ours.set(name, "Ana");
                                } else {
                                    theirs.set(name, FluentValue::from(n));
                                    ours.set(name, n);
                                }
                            }
                            let pattern = bundle.get_message(m.id.name).unwrap().value().unwrap();
                            let mut errors = Vec::new();
                            let expected =
                                bundle.format_pattern(pattern, Some(&theirs), &mut errors);
                            assert_eq!(
                                locale.text(m.id.name, Some(&ours)),
                                expected,
                                "{}: {} with {n}, {unit}",
                                locale.tag(),
                                m.id.name
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 1000);
    }

    #[test]
    fn plurals_are_cldrs() {
        use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
        for locale in Locale::ALL {
            let rules = PluralRules::create(locale.id(), PluralRuleType::CARDINAL).unwrap();
            for n in 0..=1_000i64 {
                let cldr = match rules.select(n).unwrap() {
                    PluralCategory::ONE => "one",
                    PluralCategory::OTHER => "other",
                    other => panic!("{}: {n} is {other:?}", locale.tag()),
                };
                assert_eq!(locale.plural(n), cldr, "{}: {n}", locale.tag());
            }
        }
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
        for dir in ["src", "app/src", "server/src"] {
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

    /// The admin console's words reach the browser as data (build.rs
    /// leaves them out of the WASM): sent and turned back into parts, each
    /// says what the compiled message says, plurals and arguments included.
    #[test]
    fn words_sent_as_data_say_what_the_catalogue_says() {
        for locale in Locale::ALL {
            let words = locale.words("admin-");
            let admin: BTreeSet<String> = ids(locale)
                .into_iter()
                .filter(|id| id.starts_with("admin-"))
                .collect();
            assert_eq!(words.len(), admin.len(), "{}", locale.tag());
            let json = serde_json::to_string(&words).unwrap();
            let back: Vec<Word> = serde_json::from_str(&json).unwrap();
            assert_eq!(back, words);
            for Word(id, parts) in back {
                for n in [0_i64, 1, 2, 5] {
                    let mut args = Args::new();
                    for name in [
                        "count", "n", "online", "title", "name", "when", "sent", "users", "total",
                    ] {
                        args.set(name, n);
                    }
                    let parts: Vec<Part> = parts.clone().into_iter().map(Said::into_part).collect();
                    let mut said = String::new();
                    locale.say(&parts, Some(&args), &mut said);
                    assert_eq!(
                        said,
                        locale.text(&id, Some(&args)),
                        "{}: {id}",
                        locale.tag()
                    );
                }
            }
        }
    }

    /// server.ftl is left out of the browser's WASM (build.rs), so nothing
    /// the app or the shared code says may live there: in the browser it
    /// would show its id.
    #[test]
    fn what_the_browser_says_is_not_in_the_server_only_catalogue() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = BTreeSet::new();
        for dir in ["src", "app/src"] {
            used_ids(&root.join(dir), &mut used);
        }
        for locale in Locale::ALL {
            let path = root.join("locales").join(locale.tag()).join("server.ftl");
            let source = std::fs::read_to_string(path).unwrap();
            let resource = fluent_syntax::parser::parse(source.as_str()).unwrap();
            let server_only: BTreeSet<String> = resource
                .body
                .iter()
                .filter_map(|entry| match entry {
                    Entry::Message(m) => Some(m.id.name.to_owned()),
                    _ => None,
                })
                .collect();
            assert!(server_only.contains("email-greeting"), "{server_only:?}");
            let misplaced: Vec<_> = used.intersection(&server_only).collect();
            assert!(
                misplaced.is_empty(),
                "{}: said in the browser but only in server.ftl: {misplaced:?}",
                locale.tag()
            );
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
