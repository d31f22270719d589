/**
 * PostgreSQL frontend/backend protocol v3 knowledge: message type bytes, SQLSTATE codes, and one class per
 * message that pgmux builds or inspects, named as the
 * <a href="https://www.postgresql.org/docs/current/protocol-message-formats.html">protocol docs</a> name it.
 * Nothing here does I/O; everything works on Netty {@code ByteBuf}s.
 */
package io.pgmux.protocol;
