# Herald's frame, bell and inbox, in English. Every message here is also in
# every other language's herald.ftl (a test fails otherwise). Titles and
# bodies of notifications are their senders' and never pass through here.

## The header
nav-admin = Admin
nav-settings = Settings
nav-settings-title = Notification settings
nav-account-title = Your account
nav-log-out = Log out
nav-log-in = Log in
loading = Loading…
form-did-not-work = That did not work. { $details }
not-found-title = Not found
not-found-text = There is nothing at this address.

## The bell
bell-title = Notifications
bell-reconnecting = Reconnecting…
bell-label = { $count ->
    [0] Notifications, none unread
   *[other] Notifications, { $count } unread
}
# Announced to screen readers when the count changes.
bell-announce = { $count ->
    [0] No unread notifications
    [one] { $count } unread notification
   *[other] { $count } unread notifications
}
bell-see-all = See all notifications

## The inbox
inbox-views = Views
view-unread = Unread
view-all = All
view-snoozed = Snoozed
view-archived = Archived
inbox-mark-all-read = Mark all read
inbox-load-more = Load more
inbox-empty-unread = You're all caught up: nothing unread.
inbox-empty-all = No notifications yet. New ones appear here the moment they are sent.
inbox-empty-snoozed = Nothing snoozed. Snooze a notification to see it again later.
inbox-empty-archived = Nothing archived. Archive a notification to tidy it away.

## One notification (or a grouped row)
item-from = from { $actors }
item-muted = muted
item-muted-title = Its category is muted in your settings: not counted
# $when is a relative time: "in 3 hours".
item-back = back { $when }
item-mark-read = Mark read
item-mark-unread = Mark unread
item-archive = Archive
item-unarchive = Unarchive
item-snooze = Snooze
item-unsnooze = Unsnooze
item-snooze-until = Snooze “{ $title }” until
item-not-chosen = (not chosen)
group-more = and { $count } more
actors-two = { $a } and { $b }
actors-three = { $a }, { $b } and { $c }
actors-more = { $a }, { $b } and { $others ->
    [one] { $others } other
   *[other] { $others } others
}

## Categories and snooze choices
category-info = Info
category-success = Success
category-warning = Warning
category-mention = Mention
snooze-hour = 1 hour
snooze-tomorrow = Tomorrow, 9:00
snooze-next-week = Monday, 9:00

## Relative times: CLDR's long patterns, as Intl.RelativeTimeFormat says them
time-now = now
time-past = { $unit ->
    [second] { $n ->
        [one] { $n } second ago
       *[other] { $n } seconds ago
    }
    [minute] { $n ->
        [one] { $n } minute ago
       *[other] { $n } minutes ago
    }
    [hour] { $n ->
        [one] { $n } hour ago
       *[other] { $n } hours ago
    }
    [day] { $n ->
        [one] { $n } day ago
       *[other] { $n } days ago
    }
   *[month] { $n ->
        [one] { $n } month ago
       *[other] { $n } months ago
    }
}
time-future = { $unit ->
    [second] { $n ->
        [one] in { $n } second
       *[other] in { $n } seconds
    }
    [minute] { $n ->
        [one] in { $n } minute
       *[other] in { $n } minutes
    }
    [hour] { $n ->
        [one] in { $n } hour
       *[other] in { $n } hours
    }
    [day] { $n ->
        [one] in { $n } day
       *[other] in { $n } days
    }
   *[month] { $n ->
        [one] in { $n } month
       *[other] in { $n } months
    }
}

## The language picker (Settings)
language-title = Language
language-label = Language of Herald's pages
language-automatic = Automatic (your browser's language)
language-save = Save language
