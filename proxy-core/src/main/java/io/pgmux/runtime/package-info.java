/** The composition root: event loops, the listener, pools and periodic maintenance, started and stopped as one. */
package io.pgmux.runtime;
