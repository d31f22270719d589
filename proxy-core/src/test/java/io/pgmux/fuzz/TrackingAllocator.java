package io.pgmux.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocator that remembers every buffer it hands out, so a test can demand that each one was released: a
 * check that does not depend on the garbage collector or on the leak detector's sampling, and that names the
 * leak at the input that caused it. Unpooled, so a leaked buffer costs the test nothing but the failure.
 * Not thread-safe: one per EmbeddedChannel, used on the test thread.
 */
final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> handedOut = new ArrayList<>();

    TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        CompositeByteBuf composite = super.compositeHeapBuffer(maxNumComponents);
        track(composite);
        return composite;
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        CompositeByteBuf composite = super.compositeDirectBuffer(maxNumComponents);
        track(composite);
        return composite;
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    private ByteBuf track(ByteBuf buf) {
        handedOut.add(buf);
        return buf;
    }

    /** Buffers handed out so far. */
    int count() {
        return handedOut.size();
    }

    /** Fails naming each buffer still referenced, with its size, so a leak reads as what it held. */
    void assertAllReleased(String context) {
        List<String> live = new ArrayList<>();
        for (ByteBuf each : handedOut) {
            if (each.refCnt() != 0) {
                live.add(each.getClass().getSimpleName() + "(refCnt " + each.refCnt() + ", capacity "
                        + each.capacity() + ")");
            }
        }
        if (!live.isEmpty()) {
            fail(context + ": " + live.size() + " of " + handedOut.size() + " buffers not released: " + live);
        }
    }
}
