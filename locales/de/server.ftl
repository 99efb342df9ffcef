# The pages the server writes outside the app, and the email digest, in German.
# Compiled into the server only: the browser's WASM never says them
# (build.rs). Every message here is also in every other language's
# server.ftl (a test fails otherwise).

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
