//! When a snoozed notification comes back, for the choices the inbox
//! offers. Pure arithmetic on Unix milliseconds and the browser's offset
//! from UTC, so the server and the page agree without a time-zone database.

use serde::{Deserialize, Serialize};

use crate::i18n::Locale;
use crate::t;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// The hour of the morning "tomorrow" and "next week" mean.
const MORNING_HOURS: i64 = 9;

/// How long the inbox snoozes a notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnoozeFor {
    /// An hour from now.
    Hour,
    /// 9:00 tomorrow, the user's time.
    Tomorrow,
    /// 9:00 next Monday, the user's time.
    NextWeek,
}

impl SnoozeFor {
    pub const ALL: [SnoozeFor; 3] = [SnoozeFor::Hour, SnoozeFor::Tomorrow, SnoozeFor::NextWeek];

    pub fn as_str(self) -> &'static str {
        match self {
            SnoozeFor::Hour => "hour",
            SnoozeFor::Tomorrow => "tomorrow",
            SnoozeFor::NextWeek => "next_week",
        }
    }

    pub fn parse(s: &str) -> Option<SnoozeFor> {
        SnoozeFor::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self, locale: Locale) -> String {
        match self {
            SnoozeFor::Hour => t!(locale, "snooze-hour"),
            SnoozeFor::Tomorrow => t!(locale, "snooze-tomorrow"),
            SnoozeFor::NextWeek => t!(locale, "snooze-next-week"),
        }
    }

    /// When it ends, `now` being Unix ms and `offset_minutes` the user's
    /// local time minus UTC (east positive; clamped to ±14 h).
    pub fn until(self, now: i64, offset_minutes: i64) -> i64 {
        let offset = offset_minutes.clamp(-14 * 60, 14 * 60) * 60_000;
        let today = (now + offset).div_euclid(DAY_MS);
        let morning = |day: i64| day * DAY_MS + MORNING_HOURS * HOUR_MS - offset;
        match self {
            SnoozeFor::Hour => now + HOUR_MS,
            SnoozeFor::Tomorrow => morning(today + 1),
            SnoozeFor::NextWeek => {
                // 1970-01-01 was a Thursday: Monday is 0 here.
                let weekday = (today + 3).rem_euclid(7);
                morning(today + 7 - weekday)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wednesday 2026-11-25 22:30 UTC.
    const WED_2230_UTC: i64 = 1_795_645_800_000;

    #[test]
    fn an_hour_is_an_hour() {
        assert_eq!(
            SnoozeFor::Hour.until(WED_2230_UTC, 60),
            WED_2230_UTC + HOUR_MS
        );
    }

    #[test]
    fn tomorrow_and_next_week_are_mornings_in_the_users_time() {
        // In UTC: Thursday 09:00 UTC, and Monday 2026-11-30 09:00 UTC.
        assert_eq!(
            SnoozeFor::Tomorrow.until(WED_2230_UTC, 0),
            1_795_683_600_000
        );
        assert_eq!(
            SnoozeFor::NextWeek.until(WED_2230_UTC, 0),
            1_796_029_200_000
        );
        // In Helsinki (UTC+2) it is already Thursday 00:30: Friday 09:00
        // local is 07:00 UTC.
        assert_eq!(
            SnoozeFor::Tomorrow.until(WED_2230_UTC, 120),
            1_795_683_600_000 + DAY_MS - 2 * HOUR_MS
        );
        // In New York (UTC-5) it is Wednesday 17:30: Thursday 09:00 local
        // is 14:00 UTC.
        assert_eq!(
            SnoozeFor::Tomorrow.until(WED_2230_UTC, -300),
            1_795_683_600_000 + 5 * HOUR_MS
        );
    }

    #[test]
    fn on_a_monday_next_week_is_seven_days_on() {
        let monday_morning = 1_796_029_200_000; // Mon 2026-11-30 09:00 UTC
        assert_eq!(
            SnoozeFor::NextWeek.until(monday_morning, 0),
            monday_morning + 7 * DAY_MS
        );
    }

    #[test]
    fn every_choice_is_named_and_parsed_back() {
        for choice in SnoozeFor::ALL {
            assert_eq!(SnoozeFor::parse(choice.as_str()), Some(choice));
        }
        assert_eq!(SnoozeFor::parse("forever"), None);
    }
}
