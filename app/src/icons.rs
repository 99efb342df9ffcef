//! The one-character icon each category shows with, the same everywhere.

use herald::Category;

/// The icon for `category`, shown beside its notifications and settings.
pub fn icon(category: Category) -> &'static str {
    match category {
        Category::Info => "i",
        Category::Success => "✓",
        Category::Warning => "!",
        Category::Mention => "@",
    }
}
