CREATE TABLE t(k TEXT, v TEXT);
INSERT INTO t VALUES('k','user@dest.example'),('k','plain-value'),('k','@nouser.example'),('k','trailing@');
