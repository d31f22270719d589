/**
 * The server side: connections from pgmux to PostgreSQL. Each {@link io.pgmux.server.ServerConnection} logs in
 * as its pool's user, then carries client traffic while linked and tracks what is outstanding so the client side
 * knows when a transaction boundary has been reached.
 */
package io.pgmux.server;
