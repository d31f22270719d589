package io.pgmux.admin;

import static io.pgmux.admin.ConsoleChannel.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.admin.spi.AdminException;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.SqlState;
import io.pgmux.testing.BackendMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PAUSE, SUSPEND and WAIT_CLOSE answer when pgmux has done what they wait for (PgBouncer's console does the same);
 * meanwhile the session holds its later messages back, and a cancel request or a disconnect gives up the wait.
 */
class AdminWaitingTest {
    private final FakeControl control = new FakeControl();
    private final FakeView view = new FakeView();
    private final AdminConsole console = new AdminConsole(view, control, "0.1.0");
    private ConsoleChannel admin;

    @BeforeEach
    void open() {
        admin = ConsoleChannel.open(console, AdminRole.ADMIN, Map.of());
        admin.received();
    }

    @AfterEach
    void close() {
        admin.close();
    }

    @Test
    void pauseAnswersOnlyOnceTheServersAreReleased() {
        assertTrue(admin.query("PAUSE app").isEmpty(), "nothing until the pause is complete");
        assertEquals(List.of("pause app"), control.calls);
        control.pause.complete(null);
        List<BackendMessage> answer = admin.received();
        assertEquals("CZ", types(answer));
        assertEquals("PAUSE", answer.get(0).commandTag());
    }

    @Test
    void messagesSentWhileWaitingAreHeldUnreadAndAnsweredInOrderAfterwards() {
        admin.query("SUSPEND");
        admin.send(Bytes.message('Q', Bytes.of().cstring("SHOW STATE").build()));
        admin.send(Bytes.message('Q', Bytes.of().cstring("SHOW VERSION").build()));
        assertTrue(admin.received().isEmpty());
        assertFalse(admin.channel.config().isAutoRead(), "a waiting session stops reading");
        control.suspend.complete(null);
        List<BackendMessage> answer = admin.received();
        assertEquals("CZ" + "TDDDDCZ" + "TDCZ", types(answer));
        assertEquals("SUSPEND", answer.get(0).commandTag());
        assertTrue(admin.channel.config().isAutoRead());
    }

    @Test
    void showServersAnswersOnceEveryLoopHasGivenItsServersAndTheRestFollows() {
        view.serversLater = new java.util.concurrent.CompletableFuture<>();
        assertTrue(admin.query("SHOW SERVERS; SHOW VERSION").isEmpty(), "nothing until the rows are in");
        view.serversLater.complete(view.servers);
        List<BackendMessage> answer = admin.received();
        assertEquals("TDC" + "TDC" + "Z", types(answer));
        assertEquals("S", ConsoleChannel.rows(answer).get(0).get(0));
    }

    @Test
    void showServersThatFailsAnswersAnErrorAndTheSessionGoesOn() {
        view.serversLater = new java.util.concurrent.CompletableFuture<>();
        assertTrue(admin.query("SHOW SERVERS").isEmpty());
        view.serversLater.completeExceptionally(new java.util.concurrent.RejectedExecutionException("loop gone"));
        List<BackendMessage> answer = admin.received();
        assertEquals("EZ", types(answer));
        assertEquals(SqlState.INTERNAL_ERROR, answer.get(0).errorField('C'));
        assertEquals("TDCZ", types(admin.query("SHOW VERSION")));
    }

    @Test
    void aCancelGivesUpShowServers() {
        view.serversLater = new java.util.concurrent.CompletableFuture<>();
        assertTrue(admin.query("SHOW SERVERS").isEmpty());
        admin.session.cancelRequested();
        List<BackendMessage> answer = admin.received();
        assertEquals("EZ", types(answer));
        assertEquals(SqlState.QUERY_CANCELED, answer.get(0).errorField('C'));
        view.serversLater.complete(view.servers);
        assertTrue(admin.received().isEmpty(), "the late rows are dropped");
    }

    @Test
    void theRestOfTheQueryRunsAfterTheWait() {
        assertTrue(admin.query("WAIT_CLOSE; SHOW VERSION; RESUME").isEmpty());
        control.waitClose.complete(null);
        List<BackendMessage> answer = admin.received();
        assertEquals("CTDCCZ", types(answer));
        assertEquals("WAIT_CLOSE", answer.get(0).commandTag());
        assertEquals(List.of("wait_close *", "resume *"), control.calls);
    }

    @Test
    void aWaitThatFailsAnswersTheErrorAndSkipsTheRest() {
        admin.query("PAUSE; RELOAD");
        control.pause.completeExceptionally(new AdminException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                "pgmux is already paused"));
        List<BackendMessage> answer = admin.received();
        assertEquals("EZ", types(answer));
        assertEquals(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, answer.get(0).errorField('C'));
        assertEquals(List.of("pause *"), control.calls);
    }

    @Test
    void aCancelRequestGivesUpAPauseAndResumes() {
        admin.query("PAUSE app");
        admin.session.cancelRequested();
        List<BackendMessage> answer = admin.received();
        assertEquals("EZ", types(answer));
        assertEquals(SqlState.QUERY_CANCELED, answer.get(0).errorField('C'));
        assertEquals(List.of("pause app", "resume app"), control.calls);
        control.pause.complete(null);
        assertTrue(admin.received().isEmpty(), "a late completion of a cancelled wait is ignored");
        assertEquals("TDCZ", types(admin.query("SHOW VERSION")));
    }

    @Test
    void aCancelRequestWhileNothingWaitsDoesNothing() {
        admin.session.cancelRequested();
        assertTrue(admin.received().isEmpty());
        assertTrue(control.calls.isEmpty());
    }

    @Test
    void aCancelRequestGivesUpWaitCloseWithoutUndoingAnything() {
        admin.query("WAIT_CLOSE app");
        admin.session.cancelRequested();
        assertEquals("EZ", types(admin.received()));
        assertEquals(List.of("wait_close app"), control.calls);
    }

    @Test
    void aConsoleThatDisconnectsWhileSuspendingResumesPgmuxAndReleasesWhatItHeld() {
        admin.query("SUSPEND");
        admin.send(Bytes.message('Q', Bytes.of().cstring("SHOW POOLS").build()));
        admin.channel.close();
        assertEquals(List.of("suspend", "resume *"), control.calls);
        admin.assertReleasedEverything();
        control.suspend.complete(null);
        assertTrue(admin.received().isEmpty());
    }

    @Test
    void aRefusedResumeAfterACancelIsNotTheUsersError() {
        admin.query("PAUSE");
        control.refusal = new AdminException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "not paused");
        admin.session.cancelRequested();
        List<BackendMessage> answer = admin.received();
        assertEquals("EZ", types(answer));
        assertEquals(SqlState.QUERY_CANCELED, answer.get(0).errorField('C'));
    }

    @Test
    void terminateWhileWaitingClosesOnceTheWaitIsAnswered() {
        admin.query("PAUSE");
        admin.send(Bytes.hex("58 00000004"));
        assertTrue(admin.channel.isActive());
        control.pause.complete(null);
        assertEquals("CZ", types(admin.received()));
        assertFalse(admin.channel.isActive());
    }
}
