-- What a sensor's role may do on camscan's tables: add scans and read them back (`camscan push`,
-- `history`, `diff`, `report --db`), nothing else: no UPDATE, no DELETE, no DDL. Run as the owner
-- in the camscan database after camscan has created its tables (and again after an upgrade of
-- camscan that adds a table):
--   psql "postgresql://camscan_owner@DBHOST/camscan" -f deploy/sensor-grants.sql
GRANT USAGE ON SCHEMA public TO camscan_sensor;
GRANT SELECT, INSERT ON scans, devices TO camscan_sensor;
GRANT SELECT ON camscan_schema TO camscan_sensor;
