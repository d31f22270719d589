/**
 * Passwords of users that are not in the configuration, fetched from the server with {@code auth_query}
 * (PgBouncer's auth_user/auth_query/auth_dbname). {@link io.pgmux.authquery.AuthQueryCache} keeps fetched answers
 * for {@code auth_query_cache_ttl} and lets concurrent logins of one user share a single fetch. The fetch itself
 * runs on a server connection, never on an event loop thread.
 */
package io.pgmux.authquery;
