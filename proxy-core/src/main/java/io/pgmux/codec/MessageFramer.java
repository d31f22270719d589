package io.pgmux.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.pgmux.protocol.ProtocolException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * Cuts a typed protocol stream at its message boundaries: one type byte, an int32 length that counts itself, the
 * body. The boundaries are found in place in each read buffer; nothing is copied except the few bytes of a message
 * that must be read whole and did not arrive in one read.
 *
 * <p>Two ways to hand on what it reads:
 * <ul>
 *   <li>Messages (from the start): each whole message goes to the next handler as a retained slice of the read
 *   buffer, tag and length included, so a handler can forward it unchanged and look at the tag with
 *   {@code getByte(readerIndex)}. Used while logging in and by the admin console.</li>
 *   <li>Runs ({@link #forwardRuns}): a {@link MessageRouter} says per message, from its header, whether it passes
 *   through unread (or, for a message that arrived whole, from its body read in place); each contiguous stretch
 *   of such messages goes out as one retained slice, and only the others are handed over whole, or, where only a
 *   message's beginning changes, the router writes the new beginning and the rest goes on in the next run. A pass-through message that spans reads goes on in parts as its bytes arrive (only
 *   how many are still to come is remembered), so a result of a million DataRows, or COPY data, costs about what
 *   the reads cost.</li>
 * </ul>
 *
 * <p>The type byte is checked against the {@link ExpectedMessages} of the current phase as soon as it arrives,
 * and the length word as soon as it is complete: a message that cannot be valid fails there (a
 * {@link DecoderException} around the {@link ProtocolException}), never after its body has been waited for; what
 * came before it is handed on first. Messages are handed on one at a time, so a handler can switch the phase
 * ({@link #expect}) or the way of handing on between two messages of the same read, e.g. when the password
 * message before a pipelined Query completes the login. After a violation nothing more is read from the input.
 *
 * <p>A message gathered whole across reads reserves its announced size in a {@link CarryBudget} that framers of
 * many connections share, from when gathering starts until it is handed on or dropped; one the budget has no room
 * for fails the read ({@link CarryRefusedException}) and nothing more is read, unless a larger message of another
 * connection gives way (that read fails instead).
 *
 * <p>In a pipeline of its own ({@link #MessageFramer(int, ExpectedMessages)}), or inside the handler that receives
 * what it reads ({@link #MessageFramer(int, ExpectedMessages, Owner)}): there the owner passes each read and
 * read-complete on to it with the owner's context, and gets every message, the end of each read and a failure in
 * {@link #resume} as calls, with no pipeline context of the framer's own (one fewer object per connection and one
 * fewer pipeline step per read).
 */
public final class MessageFramer extends ChannelInboundHandlerAdapter implements CarryBudget.Holder {
    public static final String NAME = "framer";
    /** Tag plus length word. */
    public static final int HEADER_LENGTH = 5;
    /** {@link #reserved}, which the budget may take from another thread. */
    private static final AtomicIntegerFieldUpdater<MessageFramer> RESERVED =
            AtomicIntegerFieldUpdater.newUpdater(MessageFramer.class, "reserved");

    /** How what is read is handed on. */
    private enum Reading {
        /** Whole messages to the next handler. */
        MESSAGES,
        /** Runs of pass-through bytes and whole inspected messages to the router. */
        RUNS,
        /**
         * Messages, but none handed on until {@link #resume}: what arrives is kept while the login waits for work
         * done off the event loop.
         */
        HELD,
        /** A violation was found: nothing more is read. */
        STOPPED
    }

    /**
     * The handler a framer inside it hands everything to ({@link #MessageFramer(int, ExpectedMessages, Owner)}):
     * whole messages from the start ({@link #message}), runs once {@link #forwardRuns} names it as the router.
     */
    public interface Owner extends MessageRouter {
        /** The framer inside it; null while it has none yet. */
        MessageFramer framer();

        /** The end of a read, after what it brought was handed on (in place of the pipeline's read-complete). */
        void readComplete();

        /** A failure while {@link #resume} handed on what was held (in place of the pipeline's exceptionCaught). */
        void readFailed(Throwable cause);
    }

    private final int maxMessageSize;
    /** Bounds what the carries of every framer that shares it hold together. */
    private final CarryBudget budget;
    /**
     * Bytes of {@link #budget} reserved for the message in {@link #carry}; 0 while it holds none or a header, and
     * once the budget took them for a smaller message of another connection (see {@link #reservationTaken}).
     */
    private volatile int reserved;
    /**
     * Whether it lives inside a handler, which is then its {@link #router} from the start: a flag, not a reference
     * of its own, as every client connection holds a framer for its whole life.
     */
    private final boolean owned;
    private ExpectedMessages expected;
    /** The largest message of the current phase, header included. */
    private int phaseMaxMessageSize;
    private Reading reading = Reading.MESSAGES;
    private MessageRouter router;
    private ChannelHandlerContext ctx;
    /** Bytes of a pass-through message, already partly handed on, that are still to come. */
    private int passRemaining;
    /** The peer hung up with a pass-through message partly handed on: whoever received that part has half a message. */
    private boolean endedMidMessage;
    /**
     * The start of a message that spans reads and must be handed on whole (or whose header is not complete yet);
     * null between messages, so an idle connection holds no buffer. Handed on as it is once complete.
     */
    private ByteBuf carry;
    /** What arrived while {@link Reading#HELD}, kept whole for {@link #resume}; null otherwise. */
    private ByteBuf held;
    /** The way of handing on that {@link #resume} goes back to (MESSAGES, or RUNS when asked for meanwhile). */
    private Reading afterHold = Reading.MESSAGES;
    /** Something was handed on since the last read-complete (else a channel not reading automatically asks again). */
    private boolean handedOn;

    /**
     * @param maxMessageSize the largest message accepted, header included; larger ones are a protocol violation
     * @param expected the message types of the first phase
     */
    public MessageFramer(int maxMessageSize, ExpectedMessages expected) {
        this(maxMessageSize, expected, null, CarryBudget.unbounded());
    }

    /**
     * A framer inside {@code owner}'s handler, not in the pipeline: the owner calls {@link #channelRead},
     * {@link #channelReadComplete}, {@link #inputEnded} and {@link #discard} with its own context, and receives every
     * whole message through {@link Owner#message}.
     *
     * @param maxMessageSize the largest message accepted, header included; larger ones are a protocol violation
     * @param expected the message types of the first phase
     */
    public MessageFramer(int maxMessageSize, ExpectedMessages expected, Owner owner) {
        this(maxMessageSize, expected, owner, CarryBudget.unbounded());
    }

    /**
     * As {@link #MessageFramer(int, ExpectedMessages, Owner)}, with the messages it gathers across reads bounded
     * by {@code budget}, which other framers share: a message the budget has no room for fails the read with a
     * {@link CarryRefusedException}, and nothing more is read.
     *
     * @param owner the handler it lives in, or null for a framer in the pipeline
     */
    public MessageFramer(int maxMessageSize, ExpectedMessages expected, Owner owner, CarryBudget budget) {
        this.budget = budget;
        this.maxMessageSize = maxMessageSize;
        this.owned = owner != null;
        this.router = owner;
        expect(expected);
    }

    /** Moves to the next phase: from the next message on, only its types (and sizes) are accepted. */
    public void expect(ExpectedMessages next) {
        expected = next;
        phaseMaxMessageSize = next.maxMessageSize(maxMessageSize);
    }

    /** From the next message on, hands what it reads to {@code target} as runs and inspected messages. */
    public void forwardRuns(MessageRouter target) {
        if (reading == Reading.STOPPED) {
            return;
        }
        if (owned && target != router) {
            throw new IllegalStateException("a framer inside a handler hands runs to that handler");
        }
        router = target;
        if (reading == Reading.HELD) {
            afterHold = Reading.RUNS; // the login ended while held: what it kept goes to the router
        } else {
            reading = Reading.RUNS;
        }
    }

    /**
     * Keeps every further message in the input, and reads nothing more from the socket, until {@link #resume}:
     * while the login waits for work done off the event loop (a key derivation, an auth_query lookup). What a
     * client sent meanwhile is then framed under the phase in force at that time, as PostgreSQL reads it only
     * once it has answered. Call on the channel's event loop, while handing on whole messages.
     */
    public void hold(ChannelHandlerContext context) {
        if (reading != Reading.MESSAGES && reading != Reading.RUNS) {
            throw new IllegalStateException("hold while " + reading);
        }
        afterHold = reading;
        reading = Reading.HELD;
        context.channel().config().setAutoRead(false);
    }

    /**
     * Hands on what {@link #hold} kept, then reads from the socket again. Call on the channel's event loop, with
     * the context of this framer; nothing is handed on once the framer has left the pipeline or the channel closed.
     */
    public void resume(ChannelHandlerContext context) {
        if (reading == Reading.STOPPED) {
            return;
        }
        if (reading != Reading.HELD) {
            throw new IllegalStateException("resume without hold");
        }
        reading = afterHold;
        ByteBuf kept = held;
        held = null;
        if (context.isRemoved() || !context.channel().isActive()) {
            if (kept != null) {
                kept.release();
            }
            return;
        }
        context.channel().config().setAutoRead(true);
        if (kept != null) {
            try {
                // As if those bytes had just arrived.
                channelRead(context, kept);
            } catch (RuntimeException e) {
                if (owned) {
                    ((Owner) router).readFailed(e);
                } else {
                    context.fireExceptionCaught(e);
                }
            }
        }
        channelReadComplete(context);
    }

    /** The bytes held for a message that spans reads: what a peer can make pgmux keep by sending part of one. */
    public int carriedBytes() {
        return carry == null ? 0 : carry.readableBytes();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        ctx = context;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            context.fireChannelRead(msg);
            return;
        }
        if (ctx == null) {
            ctx = context; // inside an owner: its context, for the buffers a carried message needs
        }
        ByteBuf in = (ByteBuf) msg;
        try {
            if (reading == Reading.HELD) {
                keep(in, in.readerIndex(), in.writerIndex());
            } else if (reading != Reading.STOPPED) {
                scan(in);
            }
        } catch (ProtocolException e) {
            stop();
            throw new DecoderException(e);
        } catch (RuntimeException | Error e) {
            stop();
            throw e;
        } finally {
            in.release();
        }
    }

    private void scan(ByteBuf in) {
        int pos = in.readerIndex();
        int end = in.writerIndex();
        if (carry != null) {
            pos = continueCarry(in, pos, end);
        }
        int runStart = pos;
        if (passRemaining > 0) {
            int n = Math.min(passRemaining, end - pos);
            passRemaining -= n;
            pos += n;
        }
        while (pos < end && (reading == Reading.MESSAGES || reading == Reading.RUNS)) {
            int available = end - pos;
            byte tag = in.getByte(pos);
            int length = available < HEADER_LENGTH ? 0 : in.getInt(pos + 1);
            try {
                checkTag(tag);
                if (available >= HEADER_LENGTH) {
                    checkLength(tag, length);
                }
            } catch (ProtocolException e) {
                handOnRun(in, runStart, pos); // what came before the violation is handed on first
                throw e;
            }
            if (available < HEADER_LENGTH) {
                handOnRun(in, runStart, pos);
                startCarry(in, pos, available, HEADER_LENGTH);
                return;
            }
            int frame = length + 1;
            MessageRouter.Route route = reading == Reading.RUNS ? router.route(tag, length)
                    : MessageRouter.Route.TAKE;
            if (route == MessageRouter.Route.INSPECT) {
                route = available >= frame ? inspect(in, pos, frame) : MessageRouter.Route.TAKE;
            } else if (route == MessageRouter.Route.REPLACE_HEAD) {
                throw new IllegalStateException("route answered " + route + " before the message was read");
            }
            if (route == MessageRouter.Route.REPLACE_HEAD) {
                handOnRun(in, runStart, pos);
                runStart = replaceHead(in, pos, frame);
                pos += frame;
                continue;
            }
            if (route == MessageRouter.Route.PASS) {
                if (available >= frame) {
                    pos += frame;
                } else {
                    passRemaining = frame - available;
                    pos = end;
                }
                continue;
            }
            if (route == MessageRouter.Route.PASS_AND_READ && available >= frame) {
                // Forwarded with what came before it, then read where it lies.
                int at = pos;
                pos += frame;
                handOnRun(in, runStart, pos);
                runStart = pos;
                router.passed(in, at);
                continue;
            }
            handOnRun(in, runStart, pos);
            if (available < frame) {
                reserveCarry(frame);
                startCarry(in, pos, available, frame);
                return;
            }
            // A message that ends the read goes on as the read buffer itself: no slice to allocate.
            handOnMessage(available == frame ? tail(in, pos) : in.retainedSlice(pos, frame));
            pos += frame;
            runStart = pos;
        }
        handOnRun(in, runStart, pos);
        if (reading == Reading.HELD && pos < end) {
            keep(in, pos, end);
        }
    }

    /**
     * Asks the router about a message that arrived whole, showing it the message alone: the read buffer's indexes
     * are narrowed to the message for the call (no slice to allocate) and put back after it.
     */
    private MessageRouter.Route inspect(ByteBuf in, int at, int frame) {
        int readerIndex = in.readerIndex();
        int writerIndex = in.writerIndex();
        in.setIndex(at, at + frame);
        try {
            MessageRouter.Route route = router.inspect(in);
            if (route != MessageRouter.Route.PASS && route != MessageRouter.Route.REPLACE_HEAD
                    && route != MessageRouter.Route.TAKE) {
                throw new IllegalStateException("inspect answered " + route);
            }
            return route;
        } finally {
            in.setIndex(readerIndex, writerIndex);
        }
    }

    /** Has the router write a message's new beginning; returns where the message's unchanged rest starts. */
    private int replaceHead(ByteBuf in, int at, int frame) {
        int readerIndex = in.readerIndex();
        int writerIndex = in.writerIndex();
        in.setIndex(at, at + frame);
        int rest;
        try {
            handedOn = true;
            rest = router.replaceHead(in);
        } finally {
            in.setIndex(readerIndex, writerIndex);
        }
        if (rest < at || rest > at + frame) {
            throw new IllegalStateException("the rest of a message starts at " + rest + ", outside it");
        }
        return rest;
    }

    /** Copies what arrived while held, so no read buffer is pinned meanwhile; autoRead is off, so it is one read. */
    private void keep(ByteBuf in, int from, int to) {
        if (held == null) {
            held = ctx.alloc().buffer(to - from);
        }
        held.writeBytes(in, from, to - from);
    }

    /**
     * Goes on with a message begun in an earlier read: completes its header and asks about it, then either hands on
     * the header and leaves the rest to pass ({@link #passRemaining}), or gathers the message whole. Returns where
     * the bytes of {@code in} not taken into the carry start.
     */
    private int continueCarry(ByteBuf in, int pos, int end) {
        if (carry.readableBytes() < HEADER_LENGTH) {
            int n = Math.min(HEADER_LENGTH - carry.readableBytes(), end - pos);
            carry.writeBytes(in, pos, n);
            pos += n;
            if (carry.readableBytes() < HEADER_LENGTH) {
                return pos;
            }
            byte tag = carry.getByte(carry.readerIndex());
            int length = carry.getInt(carry.readerIndex() + 1);
            checkLength(tag, length);
            if (reading == Reading.RUNS && router.route(tag, length) == MessageRouter.Route.PASS) {
                passRemaining = length + 1 - HEADER_LENGTH;
                ByteBuf header = carry;
                carry = null;
                handOnRun(header);
                return pos;
            }
            reserveCarry(length + 1);
        }
        int frame = carry.getInt(carry.readerIndex() + 1) + 1;
        int n = Math.min(frame - carry.readableBytes(), end - pos);
        carry.writeBytes(in, pos, n);
        pos += n;
        if (carry.readableBytes() == frame) {
            ByteBuf message = carry;
            carry = null;
            if (!releaseReservation()) {
                // The budget took the reservation while the rest arrived: refused, as reservationTaken says.
                message.release();
                throw new CarryRefusedException(frame, budget.held(), budget.limit());
            }
            handOnMessage(message);
        }
        return pos;
    }

    /**
     * Reserves the budget for a message of {@code frame} bytes to be gathered across reads: only when a carry is
     * made or its header completes, never for a message that arrives whole or passes through.
     */
    private void reserveCarry(int frame) {
        budget.reserve(this, frame);
        reserved = frame;
    }

    /** Gives the carry's reservation back; returns false when it had none left (taken by the budget, or none). */
    private boolean releaseReservation() {
        int mine = takeReservation();
        if (mine > 0) {
            budget.release(this, mine);
        }
        return mine > 0;
    }

    @Override
    public int reservation() {
        return reserved;
    }

    @Override
    public int takeReservation() {
        return RESERVED.getAndSet(this, 0);
    }

    /**
     * The budget gave this framer's reservation to a smaller message of another connection: on this channel's event
     * loop, the message being gathered is dropped and the read fails with {@code refusal}, as when the budget has no
     * room for a message. Nothing happens if the message was handed on or dropped meanwhile (a message that
     * completes without its reservation is refused there).
     */
    @Override
    public void reservationTaken(CarryRefusedException refusal) {
        ChannelHandlerContext context = ctx;
        try {
            context.executor().execute(() -> refuseTakenCarry(context, refusal));
        } catch (RejectedExecutionException e) {
            // Its event loop has stopped (pgmux is shutting down): the channel closes with it, and its carry is
            // released then. The asker, on another loop, must not fail for it.
        }
    }

    private void refuseTakenCarry(ChannelHandlerContext context, CarryRefusedException refusal) {
        if (reading == Reading.STOPPED || carry == null || carry.readableBytes() < HEADER_LENGTH || reserved != 0) {
            return; // handed on or dropped meanwhile, or a later message with a reservation of its own
        }
        stop();
        if (owned) {
            ((Owner) router).readFailed(refusal);
        } else {
            context.fireExceptionCaught(refusal);
        }
    }

    private void startCarry(ByteBuf in, int pos, int available, int capacity) {
        // Sized for what came, not for what the length word promises: a peer that announces a large message and
        // sends nothing more holds no more than it sent.
        carry = ctx.alloc().buffer(Math.min(capacity, Math.max(available, 256)));
        carry.writeBytes(in, pos, available);
    }

    private void checkTag(byte tag) {
        if (!expected.allows(tag)) {
            throw expected.refuse(tag);
        }
    }

    private void checkLength(byte tag, int length) {
        if (length < 4 || length > phaseMaxMessageSize - 1) {
            throw new ProtocolException("message " + printable(tag) + " length: " + length
                    + " (expected: 4 to " + (phaseMaxMessageSize - 1) + ")");
        }
    }

    private void handOnRun(ByteBuf in, int from, int to) {
        if (to > from) {
            // A run that ends the read goes on as the read buffer itself: no slice to allocate.
            handOnRun(to == in.writerIndex() ? tail(in, from) : in.retainedSlice(from, to - from));
        }
    }

    /**
     * The read buffer itself, retained, its reader index moved to {@code from}: what is handed on last from a read
     * needs no slice of its own. Only for the end of the read, as nothing of it is read here afterwards.
     */
    private static ByteBuf tail(ByteBuf in, int from) {
        return in.retain().readerIndex(from);
    }

    private void handOnRun(ByteBuf run) {
        handedOn = true;
        router.run(run);
    }

    private void handOnMessage(ByteBuf message) {
        handedOn = true;
        if (reading == Reading.RUNS || owned) {
            router.message(message);
        } else {
            ctx.fireChannelRead(message);
        }
    }

    private void stop() {
        reading = Reading.STOPPED;
        passRemaining = 0;
        releaseCarry();
    }

    private void releaseCarry() {
        releaseReservation(); // also for a reservation whose buffer could not be allocated
        if (carry != null) {
            carry.release();
            carry = null;
        }
        if (held != null) {
            held.release();
            held = null;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        boolean readAgain = !handedOn && reading != Reading.HELD && !context.channel().config().isAutoRead();
        handedOn = false;
        if (owned) {
            ((Owner) router).readComplete();
        } else {
            context.fireChannelReadComplete();
        }
        if (readAgain) {
            // Nothing complete came of this read, and nobody else would ask for the rest of the message.
            context.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        inputEnded();
        context.fireChannelInactive();
    }

    /** The peer's input ended (the channel went inactive): nothing more is read, and what was kept is released. */
    public void inputEnded() {
        endedMidMessage = passRemaining > 0;
        stop();
    }

    /**
     * Whether the receiver of what this framer hands on holds part of a message: a pass-through message was partly
     * handed on and its rest has not come yet, or never will (the peer hung up inside it). Nothing of pgmux's own
     * may be written to that receiver meanwhile: it would be read as the rest of the message.
     */
    public boolean inMessage() {
        return passRemaining > 0 || endedMidMessage;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        discard();
    }

    /** Releases what is kept of a message that spans reads or of input held; for an owner leaving the pipeline. */
    public void discard() {
        releaseCarry();
    }

    /** A type byte as a reader wants it in an error: the character, or its hex code when not printable. */
    public static String printable(byte tag) {
        return tag >= 32 && tag < 127 ? "'" + (char) tag + "'" : String.format("\\x%02x", tag & 0xFF);
    }
}
