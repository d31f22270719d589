/**
 * Netty framing of the PostgreSQL protocol. The startup-phase decoder reads the untyped packet that starts a
 * client's session (after any encryption request) and hands over to the message framer, which checks each type
 * byte against the {@link io.pgmux.codec.ExpectedMessages} of the current phase and cuts the typed stream into
 * whole messages (each a retained slice of the read buffer, tag and length included) so they can be forwarded as
 * they are.
 */
package io.pgmux.codec;
