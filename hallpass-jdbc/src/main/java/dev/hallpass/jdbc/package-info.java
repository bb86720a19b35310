/**
 * Hallpass's JDBC session store: {@link dev.hallpass.jdbc.JdbcSessionStores} makes a {@link
 * dev.hallpass.spi.SessionStore} on H2 (embedded), PostgreSQL or MariaDB/MySQL.
 */
package dev.hallpass.jdbc;
