# Herald's other end-user pages (home, log-in, account, settings) and the
# errors they show, in German: the same messages as locales/en/pages.ftl (a
# test fails on one missing here or extra).

## Home
home-latest = Neueste Benachrichtigungen
home-open-inbox = Posteingang öffnen
home-welcome = Willkommen bei Herald
# Followed by a space, then the link home-log-in, then home-to-see-yours.
home-intro = Herald zeigt Ihre Benachrichtigungen, sobald sie gesendet werden.
home-log-in = Melden Sie sich an
# Straight after the link, so no space before the comma.
home-to-see-yours = , um Ihre zu sehen.

## Log in
login-title = Bei Herald anmelden
login-username = Benutzername
login-password = Passwort
login-submit = Anmelden

## Account: password
account-title = Passwort ändern
account-current-password = Aktuelles Passwort
# Followed by account-password-length, in a muted span.
account-new-password = Neues Passwort
account-password-length = (12 bis 256 Zeichen)
account-new-password-again = Neues Passwort wiederholen
account-change-password = Passwort ändern
account-password-changed = Passwort geändert. Alle Ihre anderen Sitzungen wurden abgemeldet.

## Account: email
contact-title = E-Mail
contact-intro = An diese Adresse schickt Herald, was Sie eine Weile nicht gesehen haben, für die Kategorien, die Sie in den Einstellungen wählen.
contact-address = E-Mail-Adresse
contact-placeholder = name@example.com
contact-save = E-Mail speichern
contact-saved = Gespeichert.

## Settings: categories
settings-title = Benachrichtigungseinstellungen
settings-intro = Stummgeschaltete Kategorien kommen trotzdem an und stehen in Ihrem Posteingang, werden aber in der Glocke nicht gezählt und lösen keine Einblendung aus.
settings-saved = Gespeichert.
settings-table-label = Benachrichtigungseinstellungen nach Kategorie
settings-column-category = Kategorie
settings-column-bell = In der Glocke
settings-column-desktop = Desktop
settings-column-push = Push
settings-column-email = E-Mail
settings-required = Erforderlich
# Screen-reader labels of a category's boxes; $category is its name.
settings-in-bell = { $category } in der Glocke
settings-in-bell-required = { $category } in der Glocke (erforderlich)
settings-as-desktop = { $category } als Desktop-Benachrichtigungen
settings-as-push = { $category } als Push-Benachrichtigungen
settings-by-email = { $category } per E-Mail, wenn nicht gesehen
# Shown only before the page is interactive.
settings-save = Speichern
settings-on-this-device = Auf diesem Gerät

## Settings: topics
topics-title = Themen
topics-intro = Themen, denen Sie folgen: Was an ein Thema gesendet wird, erreicht alle, die ihm folgen.
topics-empty = Sie folgen keinen Themen.
topics-list-label = Ihre Themen
topics-leave = Verlassen
topics-leave-label = { $topic } verlassen

## Settings: desktop notifications on this device
# Followed by a space and the desktop-turn-off button.
desktop-on = Desktop-Benachrichtigungen sind aktiv, während Herald im Hintergrund ist.
desktop-turn-off = Ausschalten
desktop-enable = Desktop-Benachrichtigungen anzeigen, während Herald im Hintergrund ist
desktop-blocked = Desktop-Benachrichtigungen sind in den Einstellungen dieses Browsers blockiert.

## Settings: web push on this device
push-unsupported = Dieser Browser kann keine Push-Benachrichtigungen empfangen.
push-switch = Auf diesem Gerät benachrichtigen, wenn kein Herald-Tab geöffnet ist
# What went wrong; the browser's own detail, if any, follows after a space.
push-worker-failed = Der Service Worker ist nicht gestartet.
push-no-manager = Push ist hier nicht verfügbar.
push-cannot-read-worker = Der Service Worker lässt sich nicht lesen.
push-cannot-read-subscription = Das Abonnement lässt sich nicht lesen.
push-cannot-ask-permission = Die Berechtigung kann nicht angefragt werden.
push-blocked = Benachrichtigungen sind in den Einstellungen dieses Browsers blockiert.
push-key-unreadable = Der Push-Schlüssel von Herald ist nicht lesbar.
push-cannot-subscribe = Abonnieren nicht möglich.
push-service-refused = Der Push-Dienst des Browsers hat abgelehnt:
push-subscription-unreadable = Das Abonnement ist nicht lesbar.
push-subscription-incomplete = Das Abonnement ist unvollständig.
push-cannot-unsubscribe = Abbestellen nicht möglich.

## Forms
form-correct-fields = Bitte korrigieren Sie die markierten Felder.

## Errors (app/src/error.rs: AppError::message). $detail and $details are
## the server's own words and stay as they came.
error-unauthorized = Bitte melden Sie sich an.
error-bad-credentials = Falscher Benutzername oder falsches Passwort.
error-forbidden = Dazu sind Sie nicht berechtigt.
error-not-found = Nicht gefunden.
error-invalid-input = Ungültige Eingabe: { $details }
error-bad-request = Ungültige Anfrage: { $detail }
error-rate-limited = Zu viele Versuche. Versuchen Sie es in { $seconds } s erneut.
error-busy = Herald ist gerade ausgelastet. Bitte versuchen Sie es gleich noch einmal.
error-internal = Bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es erneut.
error-unreachable = Herald ist nicht erreichbar: { $detail }
