//! Compiles the Fluent catalogues (`locales/<lang>/{herald,pages,admin,server}.ftl`)
//! into static data (`$OUT_DIR/catalogue.rs`, read by `src/i18n.rs`), so
//! neither the server nor the WASM carries a Fluent parser or resolver: the
//! browser's first load stays small. A catalogue that does not parse, or
//! uses a construct the pages' formatter does not know, fails the build.

use std::fmt::Write as _;
use std::path::Path;

use fluent_syntax::ast::{
    Entry, Expression, InlineExpression, Pattern, PatternElement, VariantKey,
};

const LANGUAGES: [&str; 2] = ["en", "de"];
const FILES: [&str; 4] = ["herald.ftl", "pages.ftl", "admin.ftl", "server.ftl"];
/// What only the server says (pages outside the app, the email digest) is
/// left out of the browser's WASM, where it would be dead weight; so is
/// the admin console's, which its page sends it as data (`Locale::words`),
/// so that every other page does not carry it.
const NOT_IN_THE_BROWSER: [&str; 2] = ["server.ftl", "admin.ftl"];

fn main() {
    println!("cargo::rerun-if-changed=locales");
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32");
    let mut out = String::new();
    for lang in LANGUAGES {
        let mut messages: Vec<(String, String)> = Vec::new();
        for file in FILES {
            if wasm && NOT_IN_THE_BROWSER.contains(&file) {
                continue;
            }
            let path = Path::new("locales").join(lang).join(file);
            println!("cargo::rerun-if-changed={}", path.display());
            let source = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let resource = fluent_syntax::parser::parse(source.as_str())
                .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", path.display()));
            for entry in &resource.body {
                if let Entry::Message(m) = entry {
                    let value = m.value.as_ref().unwrap_or_else(|| {
                        panic!("{}: {} has no value", path.display(), m.id.name)
                    });
                    let at = format!("{}: {}", path.display(), m.id.name);
                    messages.push((m.id.name.to_owned(), pattern(value, &at)));
                }
            }
        }
        // Sorted, for a binary search by id.
        messages.sort_by(|a, b| a.0.cmp(&b.0));
        writeln!(
            out,
            "pub(super) static {}: &[(&str, &[Part])] = &[",
            lang.to_uppercase()
        )
        .unwrap();
        for (id, parts) in messages {
            writeln!(out, "    ({id:?}, {parts}),").unwrap();
        }
        out.push_str("];\n");
    }
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("catalogue.rs");
    std::fs::write(dest, out).unwrap();
}

/// A pattern as a `&[Part]` expression.
fn pattern(pattern: &Pattern<&str>, at: &str) -> String {
    let mut parts = Vec::new();
    for element in &pattern.elements {
        parts.push(match element {
            PatternElement::TextElement { value } => format!("Part::Text({value:?})"),
            PatternElement::Placeable { expression } => match expression {
                Expression::Inline(InlineExpression::StringLiteral { value }) => {
                    format!("Part::Text({value:?})")
                }
                Expression::Inline(InlineExpression::VariableReference { id }) => {
                    format!("Part::Var({:?})", id.name)
                }
                Expression::Select {
                    selector: InlineExpression::VariableReference { id },
                    variants,
                } => {
                    let default = variants.iter().position(|v| v.default).unwrap_or(0);
                    let each: Vec<String> = variants
                        .iter()
                        .map(|v| {
                            let key = match &v.key {
                                VariantKey::Identifier { name } => format!("Key::Name({name:?})"),
                                VariantKey::NumberLiteral { value } => {
                                    let n: i64 = value.parse().unwrap_or_else(|_| {
                                        panic!("{at}: only whole numbers as variant keys")
                                    });
                                    format!("Key::Number({n})")
                                }
                            };
                            format!("({key}, {})", self::pattern(&v.value, at))
                        })
                        .collect();
                    format!(
                        "Part::Select({:?}, &[{}], {default})",
                        id.name,
                        each.join(", ")
                    )
                }
                other => panic!("{at}: the pages cannot say {other:?}"),
            },
        });
    }
    format!("&[{}]", parts.join(", "))
}
