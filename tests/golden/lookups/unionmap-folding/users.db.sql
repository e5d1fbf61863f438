CREATE TABLE u (k TEXT, v TEXT);
INSERT INTO u VALUES ('joe', 'sqlite-lower');
INSERT INTO u VALUES ('JOE', 'sqlite-upper');
