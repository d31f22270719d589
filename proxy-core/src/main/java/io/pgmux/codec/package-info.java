/**
 * Netty framing of the PostgreSQL protocol. The startup-phase decoder reads the untyped packets a client sends
 * first and hands over to the message framer, which cuts the typed stream into whole messages (each a retained
 * slice of the read buffer, tag and length included) so they can be forwarded as they are.
 */
package io.pgmux.codec;
