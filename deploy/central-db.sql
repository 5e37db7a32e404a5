-- The central camscan database: run once, as a PostgreSQL superuser, with psql:
--   sudo -u postgres psql -v sensor_password="'…'" -f deploy/central-db.sql
-- then, as the owner, create camscan's tables by opening the store once:
--   CAMSCAN_DB=postgresql://camscan_owner@/camscan camscan history
-- and finally grant the sensors' role what it needs (the second half, run again after an upgrade
-- that adds tables): sensors can add scans and read them, never change or delete one.

CREATE ROLE camscan_owner LOGIN;
CREATE DATABASE camscan OWNER camscan_owner;
CREATE ROLE camscan_sensor LOGIN PASSWORD :sensor_password;
REVOKE ALL ON DATABASE camscan FROM PUBLIC;
GRANT CONNECT ON DATABASE camscan TO camscan_owner, camscan_sensor;
