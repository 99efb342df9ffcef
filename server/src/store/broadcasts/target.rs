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

    /// Every active user, with nothing to narrow it.
    pub fn is_everyone(&self) -> bool {
        *self == Target::default()
    }

    /// Whether it follows who is there when it goes out rather than who
    /// was there when it was accepted: everyone or a role, scheduled, and
    /// topics, whose subscribers are read as each batch runs.
    pub fn is_open(&self, scheduled: bool) -> bool {
        self.topics.is_some() || (scheduled && self.users.is_none())
    }

    /// The four parameters of [`Target::filter`], in order.
    pub fn params(&self) -> [Option<String>; 4] {
        [
            self.role.clone(),
            self.users.clone(),
            self.topics.clone(),
            self.excluded_users.clone(),
        ]
    }

    /// The condition on `users` that picks a target's members, bound to
    /// [`Target::params`] from `$first` on.
    pub fn filter(engine: Engine, first: usize) -> String {
        let [role, users, topics, excluded] =
            [first, first + 1, first + 2, first + 3].map(|n| format!("${n}"));
        format!(
            "({role} IS NULL OR role = {role}) \
             AND (({users} IS NULL AND {topics} IS NULL) OR id IN ({named}) \
                  OR id IN (SELECT t.user_id FROM topic_subscriptions t WHERE t.topic IN ({keys}))) \
             AND ({excluded} IS NULL OR id NOT IN ({left_out}))",
            named = engine.json_ids(&users),
            keys = engine.json_texts(&topics),
            left_out = engine.json_ids(&excluded),
        )
    }
}
