package io.pgmux.admin;

import io.pgmux.admin.show.ResultTable;
import io.pgmux.protocol.PgError;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/** What running one console statement produced, for the session to send. */
sealed interface Outcome {
    /** A result set, then CommandComplete with {@code tag}. */
    record Rows(ResultTable table, String tag) implements Outcome {
    }

    /** CommandComplete with {@code tag}. */
    record Done(String tag) implements Outcome {
    }

    /**
     * Session parameters set or checked: a NoticeResponse for each of {@code notices} (a name PostgreSQL cut short,
     * a SET LOCAL outside a transaction block ...), then CommandComplete with {@code tag}. The reported ones that
     * changed are told of before ReadyForQuery ({@link ConsoleParameters#unreported}).
     */
    record ParametersChanged(List<PgError> notices, String tag) implements Outcome {
    }

    /**
     * The statement failed after it had something to say: a NoticeResponse for each of {@code notices}, then
     * {@code error}, which ends the query as an {@link io.pgmux.admin.spi.AdminException} does (SET LOCAL's
     * warning, then its value's refusal).
     */
    record Refused(List<PgError> notices, PgError error) implements Outcome {
    }

    /** A NoticeResponse, then CommandComplete with {@code tag} (SHOW HELP). */
    record Notice(PgError notice, String tag) implements Outcome {
    }

    /**
     * The answer comes later (PAUSE, SUSPEND, WAIT_CLOSE, RELOAD, SET of a setting; SHOW CLIENTS and SERVERS,
     * whose rows each event loop gives): {@code stage} completes with the outcome to send ({@link Done} or
     * {@link Rows}); an exceptional completion is the error to answer. If the wait is given up (cancel request,
     * the session closing), {@code onAbandon} undoes what the command started.
     */
    record Waiting(CompletionStage<? extends Outcome> stage, Runnable onAbandon) implements Outcome {
        public Waiting {
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(onAbandon, "onAbandon");
        }

        /** A command that completes with CommandComplete {@code tag} once {@code stage} does. */
        static Waiting done(CompletionStage<Void> stage, String tag, Runnable onAbandon) {
            return new Waiting(stage.thenApply(ignored -> new Done(tag)), onAbandon);
        }

        /** A result whose rows come later; nothing to undo if the wait is given up. */
        static Waiting rows(CompletionStage<ResultTable> table, String tag) {
            return new Waiting(table.thenApply(rows -> new Rows(rows, tag)), () -> { });
        }
    }

    /** The session ends: {@code error} is its last message; {@code then} runs once it is sent (SHUTDOWN). */
    record Leaving(PgError error, Runnable then) implements Outcome {
    }
}
