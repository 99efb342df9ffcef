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

## Pages written outside the app (server/src/http: open_link.rs,
## unsubscribe.rs, auth.rs).
confirm-open-title = Benachrichtigung öffnen · Herald
confirm-open-heading = Diese Benachrichtigung öffnen?
confirm-open-why = Sie sind einem Link von einer anderen Website gefolgt. Beim Öffnen wird sie als gelesen markiert.
confirm-open-button = Öffnen
confirm-open-back = Zurück zum Posteingang
forbidden-title = Zugriff verweigert · Herald
forbidden-heading = 403 Zugriff verweigert
forbidden-text = Nur Administratoren können diese Seite öffnen.
forbidden-back = Zurück zu Herald
unsubscribe-title = E-Mail-Einstellungen · Herald
unsubscribe-heading = E-Mail-Einstellungen
unsubscribe-ask = Keine E-Mails mehr zu { $categories }?
unsubscribe-button = Abbestellen
unsubscribe-bell-stays = Die Glocke und Ihr Posteingang zeigen sie weiterhin.
unsubscribe-done = Abbestellt: keine E-Mails mehr zu { $categories }.
# Followed by the link unsubscribe-settings-link, then unsubscribe-turn-back-on-end.
unsubscribe-turn-back-on = Sie können sie in den{" "}
unsubscribe-settings-link = Einstellungen
unsubscribe-turn-back-on-end = {" "}wieder einschalten.
# Followed by the link unsubscribe-settings-link, then unsubscribe-invalid-end.
unsubscribe-invalid = Dieser Abmeldelink ist ungültig. Ändern Sie Ihre E-Mail-Einstellungen in den{" "}
unsubscribe-invalid-end = .
unsubscribe-failed = Das hat nicht geklappt. Versuchen Sie den Link später noch einmal.
unsubscribe-later = Versuchen Sie es später noch einmal.

## The email digest (server/src/jobs/email.rs), in the user's chosen
## language, else English.
email-subject-one = Sie haben eine ungelesene Benachrichtigung: { $title }
email-subject-many = { $count ->
    [one] Sie haben { $count } ungelesene Benachrichtigung
   *[other] Sie haben { $count } ungelesene Benachrichtigungen
}
email-greeting = Hallo,
email-greeting-name = Hallo { $name },
email-while-away = Während Sie weg waren:
email-all = Alle Ihre Benachrichtigungen
email-because = Sie erhalten diese E-Mail, weil E-Mails für { $categories } eingeschaltet sind.
email-stop = Diese E-Mails abbestellen
