-- The language a user chose for Herald's pages ('en', 'de'); NULL: their
-- browser's (Accept-Language), else English. Checked by the code
-- (herald::i18n::Locale), so a new language needs no migration.
ALTER TABLE users ADD COLUMN locale TEXT;
