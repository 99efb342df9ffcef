//! Whom a fan-out is for, as its `fanouts` row keeps it, and the one SQL
//! condition that picks those users: counted when the send is accepted and
//! read batch by batch as it goes out.

use herald::Audience;

use crate::store::rows::json_array;
use crate::store::{Engine, StoreError};

/// A fan-out's audience, as stored (JSON arrays in text columns).
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub(in crate::store) struct Target {
    /// Every active user with this role.
    pub role: Option<String>,
    /// Named users.
    pub users: Option<String>,
    /// The subscribers of these topics.
    pub topics: Option<String>,
    /// Users left out whatever else names them.
    pub excluded_users: Option<String>,
}

impl Target {
    pub fn of(audience: &Audience) -> Result<Target, StoreError> {
        Ok(match audience {
            Audience::Everyone => Target::default(),
            Audience::Role { role } => Target {
                role: Some(role.as_str().to_owned()),
                ..Target::default()
            },
            Audience::User { id } => Target {
                users: Some(json_array(&[*id])?),
                ..Target::default()
            },
            Audience::Users { ids } => Target {
                users: Some(json_array(ids)?),
                ..Target::default()
            },
            Audience::Topics {
                topics,
                users,
                exclude,
            } => Target {
                users: (!users.is_empty()).then(|| json_array(users)).transpose()?,
                topics: Some(json_array(topics)?),
                excluded_users: (!exclude.is_empty())
                    .then(|| json_array(exclude))
                    .transpose()?,
                ..Target::default()
            },
        })
    }

    /// Whether it follows who is there when it goes out rather than who
    /// was there when it was accepted: everyone or a role, scheduled, and
    /// topics, whose subscribers are read as each batch runs.
    pub fn is_open(&self, scheduled: bool) -> bool {
        self.topics.is_some() || (scheduled && self.users.is_none())
    }

    /// The condition on `users` that picks a target's members, with
    /// parameters numbered from `$first`, and those parameters in order.
    /// Built from the parts the target has, so the engines can drive it
    /// from the named users and subscribers (an index lookup each) instead
    /// of walking every user: there is no `$n IS NULL OR …` to plan around.
    pub fn filter(&self, engine: Engine, first: usize) -> (String, Vec<String>) {
        let mut params: Vec<String> = Vec::new();
        let mut next = |value: &String| {
            params.push(value.clone());
            format!("${}", first + params.len() - 1)
        };
        let mut parts: Vec<String> = Vec::new();
        if let Some(role) = &self.role {
            parts.push(format!("role = {}", next(role)));
        }
        let mut members: Vec<String> = Vec::new();
        if let Some(users) = &self.users {
            members.push(engine.json_ids(&next(users)));
        }
        if let Some(topics) = &self.topics {
            members.push(format!(
                "SELECT t.user_id FROM topic_subscriptions t WHERE t.topic IN ({})",
                engine.json_texts(&next(topics))
            ));
        }
        if !members.is_empty() {
            parts.push(format!("id IN ({})", members.join(" UNION ")));
        }
        if let Some(excluded) = &self.excluded_users {
            parts.push(format!("id NOT IN ({})", engine.json_ids(&next(excluded))));
        }
        if parts.is_empty() {
            parts.push("1 = 1".to_owned());
        }
        (parts.join(" AND "), params)
    }
}
