/**
 * Passwords of users that are not in the configuration, fetched from the server with {@code auth_query}
 * (PgBouncer's auth_user/auth_query/auth_dbname). {@link io.pgmux.authquery.AuthQueryLookup} asks the
 * {@link io.pgmux.authquery.AuthQueryCache}, which keeps answers for {@code auth_query_cache_ttl} and lets
 * concurrent logins of one user share a single fetch, and otherwise runs the query on auth_user's own server
 * connection ({@link io.pgmux.server.AuthQueryConnection}). Nothing here blocks: answers are futures, and the login
 * that waits for one resumes on its event loop when it comes.
 */
package io.pgmux.authquery;
