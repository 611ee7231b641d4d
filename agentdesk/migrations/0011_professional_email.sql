-- Professionals may have an e-mail address: the backend mails each one with an address their day every morning.
ALTER TABLE professional ADD COLUMN email TEXT;
