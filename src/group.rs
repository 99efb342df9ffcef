//! Rows: notifications a sender gave the same `group_key` that arrived
//! while the last of that key was still unread show as one row (the server
//! gives them the same `group`), counted once and read, archived or
//! snoozed as one. Everything else is a row of its own.

use crate::Notification;
use crate::i18n::Locale;
use crate::t;

/// One row of a list: its newest notification and the rest, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub lead: Notification,
    pub rest: Vec<Notification>,
}

impl Row {
    /// Every notification in the row, newest first.
    pub fn items(&self) -> impl Iterator<Item = &Notification> {
        std::iter::once(&self.lead).chain(&self.rest)
    }

    /// Whether the row counts towards the badge: any of it does.
    pub fn counts_as_unread(&self) -> bool {
        self.items().any(Notification::counts_as_unread)
    }

    /// What the row shows of each of its notifications, newest first: a
    /// list redraws the row when this changes (an optimistic edit changes
    /// states without a new version).
    #[allow(clippy::type_complexity)]
    pub fn fingerprint(&self) -> Vec<(i64, i64, bool, bool, bool, Option<usize>)> {
        self.items()
            .map(|n| {
                (
                    n.seq,
                    n.version,
                    n.read_at.is_some(),
                    n.archived_at.is_some(),
                    n.snoozed_until.is_some(),
                    n.chosen_action,
                )
            })
            .collect()
    }

    /// Who caused the row, as one line: "Ana, Bo and 2 others".
    pub fn actors(&self, locale: Locale) -> Option<String> {
        let mut names: Vec<&str> = Vec::new();
        for actor in self.items().filter_map(|n| n.actor.as_deref()) {
            if !names.contains(&actor) {
                names.push(actor);
            }
        }
        actors_line(&names, locale)
    }
}

/// Groups `items` (newest first) into rows, in the order of each row's
/// newest notification: a new copy moves its row to the top.
pub fn rows(items: impl IntoIterator<Item = Notification>) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    let mut at: std::collections::HashMap<(String, i64), usize> = Default::default();
    for n in items {
        let key = n.group_key.clone().zip(n.group);
        match key.as_ref().and_then(|k| at.get(k)) {
            Some(&i) => rows[i].rest.push(n),
            None => {
                if let Some(key) = key {
                    at.insert(key, rows.len());
                }
                rows.push(Row {
                    lead: n,
                    rest: Vec::new(),
                });
            }
        }
    }
    rows
}

/// Names as a row shows them: "Ana", "Ana and Bo", "Ana, Bo and Cy",
/// "Ana, Bo and 2 others".
pub fn actors_line(names: &[&str], locale: Locale) -> Option<String> {
    Some(match *names {
        [] => return None,
        [one] => one.to_owned(),
        [a, b] => t!(locale, "actors-two", a = a, b = b),
        [a, b, c] => t!(locale, "actors-three", a = a, b = b, c = c),
        [a, b, ref rest @ ..] => t!(locale, "actors-more", a = a, b = b, others = rest.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(seq: i64, group: Option<(&str, i64)>, actor: &str) -> Notification {
        let mut n: Notification = serde_json::from_value(serde_json::json!({
            "id": seq, "seq": seq, "version": seq, "title": format!("n{seq}"), "body": "",
            "link": null, "category": "info", "actor": actor, "created_at": 0,
            "seen_at": null, "read_at": null, "archived_at": null,
        }))
        .unwrap();
        n.group_key = group.map(|(k, _)| k.to_owned());
        n.group = group.map(|(_, g)| g);
        n
    }

    #[test]
    fn a_key_s_row_takes_its_newest_place_and_a_read_row_stays_apart() {
        let items = vec![
            note(6, Some(("post:1", 6)), "Cy"), // after the first row was read
            note(5, Some(("post:1", 2)), "Bo"),
            note(4, None, "Ana"),
            note(3, Some(("post:1", 2)), "Ana"),
            note(2, Some(("post:1", 2)), "Bo"),
            note(1, Some(("post:2", 1)), "Ana"),
        ];
        let rows = rows(items);
        let shape: Vec<(i64, Vec<i64>)> = rows
            .iter()
            .map(|r| (r.lead.seq, r.rest.iter().map(|n| n.seq).collect()))
            .collect();
        assert_eq!(
            shape,
            [(6, vec![]), (5, vec![3, 2]), (4, vec![]), (1, vec![])]
        );
        assert_eq!(rows[1].actors(Locale::En).as_deref(), Some("Bo and Ana"));
    }

    #[test]
    fn an_edit_without_a_new_version_still_changes_the_fingerprint() {
        let row = rows(vec![
            note(2, Some(("k", 1)), "Bo"),
            note(1, Some(("k", 1)), "Ana"),
        ]);
        let before = row[0].fingerprint();
        let mut read = row[0].clone();
        read.rest[0].read_at = Some(5); // optimistic: the version is unchanged
        assert_ne!(read.fingerprint(), before);
    }

    #[test]
    fn actors_read_as_a_sentence() {
        assert_eq!(actors_line(&[], Locale::En), None);
        assert_eq!(actors_line(&["Ana"], Locale::En).unwrap(), "Ana");
        assert_eq!(
            actors_line(&["Ana", "Bo", "Cy"], Locale::En).unwrap(),
            "Ana, Bo and Cy"
        );
        assert_eq!(
            actors_line(&["Ana", "Bo", "Cy", "Di"], Locale::En).unwrap(),
            "Ana, Bo and 2 others"
        );
        assert_eq!(
            actors_line(&["Ana", "Bo", "Cy", "Di"], Locale::De).unwrap(),
            "Ana, Bo und 2 weitere"
        );
    }
}
