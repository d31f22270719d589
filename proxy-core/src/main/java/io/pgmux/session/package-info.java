/**
 * Session state that pooling must carry between servers: what a client's statements change
 * ({@link io.pgmux.session.SessionTracker}, split by {@link io.pgmux.session.SqlLexer}), the parameters that follow
 * the client from server to server ({@link io.pgmux.session.SessionParameters}), its prepared statements
 * ({@link io.pgmux.session.NamedStatements}) and how a server is cleaned before the next client
 * ({@link io.pgmux.session.ServerCleanup}). Nothing here owns a channel; the client side drives it.
 */
package io.pgmux.session;
