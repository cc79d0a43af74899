/**
 * The patient, series, adverse-effect and response tests again with PostgreSQL as the store (the
 * integration-pg project sets TEST_STORE=postgres): migration 15's twin, the site-id search (LIKE with
 * ESCAPE), the infusions-given count and the response upsert must behave the same on both stores.
 */
import './patients.test';
