# <herald-bell>'s words in German: the same ids as locales/en/embed.ftl.

notifications = Benachrichtigungen
unreadLabel = Benachrichtigungen, { $n } ungelesen
markAllRead = Alle als gelesen markieren
loading = Wird geladen…
empty = Noch nichts hier.
markRead = Als gelesen markieren
markUnread = Als ungelesen markieren
archive = Archivieren
snooze = 1 Std. zurückstellen
notChosen = {" "}(nicht gewählt)
more = { $n ->
    [one] und { $n } weitere
   *[other] und { $n } weitere
}
and = und
others = { $n ->
    [one] { $n } weitere Person
   *[other] { $n } weitere
}
failed = Das hat nicht geklappt ({ $error }).
cannotSignIn = Anmeldung für Benachrichtigungen nicht möglich ({ $error }).
cannotLoad = Benachrichtigungen können nicht geladen werden ({ $error }).
signedOut = Von Benachrichtigungen abgemeldet.
tokenExpired = Das Benachrichtigungs-Token ist abgelaufen.
