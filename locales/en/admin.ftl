# The admin console, in English. Every message here is also in every other
# language's admin.ftl (a test fails otherwise). The browser and integration
# tests read these words, so each is exactly what the console said before.

## Lists that page (sent, users, audit log)
admin-load-older = Load older

## Column headings
admin-column-when = When
admin-column-who = Who
admin-column-what = What
admin-column-to = To
admin-column-detail = Detail
admin-column-title = Title
# A title on the column heading says what each is.
admin-column-recipients = Recipients
admin-column-recipients-title = Stored for
admin-column-delivered = Delivered
admin-column-delivered-title = Online when sent
admin-column-seen = Seen
admin-column-read = Read
admin-column-acted = Acted
admin-column-acted-title = Clicked one of its actions
admin-column-name = Name
admin-column-key = Key
admin-column-created = Created
admin-column-last-used = Last used
admin-column-user = User
admin-column-role = Role
admin-column-unread = Unread
admin-column-online = Online

## Compose
admin-compose-title = Send a notification
admin-recipient = Recipient
admin-everyone = Everyone
admin-every-admin = Every admin
admin-every-member = Every member
admin-several-users = Several users…
admin-topic-subscribers = A topic's subscribers…
# Each field's name is followed by a space and its hint, in a muted span.
admin-topic = Topic
admin-topic-hint = (its subscribers, as your apps set them)
admin-usernames = Usernames
admin-usernames-hint = (separated by commas)
admin-category = Category
admin-title = Title
admin-title-placeholder = Your export is ready
admin-body = Body
admin-optional-hint = (optional)
admin-link = Link
admin-link-hint = (optional: https://… or /path)
# The label of the choice of when a send goes out.
admin-send-when = Send
admin-send-now = Now
admin-send-in-five-minutes = In 5 minutes
admin-send-in-an-hour = In an hour
admin-send-in-a-day = In a day
admin-send-in-a-week = In a week
admin-expires = Expires
admin-expires-hint = (after it goes out, it then leaves every inbox and count)
admin-expires-never = Never
admin-expires-in-an-hour = In an hour
admin-expires-in-a-day = In a day
admin-expires-in-a-week = In a week
# After the confirmation checkbox; $audience is one of admin-audience-*.
admin-confirm-send = Yes, send this to { $audience }
admin-audience-everyone = every user
admin-audience-admins = every admin
admin-audience-members = every member
# The form's submit button.
admin-send = Send
admin-preview = Preview
admin-preview-in-bell = Preview in the bell
admin-your-title = Your title
# What the form says once sent; $title is the notification's title.
admin-scheduled-summary = Scheduled “{ $title }” for { $count ->
    [one] { $count } recipient
   *[other] { $count } recipients
}; the Sent list shows when, and cancels it until then.
admin-sending-summary = Sending “{ $title }” to { $count ->
    [one] { $count } recipient
   *[other] { $count } recipients
}; the Sent list shows how far it got.
admin-sent-summary = Sent “{ $title }” to { $count ->
    [one] { $count } recipient
   *[other] { $count } recipients
}; { $online } online now.

## Sent
admin-sent-title = Sent
admin-sent-placeholder = Search titles
admin-sent-search = Search sent notifications
admin-sent-empty = Nothing sent yet.
# Under a send's title: who sent it (a username or an API key's name).
admin-sent-by = by { $sender }
# The Sent list's "To" column: who a send was for.
admin-sent-to-everyone = Everyone
# $role is admin or member.
admin-sent-to-role = { $role ->
    [admin] Every admin
   *[member] Every member
}
admin-sent-to-users = { $count ->
    [one] 1 user
   *[other] { $count } users
}
# $topics: the topics' names, comma-separated.
admin-sent-to-topics = { $count ->
    [one] Topic { $topics }
   *[other] Topics { $topics }
}
# $when is a relative time: "in 1 hour".
admin-scheduled = scheduled, { $when }
admin-expires-when = expires { $when }
admin-sending = sending…
# A count of a send that has not gone out (scheduled, or cancelled before).
admin-count-unsent = not sent
admin-cancelled = Cancelled
admin-retracted = Retracted
admin-expired = Expired
admin-cancel = Cancel
admin-retract = Retract

## Users
admin-users-title = Users
admin-users-placeholder = Search users
admin-users-search = Search users
admin-users-empty = No user matches.
# A user's role, in the list.
admin-role-admin = admin
admin-role-member = member
admin-make-admin = make admin
admin-make-member = make member
admin-online-now = Online now
admin-online = ● online
admin-offline = offline
admin-deactivate = Deactivate
# Followed by a space and the admin-reactivate button.
admin-deactivated = Deactivated
admin-reactivate = Reactivate
admin-username-placeholder = Username
admin-new-username = New username
admin-password-placeholder = Password (12+ characters)
admin-new-password = New password
admin-role = Role
# The role a new user gets.
admin-role-option-member = Member
admin-role-option-admin = Admin
admin-create-user = Create user

## API keys
admin-keys-title = API keys
# admin-keys-intro-with, a space, the request's line, a space,
# admin-keys-intro-key, a space, the header, then admin-keys-intro-hash.
admin-keys-intro-with = Applications create notifications with
admin-keys-intro-key = and a key sent as
admin-keys-intro-hash = . Only a hash of each key is kept; revoking one takes effect at once.
admin-key-name-placeholder = Key name, e.g. Django production
admin-key-name = Key name
admin-create-key = Create key
admin-key-shown-once = Copy this key now: it will not be shown again.
admin-no-keys = No keys yet.
# When a key was last used, if never.
admin-never-used = never
admin-revoked = Revoked
admin-revoke = Revoke

## Categories
admin-categories-title = Categories
admin-categories-intro = Users choose per category what reaches them. A required category cannot be muted: it is always counted in the bell. A category emailed by default goes into email digests for users who have not chosen.
admin-required = Required
admin-optional = Optional
admin-make-optional = Make optional
admin-make-required = Make required
admin-emailed = Emailed
admin-no-email-by-default = No email by default
admin-email-by-default = Email by default

## Audit log
admin-audit-title = Audit log
admin-audit-placeholder = Search the log
admin-audit-search = Search the audit log
admin-audit-empty = Nothing recorded yet.
