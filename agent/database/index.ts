/** Per-app Postgres databases: the platform server, roles and databases, and the reconciler's provisioner. */
export { createDatabaseService, type DatabaseService, type DatabaseServerConfig } from './provisioner.ts';
export { ensurePlatformPostgres, platformNames, APP_HOST, APP_PORT, ROLE_LABEL, type PlatformPostgres, type PlatformState } from './platform.ts';
export { databaseNames, generatePassword, appConnectionUrl, ensureAppDatabase, setPassword, dropAppDatabase, listAppDatabases, withAdmin, DatabaseUnreachableError, DatabaseAdminRejectedError, NAME_PREFIX } from './roles.ts';
