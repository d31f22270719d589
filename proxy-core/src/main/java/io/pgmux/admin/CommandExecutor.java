package io.pgmux.admin;

import io.pgmux.admin.AdminCommand.OnDatabase;
import io.pgmux.admin.show.ColumnSet;
import io.pgmux.admin.show.ResultTable;
import io.pgmux.admin.show.ShowBudgets;
import io.pgmux.admin.show.ShowConfig;
import io.pgmux.admin.show.ShowConnections;
import io.pgmux.admin.show.ShowDatabases;
import io.pgmux.admin.show.ShowLists;
import io.pgmux.admin.show.ShowPools;
import io.pgmux.admin.show.ShowPrepared;
import io.pgmux.admin.show.ShowState;
import io.pgmux.admin.show.ShowStats;
import io.pgmux.admin.show.ShowFleet;
import io.pgmux.admin.show.ShowPeers;
import io.pgmux.admin.show.ShowTenants;
import io.pgmux.admin.show.ShowUsers;
import io.pgmux.admin.show.ShowVersion;
import io.pgmux.admin.spi.AdminControl;
import io.pgmux.admin.spi.AdminException;
import io.pgmux.admin.spi.AdminView;
import io.pgmux.admin.spi.ShutdownMode;
import io.pgmux.config.RestartOnlySetting;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs console statements for one session: parses, checks the session's role, then reads the view or acts
 * through the control. Everything the user did wrong comes out as an {@link AdminException}.
 */
final class CommandExecutor {
    private static final Logger log = LoggerFactory.getLogger(CommandExecutor.class);

    private final AdminConsole console;
    private final AdminRole role;
    private final String user;
    private final ConsoleParameters parameters;

    CommandExecutor(AdminConsole console, AdminRole role, String user, ConsoleParameters parameters) {
        this.console = console;
        this.role = role;
        this.user = user;
        this.parameters = parameters;
    }

    /** @throws AdminException with the error to answer */
    Outcome execute(String statement) {
        AdminCommand command = AdminCommandParser.parse(statement);
        if (command.changesPgmux() && !role.mayChange()) {
            throw new AdminException(new PgError(PgError.ERROR, SqlState.INSUFFICIENT_PRIVILEGE,
                    "permission denied for " + command.name() + ": user \"" + user + "\" may only read", null,
                    "Connect as a user listed in admin.users; admin.stats_users may run SHOW only."));
        }
        if (command instanceof AdminCommand.Show) {
            return show(((AdminCommand.Show) command).target());
        }
        if (command instanceof AdminCommand.ShowParameter) {
            return showParameter(((AdminCommand.ShowParameter) command).name());
        }
        if (command instanceof AdminCommand.SetParameter) {
            AdminCommand.SetParameter set = (AdminCommand.SetParameter) command;
            List<PgError> notices = new ArrayList<>(0);
            parameters.set(set.name(), set.value(), notices::add);
            return new Outcome.ParametersChanged(notices, command.tag());
        }
        if (command instanceof AdminCommand.ResetParameter) {
            parameters.reset(((AdminCommand.ResetParameter) command).name());
            return new Outcome.ParametersChanged(List.of(), command.tag());
        }
        if (command instanceof AdminCommand.SetSessionCharacteristics) {
            ((AdminCommand.SetSessionCharacteristics) command).settings().forEach((name, value) ->
                    parameters.set(name, name, value, notice -> { }));
            return new Outcome.ParametersChanged(List.of(), command.tag());
        }
        if (command instanceof AdminCommand.SetTransaction) {
            return new Outcome.ParametersChanged(List.of(outsideABlock("SET TRANSACTION")), command.tag());
        }
        if (command instanceof AdminCommand.SetLocal) {
            return setLocal((AdminCommand.SetLocal) command);
        }
        log.info("admin console: {} runs {}", user, Excerpt.of(statement));
        return change(command);
    }

    private Outcome change(AdminCommand command) {
        AdminControl control = console.control();
        if (command instanceof OnDatabase) {
            return onDatabase((OnDatabase) command, control);
        }
        if (command instanceof AdminCommand.SetSetting) {
            AdminCommand.SetSetting set = (AdminCommand.SetSetting) command;
            return Outcome.Waiting.done(control.set(set.key(), set.value()), command.tag(), () -> { });
        } else if (command instanceof AdminCommand.KillClient) {
            control.killClient(((AdminCommand.KillClient) command).id());
        } else if (command instanceof AdminCommand.KillTenant) {
            control.killTenant(((AdminCommand.KillTenant) command).tenant());
        } else if (command instanceof AdminCommand.Suspend) {
            return Outcome.Waiting.done(control.suspend(), command.tag(),
                    () -> resumeAfterAbandon(Optional.empty()));
        } else if (command instanceof AdminCommand.Reload) {
            return new Outcome.Waiting(control.reload().thenApply(restartOnly -> reloaded(restartOnly,
                    command.tag())), () -> { });
        } else if (command instanceof AdminCommand.Shutdown) {
            ShutdownMode mode = ((AdminCommand.Shutdown) command).mode();
            if (mode == ShutdownMode.IMMEDIATE) {
                // Answered like PostgreSQL's clients are at a fast shutdown, before the socket goes.
                return new Outcome.Leaving(PgError.fatal(SqlState.ADMIN_SHUTDOWN,
                        "terminating connection: pgmux is shutting down (SHUTDOWN)"), () -> control.shutdown(mode));
            }
            control.shutdown(mode);
        } else {
            throw new IllegalStateException("no handler for " + command);
        }
        return new Outcome.Done(command.tag());
    }

    private Outcome onDatabase(OnDatabase command, AdminControl control) {
        Optional<String> db = command.database();
        switch (command.verb()) {
            case PAUSE:
                return Outcome.Waiting.done(control.pause(db), command.tag(), () -> resumeAfterAbandon(db));
            case WAIT_CLOSE:
                return Outcome.Waiting.done(control.waitClose(db), command.tag(), () -> { });
            case RESUME:
                control.resume(db);
                break;
            case RECONNECT:
                control.reconnect(db);
                break;
            case KILL:
                control.kill(db);
                break;
            case DISABLE:
                control.disable(db.orElseThrow());
                break;
            case ENABLE:
                control.enable(db.orElseThrow());
                break;
            default:
                throw new IllegalStateException("no handler for " + command);
        }
        return new Outcome.Done(command.tag());
    }

    /**
     * RELOAD's answer: CommandComplete, after a WARNING naming the settings the file changed that keep their
     * running values until a restart (PostgreSQL logs the same case at a reload: 55P02, "cannot be changed without
     * restarting the server").
     */
    private static Outcome reloaded(List<String> restartOnly, String tag) {
        if (restartOnly.isEmpty()) {
            return new Outcome.Done(tag);
        }
        return new Outcome.Notice(new PgError(PgError.WARNING, SqlState.CANT_CHANGE_RUNTIME_PARAM,
                "the configuration file changes " + RestartOnlySetting.keptUntilRestart(restartOnly),
                "Everything else in the file is in force now; SHOW CONFIG shows the values in force.",
                "Restart pgmux to apply them."), tag);
    }

    /**
     * SET LOCAL, outside a transaction block as every console statement is: as PostgreSQL, the NOTICEs of reading
     * the value (a name cut short), the WARNING that it has no block to apply to, then the value checked and let go,
     * or its refusal.
     */
    private Outcome setLocal(AdminCommand.SetLocal command) {
        List<PgError> notices = new ArrayList<>(2);
        PgError warning = outsideABlock("SET LOCAL");
        if (!(command.command() instanceof AdminCommand.SetParameter)) {
            return new Outcome.ParametersChanged(List.of(warning), command.tag());
        }
        AdminCommand.SetParameter set = (AdminCommand.SetParameter) command.command();
        try {
            parameters.check(set.name(), set.value(), notices::add);
        } catch (AdminException e) {
            notices.add(warning);
            return new Outcome.Refused(notices, e.error());
        }
        notices.add(warning);
        return new Outcome.ParametersChanged(notices, command.tag());
    }

    /**
     * PostgreSQL's WARNING for a statement about the transaction block it runs in, run outside one (25P01
     * no_active_sql_transaction, xact.c WarnNoTransactionBlock): the console has no transaction blocks.
     */
    private static PgError outsideABlock(String statement) {
        return new PgError(PgError.WARNING, SqlState.NO_ACTIVE_SQL_TRANSACTION, statement
                + " can only be used in transaction blocks", null, null);
    }

    /** A PAUSE or SUSPEND whose user gave up waiting (cancel, disconnect) is undone, as PgBouncer does. */
    private void resumeAfterAbandon(Optional<String> database) {
        try {
            console.control().resume(database);
        } catch (AdminException e) {
            log.info("admin console: {} gave up waiting; resuming {} failed: {}", user,
                    database.orElse("pgmux"), e.error());
        }
    }

    private Outcome showParameter(String name) {
        String value = parameters.show(name).orElseThrow(() -> new AdminException(SqlState.UNDEFINED_OBJECT,
                "the admin console has no value for parameter \"" + name + "\""));
        // The column is named as PostgreSQL spells the parameter (SHOW datestyle answers a column "DateStyle").
        return new Outcome.Rows(new ResultTable(List.of(io.pgmux.protocol.backend.RowDescription.Field.text(
                ConsoleParameters.spelled(name))), List.of(List.of(value))), "SHOW");
    }

    private Outcome show(ShowTarget target) {
        if (target == ShowTarget.HELP) {
            return new Outcome.Notice(new PgError(PgError.NOTICE, "00000", "pgmux admin console commands",
                    ConsoleHelp.USAGE, null), "SHOW");
        }
        AdminView view = console.view();
        ColumnSet columns = parameters.columns();
        if (target == ShowTarget.CLIENTS) {
            return Outcome.Waiting.rows(view.clients().thenApply(rows -> ShowConnections.clients(rows, columns)),
                    "SHOW");
        }
        if (target == ShowTarget.SERVERS) {
            return Outcome.Waiting.rows(view.servers().thenApply(rows -> ShowConnections.servers(rows, columns)),
                    "SHOW");
        }
        if (target == ShowTarget.PREPARED) {
            return Outcome.Waiting.rows(view.prepared().thenApply(ShowPrepared::table), "SHOW");
        }
        return new Outcome.Rows(table(target), "SHOW");
    }

    private ResultTable table(ShowTarget target) {
        AdminView view = console.view();
        ColumnSet columns = parameters.columns();
        switch (target) {
            case POOLS:
                return ShowPools.table(view.pools(), columns);
            case STATS:
                return ShowStats.stats(view.stats());
            case STATS_TOTALS:
                return ShowStats.totals(view.stats());
            case STATS_AVERAGES:
                return ShowStats.averages(view.stats());
            case TOTALS:
                return ShowStats.overall(view.totals());
            case DATABASES:
                return ShowDatabases.table(view.databases());
            case USERS:
                return ShowUsers.table(view.users(), columns);
            case CONFIG:
                return ShowConfig.table(view.config());
            case VERSION:
                return ShowVersion.table(console.versionText());
            case LISTS:
                return ShowLists.table(view.lists());
            case STATE:
                return ShowState.table(view.pauseState(), view.runState());
            case TENANTS:
                return ShowTenants.table(view.tenants());
            case BUDGETS:
                return ShowBudgets.table(view.budgets());
            case FLEET:
                return ShowFleet.table(view.fleet());
            case PEERS:
                return ShowPeers.table(view.peers());
            default:
                throw new IllegalStateException("no layout for SHOW " + target);
        }
    }
}
