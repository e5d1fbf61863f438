-- The whole mail system's data. sqlite3 /etc/postfix/mail.sqlite < mail.sqlite.sql
CREATE TABLE domain (
  name  TEXT PRIMARY KEY,
  class TEXT NOT NULL CHECK (class IN ('local', 'alias', 'mailbox', 'relay')),
  uid   INTEGER                      -- owner of the domain's mailboxes (class mailbox)
);
CREATE TABLE mailbox (
  address TEXT PRIMARY KEY,
  domain  TEXT NOT NULL REFERENCES domain(name),
  maildir TEXT NOT NULL,
  uid     INTEGER,                   -- NULL: the domain's
  gid     INTEGER,                   -- NULL: 5000
  active  INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE alias (
  address     TEXT PRIMARY KEY,      -- user@domain, or @domain for a catch-all
  destination TEXT NOT NULL,
  active      INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE local_alias (name TEXT PRIMARY KEY, destination TEXT NOT NULL);
CREATE TABLE relay_recipient (address TEXT PRIMARY KEY);
CREATE TABLE transport (address TEXT PRIMARY KEY, transport TEXT NOT NULL);
CREATE TABLE recipient_access (address TEXT PRIMARY KEY, action TEXT NOT NULL);

INSERT INTO domain VALUES
  ('example.com', 'local', NULL),
  ('lists.example.com', 'alias', NULL),
  ('example.net', 'mailbox', 5001),
  ('example.org', 'mailbox', 5002),
  ('branch.example.com', 'relay', NULL);
INSERT INTO mailbox (address, domain, maildir, uid, gid, active) VALUES
  ('carol@example.net', 'example.net', 'example.net/carol/', NULL, NULL, 1),
  ('dave@example.net', 'example.net', 'example.net/dave/', 6001, 6001, 1),
  ('erin@example.org', 'example.org', 'example.org/erin/', NULL, NULL, 1),
  ('gone@example.org', 'example.org', 'example.org/gone/', NULL, NULL, 0);
INSERT INTO alias (address, destination, active) VALUES
  ('team@lists.example.com', 'alice@example.com, carol@example.net', 1),
  ('info@example.net', 'carol@example.net', 1),
  ('old@lists.example.com', 'bob@example.com', 0);
INSERT INTO local_alias VALUES ('postmaster', 'alice'), ('abuse', 'alice'), ('all-staff', 'alice, bob');
INSERT INTO relay_recipient VALUES ('frank@branch.example.com');
INSERT INTO transport VALUES
  ('branch.example.com', 'relay:[gw.branch.example.com]'),
  ('erin@example.org', 'lmtp:unix:private/dovecot-lmtp');
INSERT INTO recipient_access VALUES
  ('all-staff@example.com', 'internal_only'),
  ('postmaster@example.com', 'permissive'),
  ('abuse@example.com', 'permissive');
