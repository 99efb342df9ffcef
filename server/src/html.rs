//! The few pages Herald writes outside Leptos (confirming a link from
//! another site, unsubscribing from email, refusing a member the admin
//! console) and its emails: text made safe for HTML, and the page around
//! a body, in the reader's language.

use herald::i18n::Locale;

/// Text as HTML text or attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page with the site's `stylesheet`: `title` is text, `body` is
/// HTML its caller escaped.
pub fn page(locale: Locale, stylesheet: &str, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"{stylesheet}\"></head>\
         <body><main>{body}</main></body></html>",
        lang = locale.tag(),
        title = escape(title),
        stylesheet = escape(stylesheet),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_stays_text() {
        assert_eq!(
            escape(r#"<b a="1">Tom & 'Jerry'</b>"#),
            "&lt;b a=&quot;1&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }

    #[test]
    fn a_page_says_its_language() {
        let html = page(Locale::De, "/pkg/herald.css", "<Titel>", "<p>x</p>");
        assert!(html.starts_with("<!DOCTYPE html><html lang=\"de\">"));
        assert!(html.contains("<title>&lt;Titel&gt;</title>"));
        assert!(html.contains("<main><p>x</p></main>"));
    }
}
