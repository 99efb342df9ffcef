//! `/embed/herald-bell.js`: the bell any site can include
//! (`public/embed/herald-bell.js`), and `/embed/herald-bell.d.ts`, its
//! TypeScript declarations, both built into the binary so they are served
//! whatever the site directory holds. Their names do not change between
//! releases, so they are cached briefly; other sites load them, so they say
//! so (`Cross-Origin-Resource-Policy`). The script's words come from the
//! same catalogues as Herald's own pages (`locales/<lang>/embed.ftl`).

use std::sync::LazyLock;

use axum::http::header;
use axum::response::IntoResponse;
use fluent_syntax::ast::{
    Entry, Expression, InlineExpression, Pattern, PatternElement, VariantKey,
};
use herald::i18n::Locale;
use serde_json::{Map, Value};

const SOURCE: &str = include_str!("../../../public/embed/herald-bell.js");
const TYPES: &str = include_str!("../../../public/embed/herald-bell.d.ts");
/// Where the script's message table goes.
const MESSAGES: &str = "const MESSAGES = {};";

static SCRIPT: LazyLock<String> =
    LazyLock::new(|| SOURCE.replacen(MESSAGES, &format!("const MESSAGES = {};", messages()), 1));

pub async fn script() -> impl IntoResponse {
    embedded("text/javascript; charset=utf-8", SCRIPT.as_str())
}

pub async fn types() -> impl IntoResponse {
    embedded("application/typescript; charset=utf-8", TYPES)
}

fn embedded(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (
                header::HeaderName::from_static("cross-origin-resource-policy"),
                "cross-origin",
            ),
        ],
        body,
    )
}

/// `{ "en": { id: text or { pluralForm: text } }, "de": … }` from each
/// language's `embed.ftl`: `{ $name }` becomes the script's `{name}`, a
/// selector on `$n` its plural forms.
fn messages() -> Value {
    let mut all = Map::new();
    for locale in Locale::ALL {
        all.insert(
            locale.tag().to_owned(),
            table(locale.embed_catalogue()).into(),
        );
    }
    all.into()
}

/// One language's table; what the script could not say (any other Fluent
/// construct) is left out, and the tests below fail on it.
fn table(source: &str) -> Map<String, Value> {
    let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(resource, _)| resource);
    resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            Entry::Message(m) => Some((m.id.name.to_owned(), message(m.value.as_ref()?)?)),
            _ => None,
        })
        .collect()
}

fn message(pattern: &Pattern<&str>) -> Option<Value> {
    if let [
        PatternElement::Placeable {
            expression: Expression::Select { variants, .. },
        },
    ] = pattern.elements.as_slice()
    {
        let mut forms = Map::new();
        for variant in variants {
            let key = match &variant.key {
                VariantKey::Identifier { name } => name,
                VariantKey::NumberLiteral { value } => value,
            };
            forms.insert((*key).to_owned(), text(&variant.value)?.into());
        }
        return Some(forms.into());
    }
    text(pattern).map(Value::from)
}

fn text(pattern: &Pattern<&str>) -> Option<String> {
    let mut out = String::new();
    for element in &pattern.elements {
        match element {
            PatternElement::TextElement { value } => out.push_str(value),
            PatternElement::Placeable {
                expression: Expression::Inline(inline),
            } => match inline {
                InlineExpression::VariableReference { id } => {
                    out.push('{');
                    out.push_str(id.name);
                    out.push('}');
                }
                InlineExpression::StringLiteral { value } => out.push_str(value),
                _ => return None,
            },
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(source: &str) -> Vec<String> {
        let resource = fluent_syntax::parser::parse(source).expect("embed.ftl parses");
        resource
            .body
            .iter()
            .filter_map(|e| match e {
                Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_message_of_every_language_reaches_the_script() {
        let english = ids(Locale::En.embed_catalogue());
        assert!(english.len() > 10);
        for locale in Locale::ALL {
            let source = locale.embed_catalogue();
            assert_eq!(
                ids(source),
                english,
                "{}: same ids, same order",
                locale.tag()
            );
            let table = table(source);
            let missing: Vec<_> = english
                .iter()
                .filter(|id| !table.contains_key(*id))
                .collect();
            assert!(
                missing.is_empty(),
                "{}: cannot be said by the script: {missing:?}",
                locale.tag()
            );
        }
    }

    #[test]
    fn the_script_carries_the_tables_in_its_own_syntax() {
        assert!(SOURCE.contains(MESSAGES), "the script's placeholder moved");
        let de = &messages()["de"];
        assert_eq!(de["unreadLabel"], "Benachrichtigungen, {n} ungelesen");
        assert_eq!(de["notChosen"], " (nicht gewählt)");
        assert_eq!(de["others"]["one"], "{n} weitere Person");
        assert_eq!(messages()["en"]["more"]["other"], "and {n} more");
        assert!(SCRIPT.contains("\"markAllRead\":\"Alle als gelesen markieren\""));
        assert!(!SCRIPT.contains(MESSAGES));
    }
}
