# <herald-bell>'s words in English, served inside herald-bell.js (the
# server turns them into its MESSAGES table). Plurals by `$n`, as
# Intl.PluralRules names its forms. Every id is also in the German file.

notifications = Notifications
unreadLabel = Notifications, { $n } unread
markAllRead = Mark all read
loading = Loading…
empty = Nothing here yet.
markRead = Mark read
markUnread = Mark unread
archive = Archive
snooze = Snooze 1 h
notChosen = {" "}(not chosen)
more = { $n ->
    [one] and { $n } more
   *[other] and { $n } more
}
and = and
others = { $n ->
    [one] { $n } other
   *[other] { $n } others
}
failed = That did not work ({ $error }).
cannotSignIn = Cannot sign in to notifications ({ $error }).
cannotLoad = Cannot load notifications ({ $error }).
signedOut = Signed out of notifications.
tokenExpired = The notification token expired.
