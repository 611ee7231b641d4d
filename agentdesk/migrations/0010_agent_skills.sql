-- Calls are routed by skill and language: each agent's skills (JSON list of words) and languages (JSON list of
-- language codes, English unless told), and each account's phone menu (JSON object: digit -> skill word).
ALTER TABLE agent ADD COLUMN skills TEXT NOT NULL DEFAULT '[]';
ALTER TABLE agent ADD COLUMN languages TEXT NOT NULL DEFAULT '["en"]';
ALTER TABLE account ADD COLUMN ivr_menu TEXT NOT NULL DEFAULT '{}';
