package io.pgmux.client;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Threads for the part of a login that must not run on an event loop: a key derivation (PBKDF2, milliseconds per
 * run) such as checking a cleartext password against a SCRAM verifier. A login hands its work here and resumes
 * on its channel's event loop with the result.
 *
 * <p>One thread per core at most, none while idle (they end after {@value #IDLE_SECONDS} s), and at most
 * {@value #QUEUE_LENGTH} tasks queued: beyond that a task is refused ({@link
 * java.util.concurrent.RejectedExecutionException}) and its login with it, so a flood of cleartext logins costs
 * bounded CPU and memory and never delays the clients already logged in.
 */
public final class LoginWork {
    static final int QUEUE_LENGTH = 1024;
    private static final int IDLE_SECONDS = 30;

    private LoginWork() {
    }

    /** A new executor as described above; its threads are daemons, so it needs no shutdown. */
    public static Executor newExecutor() {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(QUEUE_LENGTH), new DefaultThreadFactory("pgmux-login-work", true));
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
