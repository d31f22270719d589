/**
 * Who may log in and how: {@link io.pgmux.access.AccessPolicy} turns a login attempt (encryption, client address,
 * database, user, client certificate) into a method to run or a refusal carrying PostgreSQL's own error, from the
 * access rules or {@code auth_type}, {@code client_tls_sslmode} and {@code allow_password_without_tls}.
 * Pure decisions: no I/O, no DNS, cheap enough to run on an event loop.
 */
package io.pgmux.access;
