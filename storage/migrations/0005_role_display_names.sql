-- The Telegram name of staff and trainers, shown to owners (e.g. the trainer of a session).
-- Kept only for role holders: owners' names are stored with their consent in owner_profiles.
ALTER TABLE user_roles ADD COLUMN display_name TEXT;
