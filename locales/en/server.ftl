# The pages the server writes outside the app, and the email digest, in English.
# Compiled into the server only: the browser's WASM never says them
# (build.rs). Every message here is also in every other language's
# server.ftl (a test fails otherwise).

## Pages written outside the app (server/src/http: open_link.rs,
## unsubscribe.rs, auth.rs).
confirm-open-title = Open notification · Herald
confirm-open-heading = Open this notification?
confirm-open-why = You followed a link to it from another site. Opening it marks it read.
confirm-open-button = Open
confirm-open-back = Back to your inbox
forbidden-title = Forbidden · Herald
forbidden-heading = 403 Forbidden
forbidden-text = Only admins may open this page.
forbidden-back = Back to Herald
unsubscribe-title = Email settings · Herald
unsubscribe-heading = Email settings
unsubscribe-ask = Stop emails about { $categories }?
unsubscribe-button = Unsubscribe
unsubscribe-bell-stays = The bell and your inbox keep showing them.
unsubscribe-done = Unsubscribed: no more emails about { $categories }.
# Followed by the link unsubscribe-settings-link, then unsubscribe-turn-back-on-end.
unsubscribe-turn-back-on = Turn them back on in{" "}
unsubscribe-settings-link = Settings
unsubscribe-turn-back-on-end = .
# Followed by the link unsubscribe-settings-link, then unsubscribe-invalid-end.
unsubscribe-invalid = This unsubscribe link is not valid. Change your email settings in{" "}
unsubscribe-invalid-end = .
unsubscribe-failed = That did not work. Try the link again later.
unsubscribe-later = Try again later.

## The email digest (server/src/jobs/email.rs), in the user's chosen
## language, else English.
email-subject-one = You have an unread notification: { $title }
email-subject-many = { $count ->
    [one] You have { $count } unread notification
   *[other] You have { $count } unread notifications
}
email-greeting = Hello,
email-greeting-name = Hello { $name },
email-while-away = While you were away:
email-all = All your notifications
email-because = You get this because email is on for { $categories }.
email-stop = Stop these emails
