package io.pgmux.fleet;

import io.netty.channel.EventLoopGroup;
import io.pgmux.server.UpstreamSession;
import io.pgmux.server.UpstreamTarget;
import io.pgmux.tls.UpstreamTlsContexts;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An instance's control connection to one upstream server: the session whose advisory locks are its leases, and
 * the few statements the keeper sends on it. Blocking; used by the keeper's thread alone.
 */
final class ControlConnection implements AutoCloseable {
    /**
     * One advisory lock of the two-key form, granted in the control connection's database.
     *
     * @param key             the first key ({@code classid}, as a signed int)
     * @param slot            the second key ({@code objid})
     * @param pid             the backend holding it
     * @param applicationName that backend's application_name (how an instance names itself)
     */
    record Lock(int key, int slot, int pid, String applicationName) {
    }

    private static final String LOCKS = "select l.classid::bigint, l.objid::bigint, l.pid,"
            + " coalesce(a.application_name, '') from pg_locks l left join pg_stat_activity a on a.pid = l.pid"
            + " where l.locktype = 'advisory' and l.objsubid = 2 and l.granted"
            + " and l.database = (select oid from pg_database where datname = current_database())";

    private final UpstreamSession session;
    private final int pid;
    private final String serverStart;

    private ControlConnection(UpstreamSession session, int pid, String serverStart) {
        this.session = session;
        this.pid = pid;
        this.serverStart = serverStart;
    }

    static ControlConnection open(UpstreamTarget target, Duration timeout, UpstreamTlsContexts tls,
                                  EventLoopGroup group, java.util.concurrent.Executor loginWork)
            throws IOException {
        UpstreamSession session = UpstreamSession.open(target, timeout, tls, group, loginWork);
        try {
            List<String> row = session.query("select pg_backend_pid(), pg_postmaster_start_time()::text").get(0);
            return new ControlConnection(session, Integer.parseInt(row.get(0)), row.get(1));
        } catch (IOException | RuntimeException e) {
            session.abort();
            throw e;
        }
    }

    /**
     * When the database server started, as it says: another value than an earlier connection's means it restarted
     * in between, and no backend of before survived.
     */
    String serverStart() {
        return serverStart;
    }

    /** The backend process of this session. */
    int pid() {
        return pid;
    }

    boolean isOpen() {
        return session.isOpen();
    }

    /** Every granted two-key advisory lock of the database, with its holder's application_name. */
    List<Lock> locks() throws IOException {
        List<Lock> result = new ArrayList<>();
        for (List<String> row : session.query(LOCKS)) {
            result.add(new Lock((int) Long.parseLong(row.get(0)), (int) Long.parseLong(row.get(1)),
                    Integer.parseInt(row.get(2)), row.get(3)));
        }
        return result;
    }

    /**
     * Which of {@code pids} are backends still, with their application_name: tells an instance that gave back all
     * its slots from one whose control connection vanished.
     */
    Map<Integer, String> alive(Set<Integer> pids) throws IOException {
        StringBuilder sql = new StringBuilder("select pid, coalesce(application_name, '') from pg_stat_activity"
                + " where pid in (");
        int i = 0;
        for (int pid : pids) {
            sql.append(i++ == 0 ? "" : ", ").append(pid);
        }
        Map<Integer, String> result = new HashMap<>();
        for (List<String> row : session.query(sql.append(')').toString())) {
            result.put(Integer.parseInt(row.get(0)), row.get(1));
        }
        return result;
    }

    /** Tries to take each slot; one round trip. Returns, per slot in order, whether it was taken. */
    List<Boolean> tryLock(int key, List<Integer> slots) throws IOException {
        return call("pg_try_advisory_lock", key, slots);
    }

    /** Gives back each slot; one round trip. Returns, per slot in order, whether it had been held. */
    List<Boolean> unlock(int key, List<Integer> slots) throws IOException {
        return call("pg_advisory_unlock", key, slots);
    }

    /** Holds ({@code on}) or drops the shared demand marker of a budget. */
    void demand(int demandKey, boolean on) throws IOException {
        call(on ? "pg_try_advisory_lock_shared" : "pg_advisory_unlock_shared", demandKey, List.of(0));
    }

    /**
     * Holds ({@code on}) or drops the shared size marker {@code (sizeKey, marker)} of a budget (see
     * {@link BudgetSize}).
     */
    void size(int sizeKey, int marker, boolean on) throws IOException {
        call(on ? "pg_try_advisory_lock_shared" : "pg_advisory_unlock_shared", sizeKey, List.of(marker));
    }

    private List<Boolean> call(String function, int key, List<Integer> slots) throws IOException {
        StringBuilder sql = new StringBuilder("select ");
        for (int i = 0; i < slots.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(function).append('(').append(key).append(", ")
                    .append(slots.get(i)).append(')');
        }
        List<String> row = session.query(sql.toString()).get(0);
        List<Boolean> result = new ArrayList<>(row.size());
        for (String each : row) {
            result.add("t".equals(each));
        }
        return result;
    }

    /** Gives back every advisory lock of the session (its leases, demand and size markers). */
    void unlockAll() throws IOException {
        session.query("select pg_advisory_unlock_all()");
    }

    /** Ends the session: the database frees its locks. */
    @Override
    public void close() {
        session.close();
    }

    /** Drops the socket as a crash would; the database frees the locks when it notices. */
    void abort() {
        session.abort();
    }
}
