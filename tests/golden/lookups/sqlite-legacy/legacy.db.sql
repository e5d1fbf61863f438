CREATE TABLE aliases(alias TEXT, goto TEXT, active INTEGER);
INSERT INTO aliases VALUES('info@example.com','joe@example.com',1),('old@example.com','gone@example.com',0),('team@example.com','a@example.com',1),('team@example.com','b@example.com',1);
