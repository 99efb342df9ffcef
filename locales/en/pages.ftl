# Herald's other end-user pages (home, log-in, account, settings) and the
# errors they show, in English. Every message here is also in every other
# language's pages.ftl (a test fails otherwise). The browser and integration
# tests read these words, so each is exactly what the page said before.

## Home
home-latest = Latest notifications
home-open-inbox = Open the inbox
home-welcome = Welcome to Herald
# Followed by a space, then the link home-log-in, then home-to-see-yours.
home-intro = Herald shows your notifications the moment they are sent.
home-log-in = Log in
# Straight after the link: its leading space is kept by the quoted literal.
home-to-see-yours = {" "}to see yours.

## Log in
login-title = Log in to Herald
login-username = Username
login-password = Password
login-submit = Log in

## Account: password
account-title = Change your password
account-current-password = Current password
# Followed by account-password-length, in a muted span.
account-new-password = New password
account-password-length = (12 to 256 characters)
account-new-password-again = New password, again
account-change-password = Change password
account-password-changed = Password changed. Every other session of yours has been logged out.

## Account: email
contact-title = Email
contact-intro = Where Herald emails what you have not seen for a while, for the categories you choose in Settings.
contact-address = Email address
contact-placeholder = you@example.com
contact-save = Save email
contact-saved = Saved.

## Settings: categories
settings-title = Notification settings
settings-intro = Muted categories still arrive and are listed in your inbox, but are not counted in the bell and raise no toast.
settings-saved = Saved.
settings-table-label = Notification settings by category
settings-column-category = Category
settings-column-bell = In the bell
settings-column-desktop = Desktop
settings-column-push = Push
settings-column-email = Email
settings-required = Required
# Screen-reader labels of a category's boxes; $category is its name.
settings-in-bell = { $category } in the bell
settings-in-bell-required = { $category } in the bell (required)
settings-as-desktop = { $category } as desktop notifications
settings-as-push = { $category } as push notifications
settings-by-email = { $category } by email when unseen
# Shown only before the page is interactive.
settings-save = Save
settings-on-this-device = On this device

## Settings: topics
topics-title = Topics
topics-intro = What you follow: news sent to a topic reaches everyone in it.
topics-empty = You follow no topics.
topics-list-label = Your topics
topics-leave = Leave
topics-leave-label = Leave { $topic }

## Settings: desktop notifications on this device
# Followed by a space and the desktop-turn-off button.
desktop-on = Desktop notifications are on while Herald is in the background.
desktop-turn-off = Turn off
desktop-enable = Show desktop notifications while Herald is in the background
desktop-blocked = Desktop notifications are blocked in this browser's settings.

## Settings: web push on this device
push-unsupported = This browser cannot receive push notifications.
push-switch = Notify me on this device when no Herald tab is open
# What went wrong; the browser's own detail, if any, follows after a space.
push-worker-failed = The service worker did not start.
push-no-manager = No push here.
push-cannot-read-worker = Cannot read the service worker.
push-cannot-read-subscription = Cannot read the subscription.
push-cannot-ask-permission = Cannot ask for permission.
push-blocked = Notifications are blocked in this browser's settings.
push-key-unreadable = Herald's push key is unreadable.
push-cannot-subscribe = Cannot subscribe.
push-service-refused = The browser's push service refused:
push-subscription-unreadable = The subscription is unreadable.
push-subscription-incomplete = The subscription is incomplete.
push-cannot-unsubscribe = Cannot unsubscribe.

## Forms
form-correct-fields = Please correct the marked fields.

## Errors (app/src/error.rs: AppError::message). $detail and $details are
## the server's own words and stay as they came.
error-unauthorized = Please log in.
error-bad-credentials = Wrong username or password.
error-forbidden = You are not allowed to do that.
error-not-found = Not found.
error-invalid-input = invalid input: { $details }
error-bad-request = Bad request: { $detail }
error-rate-limited = Too many attempts. Try again in { $seconds } s.
error-busy = Herald is busy. Please try again in a moment.
error-internal = Something went wrong on our side. Please try again.
error-unreachable = Could not reach Herald: { $detail }
