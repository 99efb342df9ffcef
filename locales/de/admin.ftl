# The admin console, in German: the same ids as locales/en/admin.ftl.

## Lists that page (sent, users, audit log)
admin-load-older = Ältere laden

## Column headings
admin-column-when = Wann
admin-column-who = Wer
admin-column-what = Was
admin-column-to = An
admin-column-detail = Details
admin-column-title = Titel
admin-column-recipients = Empfänger
admin-column-recipients-title = Gespeichert für
admin-column-delivered = Zugestellt
admin-column-delivered-title = Beim Senden online
admin-column-seen = Gesehen
admin-column-read = Gelesen
admin-column-acted = Reagiert
admin-column-acted-title = Hat auf eine ihrer Aktionen geklickt
admin-column-name = Name
admin-column-key = Schlüssel
admin-column-created = Erstellt
admin-column-last-used = Zuletzt verwendet
admin-column-user = Benutzer
admin-column-role = Rolle
admin-column-unread = Ungelesen
admin-column-online = Online

## Compose
admin-compose-title = Benachrichtigung senden
admin-recipient = Empfänger
admin-everyone = Alle
admin-every-admin = Alle Administratoren
admin-every-member = Alle Mitglieder
admin-several-users = Mehrere Benutzer…
admin-topic-subscribers = Die Abonnenten eines Themas…
admin-topic = Thema
admin-topic-hint = (seine Abonnenten, wie Ihre Anwendungen sie festlegen)
admin-usernames = Benutzernamen
admin-usernames-hint = (durch Kommas getrennt)
admin-category = Kategorie
admin-title = Titel
admin-title-placeholder = Ihr Export ist fertig
admin-body = Text
admin-optional-hint = (optional)
admin-link = Link
admin-link-hint = (optional: https://… oder /pfad)
admin-send-when = Versand
admin-send-now = Sofort
admin-send-in-five-minutes = In 5 Minuten
admin-send-in-an-hour = In einer Stunde
admin-send-in-a-day = In einem Tag
admin-send-in-a-week = In einer Woche
admin-expires = Läuft ab
admin-expires-hint = (nach dem Versand; danach verschwindet sie aus jedem Posteingang und jeder Zählung)
admin-expires-never = Nie
admin-expires-in-an-hour = Nach einer Stunde
admin-expires-in-a-day = Nach einem Tag
admin-expires-in-a-week = Nach einer Woche
admin-confirm-send = Ja, dies an { $audience } senden
admin-audience-everyone = alle Benutzer
admin-audience-admins = alle Administratoren
admin-audience-members = alle Mitglieder
admin-send = Senden
admin-preview = Vorschau
admin-preview-in-bell = Vorschau in der Glocke
admin-your-title = Ihr Titel
admin-scheduled-summary = „{ $title }“ für { $count } Empfänger geplant; die Liste „Gesendet“ zeigt, wann, und kann den Versand bis dahin abbrechen.
admin-sending-summary = „{ $title }“ wird an { $count } Empfänger gesendet; die Liste „Gesendet“ zeigt den Fortschritt.
admin-sent-summary = „{ $title }“ an { $count } Empfänger gesendet; { $online } jetzt online.

## Sent
admin-sent-title = Gesendet
admin-sent-placeholder = Titel durchsuchen
admin-sent-search = Gesendete Benachrichtigungen durchsuchen
admin-sent-empty = Noch nichts gesendet.
admin-sent-by = von { $sender }
admin-sent-to-everyone = Alle
admin-sent-to-role = { $role ->
    [admin] Alle Administratoren
   *[member] Alle Mitglieder
}
admin-sent-to-users = { $count } Benutzer
admin-sent-to-topics = { $count ->
    [one] Thema { $topics }
   *[other] Themen { $topics }
}
admin-scheduled = geplant, { $when }
admin-expires-when = läuft { $when } ab
admin-sending = wird gesendet…
admin-count-unsent = nicht gesendet
admin-cancelled = Abgebrochen
admin-retracted = Zurückgezogen
admin-expired = Abgelaufen
admin-cancel = Abbrechen
admin-retract = Zurückziehen

## Users
admin-users-title = Benutzer
admin-users-placeholder = Benutzer suchen
admin-users-search = Benutzer suchen
admin-users-empty = Kein Benutzer gefunden.
admin-role-admin = Administrator
admin-role-member = Mitglied
admin-make-admin = zum Administrator machen
admin-make-member = zum Mitglied machen
admin-online-now = Jetzt online
admin-online = ● online
admin-offline = offline
admin-deactivate = Deaktivieren
admin-deactivated = Deaktiviert
admin-reactivate = Reaktivieren
admin-username-placeholder = Benutzername
admin-new-username = Neuer Benutzername
admin-password-placeholder = Passwort (mind. 12 Zeichen)
admin-new-password = Neues Passwort
admin-role = Rolle
admin-role-option-member = Mitglied
admin-role-option-admin = Administrator
admin-create-user = Benutzer anlegen

## API keys
admin-keys-title = API-Schlüssel
admin-keys-intro-with = Anwendungen erstellen Benachrichtigungen mit
admin-keys-intro-key = und einem Schlüssel im Header
admin-keys-intro-hash = . Gespeichert wird nur ein Hash jedes Schlüssels; das Widerrufen wirkt sofort.
admin-key-name-placeholder = Name des Schlüssels, z. B. Django Produktion
admin-key-name = Name des Schlüssels
admin-create-key = Schlüssel erstellen
admin-key-shown-once = Kopieren Sie diesen Schlüssel jetzt: Er wird nicht noch einmal angezeigt.
admin-no-keys = Noch keine Schlüssel.
admin-never-used = nie
admin-revoked = Widerrufen
admin-revoke = Widerrufen

## Categories
admin-categories-title = Kategorien
admin-categories-intro = Benutzer wählen je Kategorie, was sie erreicht. Eine erforderliche Kategorie kann nicht stummgeschaltet werden: Sie wird immer in der Glocke gezählt. Eine standardmäßig per E-Mail gesendete Kategorie kommt in die E-Mail-Zusammenfassungen der Benutzer, die nichts gewählt haben.
admin-required = Erforderlich
admin-optional = Optional
admin-make-optional = Optional machen
admin-make-required = Erforderlich machen
admin-emailed = Per E-Mail
admin-no-email-by-default = Standardmäßig keine E-Mail
admin-email-by-default = Standardmäßig per E-Mail

## Audit log
admin-audit-title = Audit-Protokoll
admin-audit-placeholder = Protokoll durchsuchen
admin-audit-search = Audit-Protokoll durchsuchen
admin-audit-empty = Noch nichts protokolliert.
