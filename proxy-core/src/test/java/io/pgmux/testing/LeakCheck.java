package io.pgmux.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector reports a leaked buffer during it. Registered for every class
 * (junit-platform.properties turns on extension auto-detection); the surefire configuration runs the detector
 * at the paranoid level, so every buffer is tracked.
 *
 * <p>Netty reports a leak only after the garbage collector has found the unreleased buffer and a later
 * allocation polls for it, so at the end of each class this forces both before it looks. A leak found then may
 * have been made by an earlier class; the report's access records show where the buffer was touched.
 *
 * <p>The listener is Netty's one hook for all ByteBuf leaks in the JVM ({@link ByteBufUtil#setLeakListener}),
 * so the reports it collects are JVM-wide, as the detector itself is.
 */
public final class LeakCheck implements BeforeAllCallback, AfterAllCallback {
    private static final Reports REPORTS = new Reports();

    static {
        ByteBufUtil.setLeakListener((resourceType, records) -> REPORTS.add(resourceType + " " + records));
    }

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LeakCheck.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        collectReports();
        context.getStore(NAMESPACE).put("seen", REPORTS.size());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        collectReports();
        int seen = context.getStore(NAMESPACE).getOrDefault("seen", Integer.class, 0);
        List<String> leaks = REPORTS.since(seen);
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " leaked buffer(s) reported by Netty's leak detector by the end of "
                    + context.getDisplayName() + ":\n" + String.join("\n", leaks));
        }
    }

    /** Lets the garbage collector find unreleased buffers, then allocates so the detector reports them. */
    private static void collectReports() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (int i = 0; i < 8; i++) {
                ByteBuf probe = ByteBufAllocator.DEFAULT.directBuffer(8);
                probe.release();
                ByteBuf heap = ByteBufAllocator.DEFAULT.heapBuffer(8);
                heap.release();
            }
        }
    }

    /** The reports so far, in order; written by whichever thread allocates when a leak is found. */
    private static final class Reports {
        private final List<String> all = new ArrayList<>();

        synchronized void add(String report) {
            all.add(report);
        }

        synchronized int size() {
            return all.size();
        }

        synchronized List<String> since(int index) {
            return new ArrayList<>(all.subList(index, all.size()));
        }
    }
}
