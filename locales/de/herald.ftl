# Herald's frame, bell and inbox, in German: the same messages as
# locales/en/herald.ftl (a test fails on one missing here or extra).

## The header
nav-admin = Verwaltung
nav-settings = Einstellungen
nav-settings-title = Benachrichtigungseinstellungen
nav-account-title = Ihr Konto
nav-log-out = Abmelden
nav-log-in = Anmelden
loading = Wird geladen…
form-did-not-work = Das hat nicht geklappt. { $details }
not-found-title = Nicht gefunden
not-found-text = Unter dieser Adresse gibt es nichts.

## The bell
bell-title = Benachrichtigungen
bell-reconnecting = Verbindung wird wiederhergestellt…
bell-label = { $count ->
    [0] Benachrichtigungen, keine ungelesen
   *[other] Benachrichtigungen, { $count } ungelesen
}
bell-announce = { $count ->
    [0] Keine ungelesenen Benachrichtigungen
    [one] { $count } ungelesene Benachrichtigung
   *[other] { $count } ungelesene Benachrichtigungen
}
bell-see-all = Alle Benachrichtigungen ansehen

## The inbox
inbox-views = Ansichten
view-unread = Ungelesen
view-all = Alle
view-snoozed = Zurückgestellt
view-archived = Archiviert
inbox-mark-all-read = Alle als gelesen markieren
inbox-load-more = Mehr laden
inbox-empty-unread = Alles erledigt: nichts Ungelesenes.
inbox-empty-all = Noch keine Benachrichtigungen. Neue erscheinen hier, sobald sie gesendet werden.
inbox-empty-snoozed = Nichts zurückgestellt. Stellen Sie eine Benachrichtigung zurück, um sie später wiederzusehen.
inbox-empty-archived = Nichts archiviert. Archivieren Sie eine Benachrichtigung, um aufzuräumen.

## One notification (or a grouped row)
item-from = von { $actors }
item-muted = stummgeschaltet
item-muted-title = Ihre Kategorie ist in Ihren Einstellungen stummgeschaltet: nicht gezählt
item-back = zurück { $when }
item-mark-read = Als gelesen markieren
item-mark-unread = Als ungelesen markieren
item-archive = Archivieren
item-unarchive = Aus dem Archiv holen
item-snooze = Zurückstellen
item-unsnooze = Zurückholen
item-snooze-until = „{ $title }“ zurückstellen bis
item-not-chosen = (nicht gewählt)
group-more = und { $count } weitere
actors-two = { $a } und { $b }
actors-three = { $a }, { $b } und { $c }
actors-more = { $a }, { $b } und { $others } weitere

## Categories and snooze choices
category-info = Info
category-success = Erfolg
category-warning = Warnung
category-mention = Erwähnung
snooze-hour = 1 Stunde
snooze-tomorrow = Morgen, 9:00
snooze-next-week = Montag, 9:00

## Relative times: CLDR's long patterns, as Intl.RelativeTimeFormat says them
time-now = jetzt
time-past = { $unit ->
    [second] { $n ->
        [one] vor { $n } Sekunde
       *[other] vor { $n } Sekunden
    }
    [minute] { $n ->
        [one] vor { $n } Minute
       *[other] vor { $n } Minuten
    }
    [hour] { $n ->
        [one] vor { $n } Stunde
       *[other] vor { $n } Stunden
    }
    [day] { $n ->
        [one] vor { $n } Tag
       *[other] vor { $n } Tagen
    }
   *[month] { $n ->
        [one] vor { $n } Monat
       *[other] vor { $n } Monaten
    }
}
time-future = { $unit ->
    [second] { $n ->
        [one] in { $n } Sekunde
       *[other] in { $n } Sekunden
    }
    [minute] { $n ->
        [one] in { $n } Minute
       *[other] in { $n } Minuten
    }
    [hour] { $n ->
        [one] in { $n } Stunde
       *[other] in { $n } Stunden
    }
    [day] { $n ->
        [one] in { $n } Tag
       *[other] in { $n } Tagen
    }
   *[month] { $n ->
        [one] in { $n } Monat
       *[other] in { $n } Monaten
    }
}

## The language picker (Settings)
language-title = Sprache
language-label = Sprache der Seiten von Herald
language-automatic = Automatisch (Sprache Ihres Browsers)
language-save = Sprache speichern
