-- The central camscan database. Run once on the database server, as the postgres superuser:
--   sudo -u postgres psql -v owner_password=… -v sensor_password=… -f deploy/central-db.sql
-- It makes two roles: camscan_owner, who owns the tables (camscan creates and upgrades them when
-- the owner first opens the store), and camscan_sensor, the role every sensor logs in as, which
-- can only add scans and read them (deploy/sensor-grants.sql, run by the owner afterwards).

CREATE ROLE camscan_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE camscan_sensor LOGIN PASSWORD :'sensor_password';
CREATE DATABASE camscan OWNER camscan_owner;
REVOKE ALL ON DATABASE camscan FROM PUBLIC;
GRANT CONNECT ON DATABASE camscan TO camscan_owner, camscan_sensor;
-- PostgreSQL 15 already denies CREATE on the public schema to everyone but its owner; say so for
-- older servers: a sensor must not be able to add tables of its own
\connect camscan
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
