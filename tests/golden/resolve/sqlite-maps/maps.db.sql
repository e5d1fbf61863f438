CREATE TABLE alias (address TEXT, goto TEXT);
INSERT INTO alias VALUES ('info@valias.example', 'root@host.example.com');
INSERT INTO alias VALUES ('multi@valias.example', 'a@remote.example');
INSERT INTO alias VALUES ('multi@valias.example', 'b@remote.example');
INSERT INTO alias VALUES ('@valias.example', 'catchall@remote.example');
CREATE TABLE transport (domain TEXT, transport TEXT);
INSERT INTO transport VALUES ('remote.example', 'relay:[sql-hop.example]');
INSERT INTO transport VALUES ('.sub.example', 'smtp:[sub-hop.example]');
